"""benchmarks.nats_space"""
