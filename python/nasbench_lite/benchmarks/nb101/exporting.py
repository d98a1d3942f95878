"""Readable export of the NAS-Bench-101 ``cells`` and ``runs`` tables (see ``kind.py``)."""

from __future__ import annotations

import numpy as np

from nasbench_lite._core.database import Database
from nasbench_lite._core.exporting import CHUNK_ROWS, Batches
from nasbench_lite._optional import import_pyarrow
from nasbench_lite.benchmarks.nb101.reader import METRIC_FIELDS, decode_cell

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
    """``runs`` blobs as one row per (cell, epochs, repeat) with the eight metric columns."""
    pa = import_pyarrow()

    sql = "SELECT cell_id, epochs, repeats, metrics FROM runs ORDER BY cell_id, epochs"
    for rows in db.stream(sql, size=CHUNK_ROWS // 3):
        cell_id, epochs, repeats, blobs = zip(*rows, strict=True)
        counts = np.asarray(repeats, dtype=np.int64)
        values = np.frombuffer(b"".join(blobs), dtype="<f8").reshape(-1, len(METRIC_FIELDS))
        repeat = np.concatenate([np.arange(k) for k in counts.tolist()])
        arrays = [
            pa.array(np.repeat(np.asarray(cell_id, dtype=np.int64), counts)),
            pa.array(np.repeat(np.asarray(epochs, dtype=np.int32), counts)),
            pa.array(repeat.astype(np.int8)),
            *(pa.array(values[:, i]) for i in range(len(METRIC_FIELDS))),
        ]
        yield pa.record_batch(arrays, names=["cell_id", "epochs", "repeat", *METRIC_FIELDS])
