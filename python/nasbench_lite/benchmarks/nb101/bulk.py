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
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from nasbench_lite._optional import import_pyarrow
from nasbench_lite.benchmarks.nb101.layout import METRIC_FIELDS, load_special
from nasbench_lite.errors import InvalidInputError, OutOfDomainError
from nasbench_lite.spaces.nb101.batch import check_many
from nasbench_lite.spaces.nb101.spec import AVAILABLE_OPS, MAX_VERTICES, ModelSpec

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


class HashIndex:
    """Sorted module hashes of a database with their ``cell_id`` (built once per object).

    Args:
        api: The open ``NASBench``.
    """

    def __init__(self, api: NASBench) -> None:
        (row,) = api._query(
            "SELECT count(*), group_concat(hash, '') FROM"
            " (SELECT hash FROM cells ORDER BY hash)"
        )
        count, text = row
        (ids_row,) = api._query(
            "SELECT group_concat(cell_id) FROM (SELECT cell_id FROM cells ORDER BY hash)"
        )
        data = (text or "").encode("ascii", "replace")
        if len(data) != 32 * count:  # a hash that is not 32 ASCII chars: only exact matches
            hashes = [h for (h,) in api._query("SELECT hash FROM cells ORDER BY hash")]
            self.hashes: npt.NDArray[Any] = np.array(
                [h if len(h) == 32 and h.isascii() else "" for h in hashes], dtype="S32"
            )
        else:
            self.hashes = np.frombuffer(data, dtype="S32")
        self.cell_ids: npt.NDArray[np.int64] = np.array(
            (ids_row[0] or "").split(",") if count else [], dtype=np.int64
        )
        #: Number of cells (rows of a whole-budget array: cell ids are 0..count-1 when dense).
        self.count = int(count)
        self.max_id = int(self.cell_ids.max()) if count else -1

    def lookup(self, hashes: npt.NDArray[Any]) -> npt.NDArray[np.int64]:
        """Cell ids of ``S32`` hashes, -1 where absent.

        Args:
            hashes: ``(N,)`` ``S32`` array (``b''`` for rows that cannot match).

        Returns:
            ``(N,)`` int64 cell ids.
        """
        if not len(self.hashes) or not len(hashes):
            return np.full(len(hashes), -1, dtype=np.int64)
        position = np.searchsorted(self.hashes, hashes)
        np.minimum(position, len(self.hashes) - 1, out=position)
        hit = (self.hashes[position] == hashes) & (hashes != b"")
        return np.where(hit, self.cell_ids[position], -1)


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
    fine = repeat < values.shape[1]
    # NULL (NaN) arrives as None: float64 conversion makes it NaN.
    block = np.array(metrics, dtype=np.float64).T
    values[target[fine], repeat[fine]] = block[fine]
    np.maximum.at(counts, target, repeat + 1)
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
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """``(values (N, width, 4), repeat counts (N,))`` of each input row (-1: no cell)."""
    index = _hash_index(api)
    present = cell_ids >= 0
    unique = np.unique(cell_ids[present])
    state = _state(api)
    if (epochs, halfway) in state["budgets"] or len(unique) >= LOAD_BUDGET_AT:
        values, counts = _budget(api, index, epochs, halfway)
        safe = np.where(present, cell_ids, 0)
        out_counts = np.where(present, counts[safe], 0)
        return values[safe], out_counts
    columns = slice(0, 4) if halfway else slice(4, 8)
    names = ", ".join(METRIC_FIELDS[columns])
    rows = api._query(
        f"SELECT cell_id, repeat, {names} FROM runs"
        " WHERE cell_id IN (SELECT value FROM json_each(?)) AND epochs = ? AND repeat < ?",
        (json.dumps(unique.tolist()), epochs, MAX_REPEATS),
    )
    width = max([api.config["num_repeats"], *(r[1] + 1 for r in rows)])
    values = np.full((len(unique), width, 4), np.nan)
    counts = np.zeros(len(unique), dtype=np.int64)
    special = _special(api, int(unique[0]), int(unique[-1])) if len(unique) else {}
    _fill(values, counts, rows, lambda c: np.searchsorted(unique, c), epochs, columns, special)
    slot = np.searchsorted(unique, cell_ids)
    slot = np.where(present, np.minimum(slot, max(len(unique) - 1, 0)), 0)
    if not len(unique):
        return np.full((len(cell_ids), width, 4), np.nan), np.zeros(len(cell_ids), np.int64)
    return values[slot], np.where(present, counts[slot], 0)


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
    keys, valid, hash_text = _hashes_of(models)
    count = len(keys)
    cell_ids = _hash_index(api).lookup(keys)
    cell_ids[~valid] = -1
    half, counts = _values_of(api, cell_ids, epochs, stop_halfway)
    params = _parameters(api, cell_ids)
    found = counts > 0
    if repeat == "all":
        per_input = np.where(found, counts, 1)
        index = np.repeat(np.arange(count), per_input)
        starts = np.cumsum(per_input) - per_input
        chosen = np.arange(len(index)) - np.repeat(starts, per_input)
        hit = found[index]
        values = half[index, np.minimum(chosen, half.shape[1] - 1)]
        repeats_out = np.where(hit, chosen, -1)
    else:
        index = np.arange(count)
        if repeat == "mean":
            # Mean over the repeats whose value is not NaN (np.nanmean, without its warning
            # for cells whose values are all NaN, which stay NaN).
            present = np.arange(half.shape[1])[None, :] < counts[:, None]
            usable = present[:, :, None] & ~np.isnan(half)
            with np.errstate(invalid="ignore", divide="ignore"):
                values = np.where(usable, half, 0.0).sum(axis=1) / usable.sum(axis=1)
            values[~found] = np.nan
            hit = found
            repeats_out = np.full(count, -1)
        else:
            chosen = np.full(count, -1, dtype=np.int64)
            if fixed_repeat:
                chosen[found] = int(repeat)
            else:
                chosen[found] = api._draw_repeats(int(found.sum()))
            hit = found & (chosen >= 0) & (chosen < counts)
            values = np.full((count, 4), np.nan)
            values[hit] = half[hit, chosen[hit]]
            repeats_out = np.where(hit, chosen, -1)
    if count_budget:
        with api.locked():
            api.training_time_spent += float(values[hit, 0].sum())
            api.total_epochs_spent += int(hit.sum()) * (epochs // 2 if stop_halfway else epochs)
    mask = ~hit
    return pa.table(
        {
            "index": pa.array(index, pa.int64()),
            "hash": _hash_column(pa, hash_text, index),
            "valid": pa.array(valid[index]),
            "found": pa.array(hit),
            "epochs": pa.array(np.full(len(index), epochs, dtype=np.int32)),
            "repeat": pa.array(repeats_out.astype(np.int8), pa.int8(), mask=repeats_out < 0),
            "trainable_parameters": pa.array(params[index], pa.int64(), mask=mask),
            "training_time": pa.array(values[:, 0], pa.float64(), mask=mask),
            "train_accuracy": pa.array(values[:, 1], pa.float64(), mask=mask),
            "validation_accuracy": pa.array(values[:, 2], pa.float64(), mask=mask),
            "test_accuracy": pa.array(values[:, 3], pa.float64(), mask=mask),
        }
    )


def _parameters(api: NASBench, cell_ids: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """``trainable_parameters`` of each row (0 where absent), from an array kept per object."""
    state = _state(api)
    with state["lock"]:
        params: npt.NDArray[np.int64] | None = state.get("params")
        if params is None:
            index = _hash_index(api)
            (row,) = api._query(
                "SELECT group_concat(cell_id), group_concat(trainable_parameters) FROM cells"
            )
            params = np.zeros(index.max_id + 1, dtype=np.int64)
            if index.count:
                params[np.array(row[0].split(","), dtype=np.int64)] = np.array(
                    row[1].split(","), dtype=np.int64
                )
            state["params"] = params
    return np.where(cell_ids >= 0, params[np.maximum(cell_ids, 0)], 0)


def _hash_column(pa: Any, text: Any, index: Any) -> Any:
    """The ``hash`` output column: the input hashes (null for invalid specs and ``''``)."""
    chosen = np.asarray(text, dtype=object)[index] if not isinstance(text, np.ndarray) else text[index]
    return pa.array(chosen, pa.string(), mask=chosen == "")


def _keys_of(text: Any) -> npt.NDArray[Any]:
    """``S32`` search keys of hash strings; ``b''`` for any that is not 32 ASCII chars."""
    array = np.asarray(text, dtype=str)
    if array.ndim != 1:
        array = array.reshape(-1)
    width = array.dtype.itemsize // 4
    if width == 32:
        codes = array.view(np.uint32).reshape(len(array), 32)
        usable = (codes < 128).all(axis=1) & (codes[:, 31] != 0)
        if bool(usable.all()):
            return array.astype("S32")
    elif width < 32 or not len(array):
        return np.zeros(len(array), dtype="S32")
    lengths = np.char.str_len(array)
    usable = lengths == 32
    if width > 32:
        codes = array.view(np.uint32).reshape(len(array), width)[:, :32]
    usable &= (codes < 128).all(axis=1)
    keys = np.zeros(len(array), dtype="S32")
    keys[usable] = array[usable].astype("S32")
    return keys


def _hashes_of(models: Any) -> tuple[npt.NDArray[Any], npt.NDArray[np.bool_], Any]:
    """Search keys (``S32``, ``b''`` when invalid), validity and the hash text of every row."""
    if isinstance(models, tuple) and len(models) == 2 and not isinstance(models[0], str):
        result = check_many(models[0], models[1])
        text = np.where(result.valid, result.hash, "")
        return _keys_of(text), np.asarray(result.valid, dtype=bool), text
    items = list(models.tolist() if isinstance(models, np.ndarray) else models)
    if all(isinstance(item, str) for item in items):
        text = [str(item) for item in items]
        return _keys_of(text), np.ones(len(items), dtype=bool), text
    if not all(isinstance(item, ModelSpec) for item in items):
        raise InvalidInputError("models must be ModelSpecs, module hashes, or (matrices, ops)")
    hashes, valid = _hash_specs(items)
    return _keys_of(hashes), valid, hashes


def _hash_specs(specs: list[ModelSpec]) -> tuple[npt.NDArray[Any], npt.NDArray[np.bool_]]:
    """Hashes pruned specs in one native batch; specs that cannot fit (disconnected, more than
    7 vertices, entries other than 0/1) are invalid anyway."""
    width = MAX_VERTICES
    matrices: npt.NDArray[np.uint8] = np.zeros((len(specs), width, width), dtype=np.uint8)
    ops = np.full((len(specs), width), "", dtype=f"U{max(len(op) for op in AVAILABLE_OPS)}")
    usable = np.zeros(len(specs), dtype=bool)
    by_size: dict[int, list[int]] = {}
    for row, spec in enumerate(specs):
        if spec.matrix is not None and spec.ops is not None and len(spec.ops) <= width:
            by_size.setdefault(len(spec.ops), []).append(row)
    for n, rows in by_size.items():
        block = np.stack([specs[r].matrix for r in rows])  # type: ignore[misc]
        names = np.array([specs[r].ops for r in rows], dtype=object)
        fits = ((block == 0) | (block == 1)).all(axis=(1, 2))
        known = np.isin(names, ["", "input", "output", *AVAILABLE_OPS]).all(axis=1)
        good = np.asarray(rows)[fits & known]
        matrices[good, :n, :n] = block[fits & known]
        ops[good, :n] = names[fits & known].astype(str)
        usable[good] = True
    result = check_many(matrices, ops)
    valid = result.valid & usable
    return np.where(valid, result.hash, ""), valid
