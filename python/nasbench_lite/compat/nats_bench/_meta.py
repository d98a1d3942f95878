"""``NASBenchMetaAPI``: the shared body of the compat ``NATStopology`` and ``NATSsize``.

State mirrors the official object: ``meta_archs``, ``archstr2index``, ``evaluated_indexes``
(in fast mode it starts empty and grows as architectures are queried, exactly like the
official lazy loading; otherwise it holds every architecture with results), the available
hps, ``used_time``. Every query goes to the native API of :mod:`nasbench_lite.nats`; the draws
of ``random()``, ``get_more_info(is_random=True)`` and ``simulate_train_eval`` are made from
the global ``random`` module (``rng=random``), the same calls in the same order as the
official code. With ``verbose=True`` the official messages are printed, in the official order.
"""

from __future__ import annotations

import abc
import copy
import os
import random
import warnings
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from nasbench_lite import nats
from nasbench_lite.compat.nats_bench._common import (
    PICKLE_EXT,
    get_torch_home,
    remap_dataset_set_names,
    time_string,
)
from nasbench_lite.compat.nats_bench._results import (
    ArchResults,
    NotOfferedError,
    typed_costs,
)
from nasbench_lite.errors import InvalidInputError, NotInDatabaseError, OutOfDomainError

__all__ = ["NASBenchMetaAPI"]

_DATASETS = ["cifar10-valid", "cifar10", "cifar100", "ImageNet16-120"]
PrintInformation = Callable[..., list[str]]


class _ArchInfos(Mapping[int, dict[str, ArchResults]]):
    """``arch2infos_dict``: evaluated index -> ``{hp: ArchResults}``, built on access."""

    def __init__(self, api: NASBenchMetaAPI) -> None:
        self._api = api

    def __getitem__(self, index: int) -> dict[str, ArchResults]:
        if index not in self._api.evaluated_indexes:
            raise KeyError(index)
        return {hp: self._api._arch_results(index, hp) for hp in self._api._hps(index)}

    def __iter__(self) -> Iterator[int]:
        return iter(sorted(self._api.evaluated_indexes))

    def __len__(self) -> int:
        return len(self._api.evaluated_indexes)

    def __contains__(self, index: object) -> bool:
        return index in self._api.evaluated_indexes


