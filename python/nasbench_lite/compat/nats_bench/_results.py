"""``ArchResults`` and ``ResultsCount`` of ``nats_bench.api_utils`` over database records.

Each object carries the official attributes (``arch_index``, ``arch_str``, ``all_results``,
``dataset_seed``, ``clear_net_done``; ``name``, ``train_acc1es``, ``eval_acc1es``, ``params``,
``flop``, ``seed``, ``epochs``, ``latency``, ...) with the values and types of the official
files, and answers the official query methods through the native
:class:`~nasbench_lite.nats.ArchRecord` / :class:`~nasbench_lite.nats.TrialRecord` it wraps.
``get_metrics(is_random=True)`` draws ``random.randint`` from the global ``random`` module, as
the official method does. The objects are read-only views: the methods that wrote the
benchmark files (``update``, ``update_eval``, ``reset_pseudo_*``...) and trained weights raise
:class:`NotOfferedError`.
"""

from __future__ import annotations

import copy
import random
from typing import Any

import numpy as np

from nasbench_lite.errors import NasbenchLiteError
from nasbench_lite.nats import ArchRecord, TrialRecord

__all__ = ["ArchResults", "NotOfferedError", "ResultsCount"]

_MODULE = "nasbench_lite.compat.nats_bench.api_utils"
_DATASETS = ("cifar10-valid", "cifar10", "cifar100", "ImageNet16-120")
_SERIES = (
    "train_acc1es",
    "train_acc5es",
    "train_losses",
    "train_times",
    "eval_acc1es",
    "eval_losses",
    "eval_times",
)


class NotOfferedError(NasbenchLiteError, NotImplementedError):
    """A ``nats_bench`` feature the databases cannot serve (weights, writing results)."""


NotOfferedError.__module__ = _MODULE


def _no_weights() -> NotOfferedError:
    return NotOfferedError(
        "no trained weights: the NATS-Bench '-simple' archives (and so the databases built from "
        "them) hold results only; use the official '-full' archive with the nats_bench package"
    )


def _read_only(name: str) -> NotOfferedError:
    return NotOfferedError(
        f"{name}: the results are a read-only view of a nasbench_lite database (the methods "
        "that wrote the benchmark files are not offered)"
    )


def typed_costs(costs: dict[str, Any]) -> dict[str, Any]:
    """The official types of ``get_compute_costs``: params and latency as ``np.float64``.

    (The files hold parameters and latencies as NumPy scalars, FLOPs and times as floats.)
    """
    costs["params"] = np.float64(costs["params"])
    if costs["latency"] is not None:
        costs["latency"] = np.float64(costs["latency"])
    return costs


