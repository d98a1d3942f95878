"""``NASBench.query_many``: whole-population lookups without per-row SQL or per-row Python.

Two structures are loaded once per ``NASBench`` object, under its lock, and reused:

* the hash index: every cell's hash as a sorted fixed-width ``S32`` array with its ``cell_id``
  (one ``group_concat`` statement, ~14 MB for the full database), so a batch of hashes becomes
  cell ids with one ``np.searchsorted``;
* per (epochs, halfway/final) the four returned metrics of every cell and repeat as one
  ``(cells, repeats, 4)`` float64 array (~41 MB for a full 108-epoch budget; at most
  :data:`BUDGETS_KEPT` kept), loaded by the first lookup of :data:`LOAD_BUDGET_AT` or more
  distinct cells. Smaller lookups read just their cells' rows (one statement).

The exact NaN / -0.0 values of ``special_values`` are put back in both paths.
"""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import numpy.typing as npt

from nasbench_lite import _native
from nasbench_lite._optional import import_pyarrow
from nasbench_lite.benchmarks.nb101.layout import METRIC_FIELDS, load_special
from nasbench_lite.errors import InvalidInputError, NasbenchLiteError, OutOfDomainError
from nasbench_lite.spaces.nb101.batch import _VALID, _native_check
from nasbench_lite.spaces.nb101.spec import (
    _UNSET,
    AVAILABLE_OPS,
    MAX_EDGES,
    MAX_VERTICES,
    ModelSpec,
    check_spec_against,
)

if TYPE_CHECKING:
    import pyarrow as pa

    from nasbench_lite.benchmarks.nb101.reader import NASBench

__all__ = ["BUDGETS_KEPT", "LOAD_BUDGET_AT", "MAX_REPEATS", "HashIndex", "query_many"]

#: A lookup of at least this many distinct cells loads (and keeps) the whole budget's values.
LOAD_BUDGET_AT = 20_000
#: Whole-budget arrays kept per object (the oldest is dropped first).
BUDGETS_KEPT = 2
#: Repeats beyond this index are not returned (the builder numbers repeats 0, 1, 2...; this
#: bounds the arrays a doctored database could make us allocate).
MAX_REPEATS = 1024


#: The checks' part of the official config (what ``_hash_specs`` applies without one).
_OFFICIAL_LIMITS: dict[str, Any] = {
    "module_vertices": MAX_VERTICES,
    "max_edges": MAX_EDGES,
    "available_ops": list(AVAILABLE_OPS),
}
#: ``nb101_cached_checks`` outcomes: valid (hash given), and not decided by the cached state.
_CACHED_VALID = 0
_CACHED_UNDECIDED = 2

#: Lowercase hex digit -> its value; 255 for every other byte (uppercase included: the stored
#: hashes are lowercase and a lookup matches exactly, as SQL equality did).
_NIBBLE = np.full(256, 255, dtype=np.uint8)
_NIBBLE[np.frombuffer(b"0123456789abcdef", dtype=np.uint8)] = np.arange(16, dtype=np.uint8)


def _hex_keys(raw: npt.NDArray[np.uint8]) -> tuple[Any, Any, Any]:
    """``(hi, lo, ok)``: the 128-bit value of ``(N, 32)`` hex-digit bytes as two uint64.

    A row with any byte other than a lowercase hex digit is not ``ok`` (it can match nothing).
    """
    count = len(raw)
    text = np.ascontiguousarray(raw).tobytes().decode("latin-1")
    try:
        # Fast path, in C: every row lowercase hex (fromhex also takes uppercase and spaces,
        # which the two checks exclude: spaces make the result shorter).
        packed: Any = np.frombuffer(bytes.fromhex(text), dtype=np.uint8)
        if len(packed) != 16 * count or text != text.lower():
            raise ValueError(text[:0])
        ok = np.ones(count, dtype=bool)
    except ValueError:
        digits = _NIBBLE[raw]
        ok = (digits != 255).all(axis=1)
        packed = (digits[:, 0::2] << 4) | (digits[:, 1::2] & 15)
    halves = np.ascontiguousarray(packed).reshape(count, 16).view(">u8").astype(np.uint64)
    return halves[:, 0].copy(), halves[:, 1].copy(), ok


