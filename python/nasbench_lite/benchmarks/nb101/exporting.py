"""Readable export of the NAS-Bench-101 ``cells`` and ``runs`` tables (see ``kind.py``)."""

from __future__ import annotations

import numpy as np

from nasbench_lite._core.database import Database
from nasbench_lite._core.exporting import CHUNK_ROWS, Batches
from nasbench_lite._optional import import_pyarrow
from nasbench_lite.benchmarks.nb101.layout import (
    METRIC_COLUMNS,
    METRIC_FIELDS,
    load_special,
    special_count,
)
from nasbench_lite.benchmarks.nb101.reader import decode_cell

__all__ = ["cells_batches", "runs_batches"]


def cells_batches(db: Database) -> Batches:
    """``cells`` with ``adjacency`` ('0'/'1' digits) and ``ops`` next to the compact codes."""
    pa = import_pyarrow()

    sql = (
        "SELECT cell_id, hash, num_vertices, num_edges, edge_bits, op_codes,"
        " trainable_parameters FROM cells ORDER BY cell_id"
    )
    for rows in db.stream(sql, size=CHUNK_ROWS):
        cell_id, hashes, vertices, edges, bits, codes, params = zip(*rows, strict=True)
        adjacency, ops = [], []
        for n, b, c in zip(vertices, bits, codes, strict=True):
            matrix, names = decode_cell(n, b, c)
            adjacency.append("".join(map(str, matrix.reshape(-1).tolist())))
            ops.append(",".join(names))
        yield pa.record_batch(
            [
                pa.array(cell_id, pa.int64()),
                pa.array(hashes, pa.string()),
                pa.array(vertices, pa.int8()),
                pa.array(edges, pa.int8()),
                pa.array(bits, pa.int64()),
                pa.array(codes, pa.int64()),
                pa.array(params, pa.int64()),
                pa.array(adjacency, pa.string()),
                pa.array(ops, pa.string()),
            ],
            names=[
                "cell_id",
                "hash",
                "num_vertices",
                "num_edges",
                "edge_bits",
                "op_codes",
                "trainable_parameters",
                "adjacency",
                "ops",
            ],
        )


def runs_batches(db: Database) -> Batches:
    """``runs`` as stored (one row per cell, epochs and repeat, the eight metric columns), with
    the exact NaN / -0.0 values of ``special_values`` put back (Parquet keeps their bits)."""
    pa = import_pyarrow()

    special = load_special(db.query, 0, 2**62) if special_count(db.meta) else {}
    sql = (
        f"SELECT cell_id, epochs, repeat, {METRIC_COLUMNS} FROM runs"
        " ORDER BY cell_id, epochs, repeat"
    )
    for rows in db.stream(sql, size=CHUNK_ROWS):
        columns = list(zip(*rows, strict=True))
        # NULL -> NaN first (a NaN without its bits), then the exact special values.
        values = np.array(columns[3:], dtype=np.float64).T.copy()
        if special:
            keys = list(zip(columns[0], columns[1], columns[2], strict=True))
            for position, key in enumerate(keys):
                exact = special.get(key)
                if exact:
                    for field, value in exact.items():
                        values[position, field] = value
        yield pa.record_batch(
            [
                pa.array(np.asarray(columns[0], dtype=np.int64)),
                pa.array(np.asarray(columns[1], dtype=np.int32)),
                pa.array(np.asarray(columns[2], dtype=np.int8)),
                *(pa.array(values[:, i]) for i in range(len(METRIC_FIELDS))),
            ],
            names=["cell_id", "epochs", "repeat", *METRIC_FIELDS],
        )
