"""benchmarks.nar"""
