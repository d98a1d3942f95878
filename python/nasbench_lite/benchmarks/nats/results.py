"""One architecture's trials read from a NATS database, and the official result dicts.

``get_more_info`` semantics, as in ``nats_bench`` 1.8: a set is reported only when every trial
of the dataset has it at the requested epoch (the official ``get_metrics`` reads all trials
even when one seed is asked for); means are the official ``sum / len`` in the file's seed order.
Final-epoch queries read the ``runs`` scalar columns only, natively from the statement's row
tuples (``_native.nats_final_sets``; :func:`_final_info_reference` is the Python reference);
other epochs read the few values they need from the trials' curves blobs
(``_native.nats_mid_run_sets``; :class:`~nasbench_lite.benchmarks.nats.layout.Curves` is the
reference: fixed offsets, no whole-curve decode), fetched in the same statement as the trials
when the caller knows it will need them. Every uncached API call is one statement.
"""

from __future__ import annotations

import math
import sys
from array import array
from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from nasbench_lite import _native
from nasbench_lite._core.database import Database
from nasbench_lite.benchmarks.nats.aggregate import mean_or_none
from nasbench_lite.benchmarks.nats.layout import (
    FINAL_FIELDS,
    SET_COLUMNS,
    Curves,
    finals_from_row,
)
from nasbench_lite.errors import CorruptDatabaseError, NotInDatabaseError, OutOfDomainError

