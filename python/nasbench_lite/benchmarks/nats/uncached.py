"""``get_more_info`` without a trial cache (``cache_size=0``): the common cases in one pass.

An uncached call is one SQLite statement plus native work; the general path around them
(:class:`~nasbench_lite.benchmarks.nats.cached.CachedTrialsReader`: cache lookups, a
:class:`~nasbench_lite.benchmarks.nats.trial_rows.Trials` per call, the memo checks) cost
about as much Python as the statement itself (#14). :func:`uncached_info` answers the
common cases directly from the statement's rows - at the last epoch the dataset's final
sets (``_native.nats_final_info``), mid-run the group's curves through the group index
(``_native.nats_mid_run_sets``) - with the same statements, native readers and draws.

Whatever it does not recognise it leaves to the general path by returning None, always
*before* drawing from the generator (so a fallback draws exactly once, as the official API
does); once it has drawn, it finishes through the general functions
(:func:`~nasbench_lite.benchmarks.nats.results.more_info`), which raise the official errors.
"""

from __future__ import annotations

from operator import itemgetter
from typing import TYPE_CHECKING, Any

from nasbench_lite import _native
from nasbench_lite.benchmarks.nats.costs import (
    COST_FIELDS,
    native_plan,
    trial_costs,
    trial_costs_reference,
)
from nasbench_lite.benchmarks.nats.packing import group_key
from nasbench_lite.benchmarks.nats.results import (
    _FINAL_KEYS,
    _FINAL_NATIVE,
    _FINAL_REQUIRED,
    COMPENSATED_SUM,
    FINAL_INFO_FIELDS,
    _comment,
    _native_sets,
    more_info,
)
from nasbench_lite.benchmarks.nats.trial_rows import (
    PAIR_DATASET_AT,
    SEED_ORDER_AT,
    TRIALS_PAIR_SQL,
    TRIALS_SQL,
    Trials,
    eval_names_of,
    group_rows,
    group_trials,
    slim_statement,
)

if TYPE_CHECKING:
    from nasbench_lite.benchmarks.nats.cached import CachedTrialsReader
    from nasbench_lite.benchmarks.nats.records import Chooser

__all__ = ["uncached_costs", "uncached_info", "uncached_simulate"]

_last = itemgetter(-1)
_epochs = itemgetter(1)
#: ``get_cost_info``'s statement: the rows of the full layout with only the cost scalars.
_COST_SQL = slim_statement(COST_FIELDS, compact=False)[0]
_seed_order = itemgetter(SEED_ORDER_AT)


def _final_plan(dataset: str) -> tuple[str, bytes, bytes, tuple[str, ...], bytes]:
    """The compact statement of a dataset's final sets, its value columns and native plan."""
    sql, positions = slim_statement(FINAL_INFO_FIELDS[dataset], compact=True)
    assert positions is not None  # (compact statements name their columns)
    return sql, positions, _FINAL_NATIVE[dataset], _FINAL_KEYS[dataset], _FINAL_REQUIRED[dataset]


_FINAL_PLANS = {dataset: _final_plan(dataset) for dataset in FINAL_INFO_FIELDS}


def _pick(
    reader: CachedTrialsReader, seeds: list[int], is_random: Any, rng: Chooser | None
) -> tuple[Any, int] | None:
    """``(choice, trial position)`` as ``CachedTrialsReader._info`` picks them, or None
    (nothing drawn) where that method raises or takes another path."""
    if is_random is True:
        with reader._lock:
            choice = (reader._rng if rng is None else rng).choice(seeds)
        return choice, seeds.index(choice)
    if is_random is False:
        return False, -1
    if type(is_random) is int and is_random in seeds:
        return is_random, seeds.index(is_random)
    return None


def uncached_info(
    reader: CachedTrialsReader,
    index: int,
    dataset: str,
    iepoch: int | None,
    hp: str,
    is_random: Any,
    rng: Chooser | None,
) -> dict[str, Any] | None:
    """``get_more_info`` of an uncached reader, or None (nothing drawn): the general path.

    ``index``, ``hp`` and ``iepoch`` are checked by the caller.
    """
    if iepoch is not None and str(iepoch + 1).zfill(len(hp)) != hp:
        return _mid_run_info(reader, index, dataset, iepoch, hp, is_random, rng)
    plan = _FINAL_PLANS.get(dataset)
    if plan is None:
        return None
    sql, positions, sets, keys, required = plan
    db = reader._db
    rows = db.query(sql, (index, hp, dataset))
    if not rows:
        return None
    n = len(rows)
    if n > 1:
        rows.sort(key=_last)
        seeds = [row[0] for row in rows]
    else:
        seeds = [rows[0][0]]
    if iepoch is not None and any(row[1] != iepoch + 1 for row in rows):
        return None  # (another run length: iepoch is a mid-run epoch of it)
    picked = _pick(reader, seeds, is_random, rng)
    if picked is None:
        return None
    choice, k = picked
    # mean_or_none of every trial's epochs - 1, plus 1; or the chosen trial's epochs
    total = (sum(map(_epochs, rows)) - n) / n + 1 if k < 0 else rows[k][1]
    info: dict[str, Any] | None = _native.nats_final_info(
        rows, sets, keys, required, k, total, _comment(dataset, hp), COMPENSATED_SUM, positions
    )
    if info is not None:
        return info
    trials = Trials(rows)
    trials.compact = positions
    return more_info(db, trials, index, dataset, hp, iepoch, choice)


