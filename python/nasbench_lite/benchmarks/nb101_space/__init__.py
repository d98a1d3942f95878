"""benchmarks.nb101_space"""
