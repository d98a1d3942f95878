"""NAS-HPO-Bench-II (joint architecture + training-hyperparameter benchmark) on one SQLite file.

Build the database from the three official pickles with ``nasbench-lite build nashpobench2
DATA_DIR -o nhb2.sqlite`` (or :func:`build_nashpobench2`) and query it through :class:`API`, a
drop-in for the official ``nashpobench2api.NASHPOBench2API``. The cell-code convention and the
canonical classes live in :mod:`nasbench_lite.spaces.nb201.cellcode` and need no data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nasbench_lite._core.arguments import check_public
from nasbench_lite.spaces.nb201.cellcode import (
    EDGES,
    OPS,
    all_cellcodes,
    canonical_cellcode,
    canonical_classes,
    cellcode_from_ops,
    enumerate_cellcodes,
    ops_of,
)

if TYPE_CHECKING:
    from nasbench_lite.benchmarks.nashpobench2.build import build_nashpobench2
    from nasbench_lite.benchmarks.nashpobench2.reader import API

__all__ = [
    "API",
    "EDGES",
    "OPS",
    "all_cellcodes",
    "build_nashpobench2",
    "canonical_cellcode",
    "canonical_classes",
    "cellcode_from_ops",
    "enumerate_cellcodes",
    "ops_of",
]


def __getattr__(name: str) -> Any:
    # The API and builder pull in apsw/pyarrow: import them only when asked for.
    if name == "API":
        from nasbench_lite.benchmarks.nashpobench2.reader import API

        return API
    if name == "build_nashpobench2":
        from nasbench_lite.benchmarks.nashpobench2.build import build_nashpobench2

        return build_nashpobench2
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


check_public(globals())
