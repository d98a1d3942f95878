"""One architecture's trials read from a NATS database, and the official result dicts.

``get_more_info`` semantics, as in ``nats_bench`` 1.8: a set is reported only when every trial
of the dataset has it at the requested epoch (the official ``get_metrics`` reads all trials
even when one seed is asked for); means are the official ``sum / len`` in the file's seed order.
Final-epoch queries read the ``runs`` scalar columns only; other epochs read the few values
they need from the trials' curves blobs (:class:`~nasbench_lite.benchmarks.nats.layout.Curves`:
fixed offsets, no whole-curve decode), fetched in the same statement as the trials when the
caller knows it will need them.
"""

from __future__ import annotations

import math
from typing import Any

from nasbench_lite._core.database import Database
from nasbench_lite.benchmarks.nats.aggregate import mean_or_none
from nasbench_lite.benchmarks.nats.layout import (
    FINAL_FIELDS,
    SET_COLUMNS,
    Curves,
    Unavailable,
    finals_from_row,
)
from nasbench_lite.errors import NotInDatabaseError, OutOfDomainError

__all__ = [
    "DATASET_SETS",
    "Trials",
    "load_trials",
    "more_info",
    "remap_dataset_set_names",
]

# No ORDER BY: SQLite sorts these wide rows in a temporary B-tree (~80 us for 3 rows on this
# machine, against ~10 us for the lookup itself); the few rows are sorted in Python instead.
# `= +?`, not `= ?`: the builder's ANALYZE writes sqlite_stat4, and with STAT4 SQLite re-plans
# (recompiles) a statement whenever a value bound to a plain `?` that meets an index may change
# the plan, i.e. on every call with new values: 45 us of a 52 us 23-column lookup, measured.
# A unary plus keeps the index (the column side is unchanged) but hides the value from STAT4.
_WHERE = " WHERE r.arch_index = +? AND r.hp = +? AND r.dataset = +?"
_COLUMNS = "r.seed_order, r.seed, r.epochs, r.eval_names, r.run_id, r.nan_mask, " + ", ".join(
    f"r.{name}" for name in FINAL_FIELDS
)
_TRIALS_SQL = f"SELECT {_COLUMNS} FROM runs r{_WHERE}"
#: The same with each trial's curves blob (one statement for a mid-run epoch).
_TRIALS_CURVES_SQL = f"SELECT {_COLUMNS}, c.data FROM runs r JOIN curves c USING (run_id){_WHERE}"
#: Computed ``get_more_info`` dicts kept per :class:`Trials` (distinct epoch/seed choices).
MEMO_LIMIT = 64
_FIELD = {name: 5 + i for i, name in enumerate(FINAL_FIELDS)}
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


class Trials:
    """The trials of one (arch, hp, dataset), in the file's seed order.

    The API keeps these in its :class:`~nasbench_lite.benchmarks.nats.cache.LRUCache`, so what is
    derived from the rows is derived once per entry: the curves blobs (on the first mid-run
    epoch asked for; values are read from them at fixed offsets), the finals dicts, the costs
    and up to :data:`MEMO_LIMIT` computed ``get_more_info`` dicts (callers get copies). Racing
    threads may fill a field twice with equal values; nothing is mutated after it is stored.
    """

    def __init__(self, rows: list[Any], blobs: list[bytes] | None = None) -> None:
        self.rows = rows
        self.seeds: list[int] = [r[0] for r in rows]
        self.epochs: list[int] = [r[1] for r in rows]
        self.eval_names = [tuple(r[2].split(",")) if r[2] else () for r in rows]
        self.run_ids: list[int] = [r[3] for r in rows]
        last = set(self.epochs)
        #: The last epoch when every trial has the same number of epochs, else None.
        self.last_epoch: int | None = last.pop() - 1 if len(last) == 1 else None
        #: Per trial its curves (random access), once a mid-run epoch was asked for.
        self.curves: list[Curves] | None = None if blobs is None else [Curves(b) for b in blobs]
        self.infos: dict[tuple[Any, ...], dict[str, Any]] = {}
        self.costs: dict[str, Any] | None = None
        self._finals: list[dict[str, float | None]] | None = None

    def __repr__(self) -> str:
        return f"Trials(seeds={self.seeds}, epochs={self.epochs})"

    @property
    def finals(self) -> list[dict[str, float | None]]:
        """Every final scalar of every trial (NaN restored; shared, do not mutate)."""
        if self._finals is None:
            self._finals = [finals_from_row(r[5:], r[4]) for r in self.rows]
        return self._finals

    def final(self, position: int, name: str) -> float | None:
        """One final scalar of one trial, NaN restored from the row's mask."""
        row = self.rows[position]
        column = _FIELD[name]
        value: float | None = row[column]
        if value is None and row[4] >> (column - 5) & 1:
            return math.nan
        return value


