"""The official ``get_more_info`` dicts computed from one architecture's trials.

``get_more_info`` semantics, as in ``nats_bench`` 1.8: a set is reported only when every trial
of the dataset has it at the requested epoch (the official ``get_metrics`` reads all trials
even when one seed is asked for); means are the official ``sum / len`` in the file's seed order.
Final-epoch queries read the ``runs`` scalar columns only, natively from the statement's row
tuples (``_native.nats_final_sets``; :func:`_final_info_reference` is the Python reference);
other epochs read the few values they need from the trials' curves blobs
(``_native.nats_mid_run_sets``; :class:`~nasbench_lite.benchmarks.nats.layout.Curves` is the
reference: fixed offsets, no whole-curve decode), fetched in the same statement as the trials
when the caller knows it will need them. Every uncached API call is one statement: the
statements and :class:`Trials` are in :mod:`nasbench_lite.benchmarks.nats.trial_rows`
(re-exported here).
"""

from __future__ import annotations

import sys
from array import array
from typing import Any

from nasbench_lite import _native
from nasbench_lite._core.database import Database
from nasbench_lite.benchmarks.nats.aggregate import mean_or_none
from nasbench_lite.benchmarks.nats.layout import FINAL_FIELDS, SET_COLUMNS, Curves
from nasbench_lite.benchmarks.nats.trial_rows import (
    FIELD_POSITIONS,
    MEMO_LIMIT,
    Trials,
    load_mid_run_trials,
    load_slim_trials,
    load_trial_pair,
    load_trials,
    trial_blobs,
)
from nasbench_lite.errors import NotInDatabaseError, OutOfDomainError

__all__ = [
    "DATASET_SETS",
    "FINAL_INFO_FIELDS",
    "MEMO_LIMIT",
    "Trials",
    "load_mid_run_trials",
    "load_slim_trials",
    "load_trial_pair",
    "load_trials",
    "more_info",
    "remap_dataset_set_names",
]

_COMMENTS = {
    "cifar10-valid": "In this dict, train-loss/accuracy/time is the metric on the train set of "
    "CIFAR-10. The test-loss/accuracy/time is the performance of the CIFAR-10 test set after "
    "training on the train set by {:} epochs. The per-time and total-time indicate the per "
    "epoch and total time costs, respectively.",
    "cifar10": "In this dict, train-loss/accuracy/time is the metric on the train+valid sets "
    "of CIFAR-10. The test-loss/accuracy/time is the performance of the CIFAR-10 test set after "
    "training on the train+valid sets by {:} epochs. The per-time and total-time indicate the "
    "per epoch and total time costs, respectively.",
}
#: The evaluation sets of each dataset (official split semantics, see the README).
DATASET_SETS = {
    "cifar10-valid": ("x-valid", "ori-test"),
    "cifar10": ("ori-test",),
    "cifar100": ("x-valid", "x-test", "ori-test"),
    "ImageNet16-120": ("x-valid", "x-test", "ori-test"),
}
#: ``get_more_info`` label -> eval set, per dataset.
_INFO_SETS = {
    "cifar10-valid": (("valid", "x-valid"), ("test", "ori-test")),
    "cifar10": (("test", "ori-test"),),
    "cifar100": (("valid", "x-valid"), ("test", "x-test"), ("valtest", "ori-test")),
    "ImageNet16-120": (("valid", "x-valid"), ("test", "x-test"), ("valtest", "ori-test")),
}


def remap_dataset_set_names(dataset: str, metric_on_set: str) -> tuple[str, str]:
    """The official mapping of ``find_best``'s ``(dataset, 'valid'|'test'|...)`` arguments."""
    if dataset == "cifar10" and metric_on_set == "valid":
        return "cifar10-valid", "x-valid"
    if dataset == "cifar10" and metric_on_set == "test":
        return "cifar10", "ori-test"
    if dataset in ("cifar100", "ImageNet16-120") and metric_on_set == "valid":
        return dataset, "x-valid"
    if dataset in ("cifar100", "ImageNet16-120") and metric_on_set == "test":
        return dataset, "x-test"
    return dataset, metric_on_set


#: One trial's ``(iepoch, loss, accuracy, all_time)`` of one set (plain tuples: cheaper than
#: the official per-trial dicts, same values).
SetValues = tuple[Any, Any, Any, Any]


