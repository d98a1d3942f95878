"""Whole-table arrays of a NAS-HPO-Bench-II database, for ``API.preload`` and ``query_many``."""

from __future__ import annotations

from typing import Any

import numpy as np

from nasbench_lite._core.database import Database
from nasbench_lite.benchmarks.nashpobench2.layout import (
    ACC_OFFSET,
    NUM_CURVES,
    NUM_EPOCHS,
    TIME_OFFSETS,
    TOTAL_COLUMN,
)

__all__ = ["acc_cost", "load_dense"]


def load_dense(db: Database, configurations: int, num_seeds: int) -> tuple[Any, Any, Any, Any]:
    """Every run and surrogate value as dense arrays (NaN / False where the data has none).

    Args:
        db: The open database.
        configurations: Number of (hash, lr, batch size) slots, ``conf_id`` < this.
        num_seeds: Seeds per configuration (``run_id = conf_id * num_seeds + seed_idx``).

    Returns:
        ``(runs[run_id, 75], run present, surrogate[conf_id], surrogate present)``; a run row
        holds the 72 curve values then the three totals.
    """
    size = configurations * num_seeds
    rows = db.query(
        "SELECT run_id, total_train_time, total_trainval_time, total_test_time, curves FROM runs"
    )
    count = len(rows)
    run_id = np.fromiter((r[0] for r in rows), np.int64, count)
    runs = np.full((size, NUM_CURVES + 3), np.nan)
    present = np.zeros(size, dtype=bool)
    present[run_id] = True
    # None (SQL NULL) becomes NaN in a float array.
    runs[run_id, NUM_CURVES:] = np.array([r[1:4] for r in rows], dtype=np.float64)
    runs[run_id, :NUM_CURVES] = np.frombuffer(b"".join(r[4] for r in rows), dtype="<f8").reshape(
        -1, NUM_CURVES
    )
    surrogate = np.full(configurations, np.nan)
    found = np.zeros(configurations, dtype=bool)
    values = db.query("SELECT conf_id, avg_acc FROM surrogate")
    if values:
        conf_id = np.fromiter((v[0] for v in values), np.int64, len(values))
        surrogate[conf_id] = np.array([v[1] for v in values], dtype=np.float64)
        found[conf_id] = True
    return runs, present, surrogate, found


def acc_cost(runs: Any, run_id: Any, mode: str, last: int) -> tuple[Any, Any]:
    """Accuracy and cost of the rows ``run_id`` (any shape), gathering only needed columns.

    Args:
        runs: The dense run rows of :func:`load_dense`.
        run_id: Row numbers (an int array of any shape).
        mode: ``'train'``, ``'valid'`` or ``'test'``.
        last: The epoch read, 1..12.

    Returns:
        ``(acc, cost)`` arrays shaped like ``run_id``, equal bit for bit to the official API.
    """
    acc = runs[run_id, ACC_OFFSET[mode] + last - 1]
    if last == NUM_EPOCHS:
        if mode == "test":
            cost = runs[run_id, TOTAL_COLUMN["valid"]] + runs[run_id, TOTAL_COLUMN["test"]]
        else:
            cost = runs[run_id, TOTAL_COLUMN[mode]]
        return acc, cost
    # Left-to-right like the official sum() (which starts at int 0): the same float.
    cost = np.zeros(np.shape(acc))
    for offset in TIME_OFFSETS[mode]:
        for epoch in range(last):
            cost = cost + runs[run_id, offset + epoch]
    return acc, cost