#: One trial's ``(iepoch, loss, accuracy, all_time)`` of one set (plain tuples: cheaper than
#: the official per-trial dicts, same values).
SetValues = tuple[Any, Any, Any, Any]


def load_trials(
    db: Database, index: int, dataset: str, hp: str, *, curves: bool = False
) -> Trials | None:
    """The trials of ``(index, hp, dataset)``, None when there are none.

    Args:
        db: The database.
        index: Architecture index.
        dataset: Dataset name.
        hp: hp setting.
        curves: Also fetch the curves blobs (same statement), for a mid-run epoch.
    """
    rows = db.query(_TRIALS_CURVES_SQL if curves else _TRIALS_SQL, (index, hp, dataset))
    if not rows:
        return None
    rows.sort(key=_first)
    if curves:
        return Trials([r[1:-1] for r in rows], [r[-1] for r in rows])
    return Trials([r[1:] for r in rows])


def _first(row: tuple[Any, ...]) -> Any:
    return row[0]


def _curves(db: Database, trials: Trials) -> list[Curves]:
    if trials.curves is None:
        marks = ",".join("?" * len(trials.run_ids))
        rows = dict(
            db.query(
                f"SELECT run_id, data FROM curves WHERE run_id IN ({marks})",
                tuple(trials.run_ids),
            )
        )
        trials.curves = [Curves(rows[run_id]) for run_id in trials.run_ids]
    return trials.curves


_TRAIN_ACC, _TRAIN_LOSS, _TRAIN_TIME = 0, 2, 3


def _metric_at(
    curves: Curves, names: tuple[str, ...], setname: str, iepoch: int, read: bool = True
) -> SetValues | None:
    """``ResultsCount.get_train`` / ``get_eval(setname)`` at ``iepoch`` as a tuple.

    With ``read=False`` only the checks run (None is returned): the official ``get_metrics``
    reads every trial, but only the chosen one's values are used.

    Raises:
        OutOfDomainError: ``iepoch`` outside the run.
        Unavailable: The set or a value the official method reads is missing.
    """
    if iepoch < 0 or iepoch >= curves.epochs:
        raise OutOfDomainError(f"invalid iepoch={iepoch} < {curves.epochs}")
    if setname == "train":
        acc, loss, time = _TRAIN_ACC, _TRAIN_LOSS, _TRAIN_TIME
        timed = curves.dict_present[time]
    else:
        name = "x-valid" if setname == "valid" else setname
        if name not in names:
            raise Unavailable
        acc = 4 + 3 * names.index(name)
        loss, time = acc + 1, acc + 2
        # The official get_eval reads times only when the eval_times dict is non-empty.
        presence = curves.layout.presence
        timed = any(presence[6 + 3 * i] for i in range(len(names)))
    # (The prefix sum needs epoch iepoch too, which the official reads first as cur_time.)
    if not (curves.has(loss, iepoch) and curves.has(acc, iepoch)) or (
        timed and not curves.has_prefix(time, iepoch)
    ):
        raise Unavailable
    if not read:
        return None
    values = curves.at(iepoch)
    all_time = curves.prefix_sum(time, iepoch) if timed else None
    return iepoch, values[loss], values[acc], all_time


def _set_infos(
    db: Database, trials: Trials, setname: str, iepoch: int | None, chosen: int = -1
) -> list[SetValues | None]:
    """Per trial, ``get_train``/``get_eval`` of ``setname``; Unavailable if any lacks it.

    ``chosen`` >= 0: only that trial's values are read (the others are checked; None).
    """
    if iepoch is None:
        column = SET_COLUMNS["x-valid" if setname == "valid" else setname]
        loss, accuracy, all_time = f"{column}_loss", f"{column}_accuracy", f"{column}_all_time"
        infos: list[SetValues | None] = []
        final = trials.final
        for k, epochs in enumerate(trials.epochs):
            value = final(k, accuracy)
            if value is None:
                raise Unavailable
            infos.append((epochs - 1, final(k, loss), value, final(k, all_time)))
        return infos
    curves = _curves(db, trials)
    return [
        _metric_at(c, names, setname, iepoch, chosen < 0 or k == chosen)
        for k, (c, names) in enumerate(zip(curves, trials.eval_names, strict=True))
    ]


def _metrics(
    db: Database, trials: Trials, setname: str, iepoch: int | None, choice: Any
) -> SetValues:
    """``ArchResults.get_metrics`` with ``is_random`` already resolved to a seed or False."""
    if choice is False:
        infos = _set_infos(db, trials, setname, iepoch)
        a, b, c, d = (mean_or_none(column) for column in zip(*infos, strict=True))
        return a, b, c, d
    chosen = trials.seeds.index(choice)
    info = _set_infos(db, trials, setname, iepoch, chosen)[chosen]
    assert info is not None  # (read above)
    return info


