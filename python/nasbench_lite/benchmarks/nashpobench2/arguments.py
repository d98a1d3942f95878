"""Argument checks of the NAS-HPO-Bench-II API that need no database: epochs, modes, indexes.

Shared by the single queries (:mod:`nasbench_lite.benchmarks.nashpobench2.reader`) and the
bulk ones (:mod:`nasbench_lite.benchmarks.nashpobench2.bulk`), so both refuse the same
arguments with the same messages.
"""

from __future__ import annotations

import operator
from typing import Any

from nasbench_lite.benchmarks.nashpobench2.layout import MODES
from nasbench_lite.errors import IndexOutOfRangeError, InvalidInputError, OutOfDomainError

__all__ = ["EPOCHS", "check_epoch_mode", "flat_position"]

#: The epoch budgets a query may ask for: 12 (trained) and 200 (surrogate).
EPOCHS = (12, 200)


def check_epoch_mode(epoch: Any, mode: Any, iepoch: Any) -> int:
    """The last epoch a query reads, after checking its ``epoch``, ``mode`` and ``iepoch``.

    Returns:
        ``iepoch``, else ``epoch``.

    Raises:
        OutOfDomainError: An unknown epoch or mode, an ``iepoch`` for 200 epochs, or one
            outside 1..12.
    """
    if epoch not in EPOCHS or isinstance(epoch, bool):
        raise OutOfDomainError(f"unknown epoch {epoch!r}: choose epoch from {list(EPOCHS)}")
    if mode not in MODES:
        raise OutOfDomainError(f"unknown mode {mode!r}: choose mode from {list(MODES)}")
    if iepoch is None:
        return int(epoch)
    if epoch != 12:
        raise OutOfDomainError(f"iepoch is only available for epoch 12, not {epoch}")
    if not isinstance(iepoch, int) or isinstance(iepoch, bool) or not 1 <= iepoch <= 12:
        raise OutOfDomainError(f"iepoch must be an int in 1..12, got {iepoch!r}")
    return iepoch


def flat_position(idx: Any, size: int) -> int:
    """``idx`` as a position in ``[0, size)``; negative values count from the end.

    Raises:
        InvalidInputError: Not an int (a bool included).
        IndexOutOfRangeError: Out of range (an ``IndexError``).
    """
    if isinstance(idx, bool):
        raise InvalidInputError(f"index must be an int, got {idx!r}")
    try:
        position = operator.index(idx)
    except TypeError:
        raise InvalidInputError(f"index must be an int, got {idx!r}") from None
    if position < 0:
        position += size
    if not 0 <= position < size:
        raise IndexOutOfRangeError(f"index {idx} out of range for {size} configurations")
    return position
