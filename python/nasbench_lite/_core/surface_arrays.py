"""Array helpers the kinds' surface adapters share (knows no benchmark).

One-hot rows for :meth:`ArchSpace._encode` and the Arrow-to-numpy step of
:meth:`Surface._fetch` are the same in every ``benchmarks/<kind>/surface.py``: written once here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["column_floats", "onehot"]


def onehot(choices: npt.ArrayLike, width: int) -> npt.NDArray[np.float64]:
    """One-hot rows of categorical choices, slot by slot.

    Args:
        choices: ``(n, slots)`` integer choice of each slot, each in ``0..width - 1``.
        width: The number of values a slot can take.

    Returns:
        ``(n, slots * width)`` float64: 1.0 at ``slot * width + choice``, 0.0 elsewhere.
    """
    codes = np.asarray(choices, dtype=np.int64)
    count, slots = codes.shape
    rows = np.zeros((count, slots, width))
    rows[np.arange(count)[:, None], np.arange(slots)[None, :], codes] = 1.0
    return rows.reshape(count, slots * width)


def column_floats(column: Any) -> npt.NDArray[np.float64]:
    """An Arrow column as float64 (nulls as NaN; adapters track presence separately).

    Args:
        column: A ``pyarrow`` array or chunked array of numbers.

    Returns:
        ``(len(column),)`` float64.
    """
    values: npt.NDArray[np.float64] = np.asarray(
        column.to_numpy(zero_copy_only=False), dtype=np.float64
    )
    return values
