"""NATS-Bench / NAS-Bench-201: data API, search spaces, isomorphism classes, exact costs.

``from nasbench_lite.nats import create`` loads only the query path (no NumPy); the space,
cost and encoding helpers are imported on first use (PEP 562 module ``__getattr__``).
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Any

from nasbench_lite._core.arguments import check_public
from nasbench_lite.benchmarks.nats.records import ArchRecord, Chooser, TrialRecord
from nasbench_lite.nats.api import NATSsize, NATStopology, create, remap_dataset_set_names
from nasbench_lite.spaces.nb201.arch import EDGES, OPS, parse_arch, str2lists, str2matrix

if TYPE_CHECKING:
    from nasbench_lite.spaces.nb201.cost import (
        DATASETS,
        NAR_DATASETS,
        cell_costs,
        cost_many,
        encode_many,
    )
    from nasbench_lite.spaces.nb201.space import (
        isomorphism_classes,
        size_strings,
        topology_strings,
        unique_str,
    )

__all__ = [
    "ArchRecord",
    "Chooser",
    "DATASETS",
    "EDGES",
    "NAR_DATASETS",
    "NATSsize",
    "NATStopology",
    "OPS",
    "cell_costs",
    "cost_many",
    "create",
    "encode_many",
    "isomorphism_classes",
    "load_pickle",
    "parse_arch",
    "remap_dataset_set_names",
    "size_strings",
    "str2lists",
    "str2matrix",
    "TrialRecord",
    "topology_strings",
    "unique_str",
]

_LAZY = {
    "DATASETS": "cost",
    "NAR_DATASETS": "cost",
    "cell_costs": "cost",
    "cost_many": "cost",
    "encode_many": "cost",
    "isomorphism_classes": "space",
    "size_strings": "space",
    "topology_strings": "space",
    "unique_str": "space",
}


def load_pickle(path: str | os.PathLike[str]) -> Any:
    """An official NATS-Bench pickle (plain or ``.pbz2``) read by the native restricted reader.

    NumPy scalars come back as Python numbers, NumPy arrays as arrays; nothing a file names is
    ever called, and the read is bounded by
    :data:`~nasbench_lite._core.formats.native_pickle.DEFAULT_LIMITS` (README "Reliability").

    Raises:
        UnsafePickleError: The file names a global outside the allow-list.
        CorruptSourceError: A missing, truncated, malformed or over-limit file.
    """
    from nasbench_lite._core.formats.native_pickle import load_path

    return load_path(path)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(f"nasbench_lite.spaces.nb201.{_LAZY[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'nasbench_lite.nats' has no attribute {name!r}")


check_public(globals())