class NASBenchMetaAPI(metaclass=abc.ABCMeta):
    """The shared part of :class:`NATStopology` and :class:`NATSsize` (official base class)."""

    _space = ""  # 'tss' / 'sss' (native name)
    _label = ""  # 'topology' / 'size' (official name)
    _base_names: list[str] = []
    _epochs = 0

    def __init__(
        self,
        file_path_or_dict: str | os.PathLike[str] | None = None,
        fast_mode: bool = False,
        verbose: bool = True,
    ) -> None:
        """Opens an official NATS-Bench source or a nasbench_lite database.

        Args:
            file_path_or_dict: The ``-simple`` folder, the ``.pickle.pbz2`` file, a database
                built by ``nasbench-lite build nats``, or None: the official default location
                (``$TORCH_HOME`` else ``~/.torch``). Official sources are built once into the
                nasbench_lite cache. A dict (an unpickled file) is not accepted.
            fast_mode: As the official flag: architectures count as evaluated once queried.
            verbose: Print the official messages.

        Raises:
            SourceNotFoundError: No source at the path (names what to download).
            InvalidInputError: A dict, another type, or a database of the other space.
        """
        self._all_base_names = self._base_names
        self.filename: str | None = None
        self._search_space_name = self._label
        self._fast_mode = fast_mode
        self._archive_dir: str | None = None
        self._full_train_epochs = self._epochs
        self.reset_time()
        source = file_path_or_dict
        if source is None:
            home, base = get_torch_home(), self._base_names[-1]
            shown: str | None = None
            if fast_mode:
                self._archive_dir = os.path.join(home, f"{base}-simple")
            else:
                shown = os.path.join(home, f"{base}.{PICKLE_EXT}")
            print(
                f"{time_string()} Try to use the default NATS-Bench ({self._label}) path from "
                f"fast_mode={fast_mode} and path={shown}."
            )
        elif isinstance(source, str | os.PathLike):
            path = os.fspath(source)
            if verbose:
                print(
                    f"{time_string()} Try to create the NATS-Bench ({self._label}) api "
                    f"from {path} with fast_mode={fast_mode}"
                )
            self.filename = os.path.basename(path)
            if fast_mode and os.path.isdir(path):
                self._archive_dir = path
        elif isinstance(source, dict):
            raise InvalidInputError(
                "an unpickled NATS-Bench dict is not accepted: pass the path of the file or "
                "folder it came from (it is built once into a database)"
            )
        else:
            raise InvalidInputError(
                f"file_path_or_dict [{type(source)}] must be a dict or archive_dir must be set"
            )
        from nasbench_lite.compat._cache import database_for

        database = database_for(source, kind="nats", space=self._space)
        self._api: Any = nats.create(database, self._space)
        self.verbose = verbose
        self.meta_archs: list[str] = self._api.meta_archs
        self._with_results: set[int] = self._api.evaluated_indexes
        self.evaluated_indexes: set[int] = set() if fast_mode else set(self._with_results)
        self._avaliable_hps: set[str] = set() if fast_mode else set(self._api.avaliable_hps)
        self.archstr2index = {arch: i for i, arch in enumerate(self.meta_archs)}
        self.arch2infos_dict = _ArchInfos(self)
        if self.verbose:
            print(
                f"{time_string()} Create NATS-Bench ({self._label}) done with "
                f"{len(self.evaluated_indexes)}/{len(self.meta_archs)} architectures avaliable."
            )

    # ---------------------------------------------------------------- helpers
    def _say(self, text: str) -> None:
        if self.verbose:
            print(text)

    def _hps(self, index: int) -> list[str]:
        hps: list[str] = self._api.arch_hps(index)
        return hps

    def _arch_results(self, index: int, hp: str) -> ArchResults:
        return ArchResults._from_record(self._api.arch_results(index, hp))

    def _check_hp(self, index: int, hp: Any) -> None:
        hps = self._hps(index)
        if hp not in hps:
            raise OutOfDomainError(
                f"The {index}-th architecture only has hyper-parameters of {hps} instead of {hp}."
            )

    def close(self) -> None:
        """Closes the database (not in the official API)."""
        self._api.close()

    # ----------------------------------------------------------------- basics
    def __getitem__(self, index: int) -> str:
        return self.meta_archs[index]

    def arch(self, index: int) -> str:
        """The architecture string of ``index``.

        Raises:
            OutOfDomainError: ``index`` outside ``[0, len)`` (a ValueError).
        """
        self._say(f"Call the arch function with index={index}")
        if index < 0 or index >= len(self.meta_archs):
            raise OutOfDomainError(f"invalid index : {index} vs. {len(self.meta_archs)}.")
        return self.meta_archs[index]

    def __len__(self) -> int:
        return len(self.meta_archs)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({len(self.evaluated_indexes)}/{len(self.meta_archs)} "
            f"architectures, fast_mode={self.fast_mode}, file={self.filename})"
        )

    @property
    def avaliable_hps(self) -> list[str]:  # (sic) the official spelling
        """The hp settings met so far (all of them outside fast mode)."""
        return list(copy.deepcopy(self._avaliable_hps))

    @property
    def used_time(self) -> float:
        """Simulated seconds accumulated by :meth:`simulate_train_eval`."""
        return self._used_time

    @property
    def search_space_name(self) -> str:
        return self._search_space_name

    @property
    def fast_mode(self) -> bool:
        return self._fast_mode

    @property
    def archive_dir(self) -> str | None:
        return self._archive_dir

    @property
    def full_train_epochs(self) -> int:
        return self._full_train_epochs

    def reset_archive_dir(self, archive_dir: str | None) -> None:
        self._archive_dir = archive_dir

    def reset_fast_mode(self, fast_mode: bool) -> None:
        self._fast_mode = fast_mode

    def reset_time(self) -> None:
        self._used_time: float = 0

    # ---------------------------------------------------------------- loading
    def _prepare_info(self, index: int) -> None:
        """Marks ``index`` evaluated in fast mode (the official lazy load), with its messages.

        Raises:
            NotInDatabaseError: Fast mode and the architecture has no results (the official
                API fails reading its missing file).
        """
        if index in self.evaluated_indexes:
            self._say(
                f"{time_string()} Call _prepare_info with index={index} skip because it is in "
                "arch2infos_dict"
            )
        elif self.fast_mode:
            self._say(
                f"{time_string()} Call clear_params with archive_root={self.archive_dir} and "
                f"index={index}"
            )
            hps = self._api.arch_hps(index)
            if not hps:
                raise NotInDatabaseError(
                    f"architecture {index} has no results in this database (the official API "
                    f"fails reading {index:06d}.{PICKLE_EXT} here)"
                )
            self.evaluated_indexes.add(index)
            self._avaliable_hps.update(hps)
        else:
            self._say(
                f"{time_string()} Call _prepare_info with index={index} skip because it is not"
                "the fast mode."
            )

    def reload(self, archive_root: str | None = None, index: int | None = None) -> None:
        """Not offered: the results come from a database; there are no weights to load.

        Raises:
            NotOfferedError: Always.
        """
        self._say(
            f"{time_string()} Call clear_params with archive_root={archive_root} and index={index}"
        )
        raise NotOfferedError(
            "reload: the results come from a nasbench_lite database built from the archive "
            "(every architecture is available); trained weights ('-full') are not supported"
        )

    def clear_params(self, index: int, hp: str | None = None) -> None:
        """Drops weights (the data have none): warns for an unqueried index, checks ``hp``."""
        self._say(f"{time_string()} Call clear_params with index={index} and hp={hp}")
        if index not in self.evaluated_indexes:
            warnings.warn(
                f"The {index}-th architecture is not in the benchmark data yet, no need to "
                "clear params.",
                stacklevel=2,
            )
        elif hp is not None:
            self._check_hp(index, str(hp))

    # ---------------------------------------------------------------- queries
    def query_index_by_arch(self, arch: Any) -> int:
        """Index of an arch string / index / object with ``tostr()``; -1 when unknown.

        Raises:
            OutOfDomainError: An int outside ``[0, len)`` (a ValueError).
        """
        self._say(f"{time_string()} Call query_index_by_arch with arch={arch}")
        index: int = self._api.query_index_by_arch(arch)
        return index

    def query_by_arch(self, arch: Any, hp: Any) -> str | None:
        """Same as :meth:`query_info_str_by_arch` (the NAS-Bench-201 name)."""
        return self.query_info_str_by_arch(arch, hp)

    @abc.abstractmethod
    def query_info_str_by_arch(self, arch: Any, hp: str = "12") -> str | None:
        """The information text of an architecture."""

    @abc.abstractmethod
    def get_more_info(
        self,
        index: Any,
        dataset: str,
        iepoch: int | None = None,
        hp: str = "12",
        is_random: bool | int = True,
    ) -> dict[str, Any]:
        """The metrics of an architecture."""

    @abc.abstractmethod
    def show(self, index: int = -1) -> None:
        """Prints the information of an architecture (or of all)."""

    def _query_info_str_by_arch(
        self, arch: Any, hp: Any, print_information: PrintInformation
    ) -> str | None:
        arch_index = self.query_index_by_arch(arch)
        self._prepare_info(arch_index)
        if arch_index not in self.evaluated_indexes:
            warnings.warn(
                f"Find this arch-index : {arch_index}, but this arch is not evaluated.",
                stacklevel=3,
            )
            return None
        self._check_hp(arch_index, hp)
        info = self._arch_results(arch_index, hp)
        return "\n".join(print_information(info, f"arch-index={arch_index}"))

    def _get_more_info(
        self, index: Any, dataset: str, iepoch: int | None, hp: Any, is_random: bool | int
    ) -> dict[str, Any]:
        self._say(
            f"{time_string()} Call the get_more_info function with index={index}, "
            f"dataset={dataset}, iepoch={iepoch}, hp={hp}, and is_random={is_random}."
        )
        index = self.query_index_by_arch(index)
        self._prepare_info(index)
        if index not in self.evaluated_indexes:
            raise OutOfDomainError(f"Did not find {index} from arch2infos_dict.")
        info: dict[str, Any] = self._api.get_more_info(
            index, dataset, iepoch, str(hp), is_random, rng=random
        )
        return info

    def _meta_check(self, arch_index: int, hp: Any) -> None:
        self._say(f"Call query_meta_info_by_index with arch_index={arch_index}, hp={hp}")
        self._prepare_info(arch_index)
        if arch_index not in self.evaluated_indexes:
            raise OutOfDomainError(f"arch_index [{arch_index}] does not in arch2infos")
        self._check_hp(arch_index, str(hp))

    def query_meta_info_by_index(self, arch_index: int, hp: Any = "12") -> ArchResults:
        """The :class:`ArchResults` of an architecture and hp (a fresh object each call).

        Raises:
            OutOfDomainError: Not evaluated, or no such hp.
        """
        self._meta_check(arch_index, hp)
        return self._arch_results(arch_index, str(hp))

    def query_by_index(self, arch_index: int, dataname: str | None = None, hp: Any = "12") -> Any:
        """The :class:`ArchResults`, or ``{seed: ResultsCount}`` of dataset ``dataname``.

        Raises:
            OutOfDomainError: Not evaluated, no such hp or dataset.
        """
        self._say(
            f"{time_string()} Call query_by_index with arch_index={arch_index}, "
            f"dataname={dataname}, hp={hp}"
        )
        info = self.query_meta_info_by_index(arch_index, str(hp))
        if dataname is None:
            return info
        if dataname not in info.get_dataset_names():
            raise OutOfDomainError(
                f"invalid dataset-name : {dataname} vs. {info.get_dataset_names()}"
            )
        return info.query(dataname)

    def simulate_train_eval(
        self,
        arch: Any,
        dataset: str,
        iepoch: int | None = None,
        hp: Any = "12",
        account_time: bool = True,
    ) -> tuple[float, Any, float, float]:
        """Simulated training: ``(valid accuracy, latency, time cost, used_time)``.

        Draws one or two trials from the global ``random``, as the official method.

        Raises:
            OutOfDomainError: Another dataset than cifar10/cifar100/ImageNet16-120.
        """
        index = self.query_index_by_arch(arch)
        names = ("cifar10", "cifar100", "ImageNet16-120")
        if dataset not in names:
            raise OutOfDomainError(f"Invalid dataset name : {dataset} vs {names}")
        if self.verbose:  # the official composition, for its messages
            source = "cifar10-valid" if dataset == "cifar10" else dataset
            info = self.get_more_info(index, source, iepoch=iepoch, hp=hp, is_random=True)
            if "valid-accuracy" in info:
                valid_acc = info["valid-accuracy"]
                time_cost = info["train-all-time"] + info["valid-per-time"]
            else:
                valid_acc = info["valtest-accuracy"]
                temp = self.get_more_info(index, dataset, iepoch=None, hp=hp, is_random=True)
                time_cost = info["train-all-time"] + temp["valid-per-time"]
            latency = self.get_latency(index, dataset, hp=hp)
        else:
            self._prepare_info(index)
            if index not in self.evaluated_indexes:
                raise OutOfDomainError(f"Did not find {index} from arch2infos_dict.")
            valid_acc, latency, time_cost, _ = self._api.simulate_train_eval(
                index, dataset, iepoch, str(hp), account_time=False, rng=random
            )
            latency = None if latency is None else np.float64(latency)
        if account_time:
            self._used_time += time_cost
        return valid_acc, latency, time_cost, self._used_time

    def random(self) -> int:
        """A random architecture index from the global ``random`` (``randint``)."""
        index: int = self._api.random(rng=random)
        return index

    def find_best(
        self,
        dataset: str,
        metric_on_set: str,
        flop_max: float | None = None,
        param_max: float | None = None,
        hp: str = "12",
        enforce_all: bool | None = None,
    ) -> tuple[int, float | None]:
        """Index and mean accuracy of the best evaluated architecture under the limits.

        ``enforce_all`` (default: ``fast_mode``) searches every architecture (and marks them
        evaluated), else the evaluated ones.

        Raises:
            OutOfDomainError: ``enforce_all`` outside fast mode, unknown dataset or set.
        """
        self._say(
            f"{time_string()} Call find_best with dataset={dataset}, "
            f"metric_on_set={metric_on_set}, hp={hp} | with #FLOPs < {flop_max} and "
            f"#Params < {param_max}"
        )
        remap_dataset_set_names(dataset, metric_on_set, self.verbose)
        if enforce_all is None:
            enforce_all = bool(self.fast_mode)
        if enforce_all:
            if not self.fast_mode:
                raise OutOfDomainError(
                    "enforce_all can only be set when fast_mode=True; if you are using "
                    "non-fast-mode, please set it as False"
                )
            indexes = list(range(len(self)))
        else:
            indexes = sorted(self.evaluated_indexes)
        for index in indexes:
            self._prepare_info(index)
        among = None if len(self.evaluated_indexes) == len(self._with_results) else set(indexes)
        best_index, accuracy = self._api.find_best(
            dataset, metric_on_set, flop_max, param_max, hp, among=among
        )
        if self.verbose:
            if not indexes:
                print("The evaluated_indexes is empty, please fill it before call find_best.")
            else:
                arch = self.arch(best_index)
                print(
                    f"  the best architecture : [{best_index}] {arch} with accuracy={accuracy:.3f}%"
                )
        return best_index, accuracy

    def get_net_param(self, index: int, dataset: str, seed: int | None, hp: str = "12") -> Any:
        """Not offered: the ``-simple`` archives hold no weights.

        Raises:
            NotOfferedError: Always (after the official argument checks).
        """
        self._say(
            f"{time_string()} Call the get_net_param function with index={index}, "
            f"dataset={dataset}, seed={seed}, hp={hp}"
        )
        return self.query_meta_info_by_index(index, hp).get_net_param(dataset, seed)

    def get_net_config(self, index: int, dataset: str) -> dict[str, Any]:
        """The model-builder config of the architecture's first trial on ``dataset``.

        Raises:
            OutOfDomainError: Not evaluated.
            NotInDatabaseError: No results on ``dataset``.
        """
        self._say(
            f"{time_string()} Call the get_net_config function with index={index}, "
            f"dataset={dataset}."
        )
        self._prepare_info(index)
        if index not in self.evaluated_indexes:
            raise OutOfDomainError(f"The arch_index={index} is not in arch2infos_dict.")
        config: dict[str, Any] = self._api.get_net_config(index, dataset)
        return config

    def get_cost_info(self, index: int, dataset: str, hp: Any = "12") -> dict[str, Any]:
        """flops, params (``np.float64``), latency (``np.float64``) and mean ``T-*`` times.

        Raises:
            OutOfDomainError: Not evaluated, or no such hp.
            NotInDatabaseError: No results on ``dataset``.
        """
        self._say(
            f"{time_string()} Call the get_cost_info function with index={index}, "
            f"dataset={dataset}, and hp={hp}."
        )
        self._prepare_info(index)
        self._meta_check(index, hp)
        return typed_costs(self._api.get_cost_info(index, dataset, str(hp)))

    def get_latency(self, index: int, dataset: str, hp: Any = "12") -> Any:
        """Mean latency in seconds (batch 256), ``np.float64`` or None."""
        self._say(
            f"{time_string()} Call the get_latency function with index={index}, "
            f"dataset={dataset}, and hp={hp}."
        )
        return self.get_cost_info(index, dataset, hp)["latency"]

    def _show(self, index: int, print_information: PrintInformation) -> None:
        if index < 0:  # every architecture (the official loop reads index -1: KeyError)
            print(self)
            evaluated = sorted(self.evaluated_indexes)
            for i, idx in enumerate(evaluated):
                print(
                    "\n" + "-" * 10 + f" The ({i:5d}/{len(evaluated):5d}) {idx:06d}-th "
                    "architecture! " + "-" * 10
                )
                print(f"arch : {self.meta_archs[idx]}")
                for result in self.arch2infos_dict[index].values():
                    self._print_result(result, print_information)
                print("<" * 40 + "------------" + "<" * 40)
        elif 0 <= index < len(self.meta_archs):
            if index not in self.evaluated_indexes:
                self._prepare_info(index)
            if index not in self.evaluated_indexes:
                print(f"The {index}-th architecture has not been evaluated or not saved.")
            else:
                for result in self.arch2infos_dict[index].values():
                    self._print_result(result, print_information)
                print("<" * 40 + "------------" + "<" * 40)
        else:
            print(f"This index ({index}) is out of range (0~{len(self.meta_archs)}).")

    @staticmethod
    def _print_result(result: ArchResults, print_information: PrintInformation) -> None:
        strings = print_information(result)
        print(">" * 40 + f" {result.get_total_epoch():03d} epochs " + ">" * 40)
        print("\n".join(strings))

    def statistics(self, dataset: str, hp: Any) -> dict[int, int]:
        """``{number of trials: number of evaluated architectures}`` for ``dataset``/``hp``.

        Raises:
            OutOfDomainError: Unknown dataset.
        """
        self._say(f"Call the statistics function with dataset={dataset} and hp={hp}.")
        if dataset not in _DATASETS:
            raise OutOfDomainError(f"{dataset} not in {_DATASETS}")
        among = None
        if len(self.evaluated_indexes) != len(self._with_results):
            among = set(self.evaluated_indexes)
        counts: dict[int, int] = self._api.statistics(dataset, str(hp), among=among)
        return counts
