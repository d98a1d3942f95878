"""NAS-Bench-101: cells, official hashing, batch checks and the enumerated search space.

Drop-in names from the official ``nasbench`` package: :class:`ModelSpec`, ``OutOfDomainError``,
``is_valid`` / ``check_spec`` (the API's spec checks, usable without a dataset).
"""

from __future__ import annotations

from nasbench_lite.errors import InvalidSpecError, OutOfDomainError
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

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import Any

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

#: Names served by submodules that need numpy (or pyarrow), imported on first access so that
#: ``import nasbench_lite.nb101`` and a single-spec search loop never pay for numpy.
_LAZY = {
    "PAD_LABEL": "batch",
    "BatchCheck": "batch",
    "check_many": "batch",
    "hash_many": "batch",
    "CostArrays": "cost",
    "cell_costs": "cost",
    "cost_many": "cost",
    "trainable_parameters": "cost",
    "vertex_channels": "cost",
    "encode_many": "encode",
    "SpaceChunk": "enumerate",
    "count_labelled_graphs": "enumerate",
    "enumerate_cells": "enumerate",
    "space_chunks": "enumerate",
}


def __getattr__(name: str) -> Any:
    submodule = _LAZY.get(name)
    if submodule is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"nasbench_lite.spaces.nb101.{submodule}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


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
