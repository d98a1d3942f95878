"""Bulk NATS-Bench lookups: many architectures in, one ``pyarrow.Table`` out.

Each output row holds what ``get_more_info`` returns for one architecture (same values, bit for
bit: means are summed in the file's seed order like the official ``mean``), plus the
architecture's ``get_cost_info`` flops/params/latency. Final-epoch queries read only the fixed
scalar columns and are vectorised with NumPy; other epochs read each trial's values at that
epoch natively from its curves blob (``_native.nats_mid_run_sets``, the reader of the
per-architecture calls; ``layout.Curves`` is the Python reference it is tested against).
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from nasbench_lite import _native
from nasbench_lite._optional import import_pyarrow
from nasbench_lite.benchmarks.nats.layout import (
    DATASETS,
    FINAL_FIELDS,
    SET_COLUMNS,
    check_iepoch,
)
from nasbench_lite.benchmarks.nats.results import COMPENSATED_SUM
from nasbench_lite.errors import (
    CorruptDatabaseError,
    InvalidInputError,
    NotInDatabaseError,
    OutOfDomainError,
)

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["query_many", "output_sets"]

_FIELD = {name: i for i, name in enumerate(FINAL_FIELDS)}


def output_sets(dataset: str) -> tuple[tuple[str, str], ...]:
    """``(get_more_info label, eval set)`` pairs of a dataset (official split semantics)."""
    if dataset == "cifar10-valid":
        return (("train", "train"), ("valid", "x-valid"), ("test", "ori-test"))
    if dataset == "cifar10":
        return (("train", "train"), ("test", "ori-test"))
    return (("train", "train"), ("valid", "x-valid"), ("test", "x-test"), ("valtest", "ori-test"))


def _resolve(api: Any, archs: Any) -> np.ndarray:
    if archs is None:
        rows = api._db.query("SELECT arch_index FROM archs WHERE has_results ORDER BY arch_index")
        return np.asarray([r[0] for r in rows], dtype=np.int64)
    if isinstance(archs, str | bytes):
        raise InvalidInputError("archs must be a sequence of indexes or arch strings, not a str")
    items = list(archs)
    if items and all(isinstance(a, str) for a in items):
        lookup = api._arch_lookup()
        missing = [a for a in items if a not in lookup]
        if missing:
            raise OutOfDomainError(
                f"{missing[0]!r} is not an architecture of the {api._space} space"
            )
        return np.asarray([lookup[a] for a in items], dtype=np.int64)
    try:
        indexes = np.asarray(items)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"archs must be indexes or arch strings ({exc})") from None
    if indexes.size == 0:
        indexes = indexes.astype(np.int64)
    if indexes.ndim != 1 or indexes.dtype.kind not in "iu":
        raise InvalidInputError(
            f"archs must be a flat sequence of int indexes or of arch strings, got dtype "
            f"{indexes.dtype} with shape {indexes.shape}"
        )
    indexes = indexes.astype(np.int64)
    bad = (indexes < 0) | (indexes >= len(api))
    if bad.any():
        raise OutOfDomainError(f"architecture index {int(indexes[bad][0])} is out of range")
    return indexes


def query_many(
    api: Any,
    archs: Sequence[int] | Sequence[str] | np.ndarray | None,
    dataset: str,
    hp: str | int = "12",
    is_random: bool | int | str = "mean",
    iepoch: int | None = None,
) -> pa.Table:
    """``get_more_info`` (+ costs) for many architectures as one table.

    Args:
        api: A :func:`~nasbench_lite.nats.create` object.
        archs: Official indexes or arch strings; None = every architecture with results.
        dataset: One of the four NATS-Bench datasets.
        hp: Hyper-parameter setting.
        is_random: ``'mean'``/False (mean over trials), ``'random'``/True (one trial per
            architecture drawn from the API's RNG), or a seed.
        iepoch: Epoch to read (None = last).

    Returns:
        Columns ``arch_index``, ``seed`` (null for means), ``n_trials``, ``iepoch``, then
        ``<label>-loss/-accuracy/-per-time/-all-time`` for the dataset's sets (``train``,
        ``valid``, ``test``, ``valtest`` as in get_more_info; null where the set has no value
        at that epoch), then ``flops``, ``params``, ``latency``.

    Raises:
        OutOfDomainError: Unknown dataset/architecture, bad policy, seed or epoch.
        NotInDatabaseError: An architecture without results for ``(hp, dataset)`` or seed.
    """
    pa = import_pyarrow()

    if dataset not in DATASETS:
        raise OutOfDomainError(f"unknown dataset {dataset!r} (datasets: {list(DATASETS)})")
    if is_random is True or is_random == "random":
        policy: Any = "random"
    elif is_random is False or is_random == "mean":
        policy = "mean"
    elif isinstance(is_random, int):
        policy = int(is_random)
    else:
        raise OutOfDomainError(f"is_random must be 'mean', 'random' or a seed, got {is_random!r}")
    hp = str(hp)
    check_iepoch(iepoch)
    indexes = _resolve(api, archs)
    rows = api._db.query(
        f"SELECT arch_index, seed, epochs, eval_names, nan_mask, run_id, {', '.join(FINAL_FIELDS)}"
        " FROM runs"
        " WHERE hp = ? AND dataset = ? ORDER BY arch_index, seed_order",
        (hp, dataset),
    )
    row_arch = np.asarray([r[0] for r in rows], dtype=np.int64)
    starts = np.searchsorted(row_arch, indexes, side="left")
    ends = np.searchsorted(row_arch, indexes, side="right")
    counts = ends - starts
    if (counts == 0).any():
        first = int(indexes[counts == 0][0])
        raise NotInDatabaseError(f"architecture {first} has no {dataset} results for hp={hp!r}")
    seeds = np.asarray([r[1] for r in rows], dtype=np.int64)
    # Which trial (row) each output row uses, or -1 for the mean over all trials.
    if policy == "mean":
        chosen = np.full(len(indexes), -1, dtype=np.int64)
    elif policy == "random":
        picks = api.draw(lambda rng: [rng.choice(range(c)) for c in counts.tolist()])
        chosen = starts + np.asarray(picks, dtype=np.int64)
    else:
        chosen = np.full(len(indexes), -1, dtype=np.int64)
        for i, (start, end) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
            hits = np.flatnonzero(seeds[start:end] == policy)
            if not hits.size:
                raise OutOfDomainError(
                    f"can not find random seed ({policy}) for architecture {int(indexes[i])}"
                    f" (seeds {seeds[start:end].tolist()})"
                )
            chosen[i] = start + hits[0]
    epochs = np.asarray([r[2] for r in rows], dtype=np.int64)
    if iepoch is None:
        values, present = _final_matrix(rows)
        iepochs = epochs - 1
    else:
        values, present = _epoch_matrix(api, rows, starts, ends, iepoch)
        iepochs = np.full(len(rows), iepoch, dtype=np.int64)
    columns: dict[str, Any] = {
        "arch_index": pa.array(indexes),
        "seed": pa.array(np.where(chosen >= 0, seeds[np.maximum(chosen, 0)], 0), mask=chosen < 0),
        "n_trials": pa.array(counts.astype(np.int32)),
    }
    total = _combine(
        iepochs.astype(np.float64)[:, None], np.ones((len(rows), 1), bool), starts, counts, chosen
    )[0][:, 0]
    columns["iepoch"] = pa.array(total.astype(np.int64))
    total = total + 1
    for label, setname in output_sets(dataset):
        prefix = SET_COLUMNS[setname]
        cols = [_FIELD[f"{prefix}_{k}"] for k in ("loss", "accuracy", "all_time")]
        available = present[:, cols[1]]
        sub_values = values[:, cols]
        sub_present = present[:, cols] & available[:, None]
        out, ok = _combine(sub_values, sub_present, starts, counts, chosen)
        set_ok = _all_trials(available, starts, counts, chosen)
        loss, acc, all_time = out[:, 0], out[:, 1], out[:, 2]
        columns[f"{label}-loss"] = pa.array(loss, mask=~(ok[:, 0] & set_ok))
        columns[f"{label}-accuracy"] = pa.array(acc, mask=~(ok[:, 1] & set_ok))
        time_ok = ok[:, 2] & set_ok
        columns[f"{label}-per-time"] = pa.array(all_time / total, mask=~time_ok)
        columns[f"{label}-all-time"] = pa.array(all_time, mask=~time_ok)
    costs = api._db.query(
        "SELECT arch_index, flops, params, latency FROM summaries WHERE hp = ? AND dataset = ?",
        (hp, dataset),
    )
    by_arch = {r[0]: r[1:] for r in costs}
    for k, name in enumerate(("flops", "params", "latency")):
        columns[name] = pa.array([by_arch[i][k] for i in indexes.tolist()], pa.float64())
    return pa.table(columns)


def _final_matrix(rows: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    """The final scalars of every row as a float matrix and a presence mask (NaN kept)."""
    pa = import_pyarrow()

    values = np.zeros((len(rows), len(FINAL_FIELDS)))
    present = np.zeros((len(rows), len(FINAL_FIELDS)), dtype=bool)
    columns = list(zip(*rows, strict=True)) if rows else [()] * (6 + len(FINAL_FIELDS))
    nan_mask = np.asarray(columns[4], dtype=np.int64)
    for i in range(len(FINAL_FIELDS)):
        array = pa.array(columns[6 + i], pa.float64())
        values[:, i] = array.to_numpy(zero_copy_only=False)
        is_nan = (nan_mask >> i & 1).astype(bool)
        present[:, i] = ~np.asarray(array.is_null()) | is_nan
        values[is_nan, i] = np.nan
    return values, present


#: Curves blobs fetched per statement (well below SQLite's bound-parameter limit).
_BLOB_CHUNK = 500


def _set_plan(names: tuple[str, ...]) -> bytes:
    """The ``sets`` argument of ``_native.nats_mid_run_sets`` for one trial: every set of
    :data:`SET_COLUMNS` (train, then the eval sets, absent ones as -1)."""
    flat: list[int] = []
    for setname in SET_COLUMNS:
        if setname == "train":
            flat.extend((0, 2, 3, 1))
        elif setname in names:
            acc = 4 + 3 * names.index(setname)
            flat.extend((acc, acc + 1, acc + 2, 0))
        else:
            flat.extend((-1, -1, -1, 0))
    return array("i", flat).tobytes()


def _epoch_matrix(
    api: Any, rows: list[Any], starts: np.ndarray, ends: np.ndarray, iepoch: int
) -> tuple[np.ndarray, np.ndarray]:
    values = np.zeros((len(rows), len(FINAL_FIELDS)))
    present = np.zeros((len(rows), len(FINAL_FIELDS)), dtype=bool)
    wanted = sorted(
        {i for s, e in zip(starts.tolist(), ends.tolist(), strict=True) for i in range(s, e)}
    )
    run_ids = [rows[i][5] for i in wanted]
    blobs: dict[int, bytes] = {}
    for at in range(0, len(run_ids), _BLOB_CHUNK):
        chunk = run_ids[at : at + _BLOB_CHUNK]
        marks = ",".join("?" * len(chunk))
        blobs.update(
            api._db.query(f"SELECT run_id, data FROM curves WHERE run_id IN ({marks})", chunk)
        )
    plans: dict[str, bytes] = {}
    width = len(SET_COLUMNS)
    # (an epoch beyond any u16 run length is out of range all the same)
    epoch = min(max(iepoch, -1), 1 << 20)
    columns = [
        tuple(_FIELD[f"{prefix}_{k}"] for k in ("loss", "accuracy", "all_time"))
        for prefix in SET_COLUMNS.values()
    ]
    for i in wanted:
        arch, _, _, names, _, run_id = rows[i][:6]
        blob = blobs.get(run_id)
        if blob is None:
            raise CorruptDatabaseError(f"architecture {arch}: a trial has no curves row")
        plan = plans.get(names)
        if plan is None:
            plan = plans[names] = _set_plan(tuple(names.split(",")) if names else ())
        count = len(names.split(",")) if names else 0
        out = _native.nats_mid_run_sets([blob], plan, width, [count], epoch, 0, COMPENSATED_SUM)
        if type(out) is not list:
            raise OutOfDomainError(f"architecture {arch}: invalid iepoch={iepoch} < {out}")
        for info, positions in zip(out, columns, strict=True):
            if info is None:
                continue  # (the official accessor raises: the set has no value there)
            for at, value in zip(positions, info, strict=True):
                if value is not None:
                    values[i, at] = value
                    present[i, at] = True
    return values, present


def _all_trials(
    flags: np.ndarray, starts: np.ndarray, counts: np.ndarray, chosen: np.ndarray
) -> np.ndarray:
    """Per output row: the flag holds for every trial (official get_metrics reads them all)."""
    ok = np.ones(len(starts), dtype=bool)
    for k in range(int(counts.max(initial=0))):
        has = k < counts
        ok &= ~has | flags[np.where(has, starts + k, 0)]
    return ok


def _combine(
    values: np.ndarray,
    present: np.ndarray,
    starts: np.ndarray,
    counts: np.ndarray,
    chosen: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The chosen trial's values, or the official mean (sequential sum / count)."""
    picked = chosen >= 0
    total = np.zeros((len(starts), values.shape[1]))
    ok = np.ones((len(starts), values.shape[1]), dtype=bool)
    for k in range(int(counts.max(initial=0))):
        has = k < counts
        row = np.where(has, starts + k, 0)
        total = np.where(has[:, None], total + values[row], total)
        ok &= ~has[:, None] | present[row]
    out = total / np.maximum(counts, 1)[:, None]
    if picked.any():
        rows = chosen[picked]
        out[picked] = values[rows]
        ok[picked] = present[rows]
    return out, ok