def _raw_of_strings(items: list[Any]) -> tuple[npt.NDArray[np.uint8], bool]:
    """``(N, 32)`` bytes of hash strings (all zero, never a match, for any that is not 32
    ASCII characters) and whether every string was such a 32-character one."""
    if set(map(len, items)) <= {32}:
        try:
            data = "".join(items).encode("ascii")
        except UnicodeEncodeError:
            pass
        else:
            return np.frombuffer(data, dtype=np.uint8).reshape(len(items), 32), True
    blank = b"\0" * 32
    data = b"".join(h.encode("ascii") if len(h) == 32 and h.isascii() else blank for h in items)
    return np.frombuffer(data, dtype=np.uint8).reshape(len(items), 32), False


class HashIndex:
    """Every cell's module hash as a sorted pair of uint64 with its ``cell_id`` (built once
    per object; ~10 MB for the full database).

    Args:
        api: The open ``NASBench``.
    """

    def __init__(self, api: NASBench) -> None:
        (row,) = api._query(
            "SELECT count(*), group_concat(hash, ''), group_concat(cell_id) FROM"
            " (SELECT hash, cell_id FROM cells ORDER BY hash)"
        )
        count, text, ids = row
        count = int(count)
        data = (text or "").encode("ascii", "replace")
        if len(data) == 32 * count:
            raw = np.frombuffer(data, dtype=np.uint8).reshape(count, 32)
        else:  # a stored hash that is not 32 chars (a doctored file): it can match nothing
            hashes = [h for (h,) in api._query("SELECT hash FROM cells ORDER BY hash")]
            raw = _raw_of_strings([h if isinstance(h, str) else "" for h in hashes])[0]
        hi, lo, ok = _hex_keys(raw)
        cell_ids = np.array(ids.split(",") if count else [], dtype=np.int64)
        hi, lo, cell_ids = hi[ok], lo[ok], cell_ids[ok]
        order = np.lexsort((lo, hi))
        self.hi: npt.NDArray[np.uint64] = hi[order]
        self.lo: npt.NDArray[np.uint64] = lo[order]
        self.cell_ids: npt.NDArray[np.int64] = cell_ids[order]
        #: Whether two hashes share their first 64 bits (then lookups probe the run).
        self.shared_hi = bool(len(self.hi) > 1 and (self.hi[1:] == self.hi[:-1]).any())
        self.max_id = int(cell_ids.max()) if len(cell_ids) else -1

    def lookup(
        self, raw: npt.NDArray[np.uint8], keys: tuple[Any, Any, Any] | None = None
    ) -> npt.NDArray[np.int64]:
        """Cell ids of hashes given as ``(N, 32)`` hex-digit bytes, -1 where absent.

        Args:
            raw: The hashes' bytes (any row that is not lowercase hex matches nothing).
            keys: ``_hex_keys(raw)`` when the caller has it already.

        Returns:
            ``(N,)`` int64 cell ids.
        """
        if not len(self.hi) or not len(raw):
            return np.full(len(raw), -1, dtype=np.int64)
        hi, lo, ok = _hex_keys(raw) if keys is None else keys
        # Everything runs in key order and is put back in input order once at the end: the
        # search and the index gathers then walk the index forwards (cache-friendly; random
        # gathers into the 10 MB index cost ~3x more).
        order = np.argsort(hi)
        hi, lo, ok = hi[order], lo[order], ok[order]
        position = np.searchsorted(self.hi, hi)
        np.minimum(position, len(self.hi) - 1, out=position)
        same_hi = ok & (self.hi[position] == hi)
        hit = same_hi & (self.lo[position] == lo)
        if self.shared_hi:  # rare: probe the other entries with the same first 64 bits
            for row in np.flatnonzero(same_hi & ~hit).tolist():
                end = int(np.searchsorted(self.hi, hi[row], side="right"))
                match = np.flatnonzero(self.lo[position[row] : end] == lo[row])
                if len(match):
                    position[row] += match[0]
                    hit[row] = True
        cell_ids = np.empty(len(hi), dtype=np.int64)
        cell_ids[order] = np.where(hit, self.cell_ids[position], -1)
        return cell_ids


