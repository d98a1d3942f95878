"""NATS-Bench / NAS-Bench-201: search spaces, isomorphism classes, exact costs (no data)."""

from nasbench_lite.nats.api import NATSsize, NATStopology, create
from nasbench_lite.nats.arch import EDGES, OPS, parse_arch, str2lists
from nasbench_lite.nats.cost import DATASETS, NAR_DATASETS, cell_costs, cost_many, encode_many
from nasbench_lite.nats.space import (
    isomorphism_classes,
    size_strings,
    topology_strings,
    unique_str,
)

__all__ = [
    "DATASETS",
    "NATSsize",
    "NATStopology",
    "EDGES",
    "NAR_DATASETS",
    "OPS",
    "cell_costs",
    "cost_many",
    "create",
    "encode_many",
    "isomorphism_classes",
    "parse_arch",
    "size_strings",
    "str2lists",
    "topology_strings",
    "unique_str",
]
