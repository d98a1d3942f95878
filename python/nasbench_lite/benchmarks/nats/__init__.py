"""benchmarks.nats"""
