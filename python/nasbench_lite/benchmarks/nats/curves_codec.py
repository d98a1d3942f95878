"""The NATS-Bench curves blob codec (``curves.data``), re-exported by :mod:`.layout`.

:func:`encode_curves` is the one encoder (called by the builder; NumPy imported when called)
and :class:`Curves` reads single values at an epoch with :mod:`struct` alone, without decoding
whole curves. Kept free of a NumPy import at module level so that
``from nasbench_lite.nats import create`` and single queries stay cheap to import (whole curves
as arrays: :mod:`nasbench_lite.benchmarks.nats.trial`).

Curves blob, version 3, little-endian, no compression (every value at a fixed offset)::

    u8 version (=3) | u16 n_series | u16 epochs
    | per series: u8 flags, u8 param                      (descriptors, series order)
    | f8 per CONST series                                 (its one value)
    | per BITMAP series: ceil(epochs / 8) presence bytes  (bit e of byte e//8, LSB first)
    | per SPLIT/SPLIT4 series: (param + 1) x u16          (its table of distinct top 16 bits)
    | per SPLIT4 series: ceil(epochs / 2) index bytes     (epoch e: nibble e%2 of byte e//2,
    |                                                       low nibble first)
    | epochs x row                                         (row e: the series' fields at epoch e)
    | i32 latency count (-1 = None) | f8 x count

``flags`` = ``dict_present | presence << 1 | kind << 3``: ``dict_present`` is 0 when the file's
field was None; presence 0 = no value, 1 = every epoch, 2 = the series' bitmap; kind
0 NONE (no value), 1 CONST (all present values have the same bits: stored once), 2 DEC16 /
3 DEC24 / 4 DEC32 (row field i16, u16 + i8 (``k = low | high << 16``) or i32 ``k``, value =
``k / 10.0 ** param`` in IEEE double division, used only when that reproduces every present
value bit for bit), 5 SPLIT (row fields u32 bits 0-31, u16 bits 32-47, u8 index into the table
of bits 48-63), 6 SPLIT4 (as SPLIT with a table of at most 16 and the index in the nibble
array), 7 F8 (row field f8). A row holds the fields of the DEC/SPLIT/F8 series in series order,
packed (``struct`` ``<`` sizes). Absent epochs hold zeros. Accuracies that are short decimals
(``30.83``) take 2-4 bytes; noisy values 7, against 6.05 for the previous zlib blobs
(version 2), whose whole-curve inflate was the cost of a mid-run ``get_more_info``.
"""

from __future__ import annotations

import struct

from nasbench_lite.errors import CorruptDatabaseError

# On the cold path of a first query (``Curves``): typing is imported only for type checking
# (typing.TYPE_CHECKING without typing).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    import numpy as np

__all__ = ["CURVES_VERSION", "Curves", "Unavailable", "encode_curves"]


class Unavailable(Exception):
    """The official method would raise here (missing epoch, set or times)."""


#: Format version of the ``curves.data`` blobs (see the module docstring).
CURVES_VERSION = 3
_HEADER = struct.Struct("<BHH")
_NONE, _CONST, _DEC16, _DEC24, _DEC32, _SPLIT, _SPLIT4, _F8 = range(8)
_ABSENT, _ALL, _BITMAP = range(3)
#: Row fields per kind (``struct`` codes, packed).
_FIELD_FORMAT = {_DEC16: "h", _DEC24: "Hb", _DEC32: "i", _SPLIT: "IHB", _SPLIT4: "IH", _F8: "d"}
_DECIMAL_KINDS = (_DEC16, _DEC24, _DEC32)
_SPLIT_KINDS = (_SPLIT, _SPLIT4)
_MAX_DECIMALS = 6
_POW10 = tuple(10.0**d for d in range(_MAX_DECIMALS + 1))
_F64 = struct.Struct("<d")
_U64 = struct.Struct("<Q")
_U16 = struct.Struct("<H")
_I32 = struct.Struct("<i")
_FIELD_STRUCT = {kind: struct.Struct("<" + code) for kind, code in _FIELD_FORMAT.items()}
#: Most distinct blob layouts remembered (the real files have a few dozen; a hostile
#: database cannot grow the memo past this).
_LAYOUT_MEMO_LIMIT = 4096


