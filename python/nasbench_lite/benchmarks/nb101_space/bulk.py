"""Bulk reads of an ``nb101_space`` database: many hashes in one statement, as Arrow."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from nasbench_lite._core.database import Database
from nasbench_lite._optional import import_pyarrow
from nasbench_lite.benchmarks.nb101_space.layout import CELL_COLUMNS

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["cells_table"]

# Every column but ``hash`` (the key, given back as asked), prefixed for the join.
_VALUE_COLUMNS = CELL_COLUMNS[:1] + CELL_COLUMNS[2:]
_JOIN = (
    "SELECT w.pos, "
    + ", ".join(f"c.{column}" for column in _VALUE_COLUMNS)
    + " FROM temp.keys w LEFT JOIN cells c ON c.hash = w.key ORDER BY w.pos"
)


def cells_table(db: Database, hashes: Iterable[str]) -> pa.Table:
    """Looks up many hashes in one query; unknown hashes give ``found = False`` rows.

    Args:
        db: An open ``nb101_space`` database.
        hashes: Module hashes, any iterable of str.

    Returns:
        ``pyarrow.Table`` with one row per input in input order: ``hash``, ``found`` and the
        stored columns (``adjacency``/``ops`` in their stored string encodings), null where
        not found.
    """
    pa = import_pyarrow()

    wanted = [str(h) for h in hashes]
    # The keys go into a temporary table joined in one statement (no per-item round trips).
    rows = db.query_keyed(wanted, _JOIN)
    columns: list[tuple[Any, ...]] = (
        list(zip(*rows, strict=True)) if rows else [()] * (len(_VALUE_COLUMNS) + 1)
    )
    return pa.table(
        {
            "hash": pa.array(wanted, pa.string()),
            "found": pa.array([c is not None for c in columns[1]], pa.bool_()),
            "cell_id": pa.array(columns[1], pa.int32()),
            "num_vertices": pa.array(columns[2], pa.int8()),
            "num_edges": pa.array(columns[3], pa.int8()),
            "edge_bits": pa.array(columns[4], pa.uint32()),
            "adjacency": pa.array(columns[5], pa.string()),
            "ops": pa.array(columns[6], pa.string()),
            "trainable_parameters": pa.array(columns[7], pa.int64()),
            "flops": pa.array(columns[8], pa.int64()),
        }
    )