def _state(api: NASBench) -> dict[str, Any]:
    """The object's bulk-lookup state (created on first use)."""
    state: dict[str, Any] | None = api.__dict__.get("_bulk_state")
    if state is None:
        state = api.__dict__.setdefault("_bulk_state", {"lock": threading.RLock(), "budgets": {}})
    return state


def _hash_index(api: NASBench) -> HashIndex:
    state = _state(api)
    with state["lock"]:
        index: HashIndex | None = state.get("index")
        if index is None:
            index = state["index"] = HashIndex(api)
        return index


def _fill(
    values: npt.NDArray[np.float64],
    counts: npt.NDArray[np.int64],
    rows: list[Any],
    slot: Any,
    epochs: int,
    columns: slice,
    special: dict[Any, dict[int, float]],
) -> None:
    """Writes ``(cell_id, repeat, v0..v3)`` rows into ``values[slot(cell_id), repeat]``."""
    if not rows:
        return
    ids, repeats, *metrics = zip(*rows, strict=True)
    cell = np.asarray(ids, dtype=np.int64)
    repeat = np.asarray(repeats, dtype=np.int64)
    target = slot(cell)
    # Runs of cells the index does not know (a doctored file) are left out.
    fine = (repeat >= 0) & (repeat < values.shape[1]) & (target >= 0) & (target < len(values))
    # NULL (NaN) arrives as None: float64 conversion makes it NaN.
    block = np.array(metrics, dtype=np.float64).T
    values[target[fine], repeat[fine]] = block[fine]
    np.maximum.at(counts, target[fine], repeat[fine] + 1)
    for (cell_id, run_epochs, run_repeat), exact in special.items():
        if run_epochs != epochs:
            continue
        hits = np.flatnonzero((cell == cell_id) & (repeat == run_repeat) & fine)
        for field, value in exact.items():
            if columns.start <= field < columns.stop:
                values[target[hits], repeat[hits], field - columns.start] = value


def _budget(api: NASBench, index: HashIndex, epochs: int, halfway: bool) -> Any:
    """``(values (cells, width, 4), counts (cells,))`` of one budget, indexed by cell_id."""
    state = _state(api)
    key = (epochs, halfway)
    with state["lock"]:
        budgets: dict[Any, Any] = state["budgets"]
        if key in budgets:
            return budgets[key]
        columns = slice(0, 4) if halfway else slice(4, 8)
        names = ", ".join(METRIC_FIELDS[columns])
        rows = api._query(
            f"SELECT cell_id, repeat, {names} FROM runs WHERE epochs = ? AND repeat < ?",
            (epochs, MAX_REPEATS),
        )
        width = max([api.config["num_repeats"], *(r[1] + 1 for r in rows)])
        size = index.max_id + 1
        values = np.full((size, width, 4), np.nan)
        counts = np.zeros(size, dtype=np.int64)
        special = _special(api, 0, index.max_id)
        _fill(values, counts, rows, lambda c: c, epochs, columns, special)
        while len(budgets) >= BUDGETS_KEPT:
            budgets.pop(next(iter(budgets)))
        budgets[key] = (values, counts)
        return budgets[key]


def _special(api: NASBench, first: int, last: int) -> dict[Any, dict[int, float]]:
    return load_special(api._query, first, last) if api._has_special else {}