_TRAIN_ACC, _TRAIN_LOSS, _TRAIN_TIME = 0, 2, 3


#: Per ``get_train``/``get_eval`` set name: the row positions of its final loss, accuracy and
#: all_time (see :data:`~nasbench_lite.benchmarks.nats.trial_rows.FIELD_POSITIONS`).
_SET_FIELDS = {
    name: tuple(
        FIELD_POSITIONS[f"{SET_COLUMNS[set_]}_{k}"] for k in ("loss", "accuracy", "all_time")
    )
    for name, set_ in (("valid", "x-valid"), *((s, s) for s in SET_COLUMNS))
}


#: Per (eval names, dataset): for train and each set of the dataset, its series
#: ``(accuracy, loss, time, is_train)`` in a trial with those eval sets, or None when the trial
#: lacks the set. Bounded (a hostile database cannot grow it without limit).
_SET_SERIES: dict[tuple[tuple[str, ...], str], tuple[tuple[int, int, int, bool] | None, ...]] = {}


def _set_series(
    names: tuple[str, ...], dataset: str
) -> tuple[tuple[int, int, int, bool] | None, ...]:
    key = (names, dataset)
    found = _SET_SERIES.get(key)
    if found is None:
        series: list[tuple[int, int, int, bool] | None] = [
            (_TRAIN_ACC, _TRAIN_LOSS, _TRAIN_TIME, True)
        ]
        for _, setname in _INFO_SETS[dataset]:
            if setname in names:
                acc = 4 + 3 * names.index(setname)
                series.append((acc, acc + 1, acc + 2, False))
            else:
                series.append(None)
        found = tuple(series)
        if len(_SET_SERIES) >= 1024:
            _SET_SERIES.clear()
        _SET_SERIES[key] = found
    return found


#: Python >= 3.12 sums floats with a compensation term; the native reader does the same.
COMPENSATED_SUM = sys.version_info >= (3, 12)
#: Per (eval names of every trial, dataset): the flat ``sets`` argument of
#: ``_native.nats_mid_run_sets``, its width and the trials' eval-set counts. Bounded.
_NATIVE_SETS: dict[tuple[tuple[tuple[str, ...], ...], str], tuple[bytes, int, list[int]]] = {}


def _native_sets(eval_names: list[tuple[str, ...]], dataset: str) -> tuple[bytes, int, list[int]]:
    key = (tuple(eval_names), dataset)
    found = _NATIVE_SETS.get(key)
    if found is None:
        flat: list[int] = []
        width = 0
        for names in eval_names:
            series = _set_series(names, dataset)
            width = len(series)
            for one in series:
                flat.extend((-1, -1, -1, 0) if one is None else (*one[:3], int(one[3])))
        found = (array("i", flat).tobytes(), width, [len(names) for names in eval_names])
        if len(_NATIVE_SETS) >= 1024:
            _NATIVE_SETS.clear()
        _NATIVE_SETS[key] = found
    return found


def _mid_run_sets(
    db: Database, trials: Trials, dataset: str, iepoch: int, choice: Any
) -> list[tuple[Any, Any, Any] | None]:
    """``get_metrics`` of train and each of the dataset's sets at a mid-run epoch, in one pass.

    Same values and errors as the official ``get_metrics`` per set (None: a trial lacks the
    set there),
    read natively from every trial's curves blob in one call (``_native.nats_mid_run_sets``;
    :func:`mid_run_sets_reference` is the Python reference it is tested against).

    Returns:
        Train, then the sets of ``_INFO_SETS[dataset]`` in order, each
        ``(loss, accuracy, all_time)``.

    Raises:
        OutOfDomainError: ``iepoch`` outside a run.
        NotInDatabaseError: The trials disagree on which times exist.
        CorruptDatabaseError: A damaged curves blob.
    """
    blobs = trial_blobs(db, trials)
    flat, width, counts = _native_sets(trials.eval_names, dataset)
    chosen = -1 if choice is False else trials.seeds.index(choice)
    # (an epoch beyond any u16 run length is out of range all the same)
    epoch = min(max(iepoch, -1), 1 << 20)
    out = _native.nats_mid_run_sets(blobs, flat, width, counts, epoch, chosen, COMPENSATED_SUM)
    if type(out) is list:
        return out
    if out is None:  # (the message of mean_or_none)
        raise NotInDatabaseError("the trials of this architecture disagree on which values exist")
    raise OutOfDomainError(f"invalid iepoch={iepoch} < {out}")


