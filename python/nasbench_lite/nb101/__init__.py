"""NAS-Bench-101: cells, official hashing, batch checks and the enumerated search space.

Drop-in names from the official ``nasbench`` package: :class:`ModelSpec`, ``OutOfDomainError``,
``is_valid`` / ``check_spec`` (the API's spec checks, usable without a dataset).
"""

from nasbench_lite.errors import InvalidSpecError, OutOfDomainError
from nasbench_lite.spaces.nb101.batch import PAD_LABEL, BatchCheck, check_many, hash_many
from nasbench_lite.spaces.nb101.cost import (
    CostArrays,
    cell_costs,
    cost_many,
    trainable_parameters,
    vertex_channels,
)
from nasbench_lite.spaces.nb101.encode import encode_many
from nasbench_lite.spaces.nb101.enumerate import (
    SpaceChunk,
    count_labelled_graphs,
    enumerate_cells,
    space_chunks,
)
from nasbench_lite.spaces.nb101.spec import (
    AVAILABLE_OPS,
    CONV1X1,
    CONV3X3,
    INPUT,
    MAX_EDGES,
    MAX_VERTICES,
    MAXPOOL3X3,
    OUTPUT,
    ModelSpec,
    check_spec,
    hash_graph,
    is_valid,
)

__all__ = [
    "AVAILABLE_OPS",
    "CONV1X1",
    "CONV3X3",
    "INPUT",
    "MAX_EDGES",
    "MAX_VERTICES",
    "MAXPOOL3X3",
    "OUTPUT",
    "PAD_LABEL",
    "BatchCheck",
    "CostArrays",
    "InvalidSpecError",
    "ModelSpec",
    "OutOfDomainError",
    "SpaceChunk",
    "cell_costs",
    "check_many",
    "check_spec",
    "cost_many",
    "count_labelled_graphs",
    "encode_many",
    "enumerate_cells",
    "hash_graph",
    "hash_many",
    "is_valid",
    "space_chunks",
    "trainable_parameters",
    "vertex_channels",
]
