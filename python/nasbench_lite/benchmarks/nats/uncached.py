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
from nasbench_lite.benchmarks.nats.packing import NO_GROUP, group_key
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
    GROUP_CURVES_SQL,
    PAIR_DATASET_AT,
    SEED_ORDER_AT,
    TRIALS_RANGE_SQL,
    TRIALS_SQL,
    GroupIndex,
    GroupShape,
    Trials,
    eval_names_of,
    group_trials,
    slim_statement,
)

if TYPE_CHECKING:
    from nasbench_lite.benchmarks.nats.cached import CachedTrialsReader
    from nasbench_lite.benchmarks.nats.records import Chooser

__all__ = ["MidRunPlan", "mid_run_plan", "uncached_costs", "uncached_info", "uncached_simulate"]

_last = itemgetter(-1)
_epochs = itemgetter(1)
_seed = itemgetter(0)
#: ``get_cost_info``'s statement: the rows of the full layout with only the cost scalars.
_COST_SQL = slim_statement(COST_FIELDS, compact=False)[0]
_seed_order = itemgetter(SEED_ORDER_AT)

#: One final-epoch plan: the compact statement, its value columns, the native sets, keys and
#: required flags, and the ``comment`` text.
_FinalPlan = tuple[str, bytes, bytes, tuple[str, ...], bytes, str | None]
#: Per (dataset, hp): its final-epoch plan (the dataset's plan with the comment of that hp;
#: one lookup per call instead of two). Bounded: hp is the caller's text.
_FINAL_PLANS: dict[tuple[str, str], _FinalPlan] = {}