class ResultsCount:
    """One trial of one architecture (the official ``ResultsCount``, read-only)."""

    def __init__(
        self,
        name: Any,
        state_dict: Any,
        train_accs: Any,
        train_losses: Any,
        params: Any,
        flop: Any,
        arch_config: Any,
        seed: Any,
        epochs: Any,
        latency: Any,
    ) -> None:
        self.name = name
        self.net_state_dict = state_dict
        self.train_acc1es = copy.deepcopy(train_accs)
        self.train_acc5es: Any = None
        self.train_losses = copy.deepcopy(train_losses)
        self.train_times: Any = None
        self.arch_config = copy.deepcopy(arch_config)
        self.params = params
        self.flop = flop
        self.seed = seed
        self.epochs = epochs
        self.latency = latency
        self.eval_names: list[str] = []
        self.eval_acc1es: dict[str, Any] = {}
        self.eval_times: dict[str, Any] = {}
        self.eval_losses: dict[str, Any] = {}
        self._record: TrialRecord | None = None

    @classmethod
    def _from_record(cls, record: TrialRecord) -> ResultsCount:
        latency = record.latency
        out = cls(
            record.dataset,
            None,
            None,
            None,
            None if record.params is None else np.float64(record.params),
            record.flop,
            record.arch_config,
            record.seed if record.seed_label is None else record.seed_label,
            record.epochs,
            None if latency is None else [np.float64(x) for x in latency],
        )
        for key in _SERIES:  # rebuilt from the curves on first access (see __getattr__)
            del out.__dict__[key]
        out.eval_names = list(record.eval_names)
        out._record = record
        return out

    def __getattr__(self, name: str) -> Any:
        # Only reached for attributes not set yet: the per-epoch dicts of a database trial.
        record = self.__dict__.get("_record")
        if name not in _SERIES or record is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        self.__dict__.update(record.series())
        return self.__dict__[name]

    def _materialize(self) -> None:
        for name in _SERIES:
            getattr(self, name)

    def _native(self) -> TrialRecord:
        if self._record is None:
            raise NotOfferedError("this ResultsCount was built in Python and holds no results")
        return self._record

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.name}, arch={self.arch_config['arch_str']}, "
            f"FLOP={self.flop:.2f}M, Param={self.params:.3f}MB, seed={self.seed}, "
            f"{len(self.eval_names)} eval-sets: [{', '.join(self.eval_names)}])"
        )

    # -- the writers of the benchmark files: not offered on a read-only view
    def update_train_info(self, *args: Any, **kwargs: Any) -> None:
        """Not offered (read-only view)."""
        raise _read_only("update_train_info")

    def reset_pseudo_train_times(self, *args: Any, **kwargs: Any) -> None:
        """Not offered (read-only view)."""
        raise _read_only("reset_pseudo_train_times")

    def reset_pseudo_eval_times(self, *args: Any, **kwargs: Any) -> None:
        """Not offered (read-only view)."""
        raise _read_only("reset_pseudo_eval_times")

    def reset_eval(self) -> None:
        """Not offered (read-only view)."""
        raise _read_only("reset_eval")

    def update_latency(self, *args: Any, **kwargs: Any) -> None:
        """Not offered (read-only view)."""
        raise _read_only("update_latency")

    def update_eval(self, *args: Any, **kwargs: Any) -> None:
        """Not offered (read-only view)."""
        raise _read_only("update_eval")

    def update_OLD_eval(self, *args: Any, **kwargs: Any) -> None:  # noqa: N802 -- official name
        """Not offered (read-only view)."""
        raise _read_only("update_OLD_eval")

    def load_state_dict(self, state_dict: Any) -> None:
        """Not offered (read-only view)."""
        raise _read_only("load_state_dict")

    @staticmethod
    def create_from_state_dict(state_dict: Any) -> ResultsCount:
        """Not offered: results come from a database (``nasbench-lite build nats``)."""
        raise _read_only("create_from_state_dict")

    # -- the official readers
    def get_latency(self) -> float:
        """Mean latency in seconds (``np.float64``), -1.0 when the trial has none."""
        latency = self._native().get_latency()
        return -1.0 if self.latency is None else np.float64(latency)

    def get_total_epoch(self) -> int:
        """Number of training epochs."""
        return int(self.epochs)

    def get_times(self) -> dict[str, float | None]:
        """``T-train@epoch``, ``T-train@total`` and ``T-<set>@epoch/total`` per eval set."""
        return self._native().get_times()

    def get_eval_set(self) -> list[str]:
        """The eval-set names."""
        return self.eval_names

    def judge_valid(self, iepoch: int) -> None:
        """Raises OutOfDomainError (a ValueError) when ``iepoch`` is outside the run."""
        from nasbench_lite.errors import OutOfDomainError

        if iepoch < 0 or iepoch >= self.epochs:
            raise OutOfDomainError(f"invalid iepoch={iepoch} < {self.epochs}")

    def get_train(self, iepoch: int | None = None) -> dict[str, Any]:
        """iepoch, loss, accuracy, cur_time, all_time on the training set after ``iepoch``."""
        return self._native().get_train(iepoch)

    def get_eval(self, name: str, iepoch: int | None = None) -> dict[str, Any]:
        """The same on eval set ``name`` (``'valid'`` means ``'x-valid'``)."""
        return self._native().get_eval(name, iepoch)

    def get_net_param(self, clone: bool = False) -> Any:
        """Not offered: the archives hold no weights."""
        raise _no_weights()

    def get_config(self, str2structure: Any) -> dict[str, Any]:
        """The model-builder config (``genotype`` parsed by ``str2structure`` if given)."""
        return self._native().get_config(str2structure)

    def state_dict(self) -> dict[str, Any]:
        """The official attributes as a dict (in the official order)."""
        self._materialize()
        order = (
            "name",
            "net_state_dict",
            "train_acc1es",
            "train_acc5es",
            "train_losses",
            "train_times",
            "arch_config",
            "params",
            "flop",
            "seed",
            "epochs",
            "latency",
            "eval_names",
            "eval_acc1es",
            "eval_times",
            "eval_losses",
        )
        return {k: self.__dict__[k] for k in order}


