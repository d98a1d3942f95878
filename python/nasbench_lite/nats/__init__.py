"""NATS-Bench / NAS-Bench-201: topology cells and their exact costs (data API: issue #5)."""

from nasbench_lite.nats.arch import EDGES, OPS, parse_arch, str2lists
from nasbench_lite.nats.cost import DATASETS, NAR_DATASETS, cell_costs, cost_many, encode_many

__all__ = [
    "DATASETS",
    "EDGES",
    "NAR_DATASETS",
    "OPS",
    "cell_costs",
    "cost_many",
    "encode_many",
    "parse_arch",
    "str2lists",
]
