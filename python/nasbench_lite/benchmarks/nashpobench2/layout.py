"""Layout of NAS-HPO-Bench-II runs, shared by the builder, the API, the bulk loader and tests.

A run's 72 per-epoch values are the ``epochs`` table's six value columns at epochs 1..12; in
memory (``bulk.load_dense``) a run is one row of 75 floats: the 72 values in
:data:`CURVE_COLUMNS` order (metric-major, epoch-minor), then the three totals.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = [
    "ACC_OFFSET",
    "COST_COLUMNS",
    "CURVE_COLUMNS",
    "EPOCH_METRICS",
    "FINAL_COLUMNS",
    "NUM_CURVES",
    "NUM_EPOCHS",
    "TIME_OFFSETS",
    "TOTAL_COLUMN",
    "TOTAL_COLUMNS",
    "exact_value",
]

NUM_EPOCHS = 12
#: Value columns of the ``epochs`` table, in order (bit i of its ``nan_mask`` is column i).
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
