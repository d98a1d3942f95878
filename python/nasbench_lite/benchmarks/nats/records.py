"""One architecture's results for one hp as objects: the official ``ArchResults`` level.

:func:`load_arch_record` reads every trial of an ``(architecture, hp)`` with its curves in two
queries and returns an :class:`ArchRecord` (official ``ArchResults`` methods) holding one
:class:`TrialRecord` per trial (official ``ResultsCount`` methods). Records hold data only (no
database handle), so they can be copied and kept after the database is closed.

Randomness: ``get_metrics(is_random=True)`` draws ``randint(0, trials - 1)`` from the ``rng``
given to the call, else from the generator the record was created with (the API's own), so
the official draw sequence is reproduced by passing ``rng=random`` (the global module).
"""

from __future__ import annotations

import collections
import copy
from collections.abc import Sequence
from typing import Any, Protocol

from nasbench_lite._core.database import Database
from nasbench_lite.benchmarks.nats.aggregate import compute_costs, mean_or_none
from nasbench_lite.benchmarks.nats.layout import (
    FINAL_FIELDS,
    SET_COLUMNS,
    Unavailable,
    config_from_json,
)
from nasbench_lite.benchmarks.nats.results import Trials
from nasbench_lite.benchmarks.nats.trial import TRAIN_SERIES, Trial
from nasbench_lite.errors import NotInDatabaseError, OutOfDomainError

__all__ = ["ArchRecord", "Chooser", "TrialRecord", "arch_hps", "load_arch_record"]

_N_TRIAL_COLUMNS = 5 + len(FINAL_FIELDS)  # the columns Trials expects, then the extras below
_RECORD_SQL = (
    "SELECT r.seed, r.epochs, r.eval_names, r.run_id, r.nan_mask, "
    + ", ".join(f"r.{name}" for name in FINAL_FIELDS)
    + ", r.dataset, r.seed_label, c.config, v.data FROM runs r"
    " LEFT JOIN configs c USING (config_id) JOIN curves v USING (run_id)"
    " WHERE r.arch_index = ? AND r.hp = ? ORDER BY r.dataset_order, r.seed_order"
)
_METRIC_KEYS = ("iepoch", "loss", "accuracy", "cur_time", "all_time")


class Chooser(Protocol):
    """What the records and the API draw from: ``random.Random`` or the ``random`` module."""

    def choice(self, seq: Sequence[Any]) -> Any: ...  # noqa: D102

    def randint(self, a: int, b: int) -> int: ...  # noqa: D102


