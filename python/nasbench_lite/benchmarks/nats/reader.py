"""The official NATS-Bench API (``nats_bench.create``) on a database built by ``build nats``.

Port existing code by changing the import and the path::

    from nasbench_lite import nats                      # was: from nats_bench import create
    api = nats.create("nats-tss.sqlite", "tss")         #      api = create(path, 'tss', ...)
    info = api.get_more_info(1234, "cifar100", hp="200", is_random=False)

Every method returns the same structures and values as ``nats_bench`` 1.8 on the same files
(see tests/test_nats_api.py, which compares the two). Deliberate differences, documented in the
README:

* ``is_random=True`` draws from this object's ``random.Random(random_state)``, never the global
  ``random`` module (same draws as the official API after ``random.seed(random_state)``);
* where the official API crashes or answers wrongly, a typed error is raised instead: an
  architecture without results in the database (:class:`NotInDatabaseError`, a ``KeyError``),
  an unknown architecture string (:class:`OutOfDomainError`, a ``ValueError``; the official
  ``get_unique_str`` silently answers for the last architecture), a dataset or hp the
  architecture lacks (:class:`NotInDatabaseError`), an ``iepoch`` outside the run
  (:class:`OutOfDomainError`);
* ``find_best`` is one SQL query over every architecture with results (the official fast mode
  loads every file); architectures whose trials lack the compared value are skipped where the
  official API raises; ``statistics`` likewise counts every architecture with results;
* the size-space ``get_more_info`` returns ``None`` per-time values when a file has no times
  (the official one divides ``None`` and raises ``TypeError``);
* nothing is printed (``verbose`` is accepted and ignored); weights (``get_net_param``) and
  ``reload`` are not provided: the database holds results, not weights. The ``ArchResults``
  level is :meth:`arch_results` (an :class:`~nasbench_lite.benchmarks.nats.records.ArchRecord`).

Repeated calls are answered from a bounded per-object LRU cache (``cache_size`` entries of one
(architecture, hp, dataset) each: the trials' scalars, their decoded curves once a mid-run
epoch is read, and the computed answers), so a search revisiting architectures pays about a
dictionary lookup, as the official API does once it holds a file in memory; every call returns
a fresh dict. ``cache_size=0`` reads the database on every call (one statement each,
answered in one pass by :mod:`nasbench_lite.benchmarks.nats.uncached`; such a reader keeps
the database's group index in memory, 4 bytes per (arch, hp, dataset), read when it opens).
See ``cache_info()``.

Every drawing method takes ``rng=``: another generator to draw from instead of this object's
(``rng=random`` gives the official global-``random`` sequence; see ``nasbench_lite.compat``).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Literal, overload

from nasbench_lite._core.arguments import raise_checked
from nasbench_lite.benchmarks.nats.cache import DEFAULT_CACHE_SIZE, LRUCache, check_cache_size
from nasbench_lite.benchmarks.nats.cached import CachedTrialsReader
from nasbench_lite.benchmarks.nats.layout import check_iepoch, check_limit, config_from_json
from nasbench_lite.benchmarks.nats.records import ArchRecord, Chooser, arch_hps, load_arch_record
from nasbench_lite.benchmarks.nats.results import remap_dataset_set_names
from nasbench_lite.benchmarks.nats.summaries import best_in_summaries, trial_counts
from nasbench_lite.benchmarks.nats.trial_rows import Trials, load_group_index
from nasbench_lite.benchmarks.nats.uncached import (
    uncached_costs,
    uncached_info,
    uncached_simulate,
)
from nasbench_lite.errors import (
    CorruptDatabaseError,
    IndexOutOfRangeError,
    InvalidInputError,
    NasbenchLiteError,
    NotInDatabaseError,
    OutOfDomainError,
)
from nasbench_lite.spaces.nb201.arch import str2lists as _str2lists
from nasbench_lite.spaces.nb201.arch import str2matrix as _str2matrix

if TYPE_CHECKING:
    import pyarrow as pa

# NumPy (curves at a given epoch) and pyarrow (bulk) are imported only when used.

__all__ = ["NATSsize", "NATStopology", "create", "remap_dataset_set_names"]

SPACE_NAMES = {"tss": "tss", "topology": "tss", "sss": "sss", "size": "sss"}
_OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
#: ``simulate_train_eval``'s datasets (the official names).
_SIMULATE_DATASETS = ("cifar10", "cifar100", "ImageNet16-120")


#: SQLite page cache of a reader's connection, KiB (see ``__init__``).
_PAGE_CACHE_KIB = 4096


class _NATSBase(CachedTrialsReader):
    """Shared implementation of :class:`NATStopology` and :class:`NATSsize` (the trials they
    answer from are read and cached by :class:`CachedTrialsReader`)."""

    KIND = "nats"
    _space = ""
    _full_train_epochs = 0

    def __init__(
        self,
        path: str | os.PathLike[str],
        fast_mode: bool = False,
        verbose: bool = False,
        *,
        random_state: int | None = None,
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> None:
        # Validated before the database is opened, so a bad value leaks no handle.
        self._cache_size = check_cache_size(cache_size)
        super().__init__(path, random_state=random_state)
        self._fast_mode = fast_mode
        self.verbose = verbose
        self.filename = os.path.basename(os.fspath(path))
        self._used_time: float = 0
        self._opened()

    # A copy (pickle: a worker process; copy.deepcopy) opens the file again and carries the
    # flags, the file name, the cache size, used_time and the generator's state; the trial
    # cache (empty, counters at 0), the group index and the lookups are its own.
    _COPYABLE = True
    _OPENED = CachedTrialsReader._OPENED | {"_uncached", "_total", "_meta_archs", "_lookup"}

    def _opened(self) -> None:
        """The per-open state (:attr:`_OPENED`): by the constructor, and for a copy.

        Raises:
            InvalidInputError: The file holds the other space (closed first).
        """
        if self._db.meta.get("space") != self._space:
            space = self._db.meta.get("space")
            self._db.close()
            raise InvalidInputError(f"{self._db.path}: holds the {space} space, not {self._space}")
        self._cache: LRUCache[tuple[int, str, str], Trials] = LRUCache(self._cache_size, self._lock)
        # A 4 MiB page cache, not the 64 MiB default: NATS calls read scattered pages, never
        # the same leaf twice in a row (the Trials LRU is the cache that pays), and every
        # page a fresh cache adds is new heap memory the kernel must fault in and zero: an
        # uncached mid-run sss call cost ~50 us CPU through its first 2,000 calls with 64 MiB
        # against ~31 us with 4 MiB (its steady state either way). 4 MiB still holds every
        # interior page of the whole-space databases (sss ~3.5 MB, tss ~1 MB).
        self._db.connection.execute(f"PRAGMA cache_size = -{_PAGE_CACHE_KIB}").fetchall()
        # Without a trial cache every mid-run call reads its group's curves through the group
        # index (sql/nats.sql: curve_index), read once, here: 4 bytes per group (~2 MB for the
        # size space) in memory, where SQLite's page cache would have to hold ~6 MB of a
        # table to find them without a page read.
        cache_size = self._cache_size
        self._uncached = not cache_size
        self._groups = None if cache_size else load_group_index(self._db)
        self._mid_plans = {}
        # An uncached reader's calls are point lookups, one statement each: they run on a
        # connection of their own with one cursor kept and no SQLite mutex
        # (Database.point_query: ~2 us of a ~15 us call), the same page cache size.
        self._point = self._db.query if cache_size else self._db.point_query(_PAGE_CACHE_KIB)
        self._total = int(self._db.meta["total_archs"])
        self._meta_archs: list[str] | None = None
        self._lookup: dict[str, int] | None = None

    # --------------------------------------------------------------- basics
    def __len__(self) -> int:
        return self._total

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self._db.meta['archs_with_results']}/{self._total} "
            f"architectures, fast_mode={self._fast_mode}, file={self.filename})"
        )

    def close(self) -> None:
        """Closes the database (idempotent) and empties the trial cache."""
        self._cache.clear()
        self._db.close()

    def cache_info(self) -> dict[str, int]:
        """The trial cache: ``{'size', 'maxsize', 'hits', 'misses'}`` (see ``cache_size``)."""
        return self._cache.info()

    def clear_cache(self) -> None:
        """Empties the trial cache (answers stay the same; the next calls read the DB)."""
        self._cache.clear()

    @property
    def meta_archs(self) -> list[str]:
        """Every architecture string in official index order (loaded on first use)."""
        if self._meta_archs is None:
            rows = self._db.query("SELECT arch_str FROM archs ORDER BY arch_index")
            self._meta_archs = [r[0] for r in rows]
        return list(self._meta_archs)

    def _arch_lookup(self) -> dict[str, int]:
        if self._lookup is None:
            self._lookup = {a: i for i, a in enumerate(self.meta_archs)}
        return self._lookup

    def query_many(
        self,
        archs: Any,
        dataset: str,
        hp: str | int = "12",
        is_random: bool | int | str = "mean",
        iepoch: int | None = None,
    ) -> pa.Table:
        """``get_more_info`` plus costs for many architectures as one ``pyarrow.Table``.

        See :func:`nasbench_lite.benchmarks.nats.bulk.query_many` (``archs=None`` = every
        architecture with results; ``is_random`` = ``'mean'``, ``'random'`` or a seed).
        """
        from nasbench_lite.benchmarks.nats.bulk import query_many

        return query_many(self, archs, dataset, hp, is_random, iepoch)

    @property
    def evaluated_indexes(self) -> set[int]:
        """Indexes of the architectures with results in this database."""
        return {r[0] for r in self._db.query("SELECT arch_index FROM archs WHERE has_results")}

    @property
    def avaliable_hps(self) -> list[str]:  # (sic) the official spelling
        """The hp settings with results (official name, spelling kept)."""
        return [r[0] for r in self._db.query("SELECT DISTINCT hp FROM arch_hps ORDER BY hp")]

    @property
    def used_time(self) -> float:
        """Simulated seconds accumulated by :meth:`simulate_train_eval`."""
        return self._used_time

    def reset_time(self) -> None:
        """Sets :attr:`used_time` back to 0."""
        self._used_time = 0

    @property
    def search_space_name(self) -> str:
        return "topology" if self._space == "tss" else "size"

    @property
    def fast_mode(self) -> bool:
        return self._fast_mode

    @property
    def archive_dir(self) -> None:
        return None

    @property
    def full_train_epochs(self) -> int:
        return self._full_train_epochs

    @property
    def full_epochs_in_paper(self) -> int:
        return self._full_train_epochs

    @property
    def is_topology(self) -> bool:
        return self._space == "tss"

    @property
    def is_size(self) -> bool:
        return self._space == "sss"

    def __getitem__(self, index: int) -> str:
        if isinstance(index, bool) or not isinstance(index, int):
            raise InvalidInputError(
                f"architecture index must be an int, got {type(index).__name__}"
            )
        if index < 0:
            index += self._total
        if not 0 <= index < self._total:
            raise IndexOutOfRangeError(f"architecture index out of range (0..{self._total - 1})")
        rows = self._db.query("SELECT arch_str FROM archs WHERE arch_index = ?", (index,))
        if not rows:
            # Every index in range has a row as built: a missing one is a damaged table.
            raise CorruptDatabaseError(
                f"{self._db.path}: architecture {index} has no row in archs (a damaged "
                "database: `nasbench-lite verify` checks every page)",
                self._db.path,
            )
        return str(rows[0][0])

    def arch(self, index: int) -> str:
        """The architecture string of official index ``index``.

        Raises:
            OutOfDomainError: ``index`` outside ``[0, len)``.
        """
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < self._total:
            raise OutOfDomainError(f"invalid index : {index} vs. {self._total}.")
        return self[index]

    def random(self, rng: Chooser | None = None) -> int:
        """A random architecture index drawn from ``rng`` (default: this object's RNG)."""
        with self._lock:
            return (self._rng if rng is None else rng).randint(0, self._total - 1)

    def arch_hps(self, index: Any) -> list[str]:
        """The hp settings architecture ``index`` has results for, in file order."""
        return arch_hps(self._db, self._index(index))

    def arch_results(self, index: Any, hp: str | int = "12") -> ArchRecord:
        """Every trial of one architecture and hp (the official ``ArchResults`` level).

        Raises:
            OutOfDomainError: Unknown architecture.
            NotInDatabaseError: No results for that architecture and hp.
        """
        index = self._index(index)
        return load_arch_record(self._db, index, self[index], str(hp), self._rng)

    def query_index_by_arch(self, arch: Any) -> int:
        """Official index of an arch string / index / object with ``tostr()``; -1 if unknown.

        Raises:
            OutOfDomainError: An int outside ``[0, len)`` (as the official ``ValueError``).
        """
        return self._index_of(arch)

    def _index_of(self, arch: Any) -> int:
        """:meth:`query_index_by_arch` without the argument-checking wrapper (internal calls)."""
        if isinstance(arch, int):
            if 0 <= arch < self._total:
                return int(arch)
            raise OutOfDomainError(f"Invalid architecture index {arch} vs [0, {self._total}].")
        if not isinstance(arch, str):
            if not hasattr(arch, "tostr"):
                return -1
            arch = arch.tostr()
        # (`= +?`: no STAT4 re-planning per call, see results.py; 18 -> 7 us measured.)
        rows = self._db.query("SELECT arch_index FROM archs WHERE arch_str = +?", (arch,))
        return int(rows[0][0]) if rows else -1

    def _index(self, arch: Any) -> int:
        # (An in-range int is the common case: answered without a call. A bool is an int
        # subclass and takes the general path, which reads it as an int as before.)
        if type(arch) is int and 0 <= arch < self._total:
            return arch
        index = self._index_of(arch)
        if index < 0:
            raise OutOfDomainError(f"{arch!r} is not an architecture of the {self._space} space")
        return index

    @staticmethod
    def str2lists(arch_str: str) -> list[tuple[tuple[str, int], ...]]:
        """The official ``str2lists``: per node, its ``(op, input node)`` pairs."""
        return _str2lists(arch_str)

    @staticmethod
    def str2matrix(arch_str: str, search_space: tuple[str, ...] = _OPS) -> Any:
        """The official ``str2matrix`` (see :func:`nasbench_lite.spaces.nb201.arch.str2matrix`)."""
        return _str2matrix(arch_str, search_space)

    # ------------------------------------------------------------- results
    def get_more_info(
        self,
        index: Any,
        dataset: str,
        iepoch: int | None = None,
        hp: str | int = "12",
        is_random: bool | int = True,
        *,
        rng: Chooser | None = None,
    ) -> dict[str, Any]:
        """The official ``get_more_info``: train/valid/test/valtest loss, accuracy and times.

        Args:
            index: Architecture index, string, or object with ``tostr()``.
            dataset: ``'cifar10-valid'``, ``'cifar10'``, ``'cifar100'`` or ``'ImageNet16-120'``.
            iepoch: Epoch (0-based) to read; None = the last one.
            hp: ``'12'``/``'200'`` (tss) or ``'01'``/``'12'``/``'90'`` (sss).
            is_random: True = one trial drawn (``choice`` of the seeds) from ``rng``, default
                this object's RNG; False = mean over the trials; an int = that seed's trial.
            rng: Generator for ``is_random=True`` (``random`` = the global one).

        Returns:
            The official dict (``train-loss``, ``train-accuracy``, ``train-per-time``,
            ``train-all-time``, ``comment`` for CIFAR-10, then ``valid-*``, ``test-*``,
            ``valtest-*`` for the sets the dataset has at that epoch).

        Raises:
            OutOfDomainError: Unknown architecture/dataset, bad ``iepoch`` or seed.
            NotInDatabaseError: The architecture has no such results in this database.
        """
        # The hot path of a search loop: ReaderBase's argument check would wrap it in one more
        # Python call (~0.4 us); it translates its failures itself (raise_checked, below).
        try:
            i = index if type(index) is int and 0 <= index < self._total else self._index(index)
            h = hp if type(hp) is str else str(hp)
            if iepoch is not None:
                check_iepoch(iepoch)
            if self._uncached:  # (the common uncached cases in one pass)
                info = uncached_info(self, i, dataset, iepoch, h, is_random, rng)
                if info is not None:
                    return info
            trials = self._info_trials(i, dataset, h, iepoch)
            return self._info(i, dataset, iepoch, h, is_random, trials, rng)
        except Exception as exc:  # noqa: BLE001 - translated exactly as checked() would
            if isinstance(exc, NasbenchLiteError) and not getattr(exc, "_from_checked", False):
                raise  # (what checked() does with our own errors)
            raise_checked(
                _NATSBase.get_more_info, exc, self, index, dataset, iepoch, hp, is_random, rng=rng
            )

    def get_cost_info(self, index: Any, dataset: str, hp: str | int = "12") -> dict[str, Any]:
        """The official ``get_cost_info``: flops, params, latency and mean train/eval times.

        Raises:
            OutOfDomainError: Unknown architecture or dataset.
            NotInDatabaseError: No such results, or costs the official API cannot compute.
        """
        try:  # (translates its failures itself, as get_more_info)
            costs = self._cost_answer(index, dataset, hp)
            # (a cached answer is shared with the cache: the caller gets its own dict)
            return costs if self._uncached else dict(costs)
        except Exception as exc:  # noqa: BLE001 - translated exactly as checked() would
            if isinstance(exc, NasbenchLiteError) and not getattr(exc, "_from_checked", False):
                raise
            raise_checked(_NATSBase.get_cost_info, exc, self, index, dataset, hp)

    def get_latency(self, index: Any, dataset: str, hp: str | int = "12") -> float | None:
        """Mean latency in seconds (batch 256) over the trials, None when unknown."""
        try:  # (translates its failures itself, as get_more_info)
            latency: float | None = self._cost_answer(index, dataset, hp)["latency"]
            return latency
        except Exception as exc:  # noqa: BLE001 - translated exactly as checked() would
            if isinstance(exc, NasbenchLiteError) and not getattr(exc, "_from_checked", False):
                raise
            raise_checked(_NATSBase.get_latency, exc, self, index, dataset, hp)

    def _cost_answer(self, index: Any, dataset: str, hp: str | int) -> dict[str, Any]:
        """The costs dict of ``get_cost_info``, not copied (the cache's own when cached)."""
        if type(index) is not int or not 0 <= index < self._total:
            index = self._index(index)
        if type(hp) is not str:
            hp = str(hp)
        if self._uncached:
            found = uncached_costs(self, index, dataset, hp)
            if found is not None:
                return found
        return self._costs(self._cost_trials(index, dataset, hp))

    def simulate_train_eval(
        self,
        arch: Any,
        dataset: str,
        iepoch: int | None = None,
        hp: str | int = "12",
        account_time: bool = True,
        *,
        rng: Chooser | None = None,
    ) -> tuple[float, float | None, float, float]:
        """The official ``simulate_train_eval``: ``(valid acc, latency, time cost, used_time)``.

        ``dataset`` is ``'cifar10'`` (read from cifar10-valid), ``'cifar100'`` or
        ``'ImageNet16-120'``; one trial is drawn per call from ``rng`` (default: this
        object's RNG), two when the dataset has no valid set at ``iepoch``.

        Raises:
            OutOfDomainError: Another dataset name, unknown architecture.
        """
        # (translates its failures itself, as get_more_info)
        try:
            i = arch if type(arch) is int and 0 <= arch < self._total else self._index(arch)
            if dataset not in _SIMULATE_DATASETS:
                raise OutOfDomainError(f"Invalid dataset name : {dataset} vs {_SIMULATE_DATASETS}")
            h = hp if type(hp) is str else str(hp)
            if iepoch is not None:
                check_iepoch(iepoch)
            source = "cifar10-valid" if dataset == "cifar10" else dataset
            if self._uncached:  # (the last epoch of an uncached reader in one pass)
                found = uncached_simulate(self, i, dataset, source, iepoch, h, rng)
                if found is not None:
                    valid_acc, latency, time_cost = found
                    with self._lock:
                        if account_time:
                            self._used_time += time_cost
                        return valid_acc, latency, time_cost, self._used_time
            # Same calls and RNG draws as the official method; trials are read once per dataset
            # (cifar10: both datasets in one statement when neither is cached).
            if dataset != source:
                trials, latency_trials = self._trial_pair(i, source, dataset, h, iepoch)
            else:
                trials = latency_trials = self._trials(i, source, h, iepoch)
            info = self._info(i, source, iepoch, h, True, trials, rng)
            trials = self._load(i, dataset, h, None) if latency_trials is None else latency_trials
            if "valid-accuracy" in info:
                valid_acc = info["valid-accuracy"]
                time_cost = info["train-all-time"] + info["valid-per-time"]
            else:
                valid_acc = info["valtest-accuracy"]
                temp = self._info(i, dataset, None, h, True, trials, rng)
                time_cost = info["train-all-time"] + temp["valid-per-time"]
            latency = self._costs(trials)["latency"]
            with self._lock:
                if account_time:
                    self._used_time += time_cost
                return valid_acc, latency, time_cost, self._used_time
        except Exception as exc:  # noqa: BLE001 - translated exactly as checked() would
            if isinstance(exc, NasbenchLiteError) and not getattr(exc, "_from_checked", False):
                raise
            raise_checked(
                _NATSBase.simulate_train_eval,
                exc,
                self,
                arch,
                dataset,
                iepoch,
                hp,
                account_time,
                rng=rng,
            )

    def find_best(
        self,
        dataset: str,
        metric_on_set: str,
        flop_max: float | None = None,
        param_max: float | None = None,
        hp: str | int = "12",
        enforce_all: bool | None = None,
        *,
        FLOP_max: float | None = None,  # noqa: N803 -- NAS-Bench-201 keyword names
        Param_max: float | None = None,  # noqa: N803
        among: set[int] | None = None,
    ) -> tuple[int, float | None]:
        """Index and mean accuracy of the best architecture under FLOP/parameter limits.

        One SQL query over the build-time ``summaries`` (official ``get_metrics`` mean at the
        last epoch, official ``get_compute_costs``); ties go to the smallest index, as in the
        official loop. ``enforce_all`` is accepted and ignored (every architecture with results
        is searched, or only those in ``among``).

        Returns:
            ``(index, accuracy)``, or ``(-1, None)`` when nothing qualifies.

        Raises:
            OutOfDomainError: Unknown dataset or set name.
        """
        del enforce_all
        flop_max = FLOP_max if flop_max is None else flop_max
        check_limit(flop_max, "flop_max")
        check_limit(param_max, "param_max")
        param_max = Param_max if param_max is None else param_max
        return best_in_summaries(self._db, dataset, metric_on_set, flop_max, param_max, hp, among)

    def statistics(
        self, dataset: str, hp: str | int, *, among: set[int] | None = None
    ) -> dict[int, int]:
        """``{number of trials: number of architectures}`` for ``dataset`` and ``hp``.

        Counts every architecture with results, or only those in ``among``.

        Raises:
            OutOfDomainError: Unknown dataset.
        """
        return trial_counts(self._db, dataset, str(hp), among)

    def get_net_config(self, index: int, dataset: str) -> dict[str, Any]:
        """The official ``get_net_config``: the model-builder config of the first trial.

        Raises:
            NotInDatabaseError: No results for the architecture or dataset.
        """
        index = self._index(index)
        rows = self._db.query(
            "SELECT c.config, a.arch_str FROM runs r JOIN arch_hps h USING (arch_index, hp)"
            " JOIN archs a USING (arch_index)"
            " LEFT JOIN configs c USING (config_id) WHERE r.arch_index = +? AND r.dataset = +?"
            " ORDER BY h.hp_order, r.seed_order LIMIT 1",
            (index, dataset),
        )
        if not rows or rows[0][0] is None:
            raise NotInDatabaseError(f"architecture {index} has no {dataset} configuration")
        config = config_from_json(rows[0][0], rows[0][1])
        if config.get("name") == "infer.shape.tiny":
            return {
                "name": "infer.shape.tiny",
                "channels": config["channels"],
                "genotype": config["genotype"],
                "num_classes": config["class_num"],
            }
        return {
            "name": "infer.tiny",
            "C": config["channel"],
            "N": config["num_cells"],
            "arch_str": config["arch_str"],
            "num_classes": config["class_num"],
        }


# The hot methods translate their own argument errors (see get_more_info): undo ReaderBase's
# wrapper, one Python call per call each.
for _name in ("get_more_info", "get_cost_info", "get_latency", "simulate_train_eval"):
    _method = vars(_NATSBase)[_name]
    setattr(_NATSBase, _name, getattr(_method, "__wrapped__", _method))
del _name, _method


class NATStopology(_NATSBase):
    """The topology space (tss, = NAS-Bench-201): 15,625 cells, hp ``'12'``/``'200'``."""

    _space = "tss"
    _full_train_epochs = 200

    def get_unique_str(self, arch: Any) -> str:
        """The official isomorphism-canonical string of an architecture.

        Raises:
            OutOfDomainError: Unknown architecture (the official API answers for the last one).
        """
        index = self._index(arch)
        rows = self._db.query("SELECT unique_str FROM archs WHERE arch_index = ?", (index,))
        return str(rows[0][0])


class NATSsize(_NATSBase):
    """The size space (sss): 32,768 channel configurations, hp ``'01'``/``'12'``/``'90'``."""

    _space = "sss"
    _full_train_epochs = 90


@overload
def create(
    path: str | os.PathLike[str],
    search_space: Literal["tss", "topology"],
    fast_mode: bool = False,
    verbose: bool = False,
    *,
    random_state: int | None = None,
    cache_size: int = DEFAULT_CACHE_SIZE,
) -> NATStopology: ...


@overload
def create(
    path: str | os.PathLike[str],
    search_space: Literal["sss", "size"],
    fast_mode: bool = False,
    verbose: bool = False,
    *,
    random_state: int | None = None,
    cache_size: int = DEFAULT_CACHE_SIZE,
) -> NATSsize: ...


@overload
def create(
    path: str | os.PathLike[str],
    search_space: str,
    fast_mode: bool = False,
    verbose: bool = False,
    *,
    random_state: int | None = None,
    cache_size: int = DEFAULT_CACHE_SIZE,
) -> NATStopology | NATSsize: ...


def create(
    path: str | os.PathLike[str],
    search_space: str,
    fast_mode: bool = False,
    verbose: bool = False,
    *,
    random_state: int | None = None,
    cache_size: int = DEFAULT_CACHE_SIZE,
) -> NATStopology | NATSsize:
    """Opens a NATS-Bench database like the official ``nats_bench.create``.

    The return type follows the space literal for type checkers: ``'tss'``/``'topology'`` give
    :class:`NATStopology`, ``'sss'``/``'size'`` give :class:`NATSsize`.

    Args:
        path: A database built by ``nasbench-lite build nats``.
        search_space: ``'tss'``/``'topology'`` or ``'sss'``/``'size'``.
        fast_mode: Accepted for compatibility (every query reads only what it needs).
        verbose: Accepted for compatibility (nothing is printed).
        random_state: Seed of this object's RNG (``is_random=True``, ``random()``).
        cache_size: Most ``(architecture, hp, dataset)`` entries of decoded trials kept in
            this object's LRU cache (0: none; every call then reads the database).

    Raises:
        InvalidInputError: ``path`` is not a path (e.g. None, which the official API reads as
            "the default location": use ``nasbench_lite.compat.nats_bench.create`` for that),
            or the database holds the other space.
        OutOfDomainError: Unknown search space name.
        DatabaseError: Not a NATS-Bench database.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidInputError(
            f"create(): parameter 'path' must be the path (str or os.PathLike) of a database "
            f"built by `nasbench-lite build nats`, not {type(path).__name__}; for the official "
            "default location ($TORCH_HOME) use nasbench_lite.compat.nats_bench.create(None, ...)"
        )
    space = SPACE_NAMES.get(search_space) if isinstance(search_space, str) else None
    if space is None:
        raise OutOfDomainError(f"invalid search space : {search_space!r}")
    cls = NATStopology if space == "tss" else NATSsize
    return cls(path, fast_mode, verbose, random_state=random_state, cache_size=cache_size)