def mid_run_sets_reference(
    db: Database, trials: Trials, dataset: str, iepoch: int, choice: Any
) -> list[SetValues | None]:
    """The Python reference of :func:`_mid_run_sets` (sets as ``(iepoch, loss, acc, time)``).

    Same values and errors as the official ``get_metrics`` per set (None: a trial lacks the
    set there),
    with each trial's curves visited once and only the chosen trial's values read.

    Raises:
        OutOfDomainError: ``iepoch`` outside a run.
    """
    curves = [Curves(blob) for blob in trial_blobs(db, trials)]
    chosen = -1 if choice is False else trials.seeds.index(choice)
    per_trial: list[list[Any]] = []
    for k, (c, names) in enumerate(zip(curves, trials.eval_names, strict=True)):
        if iepoch < 0 or iepoch >= c.epochs:
            if all(t[0] for t in per_trial):  # (official order: train of every trial first)
                raise OutOfDomainError(f"invalid iepoch={iepoch} < {c.epochs}")
            break
        metric = c.metric
        train_timed = c.dict_present[_TRAIN_TIME]
        eval_timed = any(c.layout.presence[6 + 3 * i] for i in range(len(names)))
        read = chosen < 0 or k == chosen
        per_trial.append(
            [
                False
                if series is None
                else metric(
                    series[0],
                    series[1],
                    series[2],
                    train_timed if series[3] else eval_timed,
                    iepoch,
                    read,
                )
                for series in _set_series(names, dataset)
            ]
        )
    if len(per_trial) < len(curves):  # a later trial is out of range, train of an earlier one
        return [None]  # is missing: the official KeyError comes first
    if chosen >= 0:
        return [
            row if all(t[j] for t in per_trial) else None for j, row in enumerate(per_trial[chosen])
        ]
    out: list[SetValues | None] = []
    for column in zip(*per_trial, strict=True):
        if not all(column):
            out.append(None)
        elif len(column) == 1:
            out.append(column[0])
        else:
            e, loss, acc, all_time = zip(*column, strict=True)
            n = len(column)
            # mean_or_none, inlined where no value can be None (epochs, losses, accuracies)
            out.append((sum(e) / n, sum(loss) / n, sum(acc) / n, mean_or_none(all_time)))
    return out


_INFO_KEYS = {
    label: (f"{label}-loss", f"{label}-accuracy", f"{label}-per-time", f"{label}-all-time")
    for label in ("train", "valid", "test", "valtest")
}


def more_info(
    db: Database,
    trials: Trials,
    index: int,
    dataset: str,
    hp: str,
    iepoch: int | None,
    choice: Any,
) -> dict[str, Any]:
    """The official ``get_more_info`` dict for one trial (``choice`` = seed) or the mean.

    Raises:
        NotInDatabaseError: No train values (or, for cifar10-valid, x-valid) at ``iepoch``,
            where the official API fails with a KeyError.
        OutOfDomainError: ``iepoch`` outside the run.
    """
    if iepoch is not None and iepoch == trials.last_epoch:
        iepoch = None  # the final scalars are these values (the builder reads them there)
    if iepoch is not None:
        return _mid_run_info(db, trials, index, dataset, hp, iepoch, choice)
    plan = _FINAL_PLANS.get(dataset)
    if plan is None:
        raise KeyError(dataset)  # (the callers check the dataset first)
    n = len(trials.seeds)
    k = -1 if choice is False else trials.seeds.index(choice)
    # mean_or_none of every trial's epochs - 1, plus 1; or the chosen trial's epochs
    total = (sum(trials.epochs) - n) / n + 1 if k < 0 else trials.epochs[k]
    comment = _comment(dataset, hp)
    info: dict[str, Any] | None = _native.nats_final_info(
        trials.rows,
        _FINAL_NATIVE[dataset],
        _FINAL_KEYS[dataset],
        _FINAL_REQUIRED[dataset],
        k,
        total,
        comment,
        COMPENSATED_SUM,
        trials.compact,
    )
    if info is not None:  # (else a missing set or a disagreement: raised below)
        return info
    if trials.compact is not None:  # (the paths below read rows of the full layout)
        trials = load_trials(db, index, dataset, hp) or trials
        if trials.compact is not None:
            raise NotInDatabaseError(f"architecture {index} has no {dataset} results")
    sets = _native.nats_final_sets(trials.rows, _FINAL_NATIVE[dataset], k, COMPENSATED_SUM)
    if sets is None:  # (rows of another shape: the reference raises what it always did)
        return _final_info_reference(trials, index, dataset, hp, choice)
    xinfo: dict[str, Any] = {}
    for values, (_, _, _, keys, required) in zip(sets, plan, strict=True):
        if values is None:
            if required:
                what = "train" if keys[0] == "train-loss" else "x-valid"
                raise NotInDatabaseError(
                    f"architecture {index} ({dataset}, hp={hp}) has no {what} values at that epoch"
                )
            continue
        if values is False:  # (the message of mean_or_none)
            raise NotInDatabaseError(
                "the trials of this architecture disagree on which values exist"
            )
        loss, accuracy, all_time = values
        _put_set(xinfo, keys, loss, accuracy, all_time, total)
        if keys[0] == "train-loss" and dataset in _COMMENTS:
            xinfo["comment"] = _COMMENTS[dataset].format(hp)
    return xinfo