class ArchResults:
    """One architecture's trials for one hp on every dataset (the official class)."""

    def __init__(self, arch_index: int, arch_str: Any) -> None:
        self.arch_index = int(arch_index)
        self.arch_str = copy.deepcopy(arch_str)
        self.all_results: dict[tuple[str, int], ResultsCount] = {}
        self.dataset_seed: dict[str, list[int]] = {}
        self.clear_net_done = False
        self._record: ArchRecord | None = None

    @classmethod
    def _from_record(cls, record: ArchRecord) -> ArchResults:
        out = cls(record.arch_index, record.arch_str)
        out.dataset_seed = {d: list(seeds) for d, seeds in record.dataset_seed.items()}
        out.all_results = {k: ResultsCount._from_record(t) for k, t in record.trials.items()}
        out.clear_net_done = True  # the -simple archives were saved without weights
        out._record = record
        return out

    def _native(self) -> ArchRecord:
        if self._record is None:
            raise NotOfferedError("this ArchResults was built in Python and holds no results")
        return self._record

    def get_compute_costs(self, dataset: str) -> dict[str, Any]:
        """flops, params, latency and the mean ``T-*`` times over the trials of ``dataset``."""
        return typed_costs(self._native().get_compute_costs(dataset))

    def get_metrics(
        self, dataset: str, setname: str, iepoch: int | None = None, is_random: bool | int = False
    ) -> dict[str, Any]:
        """Loss, accuracy and times of ``setname`` (mean, random trial, or one seed's).

        ``is_random=True`` draws ``random.randint`` from the global ``random`` module.
        """
        return self._native().get_metrics(dataset, setname, iepoch, is_random, rng=random)

    def get_dataset_names(self) -> list[str]:
        """The datasets with results."""
        return list(self.dataset_seed.keys())

    def get_dataset_seeds(self, dataset: str) -> list[int]:
        """The seeds of ``dataset`` (KeyError when absent)."""
        return copy.deepcopy(self.dataset_seed[dataset])

    def get_net_param(self, dataset: str, seed: int | None = None) -> Any:
        """Not offered: the archives hold no weights."""
        raise _no_weights()

    def reset_latency(self, *args: Any, **kwargs: Any) -> None:
        """Not offered (read-only view)."""
        raise _read_only("reset_latency")

    def reset_pseudo_train_times(self, *args: Any, **kwargs: Any) -> None:
        """Not offered (read-only view)."""
        raise _read_only("reset_pseudo_train_times")

    def reset_pseudo_eval_times(self, *args: Any, **kwargs: Any) -> None:
        """Not offered (read-only view)."""
        raise _read_only("reset_pseudo_eval_times")

    def update(self, *args: Any, **kwargs: Any) -> None:
        """Not offered (read-only view)."""
        raise _read_only("update")

    def load_state_dict(self, state_dict: Any) -> None:
        """Not offered (read-only view)."""
        raise _read_only("load_state_dict")

    @staticmethod
    def create_from_state_dict(state_dict_or_file: Any) -> ArchResults:
        """Not offered: results come from a database (``nasbench-lite build nats``)."""
        raise _read_only("create_from_state_dict")

    def get_latency(self, dataset: str) -> float:
        """Mean latency over the trials (a ValueError when one has none)."""
        latency: float = np.float64(self._native().get_latency(dataset))
        return latency

    def get_total_epoch(self, dataset: str | None = None) -> int:
        """Training epochs of the trials (of ``dataset`` or of all)."""
        return self._native().get_total_epoch(dataset)

    def query(
        self, dataset: str, seed: int | None = None
    ) -> ResultsCount | dict[int, ResultsCount]:
        """``{seed: ResultsCount}`` of ``dataset``, or the one trial of ``seed``."""
        if seed is None:
            return {s: self.all_results[(dataset, s)] for s in self.dataset_seed[dataset]}
        return self.all_results[(dataset, seed)]

    def arch_idx_str(self) -> str:
        """The index as six digits."""
        return f"{self.arch_index:06d}"

    def state_dict(self) -> dict[str, Any]:
        """The official attributes as a dict (trials as their own state dicts)."""
        return {
            "arch_index": self.arch_index,
            "arch_str": self.arch_str,
            "all_results": {k: v.state_dict() for k, v in self.all_results.items()},
            "dataset_seed": copy.deepcopy(self.dataset_seed),
            "clear_net_done": self.clear_net_done,
        }

    def clear_params(self) -> None:
        """Drops the weights (there are none): marks the results as cleared."""
        for result in self.all_results.values():
            result.net_state_dict = None
        self.clear_net_done = True

    def debug_test(self) -> None:
        """Prints the latency and every trial's times per dataset, as the official method."""
        for dataset in _DATASETS:
            print(f"---->>>> {dataset}")
            print(f"The latency on {dataset} is {self.get_latency(dataset)} s")
            for seed in self.dataset_seed[dataset]:
                result = self.all_results[(dataset, seed)]
                print(f"  ==>> result = {result}")
                print(f"  ==>> cost = {result.get_times()}")

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(arch-index={self.arch_index}, arch={self.arch_str}, "
            f"{len(self.all_results)} runs, clear={self.clear_net_done})"
        )


ArchResults.__module__ = ResultsCount.__module__ = _MODULE