def _final_plan(dataset: str, hp: str) -> _FinalPlan | None:
    """The final-epoch plan of ``(dataset, hp)``, None for an unknown dataset."""
    fields = FINAL_INFO_FIELDS.get(dataset)
    if fields is None:
        return None
    sql, positions = slim_statement(fields, compact=True)
    assert positions is not None  # (compact statements name their columns)
    plan = (
        sql,
        positions,
        _FINAL_NATIVE[dataset],
        _FINAL_KEYS[dataset],
        _FINAL_REQUIRED[dataset],
        _comment(dataset, hp),
    )
    if len(_FINAL_PLANS) >= 1024:
        _FINAL_PLANS.clear()
    _FINAL_PLANS[(dataset, hp)] = plan
    return plan


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

    ``index``, ``hp`` and ``iepoch`` are checked by the caller. The trials are picked as
    ``CachedTrialsReader._info`` picks them (``is_random`` True: one ``choice`` of the seeds;
    False: the mean; a seed of the trials: that one); anything else is left to it.
    """
    if iepoch is not None and str(iepoch + 1).zfill(len(hp)) != hp:
        return _mid_run_info(reader, index, dataset, iepoch, hp, is_random, rng)
    plan = _FINAL_PLANS.get((dataset, hp)) or _final_plan(dataset, hp)
    if plan is None:
        return None
    sql, positions, sets, keys, required, comment = plan
    rows = reader._point(sql, (index, hp, dataset))
    n = len(rows)
    if n == 1:
        seeds = [rows[0][0]]
    elif n:
        rows.sort(key=_last)
        seeds = list(map(_seed, rows))
    else:
        return None
    if iepoch is not None and any(row[1] != iepoch + 1 for row in rows):
        return None  # (another run length: iepoch is a mid-run epoch of it)
    if is_random is True:
        with reader._lock:
            choice = (reader._rng if rng is None else rng).choice(seeds)
        k = seeds.index(choice)
        total = rows[k][1]
    elif is_random is False:
        choice, k = False, -1
        # mean_or_none of every trial's epochs - 1, plus 1
        total = (sum(map(_epochs, rows)) - n) / n + 1
    elif type(is_random) is int and is_random in seeds:
        choice = is_random
        k = seeds.index(choice)
        total = rows[k][1]
    else:
        return None
    info: dict[str, Any] | None = _native.nats_final_info(
        rows, sets, keys, required, k, total, comment, COMPENSATED_SUM, positions
    )
    if info is not None:
        return info
    trials = Trials(rows)
    trials.compact = positions
    return more_info(reader._db, trials, index, dataset, hp, iepoch, choice)


#: What an uncached mid-run call of one group shape and dataset needs besides its blobs:
#: the trials' seeds, their blobs' positions among the group's rows, the run length when every
#: trial has the same (an iepoch at its end is answered from the final scalars) or None,
#: ``_native_sets``, the info keys and required flags, and the shape (for the general path).
MidRunPlan = tuple[
    list[int],
    tuple[int, ...],
    int | None,
    bytes,
    int,
    list[int],
    tuple[str, ...],
    bytes,
    GroupShape,
]


def mid_run_plan(
    groups: GroupIndex, shape_id: int, dataset: str, plans: dict[tuple[int, str], MidRunPlan]
) -> MidRunPlan | None:
    """The plan of ``(shape_id, dataset)``, kept in ``plans``; None for an unknown shape or a
    dataset without a final-epoch plan."""
    shape = groups.shapes.get(shape_id)
    if shape is None or dataset not in _FINAL_KEYS:
        return None
    epochs = shape.epochs
    ends = epochs[0] if epochs.count(epochs[0]) == len(epochs) else None
    flat, width, counts = _native_sets(shape.eval_names, dataset)
    plan = (
        shape.seeds,
        shape.positions,
        ends,
        flat,
        width,
        counts,
        _FINAL_KEYS[dataset],
        _FINAL_REQUIRED[dataset],
        shape,
    )
    if len(plans) < 4 * len(groups.shapes) + 64:  # (bounded by the database's shapes)
        plans[(shape_id, dataset)] = plan
    return plan


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
    if groups is None:
        return None
    key = group_key(index, hp, dataset)
    entries = groups.entries
    if key is None or key >= len(entries):
        return None
    entry = entries[key]
    if entry == NO_GROUP:
        return None
    plans = reader._mid_plans
    plan = plans.get((entry & 0xFF, dataset)) or mid_run_plan(groups, entry & 0xFF, dataset, plans)
    if plan is None:
        return None
    seeds, positions, ends, flat, width, counts, keys, required, shape = plan
    if ends == iepoch + 1:
        return None  # (the run ends at iepoch after all: the final scalars answer)
    first = entry >> 8
    n = len(positions)
    rows = reader._point(GROUP_CURVES_SQL, (first, first + n - 1))
    if len(rows) != n:
        return None
    if is_random is True:
        with reader._lock:
            choice = (reader._rng if rng is None else rng).choice(seeds)
        k = seeds.index(choice)
    elif is_random is False:
        choice, k = False, -1
    elif type(is_random) is int and is_random in seeds:
        choice = is_random
        k = seeds.index(choice)
    else:
        return None
    blobs = [rows[at][0] for at in positions] if n > 1 else [rows[0][0]]
    # (an epoch beyond any u16 run length is out of range all the same)
    epoch = min(max(iepoch, -1), 1 << 20)
    sets = _native.nats_mid_run_sets(blobs, flat, width, counts, epoch, k, COMPENSATED_SUM)
    if type(sets) is list:
        info: dict[str, Any] | None = _native.nats_info_dict(
            sets, keys, required, iepoch + 1, _comment(dataset, hp)
        )
        if info is not None:
            return info
    return more_info(reader._db, group_trials(shape, blobs), index, dataset, hp, iepoch, choice)


def uncached_costs(
    reader: CachedTrialsReader, index: int, dataset: str, hp: str
) -> dict[str, Any] | None:
    """``get_cost_info`` of an uncached reader, or None (no trials: the general path raises
    the official error). Same statement and values as ``costs.trial_costs`` on the slim
    trials."""
    rows = reader._point(_COST_SQL, (index, hp, dataset))
    if len(rows) > 1:
        rows.sort(key=_seed_order)
    elif not rows:
        return None
    return _costs_of_rows(rows)


#: Per ``runs.eval_names`` text: ``native_plan`` of its names (a handful; bounded).
_COST_PLANS: dict[str, tuple[bytes, tuple[str, ...]]] = {}


def _costs_of_rows(rows: list[Any]) -> dict[str, Any]:
    """``costs.trial_costs`` of trials given as rows of the full layout, in seed order.

    Raises:
        NotInDatabaseError: Costs the official API cannot compute either.
    """
    text = rows[0][2]
    if len(rows) > 1 and any(row[2] != text for row in rows):
        return trial_costs(Trials(rows))  # (the real files: never)
    plan = _COST_PLANS.get(text)
    if plan is None:
        if type(text) is not str:
            return trial_costs(Trials(rows))
        plan = native_plan(eval_names_of(text))
        if len(_COST_PLANS) >= 1024:
            _COST_PLANS.clear()
        _COST_PLANS[text] = plan
    info: dict[str, Any] | None = _native.nats_costs(rows, plan[0], plan[1], COMPENSATED_SUM)
    if info is not None:
        return info
    return trial_costs_reference(Trials(rows), eval_names_of(text))


#: Per dataset: the sets ``_native.nats_simulate`` reads (the one holding 'valid-accuracy'
#: and 'valid-per-time', the one holding 'train-all-time'), -1 where the keys do not say it
#: plainly (it then declines and the dicts answer).
_SIM_SETS: dict[str, tuple[int, int]] = {}


def _sim_sets(dataset: str) -> tuple[int, int]:
    """``_SIM_SETS[dataset]`` (a dataset with a final-epoch plan)."""
    keys = _FINAL_KEYS[dataset]
    valid = train = -1
    if len(set(keys)) == len(keys) and "comment" not in keys:
        for k in range(len(keys) // 4):
            if keys[4 * k + 1] == "valid-accuracy" and keys[4 * k + 2] == "valid-per-time":
                valid = k
            if keys[4 * k + 3] == "train-all-time":
                train = k
    _SIM_SETS[dataset] = (valid, train)
    return valid, train


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

    One statement (cifar10: its cifar10-valid and cifar10 trials, one key range), then the
    draw, the final sets and the costs straight from its rows; the second draw of a dataset
    without a valid set at ``iepoch`` and every error go through the general functions, after
    the same draws.
    """
    if iepoch is not None and str(iepoch + 1).zfill(len(hp)) != hp:
        return None
    plan = _FINAL_PLANS.get((source, hp)) or _final_plan(source, hp)
    if plan is None:
        return None
    if dataset != source:
        # (one key range: no other dataset name sorts between the two, and any that did
        # would be left out below)
        low, high = (dataset, source) if dataset < source else (source, dataset)
        rows = reader._point(TRIALS_RANGE_SQL, (index, hp, low, high))
        one = [row for row in rows if row[PAIR_DATASET_AT] == source]
        two = [row for row in rows if row[PAIR_DATASET_AT] == dataset]
        if len(two) > 1:
            two.sort(key=_seed_order)
    else:
        one = two = reader._point(TRIALS_SQL, (index, hp, source))
    if not one or not two:
        return None
    if len(one) > 1:
        one.sort(key=_seed_order)
        seeds = list(map(_seed, one))
    else:
        seeds = [one[0][0]]
    if iepoch is not None and any(row[1] != iepoch + 1 for row in one):
        return None  # (another run length: iepoch is a mid-run epoch of it)
    with reader._lock:
        choice = (reader._rng if rng is None else rng).choice(seeds)
    k = seeds.index(choice)
    at = _SIM_SETS.get(source) or _sim_sets(source)
    text = two[0][2]
    cost_plan = _COST_PLANS.get(text)
    total = one[k][1]
    if (
        cost_plan is not None
        and type(total) is int
        and (len(two) == 1 or all(row[2] == text for row in two))
    ):
        # (the three values without building the info and costs dicts; None: as below)
        found = _native.nats_simulate(
            one, plan[2], plan[4], k, total, at[0], at[1], two, cost_plan[0], COMPENSATED_SUM
        )
        if found is not None:
            return found
    info: dict[str, Any] | None = _native.nats_final_info(
        one, plan[2], plan[3], plan[4], k, one[k][1], plan[5], COMPENSATED_SUM
    )
    if info is None:
        info = more_info(reader._db, Trials(one), index, source, hp, iepoch, choice)
    if "valid-accuracy" in info:
        valid_acc = info["valid-accuracy"]
        time_cost = info["train-all-time"] + info["valid-per-time"]
    else:
        valid_acc = info["valtest-accuracy"]
        temp = reader._info(index, dataset, None, hp, True, Trials(two), rng)
        time_cost = info["train-all-time"] + temp["valid-per-time"]
    return valid_acc, _costs_of_rows(two)["latency"], time_cost