def encode_curves(
    values: np.ndarray,
    present: np.ndarray,
    dict_present: Sequence[bool],
    latency: Sequence[float] | None,
) -> bytes:
    """The ``curves.data`` blob of one trial (format in the module docstring).

    Args:
        values: ``(series, epochs)`` float64 values (anything where absent).
        present: Same-shape bool mask of the values the file holds.
        dict_present: Per series, whether the file had a dict (False: the field was None).
        latency: The file's latency list, or None.

    Returns:
        The blob; :class:`Curves` and ``Trial.decode`` give back every present value bit for
        bit (absent ones read as absent).
    """
    import numpy as np

    values = np.ascontiguousarray(values, dtype="<f8")
    present = np.ascontiguousarray(present, dtype=bool)
    n_series, epochs = values.shape
    bits = values.view("<u8")
    counts = present.sum(axis=1)
    first = bits[np.arange(n_series), present.argmax(axis=1)]
    same = ((bits == first[:, None]) | ~present).all(axis=1)
    kinds = np.where(counts == 0, _NONE, np.where(same, _CONST, -1))
    params = np.zeros(n_series, dtype=np.int64)
    integers = np.zeros((n_series, epochs), dtype=np.int64)
    _choose_decimals(values, bits, present, kinds, params, integers)
    tables: dict[int, np.ndarray] = {}
    indexes: dict[int, np.ndarray] = {}
    top = (bits >> np.uint64(48)).astype("<u2")
    for s in np.flatnonzero(kinds == -1).tolist():
        table = np.unique(top[s][present[s]])
        if len(table) > 256:
            kinds[s] = _F8
            continue
        kinds[s] = _SPLIT4 if len(table) <= 16 else _SPLIT
        params[s] = len(table) - 1
        tables[s] = table
        indexes[s] = np.where(present[s], np.searchsorted(table, top[s]), 0)
    presence = np.where(counts == 0, _ABSENT, np.where(counts == epochs, _ALL, _BITMAP))
    flags = np.asarray(dict_present, dtype=np.int64) != 0
    descriptors = np.empty((n_series, 2), dtype=np.uint8)
    descriptors[:, 0] = flags | presence << 1 | kinds << 3
    descriptors[:, 1] = params
    parts = [_HEADER.pack(CURVES_VERSION, n_series, epochs), descriptors.tobytes()]
    parts.append(first[kinds == _CONST].astype("<u8").tobytes())
    parts.extend(
        np.packbits(present[s], bitorder="little").tobytes()
        for s in np.flatnonzero(presence == _BITMAP).tolist()
    )
    parts.extend(tables[s].astype("<u2").tobytes() for s in sorted(tables))
    for s in sorted(tables):
        if kinds[s] == _SPLIT4:
            nibbles = np.zeros(2 * ((epochs + 1) // 2), dtype=np.uint8)
            nibbles[:epochs] = indexes[s]
            parts.append((nibbles[0::2] | nibbles[1::2] << 4).astype(np.uint8).tobytes())
    columns: list[tuple[str, np.ndarray]] = []
    low = np.where(present, bits, np.uint64(0))
    for s, kind in enumerate(kinds.tolist()):
        if kind == _DEC16:
            columns.append(("<i2", integers[s]))
        elif kind == _DEC24:
            columns += [("<u2", integers[s] & 0xFFFF), ("i1", integers[s] >> 16)]
        elif kind == _DEC32:
            columns.append(("<i4", integers[s]))
        elif kind in _SPLIT_KINDS:
            columns += [
                ("<u4", low[s] & np.uint64(0xFFFFFFFF)),
                ("<u2", low[s] >> np.uint64(32) & np.uint64(0xFFFF)),
            ]
            if kind == _SPLIT:
                columns.append(("u1", indexes[s]))
        elif kind == _F8:
            columns.append(("<f8", np.where(present[s], values[s], 0.0)))
    if columns:
        rows = np.empty(epochs, dtype=[(f"f{i}", dtype) for i, (dtype, _) in enumerate(columns)])
        for i, (_, column) in enumerate(columns):
            rows[f"f{i}"] = column
        parts.append(rows.tobytes())
    if latency is None:
        parts.append(struct.pack("<i", -1))
    else:
        parts.append(struct.pack(f"<i{len(latency)}d", len(latency), *latency))
    return b"".join(parts)


def _choose_decimals(
    values: np.ndarray,
    bits: np.ndarray,
    present: np.ndarray,
    kinds: np.ndarray,
    params: np.ndarray,
    integers: np.ndarray,
) -> None:
    """Marks the undecided series (kind -1) that are exact short decimals (DEC16/24/32)."""
    import numpy as np

    todo = np.flatnonzero((kinds == -1) & (np.isfinite(values) | ~present).all(axis=1))
    if len(todo) == 0:
        return
    # A value k / 10**d is also (k * 10**(m-d)) / 10**m for m >= d (the same rational, correctly
    # rounded), so one test at the most decimals m whose integers still fit in 31 bits finds
    # every candidate; the smallest d is chosen next.
    largest = np.where(present[todo], np.abs(values[todo]), 0.0).max(axis=1)
    with np.errstate(divide="ignore", over="ignore"):  # (largest 0.0: the bound is 6)
        most = np.floor(np.log10((2**31 - 1) / np.maximum(largest, 1e-300)))
    most = np.clip(most, 0, _MAX_DECIMALS).astype(np.int64)
    todo = todo[_exact_decimals(values[todo], bits[todo], present[todo], most)[0]]
    for decimals in range(_MAX_DECIMALS + 1):
        if len(todo) == 0:
            return
        exact, k = _exact_decimals(values[todo], bits[todo], present[todo], decimals)
        done = todo[exact]
        largest = np.abs(k[exact]).max(axis=1)
        kinds[done] = np.where(
            largest <= 2**15 - 1, _DEC16, np.where(largest <= 2**23 - 1, _DEC24, _DEC32)
        )
        params[done] = decimals
        integers[done] = k[exact]
        todo = todo[~exact]


def _exact_decimals(
    values: np.ndarray, bits: np.ndarray, present: np.ndarray, decimals: int | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per row: every present value is ``k / 10.0**decimals`` exactly, |k| < 2**31; the k.

    ``decimals``: one count for every row, or one per row.
    """
    import numpy as np

    scale = np.asarray(_POW10)[decimals]
    if np.ndim(scale):
        scale = scale[:, None]
    with np.errstate(over="ignore", invalid="ignore"):
        scaled = np.rint(np.where(present, values, 0.0) * scale)
    fits = np.abs(scaled) <= 2**31 - 1
    k = np.where(fits, scaled, 0.0).astype(np.int64)
    # Checked through the decoder's own arithmetic (int -> double, one IEEE division), so
    # -0.0 and values the division does not reproduce stay out.
    back = np.ascontiguousarray(k.astype(np.float64) / scale).view("<u8")
    return (fits & ((back == bits) | ~present)).all(axis=1), k


class _Layout:
    """Where each series of a blob sits, derived from its header and descriptors once."""

    __slots__ = (
        "epochs",
        "n_series",
        "dict_present",
        "presence",
        "kinds",
        "params",
        "offsets",
        "bitmaps",
        "tables",
        "nibbles",
        "rows",
        "row_size",
        "row_format",
        "latency",
    )

    def __init__(self, head: bytes) -> None:
        version, n_series, epochs = _HEADER.unpack_from(head)
        if version != CURVES_VERSION:
            raise ValueError(f"curves blob version {version} not understood")
        descriptors = head[_HEADER.size :]
        if len(descriptors) != 2 * n_series:
            raise ValueError("curves blob shorter than its descriptors")
        flags, params = descriptors[0::2], descriptors[1::2]
        self.epochs, self.n_series = epochs, n_series
        self.dict_present = tuple(bool(f & 1) for f in flags)
        self.presence = tuple(f >> 1 & 3 for f in flags)
        self.kinds = tuple(f >> 3 for f in flags)
        self.params = tuple(params)
        for kind, presence, param in zip(self.kinds, self.presence, self.params, strict=True):
            if kind > _F8 or presence > _BITMAP or (kind == _NONE) != (presence == _ABSENT):
                raise ValueError("curves blob with an unknown or inconsistent series kind")
            if kind in _DECIMAL_KINDS and param > _MAX_DECIMALS:
                raise ValueError("curves blob with too many decimals")
            if kind == _SPLIT4 and param > 15:
                raise ValueError("curves blob with a 4-bit index into a table of > 16")
        # offsets[s]: the CONST value's absolute offset, else the field's offset in a row;
        # bitmaps / tables / nibbles: absolute offsets (-1: none).
        offset = _HEADER.size + 2 * n_series
        offsets = [-1] * n_series
        for s, kind in enumerate(self.kinds):
            if kind == _CONST:
                offsets[s] = offset
                offset += 8
        bitmaps = [-1] * n_series
        for s, presence in enumerate(self.presence):
            if presence == _BITMAP:
                bitmaps[s] = offset
                offset += (epochs + 7) // 8
        tables = [-1] * n_series
        for s, kind in enumerate(self.kinds):
            if kind in _SPLIT_KINDS:
                tables[s] = offset
                offset += 2 * (self.params[s] + 1)
        nibbles = [-1] * n_series
        for s, kind in enumerate(self.kinds):
            if kind == _SPLIT4:
                nibbles[s] = offset
                offset += (epochs + 1) // 2
        row_format = "<"
        for s, kind in enumerate(self.kinds):
            if kind in _FIELD_FORMAT:
                offsets[s] = struct.calcsize(row_format)
                row_format += _FIELD_FORMAT[kind]
        self.offsets = tuple(offsets)
        self.bitmaps = tuple(bitmaps)
        self.tables = tuple(tables)
        self.nibbles = tuple(nibbles)
        self.rows = offset
        self.row_format = row_format
        self.row_size = struct.calcsize(row_format)
        self.latency = offset + epochs * self.row_size


_LAYOUTS: dict[bytes, _Layout] = {}


def _layout_of(blob: bytes) -> _Layout:
    if len(blob) < _HEADER.size:
        raise CorruptDatabaseError("curves blob shorter than its header")
    head = blob[: _HEADER.size + 2 * _U16.unpack_from(blob, 1)[0]]
    layout = _LAYOUTS.get(head)
    if layout is None:
        try:
            layout = _Layout(head)
        except ValueError as exc:
            raise CorruptDatabaseError(str(exc)) from None
        if len(_LAYOUTS) >= _LAYOUT_MEMO_LIMIT:
            _LAYOUTS.clear()
        _LAYOUTS[head] = layout
    return layout


class Curves:
    """Random access to one trial's curves blob: single values at an epoch, no full decode.

    Series order: ``train_acc1es``, ``train_acc5es``, ``train_losses``, ``train_times``, then
    per eval set (the trial's ``eval_names`` order) its accuracy, loss and time.

    Args:
        blob: A ``curves.data`` blob.

    Raises:
        CorruptDatabaseError: A blob of another version or shorter than its layout.
    """

    __slots__ = ("blob", "layout", "epochs", "dict_present")

    def __init__(self, blob: bytes) -> None:
        layout = _layout_of(blob)
        if len(blob) < layout.latency + 4:
            raise CorruptDatabaseError("curves blob shorter than its layout")
        self.blob = blob
        self.layout = layout
        self.epochs = layout.epochs
        self.dict_present = layout.dict_present

    def present(self, s: int, e: int) -> bool:
        """Whether series ``s`` has a value at epoch ``e`` (0 <= e < epochs)."""
        presence = self.layout.presence[s]
        if presence == _ALL:
            return True
        if presence == _ABSENT:
            return False
        return bool(self.blob[self.layout.bitmaps[s] + (e >> 3)] >> (e & 7) & 1)

    def value(self, s: int, e: int) -> float:
        """The value of series ``s`` at epoch ``e`` (check :meth:`present` first).

        Raises:
            CorruptDatabaseError: A table index outside the series' table.
        """
        layout = self.layout
        kind = layout.kinds[s]
        blob = self.blob
        offset = layout.rows + e * layout.row_size + layout.offsets[s]
        if kind in (_SPLIT4, _SPLIT):  # (the most frequent kinds first)
            if kind == _SPLIT4:
                index = blob[layout.nibbles[s] + (e >> 1)] >> ((e & 1) << 2) & 15
            else:
                index = blob[offset + 6]
            if index > layout.params[s]:
                raise CorruptDatabaseError("curves blob with a table index outside its table")
            top = layout.tables[s] + 2 * index
            # The low 6 bytes from the row, the top 2 from the table: the float64 as stored.
            return float(_F64.unpack(blob[offset : offset + 6] + blob[top : top + 2])[0])
        if kind == _CONST:
            return float(_F64.unpack_from(blob, layout.offsets[s])[0])
        if kind == _NONE:
            return 0.0
        fields = _FIELD_STRUCT[kind].unpack_from(blob, offset)
        if kind == _F8:
            return float(fields[0])
        integer: int = fields[0] | fields[1] << 16 if kind == _DEC24 else fields[0]
        return integer / _POW10[layout.params[s]]

    def has(self, s: int, e: int) -> bool:
        """Whether the official accessor finds a value of series ``s`` at epoch ``e``."""
        return self.layout.dict_present[s] and self.present(s, e)

    def get(self, s: int, e: int) -> float:
        """The value of series ``s`` at epoch ``e``.

        Raises:
            Unavailable: No dict or no value there (the official accessor raises).
        """
        if not self.layout.dict_present[s] or not self.present(s, e):
            raise Unavailable
        return self.value(s, e)

    def has_prefix(self, s: int, e: int) -> bool:
        """Whether series ``s`` has a dict and a value at every epoch ``0..e``."""
        presence = self.layout.presence[s]
        if presence == _ABSENT or not self.layout.dict_present[s]:
            return False
        return presence == _ALL or all(self.present(s, i) for i in range(e + 1))

    def prefix_sum(self, s: int, e: int) -> float:
        """The official ``sum([...[i] for i in range(e + 1)])`` of series ``s``.

        Raises:
            Unavailable: No dict, or a value of epochs ``0..e`` is missing.
        """
        if not self.has_prefix(s, e):
            raise Unavailable
        if self.layout.kinds[s] == _CONST:
            return sum([self.value(s, 0)] * (e + 1))
        value = self.value
        return sum([value(s, i) for i in range(e + 1)])

    def metric(
        self, acc: int, loss: int, time: int, timed: bool, e: int, read: bool
    ) -> tuple[int, float, float, float | None] | bool:
        """``get_train`` / ``get_eval`` of the set with these series at epoch ``e``, fused.

        Args:
            acc: Accuracy series.
            loss: Loss series.
            time: Time series.
            timed: Whether the official method reads the times (``all_time`` summed).
            e: Epoch, ``0 <= e < epochs``.
            read: False: only check that the values exist.

        Returns:
            False when the official method would raise (a value missing), True when it would
            not and ``read`` is False, else ``(e, loss, accuracy, all_time)``.
        """
        layout = self.layout
        blob = self.blob
        dict_present, presence, bitmaps = layout.dict_present, layout.presence, layout.bitmaps
        for s in (loss, acc):
            p = presence[s]
            if (
                p == _ABSENT
                or not dict_present[s]
                or (p == _BITMAP and not blob[bitmaps[s] + (e >> 3)] >> (e & 7) & 1)
            ):
                return False
        if timed:
            p = presence[time]
            if p == _ABSENT or not dict_present[time]:
                return False
            if p == _BITMAP and not all(
                blob[bitmaps[time] + (i >> 3)] >> (i & 7) & 1 for i in range(e + 1)
            ):
                return False
        if not read:
            return True
        all_time: float | None = None
        if timed:
            if layout.kinds[time] == _CONST:
                all_time = sum([_F64.unpack_from(blob, layout.offsets[time])[0]] * (e + 1))
            else:
                value = self.value
                all_time = sum([value(time, i) for i in range(e + 1)])
        # loss and accuracy: value() inlined for the split kinds (the hot path of a mid-run
        # get_more_info: two reads per set and trial).
        kinds, row = layout.kinds, layout.rows + e * layout.row_size
        read_values = []
        for s in (loss, acc):
            kind = kinds[s]
            if kind in (_SPLIT4, _SPLIT):
                offset = row + layout.offsets[s]
                if kind == _SPLIT4:
                    index = blob[layout.nibbles[s] + (e >> 1)] >> ((e & 1) << 2) & 15
                else:
                    index = blob[offset + 6]
                if index > layout.params[s]:
                    raise CorruptDatabaseError("curves blob with a table index outside its table")
                top = layout.tables[s] + 2 * index
                read_values.append(_F64.unpack(blob[offset : offset + 6] + blob[top : top + 2])[0])
            else:
                read_values.append(self.value(s, e))
        return e, read_values[0], read_values[1], all_time

    def latency(self) -> list[float] | None:
        """The file's latency list, or None.

        Raises:
            CorruptDatabaseError: The blob ends inside the list.
        """
        offset = self.layout.latency
        (count,) = _I32.unpack_from(self.blob, offset)
        if count < 0:
            return None
        if len(self.blob) < offset + 4 + 8 * count:
            raise CorruptDatabaseError("curves blob shorter than its latency list")
        return list(struct.unpack_from(f"<{count}d", self.blob, offset + 4))

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Every value as a ``(series, epochs)`` float64 matrix (0.0 where absent) and the mask.

        Raises:
            CorruptDatabaseError: A table index outside its table.
        """
        import numpy as np

        layout = self.layout
        blob = self.blob
        epochs = layout.epochs
        values = np.zeros((layout.n_series, epochs))
        present = np.zeros((layout.n_series, epochs), dtype=bool)
        dtype = _row_dtype(layout.row_format)
        rows = np.frombuffer(blob, dtype, epochs, layout.rows) if dtype is not None else None
        field = 0
        for s, kind in enumerate(layout.kinds):
            if layout.presence[s] == _ALL:
                present[s] = True
            elif layout.presence[s] == _BITMAP:
                packed = np.frombuffer(blob, np.uint8, (epochs + 7) // 8, layout.bitmaps[s])
                present[s] = np.unpackbits(packed, count=epochs, bitorder="little").astype(bool)
            if kind == _CONST:
                values[s] = _F64.unpack_from(blob, layout.offsets[s])[0]
            if rows is None or kind not in _FIELD_FORMAT:
                continue
            column = [rows[f"f{field + i}"] for i in range(len(_FIELD_FORMAT[kind]))]
            field += len(column)
            if kind in (_DEC16, _DEC32):
                values[s] = column[0].astype(np.float64) / _POW10[layout.params[s]]
            elif kind == _DEC24:
                k = column[0].astype(np.int64) | column[1].astype(np.int64) << 16
                values[s] = k.astype(np.float64) / _POW10[layout.params[s]]
            elif kind == _F8:
                values[s] = column[0]
            else:
                if kind == _SPLIT:
                    index = column[2].astype(np.intp)
                else:
                    packed = np.frombuffer(blob, np.uint8, (epochs + 1) // 2, layout.nibbles[s])
                    index = np.stack([packed & 15, packed >> 4], axis=1).reshape(-1)[:epochs]
                if int(index[present[s]].max(initial=0)) > layout.params[s]:
                    raise CorruptDatabaseError("curves blob with a table index outside its table")
                table = np.frombuffer(blob, "<u2", layout.params[s] + 1, layout.tables[s])
                top = table.astype(np.uint64)[np.minimum(index, layout.params[s])]
                low = column[0].astype(np.uint64) | column[1].astype(np.uint64) << np.uint64(32)
                values[s] = (top << np.uint64(48) | low).view("<f8")
        values[~present] = 0.0
        return values, present


def _row_dtype(row_format: str) -> Any:
    """The NumPy dtype of a row (fields ``f0``, ``f1``, ... packed), None for an empty row."""
    import numpy as np

    codes = {"h": "<i2", "b": "i1", "i": "<i4", "I": "<u4", "H": "<u2", "B": "u1", "d": "<f8"}
    if len(row_format) == 1:
        return None
    return np.dtype([(f"f{i}", codes[c]) for i, c in enumerate(row_format[1:])])
