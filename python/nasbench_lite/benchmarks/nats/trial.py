"""One NATS-Bench training trial (the official ``ResultsCount``) as arrays, and its encodings.

A trial's per-epoch values are kept as a ``(series, epochs)`` float64 matrix with a presence
mask, so values the file does not hold stay absent. Series order: ``train_acc1es``,
``train_acc5es``, ``train_losses``, ``train_times``, then for each eval set of ``eval_names``
(file order) its accuracy, loss and time. :meth:`Trial.get_train`, :meth:`Trial.get_eval`
and :meth:`Trial.get_latency` reproduce the official methods value for value (same summation
order), raising :class:`Unavailable` where the official ones raise.

Curves blob (``curves.data``), zlib-compressed, little-endian::

    u8 version (=2) | u16 n_series | u16 epochs | u8 x n_series  dict-present flags
    | presence bits (n_series * epochs, numpy packbits little order)
    | the n = n_series * epochs little-endian float64 values, split: byte 6 of every value,
      then byte 7 of every value, then bytes 0-5 of each value in turn
    | i32 latency count (-1 = None) | f8 x count

(Sign, exponent and top mantissa bits of neighbouring values repeat; gathering them in two
byte planes lets zlib find that: 12% smaller than plain float64 rows on the real files.)

The final scalars live in :mod:`nasbench_lite.benchmarks.nats.layout` (names re-exported here).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from nasbench_lite.benchmarks.nats.layout import (
    EVAL_SETS,
    FINAL_FIELDS,
    SET_COLUMNS,
    TRAIN_SERIES,
    Unavailable,
    finals_from_row,
    finals_to_row,
)

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
_HEADER = struct.Struct("<BHH")
_VERSION = 2  # 2: sign/exponent byte planes split out (version 1 stored plain float64 rows)
#: zlib level of the blobs. The byte planes leave little for the slow levels to find: level 1
#: costs +1.6% of blob size against level 9 on the real files at under half the CPU (#14: the
#: compression was a fifth of the build); the format and the decoder are the same.
_ZLIB_LEVEL = 1


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
        """The zlib-compressed curves blob (see the module docstring)."""
        n_series = self.values.shape[0]
        parts = [
            _HEADER.pack(_VERSION, n_series, self.epochs),
            bytes(self.dict_present),
            np.packbits(self.present.reshape(-1), bitorder="little").tobytes(),
            *_split_bytes(self.values),
        ]
        if self.latency is None:
            parts.append(struct.pack("<i", -1))
        else:
            parts.append(struct.pack(f"<i{len(self.latency)}d", len(self.latency), *self.latency))
        return zlib.compress(b"".join(parts), _ZLIB_LEVEL)

    @classmethod
    def decode(cls, blob: bytes, eval_names: Sequence[str]) -> Trial:
        """Inverse of :meth:`encode`.

        Raises:
            ValueError: A blob of another format version or length.
        """
        raw = zlib.decompress(blob)
        version, n_series, epochs = _HEADER.unpack_from(raw)
        if version != _VERSION or n_series != 4 + 3 * len(eval_names):
            raise ValueError(f"curves blob version {version} / {n_series} series not understood")
        offset = _HEADER.size
        dict_present = [bool(b) for b in raw[offset : offset + n_series]]
        offset += n_series
        n_values = n_series * epochs
        n_bits = (n_values + 7) // 8
        bits = np.frombuffer(raw, np.uint8, n_bits, offset)
        present = np.unpackbits(bits, count=n_values, bitorder="little").astype(bool)
        offset += n_bits
        values = _join_bytes(raw, offset, n_values).reshape(n_series, epochs)
        offset += 8 * n_values
        (count,) = struct.unpack_from("<i", raw, offset)
        latency = None if count < 0 else list(struct.unpack_from(f"<{count}d", raw, offset + 4))
        return cls(
            epochs, eval_names, values, present.reshape(n_series, epochs), dict_present, latency
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


def _split_bytes(values: np.ndarray) -> tuple[bytes, bytes]:
    raw = np.ascontiguousarray(values, dtype="<f8").view(np.uint8).reshape(-1, 8)
    return raw[:, 6:].T.tobytes(), raw[:, :6].tobytes()


def _join_bytes(raw: bytes, offset: int, count: int) -> np.ndarray:
    out = np.empty((count, 8), dtype=np.uint8)
    out[:, 6:] = np.frombuffer(raw, np.uint8, 2 * count, offset).reshape(2, count).T
    out[:, :6] = np.frombuffer(raw, np.uint8, 6 * count, offset + 2 * count).reshape(count, 6)
    return out.view("<f8").reshape(count)