def _values_of(
    api: NASBench, cell_ids: npt.NDArray[np.int64], epochs: int, halfway: bool
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64], npt.NDArray[np.intp]]:
    """``(values (M, width, 4), repeat counts (M,), slot (N,))``: input row ``i`` has the
    values ``values[slot[i]]`` (``slot`` -1: no such cell)."""
    present = cell_ids >= 0
    state = _state(api)
    unique: Any = None
    if (epochs, halfway) not in state["budgets"]:
        unique = np.unique(cell_ids[present])
    if unique is None or len(unique) >= LOAD_BUDGET_AT:
        values, counts = _budget(api, _hash_index(api), epochs, halfway)
        return values, counts, np.where(present & (cell_ids < len(values)), cell_ids, -1)
    columns = slice(0, 4) if halfway else slice(4, 8)
    names = ", ".join(METRIC_FIELDS[columns])
    rows = api._query(
        f"SELECT cell_id, repeat, {names} FROM runs"
        " WHERE cell_id IN (SELECT value FROM json_each(?)) AND epochs = ? AND repeat < ?",
        (json.dumps(unique.tolist()), epochs, MAX_REPEATS),
    )
    width = max([api.config["num_repeats"], *(r[1] + 1 for r in rows)])
    values = np.full((max(len(unique), 1), width, 4), np.nan)
    counts = np.zeros(max(len(unique), 1), dtype=np.int64)
    special = _special(api, int(unique[0]), int(unique[-1])) if len(unique) else {}
    _fill(values, counts, rows, lambda c: np.searchsorted(unique, c), epochs, columns, special)
    slot = np.searchsorted(unique, cell_ids)
    return values, counts, np.where(present, slot, -1)