def _mid_run_info(
    reader: CachedTrialsReader,
    index: int,
    dataset: str,
    iepoch: int,
    hp: str,
    is_random: Any,
    rng: Chooser | None,
) -> dict[str, Any] | None:
    """A mid-run epoch through the group index (one statement), or None (nothing drawn)."""
    groups = reader._groups
    key = None if groups is None else group_key(index, hp, dataset)
    if groups is None or key is None or dataset not in _FINAL_KEYS:
        return None
    db = reader._db
    found = group_rows(db, key, groups)
    if found is None:
        return None
    shape, rows = found
    if all(epochs == iepoch + 1 for epochs in shape.epochs):
        return None  # (the run ends at iepoch after all: the final scalars answer)
    picked = _pick(reader, shape.seeds, is_random, rng)
    if picked is None:
        return None
    choice, k = picked
    blobs = [rows[at][0] for at in shape.positions]
    flat, width, counts = _native_sets(shape.eval_names, dataset)
    # (an epoch beyond any u16 run length is out of range all the same)
    epoch = min(max(iepoch, -1), 1 << 20)
    sets = _native.nats_mid_run_sets(blobs, flat, width, counts, epoch, k, COMPENSATED_SUM)
    if type(sets) is list:
        info: dict[str, Any] | None = _native.nats_info_dict(
            sets, _FINAL_KEYS[dataset], _FINAL_REQUIRED[dataset], iepoch + 1, _comment(dataset, hp)
        )
        if info is not None:
            return info
    return more_info(db, group_trials(shape, blobs), index, dataset, hp, iepoch, choice)


def uncached_costs(
    reader: CachedTrialsReader, index: int, dataset: str, hp: str
) -> dict[str, Any] | None:
    """``get_cost_info`` of an uncached reader, or None (no trials: the general path raises
    the official error). Same statement and values as ``costs.trial_costs`` on the slim
    trials."""
    rows = reader._db.query(_COST_SQL, (index, hp, dataset))
    if not rows:
        return None
    if len(rows) > 1:
        rows.sort(key=_seed_order)
    return _costs_of_rows(rows)


def _costs_of_rows(rows: list[Any]) -> dict[str, Any]:
    """``costs.trial_costs`` of trials given as rows of the full layout, in seed order.

    Raises:
        NotInDatabaseError: Costs the official API cannot compute either.
    """
    text = rows[0][2]
    if type(text) is not str or any(row[2] != text for row in rows):
        return trial_costs(Trials(rows))  # (the real files: never)
    names = eval_names_of(text)
    fields, keys = native_plan(names)
    info: dict[str, Any] | None = _native.nats_costs(rows, fields, keys, COMPENSATED_SUM)
    if info is not None:
        return info
    return trial_costs_reference(Trials(rows), names)


def uncached_simulate(
    reader: CachedTrialsReader,
    index: int,
    dataset: str,
    source: str,
    iepoch: int | None,
    hp: str,
    rng: Chooser | None,
) -> tuple[Any, Any, Any] | None:
    """``simulate_train_eval``'s ``(valid accuracy, latency, time cost)`` of an uncached
    reader at the last epoch, or None (nothing drawn): the general path.

    The statement of the general path (cifar10: its cifar10-valid and cifar10 trials in one),
    then the draw, the final sets and the costs straight from its rows; the second draw of a
    dataset without a valid set at ``iepoch`` and every error go through the general
    functions, after the same draws.
    """
    if iepoch is not None and str(iepoch + 1).zfill(len(hp)) != hp:
        return None
    plan = _FINAL_PLANS.get(source)
    if plan is None:
        return None
    db = reader._db
    if dataset != source:
        rows = db.query(TRIALS_PAIR_SQL, (index, hp, source, dataset))
        one = [row for row in rows if row[PAIR_DATASET_AT] == source]
        two = [row for row in rows if row[PAIR_DATASET_AT] != source]
        if len(two) > 1:
            two.sort(key=_seed_order)
    else:
        one = two = db.query(TRIALS_SQL, (index, hp, source))
    if not one or not two:
        return None
    if len(one) > 1:
        one.sort(key=_seed_order)
    if iepoch is not None and any(row[1] != iepoch + 1 for row in one):
        return None  # (another run length: iepoch is a mid-run epoch of it)
    seeds = [row[0] for row in one]
    with reader._lock:
        choice = (reader._rng if rng is None else rng).choice(seeds)
    k = seeds.index(choice)
    _, _, sets, keys, required = plan
    info: dict[str, Any] | None = _native.nats_final_info(
        one, sets, keys, required, k, one[k][1], _comment(source, hp), COMPENSATED_SUM
    )
    if info is None:
        info = more_info(db, Trials(one), index, source, hp, iepoch, choice)
    if "valid-accuracy" in info:
        valid_acc = info["valid-accuracy"]
        time_cost = info["train-all-time"] + info["valid-per-time"]
    else:
        valid_acc = info["valtest-accuracy"]
        temp = reader._info(index, dataset, None, hp, True, Trials(two), rng)
        time_cost = info["train-all-time"] + temp["valid-per-time"]
    return valid_acc, _costs_of_rows(two)["latency"], time_cost