#: Per dataset, ``get_more_info``'s sets at the last epoch: train first, then the dataset's
#: labels in output order, each ``(loss, accuracy, all_time)`` row positions (see
#: :data:`~nasbench_lite.benchmarks.nats.trial_rows.FIELD_POSITIONS`), its four keys, and
#: whether a missing set is the official KeyError (cifar10-valid's x-valid) rather than a set
#: left out.
_FinalPlan = tuple[tuple[int, int, int, tuple[str, str, str, str], bool], ...]


def _final_plan(dataset: str) -> _FinalPlan:
    plan = []
    for label, setname, required in (
        ("train", "train", True),
        *(
            (label, setname, dataset == "cifar10-valid" and label == "valid")
            for label, setname in _INFO_SETS[dataset]
        ),
    ):
        loss, accuracy, all_time = _SET_FIELDS[setname]
        plan.append((loss, accuracy, all_time, _INFO_KEYS[label], required))
    return tuple(plan)


_FINAL_PLANS: dict[str, _FinalPlan] = {dataset: _final_plan(dataset) for dataset in _INFO_SETS}

#: Per dataset, the ``FINAL_FIELDS`` a final-epoch :func:`more_info` reads (what an uncached
#: call selects, :func:`~nasbench_lite.benchmarks.nats.trial_rows.load_slim_trials`).
FINAL_INFO_FIELDS: dict[str, tuple[str, ...]] = {
    dataset: tuple(
        FINAL_FIELDS[at - 5] for loss, acc, time_, _, _ in plan for at in (loss, acc, time_)
    )
    for dataset, plan in _FINAL_PLANS.items()
}


#: The same plans as ``_native.nats_final_sets`` takes them: FINAL_FIELDS positions, one byte
#: each, (loss, accuracy, all_time) per set.
_FINAL_NATIVE = {
    dataset: bytes(at - 5 for loss, acc, time_, _, _ in plan for at in (loss, acc, time_))
    for dataset, plan in _FINAL_PLANS.items()
}


#: ``_native.nats_final_info``'s keys (four per set) and required flags, per dataset.
_FINAL_KEYS = {
    dataset: tuple(k for *_, keys, _ in plan for k in keys)
    for dataset, plan in _FINAL_PLANS.items()
}
_FINAL_REQUIRED = {
    dataset: bytes(int(required) for *_, required in plan) for dataset, plan in _FINAL_PLANS.items()
}
#: Per (dataset, hp): the ``comment`` text of a CIFAR-10 dataset, None for the others. Bounded.
_COMMENT_TEXTS: dict[tuple[str, str], str | None] = {}