def query_many(
    api: NASBench,
    models: Any,
    epochs: int,
    stop_halfway: bool,
    repeat: str | int,
    count_budget: bool,
) -> pa.Table:
    """Implements :meth:`~nasbench_lite.benchmarks.nb101.reader.NASBench.query_many`."""
    pa = import_pyarrow()

    if epochs not in api.valid_epochs:
        raise OutOfDomainError(f"invalid number of epochs, must be one of {api.valid_epochs}")
    fixed_repeat = isinstance(repeat, int) and not isinstance(repeat, bool)
    if not fixed_repeat and repeat not in ("random", "mean", "all"):
        raise InvalidInputError(f"repeat must be 'random', 'mean', 'all' or an int, got {repeat!r}")
    if count_budget and not (fixed_repeat or repeat == "random"):
        raise InvalidInputError("count_budget needs repeat='random' or an int repeat")
    hashes = _hashes_of(models, api.config)
    valid = hashes.valid
    count = len(hashes.raw)
    state = _state(api)
    params: Any = None
    if count < LOAD_BUDGET_AT and "index" not in state:
        # A small lookup on a fresh object: one indexed join instead of loading the index.
        cell_ids, params = _resolve(api, hashes)
    else:
        cell_ids = _hash_index(api).lookup(hashes.raw, hashes.keys)
    cell_ids[~valid] = -1
    table, table_counts, slot = _values_of(api, cell_ids, epochs, stop_halfway)
    present = slot >= 0
    safe = np.where(present, slot, 0)
    counts = np.where(present, table_counts[safe], 0)
    if params is None:
        params = _parameters(api, cell_ids)
    found = counts > 0
    width = table.shape[1]
    if repeat == "all":
        per_input = np.where(found, counts, 1)
        index = np.repeat(np.arange(count), per_input)
        starts = np.cumsum(per_input) - per_input
        chosen = np.arange(len(index)) - np.repeat(starts, per_input)
        hit = found[index]
        values = table[safe[index], np.minimum(chosen, width - 1)]
        repeats_out = np.where(hit, chosen, -1)
    else:
        index = np.arange(count)
        if repeat == "mean":
            # Mean over the repeats whose value is not NaN (np.nanmean, without its warning
            # for cells whose values are all NaN, which stay NaN).
            half = np.take(table, safe, axis=0)
            stored = np.arange(width)[None, :] < counts[:, None]
            usable = stored[:, :, None] & ~np.isnan(half)
            with np.errstate(invalid="ignore", divide="ignore"):
                values = np.where(usable, half, 0.0).sum(axis=1) / usable.sum(axis=1)
            values[~found] = np.nan
            hit = found
            repeats_out = np.full(count, -1)
        else:
            every = bool(found.all())
            if every and not fixed_repeat:  # the common case: no masked copies
                chosen = api._draw_repeats(count)
            else:
                chosen = np.full(count, -1, dtype=np.int64)
                if fixed_repeat:
                    chosen[found] = int(repeat)
                else:
                    chosen[found] = api._draw_repeats(int(found.sum()))
            hit = found & (chosen >= 0) & (chosen < counts)
            every = bool(hit.all())
            # One gather of whole (4-value) rows from the flat budget array (np.take: ~10x
            # faster than fancy indexing for rows of a 2-D array).
            pick = safe * width + (chosen if every else np.where(hit, chosen, 0))
            values = np.take(table.reshape(-1, 4), pick, axis=0)
            if not every:
                values[~hit] = np.nan
            repeats_out = chosen if every else np.where(hit, chosen, -1)
    if count_budget:
        with api.locked():
            api.training_time_spent += float(values[hit, 0].sum())
            api.total_epochs_spent += int(hit.sum()) * (epochs // 2 if stop_halfway else epochs)
    identity = repeat != "all"
    # One validity bitmap for the five value columns (none when every row is found).
    validity = None if bool(hit.all()) else pa.py_buffer(np.packbits(hit, bitorder="little"))
    rows = len(index)
    columns = np.ascontiguousarray(values.T)

    def column(data: Any, kind: Any) -> Any:
        return pa.Array.from_buffers(kind, rows, [validity, pa.py_buffer(data)])

    return pa.table(
        {
            "index": pa.array(index, pa.int64()),
            "hash": _hash_column(pa, hashes, index, identity),
            "valid": pa.array(valid if identity else valid[index]),
            "found": pa.array(hit),
            "epochs": pa.array(np.full(rows, epochs, dtype=np.int32)),
            "repeat": pa.array(repeats_out.astype(np.int8), pa.int8(), mask=repeats_out < 0),
            "trainable_parameters": column(
                np.ascontiguousarray(params if identity else params[index], dtype=np.int64),
                pa.int64(),
            ),
            "training_time": column(columns[0], pa.float64()),
            "train_accuracy": column(columns[1], pa.float64()),
            "validation_accuracy": column(columns[2], pa.float64()),
            "test_accuracy": column(columns[3], pa.float64()),
        }
    )


def _resolve(api: NASBench, hashes: _Hashes) -> tuple[Any, Any]:
    """``(cell ids, parameters)`` of each row (-1 / 0 where absent) by one SQL join."""
    count = len(hashes.raw)
    rows = np.flatnonzero(hashes.valid & hashes.raw.any(axis=1))
    text = hashes.text
    if text is None:
        blob = hashes.raw[rows].tobytes().decode("ascii")
        keys = [blob[i : i + 32] for i in range(0, len(blob), 32)]
    elif isinstance(text, np.ndarray):
        keys = text[rows].tolist()
    else:
        keys = [text[i] for i in rows]
    found = api._query(
        "SELECT j.key, c.cell_id, c.trainable_parameters FROM json_each(?) j"
        " JOIN cells c ON c.hash = j.value",
        (json.dumps(keys),),
    )
    cell_ids = np.full(count, -1, dtype=np.int64)
    params = np.zeros(count, dtype=np.int64)
    if found:
        key, cell, param = (np.asarray(c, dtype=np.int64) for c in zip(*found, strict=True))
        cell_ids[rows[key]] = cell
        params[rows[key]] = param
    return cell_ids, params


def _parameters(api: NASBench, cell_ids: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """``trainable_parameters`` of each row (0 where absent), from an array kept per object."""
    state = _state(api)
    with state["lock"]:
        params: npt.NDArray[np.int64] | None = state.get("params")
        if params is None:
            index = _hash_index(api)
            (row,) = api._query(
                "SELECT group_concat(cell_id), group_concat(trainable_parameters) FROM cells"
                " WHERE cell_id BETWEEN 0 AND ?",
                (index.max_id,),
            )
            params = np.zeros(index.max_id + 1, dtype=np.int64)
            if row[0]:
                params[np.array(row[0].split(","), dtype=np.int64)] = np.array(
                    row[1].split(","), dtype=np.int64
                )
            state["params"] = params
    return np.where(cell_ids >= 0, params[np.maximum(cell_ids, 0)], 0)


def _hash_column(pa: Any, hashes: _Hashes, index: Any, identity: bool) -> Any:
    """The ``hash`` output column: the input hashes (null for invalid specs and ``''``)."""
    pc = import_pyarrow("compute")
    if hashes.exact:  # every non-null value is its 32 bytes in `raw`: no Python strings
        count = len(hashes.raw)
        offsets = np.arange(0, 32 * count + 1, 32, dtype=np.int32)
        validity = None
        if not bool(hashes.valid.all()):
            validity = pa.py_buffer(np.packbits(hashes.valid, bitorder="little"))
        column = pa.Array.from_buffers(
            pa.string(),
            count,
            [validity, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(hashes.raw))],
        )
        return column if identity else column.take(pa.array(index, pa.int64()))
    column = pa.array(hashes.text, pa.string())
    if not identity:
        column = column.take(pa.array(index, pa.int64()))
    empty = pc.equal(column, "")
    if not pc.any(empty).as_py():
        return column
    return pc.if_else(empty, pa.scalar(None, pa.string()), column)


class _Hashes(NamedTuple):
    """The inputs as hashes.

    Attributes:
        raw: ``(N, 32)`` bytes of each hash (zero where it cannot match anything).
        valid: Which rows are valid specs (all True for hashes given as text).
        text: The hashes as given (``''`` for invalid specs); None when ``exact`` and they
            are only in ``raw``.
        exact: Every valid row's text is exactly its ``raw`` bytes (then the output column is
            built from ``raw``).
        keys: ``raw`` already as :func:`_hex_keys` gives it, when known.
    """

    raw: npt.NDArray[np.uint8]
    valid: npt.NDArray[np.bool_]
    text: Any
    exact: bool
    keys: tuple[Any, Any, Any] | None = None


def _hashes_of(models: Any, config: dict[str, Any] | None = None) -> _Hashes:
    """The inputs (specs, ``(matrices, ops)`` or hash strings) as hashes, specs checked
    against ``config`` (a ``NASBench.config``; None: the official one) as ``query`` checks
    them.

    Raises:
        InvalidInputError: Malformed input, or ``(matrices, ops)`` while ``config`` holds
            other limits or ops than the official ones (the batch check knows only those).
    """
    if isinstance(models, tuple) and len(models) == 2 and not isinstance(models[0], str):
        if config is not None and not _native.nb101_official_config(config):
            raise InvalidInputError(
                "query_many((matrices, ops)) checks cells against the official limits and"
                " ops; this object's config differs: pass ModelSpecs (checked against the"
                " config, as query does) or module hashes"
            )
        # check_many's checks and hashes without its per-row messages (ASCII hashes, zero
        # bytes for invalid rows, as the output needs them).
        hex_bytes, status, _, _, _ = _native_check(models[0], models[1])
        return _Hashes(hex_bytes, status == _VALID, None, True)
    if type(models) is list:
        items = models  # only read, never kept: no copy
    else:
        items = list(models.tolist() if isinstance(models, np.ndarray) else models)
    joined = _joined_hashes(items)
    if joined is not None:  # the common case: every item a well-formed hash
        return joined
    if set(map(type, items)) <= {str}:
        raw, exact = _raw_of_strings(items)
        return _Hashes(raw, np.ones(len(items), dtype=bool), items, exact)
    if all(isinstance(item, str) for item in items):  # str subclasses
        text = [str(item) for item in items]
        raw, exact = _raw_of_strings(text)
        return _Hashes(raw, np.ones(len(items), dtype=bool), text, exact)
    if not set(map(type, items)) <= {ModelSpec} and not all(
        isinstance(item, ModelSpec) for item in items
    ):
        raise InvalidInputError("models must be ModelSpecs, module hashes, or (matrices, ops)")
    raw, valid = _hash_specs(items, config)
    return _Hashes(raw, valid, None, True)


def _joined_hashes(items: list[Any]) -> _Hashes | None:
    """N hash strings as hashes in one pass over the list, or None unless every item is a
    ``str`` (subclasses by their text) of exactly 32 lowercase hex digits.

    One ``" ".join`` checks the types (it raises for anything else) and copies the text; the
    rest works on that one string: with exactly ``N - 1`` characters other than lowercase hex
    digits in all, each a space at a multiple of 33 minus one, every item spans exactly the 32
    hex digits between two of them, and ``bytes.fromhex`` (which skips the spaces between
    bytes) turns the whole text into the keys at once.
    """
    count = len(items)
    try:
        text = " ".join(items)
    except TypeError:
        return None
    if not count or len(text) != 33 * count - 1 or not text.isascii():
        return None
    data = text.encode("ascii") + b" "
    if data.translate(None, b"0123456789abcdef") != b" " * count:
        return None
    rows = np.frombuffer(data, dtype=np.uint8).reshape(count, 33)
    if not bool((rows[:, 32] == 32).all()):  # 32: " "
        return None
    halves = np.frombuffer(bytes.fromhex(text), dtype=">u8").reshape(count, 2).astype(np.uint64)
    keys = (halves[:, 0].copy(), halves[:, 1].copy(), np.ones(count, dtype=bool))
    raw = np.ascontiguousarray(rows[:, :32])
    return _Hashes(raw, np.ones(count, dtype=bool), items, True, keys)


def _hash_specs(
    specs: list[ModelSpec], config: dict[str, Any] | None = None
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.bool_]]:
    """Each spec's hash as ``(N, 32)`` ASCII bytes (zero when invalid) and validity.

    A ``ModelSpec`` built from lists or integer arrays holds its pruned ops, edge count and
    hash (computed natively by the constructor): under the official config one native pass
    answers the check and ``hash_spec`` from that state for every such spec. The others
    (built the general way, changed after construction, subclasses), and every spec under
    another ``config`` (a ``NASBench.config``; None: the official one), take ``query``'s
    check against it plus ``hash_spec`` here.
    """
    if config is None:
        config = _OFFICIAL_LIMITS
    if _native.nb101_official_config(config):
        hex_bytes, outcome = _native.nb101_cached_checks(specs, ModelSpec, _UNSET)
    else:
        hex_bytes = np.zeros((len(specs), 32), dtype=np.uint8)
        outcome = np.full(len(specs), _CACHED_UNDECIDED, dtype=np.uint8)
    valid = outcome == _CACHED_VALID
    for row in np.flatnonzero(outcome == _CACHED_UNDECIDED).tolist():
        spec = specs[row]
        try:
            check_spec_against(spec, config)
            digest = spec.hash_spec(config["available_ops"])
        except NasbenchLiteError:  # outside the space (the official check's errors)
            continue
        hex_bytes[row] = np.frombuffer(digest.encode("ascii"), dtype=np.uint8)
        valid[row] = True
    return hex_bytes, valid