class TrialRecord:
    """One training trial (the official ``ResultsCount``): curves, finals, costs, config.

    Attributes:
        dataset: The dataset name (the official ``name``).
        seed: The trial's seed (an int, as in ``dataset_seed``).
        seed_label: The file's own ``seed`` field (e.g. ``'0777'``), None when absent.
        epochs: Number of training epochs.
        eval_names: Eval-set names in file order.
        params: Parameters in millions (None when the file has none).
        flop: MFLOPs (None when the file has none).
        trial: The curves (:class:`~nasbench_lite.benchmarks.nats.trial.Trial`).
        finals: The final scalars (``FINAL_FIELDS`` names, NaN restored).
    """

    def __init__(self, row: Sequence[Any], finals: dict[str, Any], arch_str: str) -> None:
        dataset, seed_label, config, blob = row[_N_TRIAL_COLUMNS:]
        self.dataset: str = dataset
        self.seed: int = int(row[0])
        self.seed_label: str | None = seed_label
        self.epochs: int = int(row[1])
        self.eval_names: list[str] = row[2].split(",") if row[2] else []
        self.params: float | None = finals["params"]
        self.flop: float | None = finals["flops"]
        self.finals = finals
        self.trial = Trial.decode(blob, self.eval_names)
        self._config = config
        self._arch_str = arch_str

    def __repr__(self) -> str:
        return (
            f"TrialRecord({self.dataset}, seed={self.seed}, {self.epochs} epochs, "
            f"eval sets {self.eval_names})"
        )

    @property
    def arch_config(self) -> dict[str, Any] | None:
        """The model-builder config of the trial (the official ``arch_config``), or None."""
        return None if self._config is None else config_from_json(self._config, self._arch_str)

    @property
    def latency(self) -> list[float] | None:
        """The file's latency list in seconds, or None."""
        return None if self.trial.latency is None else list(self.trial.latency)

    def get_train(self, iepoch: int | None = None) -> dict[str, Any]:
        """``ResultsCount.get_train``: iepoch, loss, accuracy, cur_time, all_time.

        Raises:
            OutOfDomainError: ``iepoch`` outside the run.
            NotInDatabaseError: The file lacks a value the official method reads.
        """
        return self.get_metric_set("train", iepoch)

    def get_eval(self, name: str, iepoch: int | None = None) -> dict[str, Any]:
        """``ResultsCount.get_eval`` of eval set ``name`` (``'valid'`` = ``'x-valid'``).

        Raises:
            OutOfDomainError: ``iepoch`` outside the run.
            NotInDatabaseError: No such set, or a value the official method reads is missing.
        """
        return self.get_metric_set(name, iepoch)

    def get_metric_set(self, setname: str, iepoch: int | None = None) -> dict[str, Any]:
        """:meth:`get_train` for ``'train'``, else :meth:`get_eval`."""
        try:
            return self.trial.get_metric_set(setname, iepoch)
        except Unavailable:
            raise NotInDatabaseError(
                f"{self.dataset} seed {self.seed} has no {setname} values at epoch {iepoch}"
            ) from None
        except ValueError as exc:
            raise OutOfDomainError(str(exc)) from None

    def get_times(self) -> dict[str, float | None]:
        """``ResultsCount.get_times``: ``T-train@epoch``, ``T-train@total``, ``T-<set>@...``."""
        info = {}
        for label in ("train", *self.eval_names):
            for kind in ("epoch", "total"):
                info[f"T-{label}@{kind}"] = self.finals[f"{SET_COLUMNS[label]}_time_{kind}"]
        return info

    def get_latency(self) -> float:
        """``ResultsCount.get_latency``: mean latency in seconds, -1.0 when absent."""
        return self.trial.get_latency()

    def get_config(self, str2structure: Any = None) -> dict[str, Any]:
        """``ResultsCount.get_config``: the model-builder config (genotype parsed if asked).

        Raises:
            NotInDatabaseError: The trial has no config.
        """
        config = self.arch_config
        if config is None:
            raise NotInDatabaseError(f"{self.dataset} seed {self.seed} has no arch_config")
        parse = (lambda text: text) if str2structure is None else str2structure
        if config.get("name") == "infer.shape.tiny":
            return {
                "name": "infer.shape.tiny",
                "channels": config["channels"],
                "genotype": parse(config["genotype"]),
                "num_classes": config["class_num"],
            }
        key = "arch_str" if str2structure is None else "genotype"
        return {
            "name": "infer.tiny",
            "C": config["channel"],
            "N": config["num_cells"],
            key: parse(config["arch_str"]),
            "num_classes": config["class_num"],
        }

    def series(self) -> dict[str, Any]:
        """The official ``ResultsCount`` per-epoch attributes, rebuilt bit for bit.

        Returns:
            ``train_acc1es``, ``train_acc5es``, ``train_losses`` (``{epoch: value}`` or
            None), ``train_times`` (an ``OrderedDict`` as in the files, or None) and
            ``eval_acc1es``, ``eval_losses``, ``eval_times`` (``{'<set>@<epoch>': value}``).
        """
        trial = self.trial
        out: dict[str, Any] = {}
        for row, name in enumerate(TRAIN_SERIES):
            if not trial.dict_present[row]:
                out[name] = None
                continue
            values = trial.values[row].tolist()
            series = {e: values[e] for e in range(trial.epochs) if trial.present[row, e]}
            out[name] = collections.OrderedDict(series) if name == "train_times" else series
        for offset, name in enumerate(("eval_acc1es", "eval_losses", "eval_times")):
            keyed: dict[str, float] = {}
            for i, setname in enumerate(self.eval_names):
                row = 4 + 3 * i + offset
                values = trial.values[row].tolist()
                for e in range(trial.epochs):
                    if trial.present[row, e]:
                        keyed[f"{setname}@{e}"] = values[e]
            out[name] = keyed
        return out


