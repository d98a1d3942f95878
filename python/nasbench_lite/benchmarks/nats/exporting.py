"""Readable export of a NATS-Bench database (used by :mod:`nasbench_lite._core.exporting`).

``runs`` is written with its scalar columns, NaN restored from ``nan_mask`` (SQL stores NaN
as NULL), and without the mask. ``curves``
becomes one row per (trial, epoch): ``arch_index, hp, dataset, seed, epoch`` then every
per-epoch series (``train_accuracy``, ``train_accuracy_top5``, ``train_loss``, ``train_time``,
``<set>_accuracy``, ``<set>_loss``, ``<set>_time`` for x-valid, x-test, ori-test), null where
the source has no value.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from nasbench_lite._core.database import Database
from nasbench_lite._optional import import_pyarrow
from nasbench_lite.benchmarks.nats.trial import EVAL_SETS, FINAL_FIELDS, SET_COLUMNS, Trial

__all__ = ["CURVE_COLUMNS", "curves_batches", "runs_batches"]

_TRAIN = ("train_accuracy", "train_accuracy_top5", "train_loss", "train_time")
CURVE_COLUMNS = (
    *_TRAIN,
    *(f"{SET_COLUMNS[s]}_{k}" for s in EVAL_SETS for k in ("accuracy", "loss", "time")),
)
_KEYS = ("arch_index", "hp", "dataset", "seed")
_CHUNK_TRIALS = 2_000


def runs_batches(db: Database) -> Iterator[Any]:
    """Streams ``runs`` with exact values (NaN kept, absent values null)."""
    pa = import_pyarrow()

    sql = (
        "SELECT arch_index, hp, dataset, seed, run_id, seed_label, epochs, eval_names,"
        f" config_id, nan_mask, {', '.join(FINAL_FIELDS)} FROM runs"
        " ORDER BY arch_index, hp, dataset, seed_order"
    )
    names = [
        *_KEYS, "run_id", "seed_label", "epochs", "eval_names", "config_id", *FINAL_FIELDS
    ]  # fmt: skip
    for rows in db.stream(sql, size=50_000):
        columns = list(zip(*rows, strict=True))
        arrays = [pa.array(column) for column in columns[:9]]
        nan_mask = np.asarray(columns[9], dtype=np.int64)
        for i, column in enumerate(columns[10:]):
            array = pa.array(column, pa.float64())
            values = array.to_numpy(zero_copy_only=False).copy()
            is_nan = (nan_mask >> i & 1).astype(bool)
            values[is_nan] = np.nan
            arrays.append(pa.array(values, mask=np.asarray(array.is_null()) & ~is_nan))
        yield pa.record_batch(arrays, names=names)


def curves_batches(db: Database) -> Iterator[Any]:
    """Streams every per-epoch value, one row per (trial, epoch)."""
    pa = import_pyarrow()

    sql = (
        "SELECT r.arch_index, r.hp, r.dataset, r.seed, r.eval_names, c.data FROM runs r"
        " JOIN curves c USING (run_id) ORDER BY r.arch_index, r.hp, r.dataset, r.seed_order"
    )
    for rows in db.stream(sql, size=_CHUNK_TRIALS):
        keys: list[list[Any]] = [[] for _ in _KEYS]
        epoch_parts = []
        value_parts = []
        mask_parts = []
        for *key, names, blob in rows:
            trial = Trial.decode(blob, names.split(",") if names else [])
            values = np.zeros((len(CURVE_COLUMNS), trial.epochs))
            present = np.zeros((len(CURVE_COLUMNS), trial.epochs), dtype=bool)
            values[:4], present[:4] = trial.values[:4], trial.present[:4]
            for i, name in enumerate(trial.eval_names):
                target = 4 + 3 * EVAL_SETS.index(name)
                values[target : target + 3] = trial.values[4 + 3 * i : 7 + 3 * i]
                present[target : target + 3] = trial.present[4 + 3 * i : 7 + 3 * i]
            for column, value in zip(keys, key, strict=True):
                column.extend([value] * trial.epochs)
            epoch_parts.append(np.arange(trial.epochs, dtype=np.int32))
            value_parts.append(values)
            mask_parts.append(present)
        values = np.concatenate(value_parts, axis=1)
        present = np.concatenate(mask_parts, axis=1)
        arrays = [
            pa.array(keys[0], pa.int32()),
            pa.array(keys[1], pa.string()),
            pa.array(keys[2], pa.string()),
            pa.array(keys[3], pa.int32()),
            pa.array(np.concatenate(epoch_parts)),
            *(pa.array(values[i], mask=~present[i]) for i in range(len(CURVE_COLUMNS))),
        ]
        yield pa.record_batch(arrays, names=[*_KEYS, "epoch", *CURVE_COLUMNS])
