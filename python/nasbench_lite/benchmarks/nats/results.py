"""One architecture's trials read from a NATS database, and the official result dicts.

``get_more_info`` semantics, as in ``nats_bench`` 1.8: a set is reported only when every trial
of the dataset has it at the requested epoch (the official ``get_metrics`` reads all trials
even when one seed is asked for); means are the official ``sum / len`` in the file's seed order.
Final-epoch queries read the ``runs`` scalar columns only; other epochs decode the curves.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from nasbench_lite._core.database import Database
from nasbench_lite.benchmarks.nats.aggregate import mean_or_none
from nasbench_lite.benchmarks.nats.layout import (
    FINAL_FIELDS,
    SET_COLUMNS,
    Unavailable,
    finals_from_row,
)
from nasbench_lite.errors import NotInDatabaseError, OutOfDomainError

if TYPE_CHECKING:
    from nasbench_lite.benchmarks.nats.trial import Trial

__all__ = [
    "DATASET_SETS",
    "Trials",
    "load_trials",
    "more_info",
    "remap_dataset_set_names",
]

# No ORDER BY: SQLite sorts these wide rows in a temporary B-tree (~80 us for 3 rows on this
# machine, against ~10 us for the lookup itself); the few rows are sorted in Python instead.
_TRIALS_SQL = (
    f"SELECT seed_order, seed, epochs, eval_names, run_id, nan_mask, {', '.join(FINAL_FIELDS)}"
    " FROM runs WHERE arch_index = ? AND hp = ? AND dataset = ?"
)
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
    derived from the rows is derived once per entry: the decoded curves (on the first mid-run
    epoch asked for), the finals dicts, the costs and up to :data:`MEMO_LIMIT` computed
    ``get_more_info`` dicts (callers get copies). Racing threads may fill a field twice with
    equal values; nothing is ever mutated after it is stored.
    """

    def __init__(self, rows: list[Any]) -> None:
        self.rows = rows
        self.seeds: list[int] = [r[0] for r in rows]
        self.epochs: list[int] = [r[1] for r in rows]
        self.eval_names = [tuple(r[2].split(",")) if r[2] else () for r in rows]
        self.run_ids: list[int] = [r[3] for r in rows]
        last = set(self.epochs)
        #: The last epoch when every trial has the same number of epochs, else None.
        self.last_epoch: int | None = last.pop() - 1 if len(last) == 1 else None
        self.decoded: list[Trial] | None = None
        self.infos: dict[tuple[Any, ...], dict[str, Any]] = {}
        self.costs: dict[str, Any] | None = None
        self._finals: list[dict[str, float | None]] | None = None

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


def load_trials(db: Database, index: int, dataset: str, hp: str) -> Trials | None:
    """The trials of ``(index, hp, dataset)``, None when there are none."""
    rows = db.query(_TRIALS_SQL, (index, hp, dataset))
    if not rows:
        return None
    rows.sort(key=_first)
    return Trials([r[1:] for r in rows])


def _first(row: tuple[Any, ...]) -> Any:
    return row[0]


def _curves(db: Database, trials: Trials) -> list[Trial]:
    from nasbench_lite.benchmarks.nats.trial import Trial

    marks = ",".join("?" * len(trials.run_ids))
    rows = dict(
        db.query(
            f"SELECT run_id, data FROM curves WHERE run_id IN ({marks})", tuple(trials.run_ids)
        )
    )
    return [
        Trial.decode(rows[run_id], names)
        for run_id, names in zip(trials.run_ids, trials.eval_names, strict=True)
    ]


def _set_infos(
    db: Database, trials: Trials, setname: str, iepoch: int | None
) -> list[dict[str, Any]]:
    """Per trial, ``get_train``/``get_eval`` of ``setname``; Unavailable if any lacks it."""
    if iepoch is None:
        column = SET_COLUMNS["x-valid" if setname == "valid" else setname]
        infos = []
        for k, epochs in enumerate(trials.epochs):
            accuracy = trials.final(k, f"{column}_accuracy")
            if accuracy is None:
                raise Unavailable
            infos.append(
                {
                    "iepoch": epochs - 1,
                    "loss": trials.final(k, f"{column}_loss"),
                    "accuracy": accuracy,
                    "all_time": trials.final(k, f"{column}_all_time"),
                }
            )
        return infos
    if trials.decoded is None:
        trials.decoded = _curves(db, trials)
    try:
        return [trial.get_metric_set(setname, iepoch) for trial in trials.decoded]
    except ValueError as exc:
        raise OutOfDomainError(str(exc)) from None


def _metrics(
    db: Database, trials: Trials, setname: str, iepoch: int | None, choice: Any
) -> dict[str, Any]:
    """``ArchResults.get_metrics`` with ``is_random`` already resolved to a seed or False."""
    infos = _set_infos(db, trials, setname, iepoch)
    if choice is False:
        keys = ("iepoch", "loss", "accuracy", "all_time")
        return {key: mean_or_none([info[key] for info in infos]) for key in keys}
    return infos[trials.seeds.index(choice)]


def _put(xinfo: dict[str, Any], label: str, info: dict[str, Any], total: Any) -> None:
    xinfo[f"{label}-loss"] = info["loss"]
    xinfo[f"{label}-accuracy"] = info["accuracy"]
    all_time = info["all_time"]
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
    try:
        train = _metrics(db, trials, "train", iepoch, choice)
    except Unavailable:
        raise NotInDatabaseError(
            f"architecture {index} ({dataset}, hp={hp}) has no train values at that epoch"
        ) from None
    total = train["iepoch"] + 1
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