def _mid_run_sets(
    db: Database, trials: Trials, dataset: str, iepoch: int, choice: Any
) -> dict[str, SetValues | None]:
    """``get_metrics`` of train and each of the dataset's sets at a mid-run epoch, in one pass.

    Same values and errors as :func:`_metrics` per set (None: a trial lacks the set there),
    with each trial's curves visited once and only the chosen trial's values read.

    Raises:
        OutOfDomainError: ``iepoch`` outside a run.
    """
    curves = _curves(db, trials)
    chosen = -1 if choice is False else trials.seeds.index(choice)
    wanted = ("train", *(name for _, name in _INFO_SETS[dataset]))
    per_trial: list[list[SetValues | bool]] = []
    for k, (c, names) in enumerate(zip(curves, trials.eval_names, strict=True)):
        if iepoch < 0 or iepoch >= c.epochs:
            if not per_trial or all(t[0] for t in per_trial):  # (official order: train first)
                raise OutOfDomainError(f"invalid iepoch={iepoch} < {c.epochs}")
            break
        has, has_prefix = c.has, c.has_prefix
        eval_timed = any(c.layout.presence[6 + 3 * i] for i in range(len(names)))
        read = chosen < 0 or k == chosen
        row: list[SetValues | bool] = []
        for setname in wanted:
            if setname == "train":
                acc, timed = _TRAIN_ACC, c.dict_present[_TRAIN_TIME]
            elif setname in names:
                acc, timed = 4 + 3 * names.index(setname), eval_timed
            else:
                row.append(False)
                continue
            loss, time = acc + 1 if acc else _TRAIN_LOSS, acc + 2 if acc else _TRAIN_TIME
            if not (has(loss, iepoch) and has(acc, iepoch)) or (
                timed and not has_prefix(time, iepoch)
            ):
                row.append(False)
            elif read:
                all_time = c.prefix_sum(time, iepoch) if timed else None
                row.append((iepoch, c.value(loss, iepoch), c.value(acc, iepoch), all_time))
            else:
                row.append(True)
        per_trial.append(row)
    if len(per_trial) < len(curves):  # a later trial is out of range, train of an earlier one
        return {"train": None}  # is missing: the official KeyError comes first
    out: dict[str, SetValues | None] = {}
    for j, setname in enumerate(wanted):
        column = [t[j] for t in per_trial]
        if not all(column):
            out[setname] = None
        elif chosen >= 0:
            out[setname] = column[chosen]  # type: ignore[assignment]
        else:
            a, b, c_, d = (mean_or_none(v) for v in zip(*column, strict=True))  # type: ignore[arg-type]
            out[setname] = (a, b, c_, d)
    return out


def _put(xinfo: dict[str, Any], label: str, info: SetValues, total: Any) -> None:
    _, loss, accuracy, all_time = info
    xinfo[f"{label}-loss"] = loss
    xinfo[f"{label}-accuracy"] = accuracy
    xinfo[f"{label}-per-time"] = all_time / total if all_time is not None else None
    xinfo[f"{label}-all-time"] = all_time


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
    try:
        train = _metrics(db, trials, "train", iepoch, choice)
    except Unavailable:
        raise NotInDatabaseError(
            f"architecture {index} ({dataset}, hp={hp}) has no train values at that epoch"
        ) from None
    total = train[0] + 1
    xinfo: dict[str, Any] = {}
    _put(xinfo, "train", train, total)
    if dataset in _COMMENTS:
        xinfo["comment"] = _COMMENTS[dataset].format(hp)
    found = {}
    for label, setname in _INFO_SETS[dataset]:
        try:
            found[label] = _metrics(db, trials, setname, iepoch, choice)
        except Unavailable:
            if dataset == "cifar10-valid" and label == "valid":
                raise NotInDatabaseError(
                    f"architecture {index} (cifar10-valid, hp={hp}) has no x-valid values "
                    "at that epoch"
                ) from None
    for label in ("valid", "test", "valtest"):
        if label in found:
            _put(xinfo, label, found[label], total)
    return xinfo


def _mid_run_info(
    db: Database, trials: Trials, index: int, dataset: str, hp: str, iepoch: int, choice: Any
) -> dict[str, Any]:
    """:func:`more_info` at a mid-run epoch (see :func:`_mid_run_sets`)."""
    sets = _mid_run_sets(db, trials, dataset, iepoch, choice)
    train = sets["train"]
    if train is None:
        raise NotInDatabaseError(
            f"architecture {index} ({dataset}, hp={hp}) has no train values at that epoch"
        )
    total = train[0] + 1
    xinfo: dict[str, Any] = {}
    _put(xinfo, "train", train, total)
    if dataset in _COMMENTS:
        xinfo["comment"] = _COMMENTS[dataset].format(hp)
    for label, setname in _INFO_SETS[dataset]:
        info = sets[setname]
        if info is not None:
            _put(xinfo, label, info, total)
        elif dataset == "cifar10-valid" and label == "valid":
            raise NotInDatabaseError(
                f"architecture {index} (cifar10-valid, hp={hp}) has no x-valid values at that epoch"
            )
    return xinfo