__all__ = [
    "DATASET_SETS",
    "Trials",
    "load_mid_run_trials",
    "load_trial_pair",
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
# seed_order comes last: the rows are sorted on it and handed to Trials as they are (Trials
# reads positions 0..5+len(FINAL_FIELDS) and ignores what follows), no per-row slice.
_COLUMNS = (
    "r.seed, r.epochs, r.eval_names, r.run_id, r.nan_mask, "
    + ", ".join(f"r.{name}" for name in FINAL_FIELDS)
    + ", r.seed_order"
)
_TRIALS_SQL = f"SELECT {_COLUMNS} FROM runs r{_WHERE}"
#: The same with each trial's curves blob (one statement for a mid-run epoch).
_TRIALS_CURVES_SQL = f"SELECT {_COLUMNS}, c.data FROM runs r JOIN curves c USING (run_id){_WHERE}"
#: The trials with their curves blobs but none of the final scalars: what one mid-run call
#: reads (half the statement's time on sss; such trials are never cached, see
#: :func:`load_mid_run_trials`).
_TRIALS_BLOBS_SQL = (
    "SELECT r.seed, r.epochs, r.eval_names, r.run_id, r.nan_mask, r.seed_order, c.data"
    f" FROM runs r JOIN curves c USING (run_id){_WHERE}"
)
#: The trials of two datasets at once (``simulate_train_eval`` on cifar10 reads cifar10-valid
#: and cifar10): one statement, the dataset last.
_TRIALS_PAIR_SQL = (
    f"SELECT {_COLUMNS}, r.dataset FROM runs r"
    " WHERE r.arch_index = +? AND r.hp = +? AND r.dataset IN (+?, +?)"
)
_TRIALS_PAIR_CURVES_SQL = (
    f"SELECT {_COLUMNS}, r.dataset, c.data FROM runs r LEFT JOIN curves c USING (run_id)"
    " WHERE r.arch_index = +? AND r.hp = +? AND r.dataset IN (+?, +?)"
)
_SEED_ORDER = 5 + len(FINAL_FIELDS)
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
        # What every call reads; the rest is derived on first use (an uncached final-epoch
        # call reads the rows natively and needs no transposition).
        self.seeds: list[int] = [r[0] for r in rows]
        self.epochs: list[int] = [r[1] for r in rows]
        #: Per trial its curves blob, once a mid-run epoch was asked for (read natively at
        #: fixed offsets; :class:`Curves` is the Python reference reader).
        self.blobs: list[bytes] | None = blobs
        self.infos: dict[tuple[Any, ...], dict[str, Any]] = {}
        self.costs: dict[str, Any] | None = None
        self._finals: list[dict[str, float | None]] | None = None
        self._columns: list[tuple[Any, ...]] | None = None
        self._eval_names: list[tuple[str, ...]] | None = None

    def __repr__(self) -> str:
        return f"Trials(seeds={self.seeds}, epochs={self.epochs})"

    @property
    def eval_names(self) -> list[tuple[str, ...]]:
        """Per trial its eval-set names, in file order."""
        if self._eval_names is None:
            self._eval_names = [_eval_names(r[2]) for r in self.rows]
        return self._eval_names

    @property
    def run_ids(self) -> list[int]:
        """Per trial its ``curves.run_id``."""
        return [r[3] for r in self.rows]

    @property
    def any_nan(self) -> bool:
        """Whether any final scalar is NaN (stored as NULL with its ``nan_mask`` bit)."""
        return any(r[4] for r in self.rows)

    @property
    def last_epoch(self) -> int | None:
        """The last epoch when every trial has the same number of epochs, else None."""
        epochs = self.epochs
        if not epochs or epochs.count(epochs[0]) != len(epochs):
            return None
        return epochs[0] - 1

    @property
    def finals(self) -> list[dict[str, float | None]]:
        """Every final scalar of every trial (NaN restored; shared, do not mutate)."""
        if self._finals is None:
            self._finals = [finals_from_row(r[5:_SEED_ORDER], r[4]) for r in self.rows]
        return self._finals

    @property
    def columns(self) -> list[tuple[Any, ...]]:
        """The rows transposed: per row position, every trial's value (NaN restored)."""
        if self._columns is None:
            rows = self.rows
            columns = list(zip(*rows, strict=True)) if rows else [()] * _SEED_ORDER
            self._columns = _restore_nan(rows, columns) if self.any_nan else columns
        return self._columns

    def column(self, name: str) -> Sequence[Any]:
        """Every trial's final scalar ``name`` (a :data:`FINAL_FIELDS` name), NaN restored."""
        return self.columns[_FIELD[name]]

    def final(self, position: int, name: str) -> float | None:
        """One final scalar of one trial, NaN restored from the row's mask."""
        row = self.rows[position]
        column = _FIELD[name]
        value: float | None = row[column]
        if value is None and row[4] >> (column - 5) & 1:
            return math.nan
        return value


def _restore_nan(rows: list[Any], columns: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """``columns`` with NaN put back where a row's ``nan_mask`` bit marks a NULL."""
    for bit in range(len(FINAL_FIELDS)):
        if any(r[4] >> bit & 1 for r in rows):
            columns[5 + bit] = tuple(
                math.nan if r[4] >> bit & 1 and r[5 + bit] is None else r[5 + bit] for r in rows
            )
    return columns


#: ``runs.eval_names`` text -> its names (a handful of distinct values; bounded all the same).
_EVAL_NAMES: dict[str, tuple[str, ...]] = {}


def _eval_names(text: str) -> tuple[str, ...]:
    names = _EVAL_NAMES.get(text)
    if names is None:
        names = tuple(text.split(",")) if text else ()
        if len(_EVAL_NAMES) >= 1024:
            _EVAL_NAMES.clear()
        _EVAL_NAMES[text] = names
    return names


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
    rows.sort(key=_seed_order)
    if curves:
        return Trials(rows, [r[-1] for r in rows])
    return Trials(rows)


def load_mid_run_trials(db: Database, index: int, dataset: str, hp: str) -> Trials | None:
    """The trials of ``(index, hp, dataset)`` with their curves blobs, no final scalars.

    For one uncached mid-run ``get_more_info``: only ``seeds``, ``epochs``, ``eval_names`` and
    the blobs may be read from the result (not ``columns``/``finals``/costs), so it is never
    cached. None when there are no trials.
    """
    rows = db.query(_TRIALS_BLOBS_SQL, (index, hp, dataset))
    if not rows:
        return None
    rows.sort(key=_blob_seed_order)
    return Trials(rows, [r[6] for r in rows])


def load_trial_pair(
    db: Database, index: int, hp: str, first: str, second: str, *, curves: bool = False
) -> tuple[Trials | None, Trials | None]:
    """The trials of ``(index, hp, first)`` and ``(index, hp, second)`` in one statement.

    Args:
        db: The database.
        index: Architecture index.
        hp: hp setting.
        first: The dataset whose curves blobs are fetched when ``curves``.
        second: Another dataset.
        curves: Fetch ``first``'s curves blobs too (a mid-run epoch).

    Returns:
        Each dataset's trials, None where it has none.
    """
    sql = _TRIALS_PAIR_CURVES_SQL if curves else _TRIALS_PAIR_SQL
    rows = db.query(sql, (index, hp, first, second))
    rows.sort(key=_seed_order)
    dataset_at = _SEED_ORDER + 1
    one = [r for r in rows if r[dataset_at] == first]
    two = [r for r in rows if r[dataset_at] != first]
    blobs = [r[-1] for r in one] if curves else None
    if blobs is not None and None in blobs:
        blobs = None  # (read again, and reported as corrupt, by the first value read)
    return Trials(one, blobs) if one else None, Trials(two) if two else None


#: The sort key of the statements' rows (C-level: no Python call per row).
_seed_order = itemgetter(_SEED_ORDER)
_blob_seed_order = itemgetter(5)


def _blobs(db: Database, trials: Trials) -> list[bytes]:
    if trials.blobs is None:
        marks = ",".join("?" * len(trials.run_ids))
        rows = dict(
            db.query(
                f"SELECT run_id, data FROM curves WHERE run_id IN ({marks})",
                tuple(trials.run_ids),
            )
        )
        try:
            trials.blobs = [rows[run_id] for run_id in trials.run_ids]
        except KeyError:
            raise CorruptDatabaseError("a trial of this architecture has no curves row") from None
    return trials.blobs


_TRAIN_ACC, _TRAIN_LOSS, _TRAIN_TIME = 0, 2, 3


#: Per ``get_train``/``get_eval`` set name: the row positions of its final loss, accuracy and
#: all_time (see :data:`_FIELD`).
_SET_FIELDS = {
    name: tuple(_FIELD[f"{SET_COLUMNS[set_]}_{k}"] for k in ("loss", "accuracy", "all_time"))
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
    blobs = _blobs(db, trials)
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
    curves = [Curves(blob) for blob in _blobs(db, trials)]
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
    sets = _native.nats_final_sets(trials.rows, _FINAL_NATIVE[dataset], k, COMPENSATED_SUM)
    if sets is None:  # (rows of another shape: the reference raises what it always did)
        return _final_info_reference(trials, index, dataset, hp, choice)
    # mean_or_none of every trial's epochs - 1, plus 1; or the chosen trial's epochs
    total = (sum(trials.epochs) - n) / n + 1 if k < 0 else trials.epochs[k]
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
        loss_key, accuracy_key, per_time_key, all_time_key = keys
        xinfo[loss_key] = loss
        xinfo[accuracy_key] = accuracy
        xinfo[per_time_key] = all_time / total if all_time is not None else None
        xinfo[all_time_key] = all_time
        if loss_key == "train-loss" and dataset in _COMMENTS:
            xinfo["comment"] = _COMMENTS[dataset].format(hp)
    return xinfo


#: Per dataset, ``get_more_info``'s sets at the last epoch: train first, then the dataset's
#: labels in output order, each ``(loss, accuracy, all_time)`` row positions (see
#: :data:`_FIELD`), its four keys, and whether a missing set is the official KeyError
#: (cifar10-valid's x-valid) rather than a set left out.
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


#: The same plans as ``_native.nats_final_sets`` takes them: FINAL_FIELDS positions, one byte
#: each, (loss, accuracy, all_time) per set.
_FINAL_NATIVE = {
    dataset: bytes(at - 5 for loss, acc, time_, _, _ in plan for at in (loss, acc, time_))
    for dataset, plan in _FINAL_PLANS.items()
}


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
        loss_key, accuracy_key, per_time_key, all_time_key = keys
        xinfo[loss_key] = loss
        xinfo[accuracy_key] = accuracy
        xinfo[per_time_key] = all_time / total if all_time is not None else None
        xinfo[all_time_key] = all_time
        if loss_key == "train-loss" and dataset in _COMMENTS:
            xinfo["comment"] = _COMMENTS[dataset].format(hp)
    return xinfo


def _mid_run_info(
    db: Database, trials: Trials, index: int, dataset: str, hp: str, iepoch: int, choice: Any
) -> dict[str, Any]:
    """:func:`more_info` at a mid-run epoch (see :func:`_mid_run_sets`)."""
    sets = _mid_run_sets(db, trials, dataset, iepoch, choice)
    train = sets[0]
    if train is None:
        raise NotInDatabaseError(
            f"architecture {index} ({dataset}, hp={hp}) has no train values at that epoch"
        )
    total = iepoch + 1  # (every trial's iepoch, so also their mean)
    loss, accuracy, all_time = train
    xinfo: dict[str, Any] = {
        "train-loss": loss,
        "train-accuracy": accuracy,
        "train-per-time": None if all_time is None else all_time / total,
        "train-all-time": all_time,
    }
    if dataset in _COMMENTS:
        xinfo["comment"] = _COMMENTS[dataset].format(hp)
    for (label, _), info in zip(_INFO_SETS[dataset], sets[1:], strict=True):
        if info is not None:
            loss, accuracy, all_time = info
            loss_key, accuracy_key, per_time_key, all_time_key = _INFO_KEYS[label]
            xinfo[loss_key] = loss
            xinfo[accuracy_key] = accuracy
            xinfo[per_time_key] = None if all_time is None else all_time / total
            xinfo[all_time_key] = all_time
        elif dataset == "cifar10-valid" and label == "valid":
            raise NotInDatabaseError(
                f"architecture {index} (cifar10-valid, hp={hp}) has no x-valid values at that epoch"
            )
    return xinfo