class ArchRecord:
    """One architecture's trials for one hp (the official ``ArchResults``).

    Attributes:
        arch_index: The official architecture index.
        arch_str: The architecture string.
        hp: The hyper-parameter setting.
        dataset_seed: ``{dataset: [seed, ...]}`` in the file's order.
        trials: ``{(dataset, seed): TrialRecord}``.
    """

    def __init__(
        self, arch_index: int, arch_str: str, hp: str, rows: list[Any], rng: Chooser
    ) -> None:
        self.arch_index = arch_index
        self.arch_str = arch_str
        self.hp = hp
        self.rng = rng
        self.dataset_seed: dict[str, list[int]] = {}
        self.trials: dict[tuple[str, int], TrialRecord] = {}
        self._sets: dict[str, Trials] = {}
        by_dataset: dict[str, list[Any]] = {}
        for row in rows:
            by_dataset.setdefault(row[_N_TRIAL_COLUMNS], []).append(row)
        for dataset, dataset_rows in by_dataset.items():
            trials = Trials([r[:_N_TRIAL_COLUMNS] for r in dataset_rows])
            self._sets[dataset] = trials
            self.dataset_seed[dataset] = list(trials.seeds)
            finals = trials.finals
            for k, row in enumerate(dataset_rows):
                record = TrialRecord(row, finals[k], arch_str)
                self.trials[(dataset, record.seed)] = record

    def __repr__(self) -> str:
        return (
            f"ArchRecord(arch-index={self.arch_index}, arch={self.arch_str}, hp={self.hp}, "
            f"{len(self.trials)} runs)"
        )

    def __deepcopy__(self, memo: dict[int, Any]) -> ArchRecord:
        clone = copy.copy(self)  # the data are never mutated; share them (and the rng)
        clone.dataset_seed = copy.deepcopy(self.dataset_seed, memo)
        return clone

    def _seeds(self, dataset: str) -> list[int]:
        if dataset not in self.dataset_seed:
            raise NotInDatabaseError(
                f"architecture {self.arch_index} (hp={self.hp}) has no {dataset!r} results "
                f"(has {list(self.dataset_seed)})"
            )
        return self.dataset_seed[dataset]

    def get_dataset_names(self) -> list[str]:
        """The datasets with results, in file order."""
        return list(self.dataset_seed)

    def get_dataset_seeds(self, dataset: str) -> list[int]:
        """The seeds of ``dataset`` in file order.

        Raises:
            NotInDatabaseError: No results on ``dataset``.
        """
        return list(self._seeds(dataset))

    def query(self, dataset: str, seed: int | None = None) -> TrialRecord | dict[int, TrialRecord]:
        """One trial, or ``{seed: trial}`` for every seed when ``seed`` is None.

        Raises:
            NotInDatabaseError: No such dataset or seed.
        """
        seeds = self._seeds(dataset)
        if seed is None:
            return {s: self.trials[(dataset, s)] for s in seeds}
        if (dataset, seed) not in self.trials:
            raise NotInDatabaseError(f"key={(dataset, seed)} not in {list(self.trials)}")
        return self.trials[(dataset, seed)]

    def get_metrics(
        self,
        dataset: str,
        setname: str,
        iepoch: int | None = None,
        is_random: bool | int = False,
        rng: Chooser | None = None,
    ) -> dict[str, Any]:
        """``ArchResults.get_metrics``: one trial's or the mean metrics of ``setname``.

        Args:
            dataset: The dataset.
            setname: ``'train'`` or an eval set (``'x-valid'``, ``'x-test'``, ``'ori-test'``,
                ``'valid'``).
            iepoch: Epoch (0-based); None = the last one.
            is_random: False = mean over the trials; True = one trial drawn with
                ``randint(0, trials - 1)``; an int = the trial with that seed.
            rng: Where ``is_random=True`` draws (default: the record's generator).

        Raises:
            NotInDatabaseError: No such dataset / set / value.
            OutOfDomainError: ``iepoch`` outside the run, an unknown seed or ``is_random``.
        """
        seeds = self._seeds(dataset)
        infos = [self.trials[(dataset, s)].get_metric_set(setname, iepoch) for s in seeds]
        if isinstance(is_random, bool) and is_random:
            return infos[(self.rng if rng is None else rng).randint(0, len(infos) - 1)]
        if isinstance(is_random, bool):
            return {key: mean_or_none([info[key] for info in infos]) for key in _METRIC_KEYS}
        if isinstance(is_random, int):
            if is_random not in seeds:
                raise OutOfDomainError(f"can not find random seed ({is_random}) from {seeds}")
            return infos[seeds.index(is_random)]
        raise OutOfDomainError(f"invalid value for is_random: {is_random!r}")

    def get_compute_costs(self, dataset: str) -> dict[str, Any]:
        """``ArchResults.get_compute_costs``: flops, params, latency and mean times.

        Raises:
            NotInDatabaseError: No such dataset, or costs the official API cannot compute.
        """
        self._seeds(dataset)
        trials = self._sets[dataset]
        return compute_costs(trials.finals, trials.seeds, trials.eval_names)

    def get_latency(self, dataset: str) -> float:
        """``ArchResults.get_latency``: mean latency over the trials.

        Raises:
            OutOfDomainError: A trial without a positive latency (as the official ValueError).
        """
        latencies = []
        for seed in self._seeds(dataset):
            latency = self.trials[(dataset, seed)].get_latency()
            if latency <= 0:
                raise OutOfDomainError(f"invalid latency of {dataset} with seed={seed} : {latency}")
            latencies.append(latency)
        return sum(latencies) / len(latencies)

    def get_total_epoch(self, dataset: str | None = None) -> int:
        """Training epochs of the trials (of ``dataset``, or of all).

        Raises:
            NotInDatabaseError: No such dataset.
            OutOfDomainError: The trials disagree.
        """
        datasets = list(self.dataset_seed) if dataset is None else [dataset]
        epochs = [
            self.trials[(name, seed)].epochs for name in datasets for seed in self._seeds(name)
        ]
        if len(set(epochs)) > 1:
            raise OutOfDomainError(
                f"Each trial mush have the same number of training epochs : {epochs}"
            )
        return epochs[-1]


def arch_hps(db: Database, index: int) -> list[str]:
    """The hp settings of architecture ``index`` in file order (empty: no results)."""
    rows = db.query("SELECT hp FROM arch_hps WHERE arch_index = ? ORDER BY hp_order", (index,))
    return [r[0] for r in rows]


def load_arch_record(db: Database, index: int, arch_str: str, hp: str, rng: Chooser) -> ArchRecord:
    """Every trial of ``(index, hp)`` as an :class:`ArchRecord`.

    Raises:
        NotInDatabaseError: The architecture has no results for ``hp``.
    """
    rows = db.query(_RECORD_SQL, (index, hp))
    if not rows:
        hps = arch_hps(db, index)
        raise NotInDatabaseError(
            f"architecture {index} has no hp={hp!r} results (has {hps})"
            if hps
            else f"architecture {index} has no results in this database"
        )
    return ArchRecord(index, arch_str, hp, rows, rng)
