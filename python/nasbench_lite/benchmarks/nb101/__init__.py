"""benchmarks.nb101"""