def _comment(dataset: str, hp: str) -> str | None:
    key = (dataset, hp)
    try:
        return _COMMENT_TEXTS[key]
    except KeyError:
        text = _COMMENTS[dataset].format(hp) if dataset in _COMMENTS else None
        if len(_COMMENT_TEXTS) >= 1024:
            _COMMENT_TEXTS.clear()
        _COMMENT_TEXTS[key] = text
        return text


def _final_info_reference(
    trials: Trials, index: int, dataset: str, hp: str, choice: Any
) -> dict[str, Any]:
    """:func:`more_info` at the last epoch, in Python: the reference of the native reader.

    Per set the values of the official ``get_metrics``: a set is reported when every trial
    has its final accuracy; the mean is ``sum / len`` in seed order,
    ``mean_or_none`` for losses and times), written straight into the result dict.
    ``more_info`` reads the same values with ``_native.nats_final_sets`` (tested against
    this function bit for bit).
    """
    plan = _FINAL_PLANS[dataset]
    columns = trials.columns
    xinfo: dict[str, Any] = {}
    if choice is False:
        n = len(trials.seeds)
        total = (sum(trials.epochs) - n) / n + 1  # mean_or_none of every trial's epochs - 1
        k = -1
    else:
        k = trials.seeds.index(choice)
        total = trials.epochs[k]
    for loss_at, accuracy_at, time_at, keys, required in plan:
        accuracies = columns[accuracy_at]
        if None in accuracies:
            if required:
                what = "train" if keys[0] == "train-loss" else "x-valid"
                raise NotInDatabaseError(
                    f"architecture {index} ({dataset}, hp={hp}) has no {what} values at that epoch"
                )
            continue
        if k < 0:
            loss = mean_or_none(columns[loss_at])
            accuracy = sum(accuracies) / n
            all_time = mean_or_none(columns[time_at])
        else:
            loss = columns[loss_at][k]
            accuracy = accuracies[k]
            all_time = columns[time_at][k]
        _put_set(xinfo, keys, loss, accuracy, all_time, total)
        if keys[0] == "train-loss" and dataset in _COMMENTS:
            xinfo["comment"] = _COMMENTS[dataset].format(hp)
    return xinfo


#: ``get_more_info``'s keys of the train set.
_TRAIN_KEYS = _INFO_KEYS["train"]


def _put_set(
    xinfo: dict[str, Any],
    keys: tuple[str, str, str, str],
    loss: Any,
    accuracy: Any,
    all_time: Any,
    total: float,
) -> None:
    """Add one set's loss, accuracy, per-epoch and total time to ``xinfo``, in the official
    key order (the per-epoch time is the total over ``total`` epochs, None without a time)."""
    loss_key, accuracy_key, per_time_key, all_time_key = keys
    xinfo[loss_key] = loss
    xinfo[accuracy_key] = accuracy
    xinfo[per_time_key] = None if all_time is None else all_time / total
    xinfo[all_time_key] = all_time


def _mid_run_info(
    db: Database, trials: Trials, index: int, dataset: str, hp: str, iepoch: int, choice: Any
) -> dict[str, Any]:
    """:func:`more_info` at a mid-run epoch (see :func:`_mid_run_sets`)."""
    sets = _mid_run_sets(db, trials, dataset, iepoch, choice)
    total = iepoch + 1  # (every trial's iepoch, so also their mean)
    info: dict[str, Any] | None = _native.nats_info_dict(
        sets, _FINAL_KEYS[dataset], _FINAL_REQUIRED[dataset], total, _comment(dataset, hp)
    )
    if info is not None:  # (else a missing set: raised below)
        return info
    train = sets[0]
    if train is None:
        raise NotInDatabaseError(
            f"architecture {index} ({dataset}, hp={hp}) has no train values at that epoch"
        )
    xinfo: dict[str, Any] = {}
    _put_set(xinfo, _TRAIN_KEYS, *train, total)
    if dataset in _COMMENTS:
        xinfo["comment"] = _COMMENTS[dataset].format(hp)
    for (label, _), values in zip(_INFO_SETS[dataset], sets[1:], strict=True):
        if values is not None:
            _put_set(xinfo, _INFO_KEYS[label], *values, total)
        elif dataset == "cifar10-valid" and label == "valid":
            raise NotInDatabaseError(
                f"architecture {index} (cifar10-valid, hp={hp}) has no x-valid values at that epoch"
            )
    return xinfo
