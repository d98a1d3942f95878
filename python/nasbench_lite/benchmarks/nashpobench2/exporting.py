"""Readable export of the NAS-HPO-Bench-II ``runs`` table (used by
:mod:`nasbench_lite._core.exporting`).

Each row becomes the official bench12 row: ``cell_hash``, ``lr``, ``batch_size``, ``seed``, the
72 per-epoch columns under their official names and the three totals, plus ``hash_id`` to join
``cells``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from nasbench_lite._core.database import Database
from nasbench_lite._optional import import_pyarrow
from nasbench_lite.benchmarks.nashpobench2.layout import CURVE_COLUMNS, TOTAL_COLUMNS

__all__ = ["runs_batches"]

_CHUNK_ROWS = 50_000


def runs_batches(db: Database) -> Iterator[Any]:
    """Streams ``runs`` as ``pyarrow.RecordBatch`` es with the curves expanded.

    Args:
        db: An open NAS-HPO-Bench-II database.

    Yields:
        Record batches in ``run_id`` order.
    """
    pa = import_pyarrow()

    sql = (
        "SELECT r.hash_id, h.cell_hash, l.lr, b.batch_size, s.seed, r.total_train_time,"
        " r.total_trainval_time, r.total_test_time, r.curves FROM runs r"
        " JOIN hashes h USING (hash_id) JOIN lrs l USING (lr_idx)"
        " JOIN batch_sizes b USING (bs_idx) JOIN seeds s USING (seed_idx) ORDER BY r.run_id"
    )
    for rows in db.stream(sql, size=_CHUNK_ROWS):
        hash_id, cell_hash, lr, batch_size, seed, *totals, blobs = zip(*rows, strict=True)
        curves = np.frombuffer(b"".join(blobs), dtype="<f8").reshape(-1, len(CURVE_COLUMNS))
        arrays = [
            pa.array(hash_id, pa.int64()),
            pa.array(cell_hash),
            pa.array(lr, pa.float64()),
            pa.array(batch_size, pa.int64()),
            pa.array(seed, pa.int64()),
            *(pa.array(curves[:, i]) for i in range(len(CURVE_COLUMNS))),
            *(pa.array(column, pa.float64()) for column in totals),
        ]
        names = ["hash_id", "cell_hash", "lr", "batch_size", "seed", *CURVE_COLUMNS, *TOTAL_COLUMNS]
        yield pa.record_batch(arrays, names=names)
