"""benchmarks.nashpobench2"""
