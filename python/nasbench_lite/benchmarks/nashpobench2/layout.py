"""Layout of a NAS-HPO-Bench-II run row, shared by the builder, the API and the exporter."""

from __future__ import annotations

__all__ = [
    "ACC_OFFSET",
    "CURVE_COLUMNS",
    "NUM_CURVES",
    "NUM_EPOCHS",
    "TIME_OFFSETS",
    "TOTAL_COLUMN",
    "TOTAL_COLUMNS",
]

NUM_EPOCHS = 12
#: bench12 columns packed, in this order, into each ``runs.curves`` blob (72 float64).
CURVE_COLUMNS = tuple(
    f"{split}_{what}_{epoch}"
    for what in ("acc", "time")
    for split in ("train", "valid", "test")
    for epoch in range(NUM_EPOCHS)
)
#: bench12 columns stored as their own ``runs`` columns.
TOTAL_COLUMNS = ("total_train_time", "total_trainval_time", "total_test_time")
NUM_CURVES = len(CURVE_COLUMNS)
#: Column of epoch 1's accuracy per mode (add iepoch - 1).
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
