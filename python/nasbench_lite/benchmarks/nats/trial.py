"""One NATS-Bench training trial (the official ``ResultsCount``) as arrays, and its encodings.

A trial's per-epoch values are kept as a ``(series, epochs)`` float64 matrix with a presence
mask, so values the file does not hold stay absent. Series order: ``train_acc1es``,
``train_acc5es``, ``train_losses``, ``train_times``, then for each eval set of ``eval_names``
(file order) its accuracy, loss and time. :meth:`Trial.get_train`, :meth:`Trial.get_eval`
and :meth:`Trial.get_latency` reproduce the official methods value for value (same summation
order), raising :class:`Unavailable` where the official ones raise.

Curves blob (``curves.data``): :func:`nasbench_lite.benchmarks.nats.layout.encode_curves`
(format in :mod:`nasbench_lite.benchmarks.nats.layout`).

The final scalars live in :mod:`nasbench_lite.benchmarks.nats.layout` (names re-exported here).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from nasbench_lite.benchmarks.nats.layout import (
    EVAL_SETS,
    FINAL_FIELDS,
    SET_COLUMNS,
    TRAIN_SERIES,
    Curves,
    Unavailable,
    encode_curves,
    finals_from_row,
    finals_to_row,
)
from nasbench_lite.errors import CorruptDatabaseError

if TYPE_CHECKING:  # (the arrays come from numpy; a reader that never decodes a trial never
    import numpy as np  # imports it: ~0.1 s of every `import nasbench_lite.nats`)

__all__ = [
    "EVAL_SETS",
    "TRAIN_SERIES",
    "FINAL_FIELDS",
    "SET_COLUMNS",
    "Trial",
    "Unavailable",
    "finals_from_row",
    "finals_to_row",
]

_TRAIN_ACC, _TRAIN_ACC5, _TRAIN_LOSS, _TRAIN_TIME = range(len(TRAIN_SERIES))


class Trial:
    """Arrays of one trial with the official accessors.

    Attributes:
        epochs: Number of training epochs.
        eval_names: Eval-set names in file order.
        values: ``(series, epochs)`` float64 values (0.0 where absent).
        present: Same-shape bool mask of the values the file holds.
        dict_present: Per series, whether the file had a dict (False: the field was None).
        latency: The file's latency list, or None.
    """

    def __init__(
        self,
        epochs: int,
        eval_names: Sequence[str],
        values: np.ndarray,
        present: np.ndarray,
        dict_present: Sequence[bool],
        latency: list[float] | None,
    ) -> None:
        self.epochs = epochs
        self.eval_names = tuple(eval_names)
        self.values = values
        self.present = present
        self.dict_present = tuple(bool(d) for d in dict_present)
        self.latency = latency
        # The official get_eval reads times only when the eval_times dict is non-empty.
        time_rows = [4 + 3 * i + 2 for i in range(len(self.eval_names))]
        self.has_eval_times = bool(time_rows) and bool(self.present[time_rows].any())

    def __repr__(self) -> str:
        return (
            f"Trial(epochs={self.epochs}, eval_names={list(self.eval_names)}, "
            f"series={self.values.shape[0]}, latency={'yes' if self.latency else 'no'})"
        )

    # ----------------------------------------------------------------- encoding

    def encode(self) -> bytes:
        """The curves blob (:func:`~nasbench_lite.benchmarks.nats.layout.encode_curves`)."""
        return encode_curves(self.values, self.present, self.dict_present, self.latency)

    @classmethod
    def decode(cls, blob: bytes, eval_names: Sequence[str]) -> Trial:
        """Inverse of :meth:`encode`.

        Raises:
            CorruptDatabaseError: A blob of another format version, length or series count.
        """
        curves = Curves(blob)
        if curves.layout.n_series != 4 + 3 * len(eval_names):
            raise CorruptDatabaseError(
                f"curves blob with {curves.layout.n_series} series for eval sets {eval_names}"
            )
        values, present = curves.arrays()
        return cls(
            curves.epochs, eval_names, values, present, curves.dict_present, curves.latency()
        )

    # ----------------------------------------------------------- official methods
    def _series(self, row: int, iepoch: int) -> float:
        if not self.dict_present[row] or not self.present[row, iepoch]:
            raise Unavailable
        return float(self.values[row, iepoch])

    def _check_epoch(self, iepoch: int | None) -> int:
        if iepoch is None:
            return self.epochs - 1
        if iepoch < 0 or iepoch >= self.epochs:
            raise ValueError(f"invalid iepoch={iepoch} < {self.epochs}")
        return iepoch

    def _time_sum(self, row: int, iepoch: int) -> float:
        if not self.present[row, : iepoch + 1].all():
            raise Unavailable
        values: list[float] = self.values[row, : iepoch + 1].tolist()
        return sum(values)

    def get_train(self, iepoch: int | None = None) -> dict[str, Any]:
        """``ResultsCount.get_train``: loss, accuracy and times after epoch ``iepoch``.

        Raises:
            ValueError: ``iepoch`` outside ``[0, epochs)``.
            Unavailable: The file lacks a value the official method reads.
        """
        iepoch = self._check_epoch(iepoch)
        if self.dict_present[_TRAIN_TIME]:
            xtime: float | None = self._series(_TRAIN_TIME, iepoch)
            atime: float | None = self._time_sum(_TRAIN_TIME, iepoch)
        else:
            xtime, atime = None, None
        return {
            "iepoch": iepoch,
            "loss": self._series(_TRAIN_LOSS, iepoch),
            "accuracy": self._series(_TRAIN_ACC, iepoch),
            "cur_time": xtime,
            "all_time": atime,
        }

    def get_eval(self, name: str, iepoch: int | None = None) -> dict[str, Any]:
        """``ResultsCount.get_eval``: the same for eval set ``name`` (``'valid'`` = x-valid).

        Raises:
            ValueError: ``iepoch`` outside ``[0, epochs)``.
            Unavailable: The set or one of the values read is missing.
        """
        iepoch = self._check_epoch(iepoch)
        if name == "valid":
            name = "x-valid"
        if name not in self.eval_names:
            raise Unavailable
        base = 4 + 3 * self.eval_names.index(name)
        if self.has_eval_times:
            xtime: float | None = self._series(base + 2, iepoch)
            atime: float | None = self._time_sum(base + 2, iepoch)
        else:
            xtime, atime = None, None
        return {
            "iepoch": iepoch,
            "loss": self._series(base + 1, iepoch),
            "accuracy": self._series(base, iepoch),
            "cur_time": xtime,
            "all_time": atime,
        }

    def get_metric_set(self, setname: str, iepoch: int | None = None) -> dict[str, Any]:
        """``get_train`` for ``'train'``, else ``get_eval(setname)``."""
        return self.get_train(iepoch) if setname == "train" else self.get_eval(setname, iepoch)

    def get_latency(self) -> float:
        """``ResultsCount.get_latency``: mean latency in seconds, -1.0 when absent."""
        if self.latency is None:
            return -1.0
        return float(sum(self.latency) / len(self.latency))
