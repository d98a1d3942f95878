"""Readable export of a NATS-Bench database (used by :mod:`nasbench_lite.export`).

``runs`` is written with its scalar columns taken from the bit-exact ``finals`` blob (so NaN
values, which SQL columns store as NULL, stay NaN) instead of the blob itself. ``curves``
becomes one row per (trial, epoch): ``arch_index, hp, dataset, seed, epoch`` then every
per-epoch series (``train_accuracy``, ``train_accuracy_top5``, ``train_loss``, ``train_time``,
``<set>_accuracy``, ``<set>_loss``, ``<set>_time`` for x-valid, x-test, ori-test), null where
the source has no value.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from nasbench_lite.db import Database
from nasbench_lite.nats.trial import EVAL_SETS, FINAL_FIELDS, SET_COLUMNS, Trial

__all__ = ["CURVE_COLUMNS", "curves_batches", "runs_batches"]

_TRAIN = ("train_accuracy", "train_accuracy_top5", "train_loss", "train_time")
CURVE_COLUMNS = (
    *_TRAIN,
    *(f"{SET_COLUMNS[s]}_{k}" for s in EVAL_SETS for k in ("accuracy", "loss", "time")),
)
_KEYS = ("arch_index", "hp", "dataset", "seed")
_CHUNK_TRIALS = 2_000
_FINALS = np.dtype([("v", "<f8", (len(FINAL_FIELDS),)), ("mask", "<u4")])


def runs_batches(db: Database) -> Iterator[Any]:
    """Streams ``runs`` (without the binary ``finals``; exact values, NaN kept)."""
    import pyarrow as pa

    cursor = db.connection.execute(
        "SELECT arch_index, hp, dataset, seed, run_id, seed_label, epochs, eval_names,"
        " config_id, finals FROM runs ORDER BY arch_index, hp, dataset, seed_order"
    )
    names = [
        *_KEYS, "run_id", "seed_label", "epochs", "eval_names", "config_id", *FINAL_FIELDS
    ]  # fmt: skip
    while True:
        rows = [row for _, row in zip(range(50_000), cursor, strict=False)]
        if not rows:
            return
        *keys, blobs = zip(*rows, strict=True)
        finals = np.frombuffer(b"".join(blobs), dtype=_FINALS)
        arrays = [pa.array(column) for column in keys]
        for i in range(len(FINAL_FIELDS)):
            present = (finals["mask"] >> np.uint32(i)) & 1
            arrays.append(pa.array(finals["v"][:, i], mask=present == 0))
        yield pa.record_batch(arrays, names=names)


def curves_batches(db: Database) -> Iterator[Any]:
    """Streams every per-epoch value, one row per (trial, epoch)."""
    import pyarrow as pa

    cursor = db.connection.execute(
        "SELECT r.arch_index, r.hp, r.dataset, r.seed, r.eval_names, c.data FROM runs r"
        " JOIN curves c USING (run_id) ORDER BY r.arch_index, r.hp, r.dataset, r.seed_order"
    )
    while True:
        rows = [row for _, row in zip(range(_CHUNK_TRIALS), cursor, strict=False)]
        if not rows:
            return
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
