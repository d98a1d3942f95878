"""The stored encoding of NAS-HPO-Bench-II runs, both ways (see ``sql/nashpobench2.sql``).

Shared by the builder, the API, the bulk loader, the official-dict views and tests; the one
module that knows it. Ids are positions in the sorted value tables: ``conf_id`` numbers a
(hash, lr, batch size) configuration, ``run_id`` a configuration and seed
(:func:`conf_id`, :func:`run_id`). A run is one ``runs`` row (the file's three totals and a
copy of the accuracies after epoch 12) and twelve plain ``epochs`` rows (per epoch the file's
six values, then the official API's cost of a query at that epoch, :func:`official_costs`).
SQLite keeps a NaN REAL as NULL and -0.0 as 0.0, so each row's ``special_mask`` has a bit per
value column where the file holds one of them (:func:`special_values`, :func:`bit_masks`;
read back by :func:`exact_value`).

In memory (``bulk.load_dense``) a run is one row of 75 floats: the 72 per-epoch values in
:data:`CURVE_COLUMNS` order (metric-major, epoch-minor), then the three totals.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

__all__ = [
    "ACC_OFFSET",
    "COST_COLUMNS",
    "CURVE_COLUMNS",
    "EPOCH_CHUNK_RUNS",
    "EPOCH_METRICS",
    "EPOCH_SQL",
    "FINAL_COLUMNS",
    "FINAL_SQL",
    "INSERT_BATCH_SIZE",
    "INSERT_CELL",
    "INSERT_EPOCH",
    "INSERT_HASH",
    "INSERT_LR",
    "INSERT_RUN",
    "INSERT_SEED",
    "INSERT_SURROGATE",
    "MODES",
    "NUM_CURVES",
    "NUM_EPOCHS",
    "PARTIAL_BITS",
    "PARTIAL_SQL",
    "SURROGATE_SQL",
    "TIME_OFFSETS",
    "TOTAL_COLUMN",
    "TOTAL_COLUMNS",
    "bit_masks",
    "conf_id",
    "epoch_rows",
    "exact_value",
    "official_costs",
    "run_id",
    "special_values",
]

NUM_EPOCHS = 12
#: Value columns of the ``epochs`` table, in order (bit i of its ``special_mask`` is column i).
EPOCH_METRICS = ("train_acc", "valid_acc", "test_acc", "train_time", "valid_time", "test_time")
#: ``epochs`` columns after the six values: the official API's cost of a train / valid / test
#: query at ``iepoch = epoch`` (bits 6..8 of its ``special_mask``).
COST_COLUMNS = ("train_cost", "valid_cost", "test_cost")
#: The official bench12 per-epoch column names, metric-major: ``f"{metric}_{epoch - 1}"``.
CURVE_COLUMNS = tuple(
    f"{metric}_{epoch}" for metric in EPOCH_METRICS for epoch in range(NUM_EPOCHS)
)
#: bench12 columns stored as their own ``runs`` columns (bit i of ``runs.special_mask``).
TOTAL_COLUMNS = ("total_train_time", "total_trainval_time", "total_test_time")
#: ``runs`` copies of the accuracies after epoch 12 (bits 3..5 of ``runs.special_mask``).
FINAL_COLUMNS = ("final_train_acc", "final_valid_acc", "final_test_acc")
NUM_CURVES = len(CURVE_COLUMNS)
#: Column of epoch 1's accuracy per mode in a dense run row (add iepoch - 1).
ACC_OFFSET = {"train": 0, "valid": NUM_EPOCHS, "test": 2 * NUM_EPOCHS}
#: Column of each total in a dense run row (72 curve values, then the three totals).
TOTAL_COLUMN = {"train": NUM_CURVES, "valid": NUM_CURVES + 1, "test": NUM_CURVES + 2}
#: Per mode, the first column of each per-epoch time summed into its cost, in the official
#: order (``itertools.product(time_modes, range(iepoch))``).
TIME_OFFSETS = {
    "train": (3 * NUM_EPOCHS,),
    "valid": (3 * NUM_EPOCHS, 4 * NUM_EPOCHS),
    "test": (3 * NUM_EPOCHS, 4 * NUM_EPOCHS, 5 * NUM_EPOCHS),
}


def exact_value(value: Any, mask: int, bit: int) -> Any:
    """A stored value with its ``special_mask`` bit applied.

    SQLite stores a NaN REAL as NULL and -0.0 as 0.0; the builder sets bit ``bit`` of the
    row's ``special_mask`` where the file holds one of them (NULL without the bit: ``None``).

    Args:
        value: The value read (float or None).
        mask: The row's ``special_mask``.
        bit: The column's bit.

    Returns:
        The file's value: ``value``, NaN or -0.0.
    """
    if mask >> bit & 1:
        return math.nan if value is None else -0.0
    return value


#: Query modes, in bit order (accuracy bits 0-2, cost bits 6-8 of ``epochs.special_mask``).
MODES = ("train", "valid", "test")
#: Runs per chunk of ``epochs`` rows handed to SQLite (bounded memory for 1.6M rows).
EPOCH_CHUNK_RUNS = 8192

INSERT_HASH = "INSERT INTO hashes(hash_id, cell_hash) VALUES (?, ?)"
INSERT_CELL = (
    "INSERT INTO cells(cell_idx, cellcode, hash_id, canonical_cellcode,"
    " canonical_class) VALUES (?, ?, ?, ?, ?)"
)
INSERT_LR = "INSERT INTO lrs VALUES (?, ?)"
INSERT_BATCH_SIZE = "INSERT INTO batch_sizes VALUES (?, ?)"
INSERT_SEED = "INSERT INTO seeds VALUES (?, ?)"
#: A ``runs`` row: ids, the three totals, the three final accuracies, ``special_mask``.
INSERT_RUN = (
    "INSERT INTO runs(run_id, hash_id, lr_idx, bs_idx, seed_idx, total_train_time,"
    " total_trainval_time, total_test_time, final_train_acc, final_valid_acc,"
    " final_test_acc, special_mask) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
)
#: An ``epochs`` row of :func:`epoch_rows`.
INSERT_EPOCH = (
    f"INSERT INTO epochs(run_id, epoch, {', '.join(EPOCH_METRICS + COST_COLUMNS)},"
    " special_mask) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
)
INSERT_SURROGATE = (
    "INSERT INTO surrogate(conf_id, hash_id, lr_idx, bs_idx, avg_acc) VALUES (?,?,?,?,?)"
)

#: The 12-epoch answer: the run's totals and accuracies after epoch 12 (one small row).
FINAL_SQL = (
    "SELECT total_train_time, total_trainval_time, total_test_time, final_train_acc,"
    " final_valid_acc, final_test_acc, special_mask FROM runs WHERE run_id = ?"
)
#: Per mode, epochs 1..N of one run: the per-epoch times its cost sums (official order), the
#: mode's accuracy and the special bits (the rare fallback of a NULL cost).
PARTIAL_SQL = {
    mode: f"SELECT {', '.join(times)}, {mode}_acc, special_mask FROM epochs"
    " WHERE run_id = ? AND epoch <= ? ORDER BY epoch"
    for mode, times in (
        ("train", ("train_time",)),
        ("valid", ("train_time", "valid_time")),
        ("test", ("train_time", "valid_time", "test_time")),
    )
}
#: Bit of each selected column in ``epochs.special_mask`` (see :data:`PARTIAL_SQL`).
PARTIAL_BITS = {"train": (3, 0), "valid": (3, 4, 1), "test": (3, 4, 5, 2)}
#: Per mode, the accuracy and the official cost after epoch N (one row; bits 0-2 / 6-8).
EPOCH_SQL = {
    mode: f"SELECT {mode}_acc, {mode}_cost, special_mask FROM epochs WHERE run_id = ? AND epoch = ?"
    for mode in MODES
}
#: The 200-epoch surrogate accuracy of one configuration.
SURROGATE_SQL = "SELECT avg_acc FROM surrogate WHERE conf_id = ?"


def conf_id(hash_id: Any, lr_idx: Any, bs_idx: Any, num_lrs: int, num_bs: int) -> Any:
    """The ``conf_id`` of a (hash, lr, batch size) configuration (ints or int arrays).

    Args:
        hash_id: ``hashes.hash_id``.
        lr_idx: ``lrs.lr_idx``.
        bs_idx: ``batch_sizes.bs_idx``.
        num_lrs: Rows of ``lrs``.
        num_bs: Rows of ``batch_sizes``.

    Returns:
        ``(hash_id * num_lrs + lr_idx) * num_bs + bs_idx``.
    """
    return (hash_id * num_lrs + lr_idx) * num_bs + bs_idx


def run_id(conf: Any, seed_idx: Any, num_seeds: int) -> Any:
    """The ``run_id`` of a configuration's run with one seed (ints or int arrays).

    Args:
        conf: Its :func:`conf_id`.
        seed_idx: ``seeds.seed_idx``.
        num_seeds: Rows of ``seeds``.

    Returns:
        ``conf * num_seeds + seed_idx``.
    """
    return conf * num_seeds + seed_idx


def special_values(values: list[Any], array: Any) -> Any:
    """Where the file holds NaN or -0.0 (which SQLite stores as NULL / 0.0), not None.

    Args:
        values: A column's file values.
        array: The same values as floats (None as NaN).

    Returns:
        A bool array like ``array``.
    """
    special = np.isnan(array) | ((array == 0.0) & np.signbit(array))
    if special.any():
        for index in np.flatnonzero(special):
            if values[index] is None:  # None is stored as NULL, no bit: the file's value
                special[index] = False
    return special


def bit_masks(bits: Any) -> Any:
    """``special_mask`` values from bool arrays: bit i is position i along the last axis.

    Args:
        bits: A bool array, value columns along the last axis.

    Returns:
        An int64 array with the last axis summed away.
    """
    weights = np.left_shift(1, np.arange(bits.shape[-1], dtype=np.int64))
    return (bits.astype(np.int64) * weights).sum(axis=-1)


def official_costs(curves: Any, totals: list[Any], nones: Any) -> tuple[Any, Any]:
    """The official API's cost of each (mode, iepoch) query, and where it is NaN / -0.0.

    ``query_by_key(mode=m, iepoch=k)`` charges, for k < 12, ``sum()`` over the per-epoch times
    of epochs 1..k, train times first, then valid, then test (modes train / valid / test add
    one more kind each), and for k = 12 the file's totals (``total_train_time``,
    ``total_trainval_time``, ``total_trainval_time + total_test_time``). Computed here with the
    same float additions in the same order, so each value equals the official one bit for bit.

    Args:
        curves: ``(runs, 6, 12)`` per-epoch values (:data:`EPOCH_METRICS` order).
        totals: The three total arrays.
        nones: ``(runs, 6, 12)``: where the file holds None (the official sum fails there).

    Returns:
        ``(costs (runs, 3, 12), special (runs, 3, 12))``; a cost with a None among its terms is
        NaN without the special bit (stored NULL: the official call raises ``TypeError``).
    """
    runs = curves.shape[0]
    times, none_times = curves[:, 3:6, :], nones[:, 3:6, :]
    costs = np.empty((runs, 3, NUM_EPOCHS))
    failing = np.zeros((runs, 3, NUM_EPOCHS), dtype=bool)
    for mode in range(3):
        for last in range(1, NUM_EPOCHS):
            cost = np.zeros(runs)  # sum() starts at int 0: 0 + x is x
            for kind in range(mode + 1):
                for epoch in range(last):
                    cost = cost + times[:, kind, epoch]
            costs[:, mode, last - 1] = cost
            failing[:, mode, last - 1] = none_times[:, : mode + 1, :last].any(axis=(1, 2))
    costs[:, 0, -1], costs[:, 1, -1] = totals[0], totals[1]
    costs[:, 2, -1] = totals[1] + totals[2]
    special = (np.isnan(costs) & ~failing) | ((costs == 0.0) & np.signbit(costs))
    return costs, special


def epoch_rows(run_ids: Any, rows: Any, curves: Any, masks: Any) -> Iterator[tuple[Any, ...]]:
    """``epochs`` rows ``(run_id, epoch, 9 values, special_mask)`` in (run_id, epoch) order.

    Args:
        run_ids: The runs' ``run_id`` values, ascending.
        rows: The file row of each of ``run_ids``.
        curves: ``(file rows, 9, 12)``: the six file columns, then the three official costs.
        masks: ``(file rows, 12)`` ``special_mask`` values.

    Yields:
        Rows for :data:`INSERT_EPOCH`, :data:`EPOCH_CHUNK_RUNS` runs converted at a time.
    """
    epochs = list(range(1, NUM_EPOCHS + 1))
    for start in range(0, len(run_ids), EPOCH_CHUNK_RUNS):
        chunk = rows[start : start + EPOCH_CHUNK_RUNS]
        values = curves[chunk].transpose(0, 2, 1).tolist()  # (runs, 12, 9)
        bits = masks[chunk].tolist()  # (runs, 12)
        for run, run_values, run_bits in zip(
            run_ids[start : start + EPOCH_CHUNK_RUNS].tolist(), values, bits, strict=True
        ):
            for epoch, epoch_values, mask in zip(epochs, run_values, run_bits, strict=True):
                yield (run, epoch, *epoch_values, mask)
