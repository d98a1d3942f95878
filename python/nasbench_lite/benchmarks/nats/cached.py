"""The trial layer under the NATS-Bench API: trials per (architecture, hp, dataset).

:class:`CachedTrialsReader` reads an architecture's trials (one statement each, see
:mod:`nasbench_lite.benchmarks.nats.trial_rows`) through the reader's bounded LRU cache, and
answers from them with the ``get_more_info`` dicts and costs memoised on each cache entry. The
official methods built on it are in :mod:`nasbench_lite.benchmarks.nats.reader`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nasbench_lite._core.reader import ReaderBase
from nasbench_lite.benchmarks.nats.cache import LRUCache
from nasbench_lite.benchmarks.nats.costs import COST_FIELDS, trial_costs
from nasbench_lite.benchmarks.nats.layout import DATASETS
from nasbench_lite.benchmarks.nats.packing import group_key
from nasbench_lite.benchmarks.nats.records import Chooser
from nasbench_lite.benchmarks.nats.results import FINAL_INFO_FIELDS, more_info
from nasbench_lite.benchmarks.nats.trial_rows import (
    MEMO_LIMIT,
    GroupIndex,
    Trials,
    load_group_trials,
    load_mid_run_trials,
    load_slim_trials,
    load_trial_pair,
    load_trials,
)
from nasbench_lite.errors import NotInDatabaseError, OutOfDomainError

if TYPE_CHECKING:
    from nasbench_lite._core.database import Bindings
    from nasbench_lite.benchmarks.nats.uncached import MidRunPlan

__all__ = ["CachedTrialsReader"]


def _mid_run(iepoch: int | None, hp: str) -> bool:
    """Whether ``iepoch`` is a mid-run epoch, which needs the curves blobs (fetched with the
    trials, in one statement; hp names are epoch counts, so the last epoch is answered from
    the final scalars)."""
    return iepoch is not None and str(iepoch + 1).zfill(len(hp)) != hp


class CachedTrialsReader(ReaderBase):
    """Trials read through the LRU cache, and the answers computed from them.

    The base of the NATS-Bench readers, which create :attr:`_cache` and set :attr:`_total`
    once the database opens (``_opened``); every method here is internal.
    """

    #: Made per open (a copy makes its own, empty): the trial cache and the lookups below.
    _OPENED = ReaderBase._OPENED | {"_cache", "_groups", "_point", "_mid_plans"}

    _cache: LRUCache[tuple[int, str, str], Trials]
    _total: int
    #: The group index (``trial_rows.load_group_index``; set by the reader when it has no
    #: cache, None otherwise): uncached mid-run calls read through it.
    _groups: GroupIndex | None
    #: The statement runner of the uncached fast paths (``uncached.py``): the handle's
    #: ``query``, or an uncached reader's ``Database.point_query``.
    _point: Callable[[str, Bindings], list[Any]]
    #: ``uncached.mid_run_plan`` per (shape id, dataset), filled on first use.
    _mid_plans: dict[tuple[int, str], MidRunPlan]

    def _trials(self, index: int, dataset: str, hp: str, iepoch: int | None = None) -> Trials:
        trials = self._cache.get((index, hp, dataset))
        if trials is not None:
            return trials
        return self._load(index, dataset, hp, iepoch)

    def _load(self, index: int, dataset: str, hp: str, iepoch: int | None) -> Trials:
        """:meth:`_trials` read from the database (and cached).

        Raises:
            OutOfDomainError: Unknown dataset.
            NotInDatabaseError: No such results.
        """
        trials = load_trials(self._db, index, dataset, hp, curves=_mid_run(iepoch, hp))
        if trials is not None:
            return self._cache.put((index, hp, dataset), trials)
        if dataset not in DATASETS:
            raise OutOfDomainError(f"unknown dataset {dataset!r} (datasets: {list(DATASETS)})")
        hps = [
            r[0] for r in self._db.query("SELECT hp FROM arch_hps WHERE arch_index = +?", (index,))
        ]
        if not hps:
            raise NotInDatabaseError(
                f"architecture {index} has no results in this database (built from "
                f"{self._db.meta['archs_with_results']} of {self._total} architectures)"
            )
        if hp not in hps:
            raise NotInDatabaseError(f"architecture {index} has no hp={hp!r} results (has {hps})")
        raise NotInDatabaseError(f"architecture {index} has no {dataset} results for hp={hp!r}")

    def _trial_pair(
        self, index: int, first: str, second: str, hp: str, iepoch: int | None
    ) -> tuple[Trials, Trials | None]:
        """:meth:`_trials` of two datasets, read in one statement when neither is cached.

        Returns:
            ``first``'s trials, and ``second``'s or None when it has none (the caller raises
            its error through :meth:`_trials` where the official method would).
        """
        one = self._cache.get((index, hp, first))
        two = self._cache.get((index, hp, second))
        if one is None and two is None:
            loaded = load_trial_pair(
                self._db, index, hp, first, second, curves=_mid_run(iepoch, hp)
            )
            if loaded[1] is not None:
                two = self._cache.put((index, hp, second), loaded[1])
            if loaded[0] is not None:
                one = self._cache.put((index, hp, first), loaded[0])
        if one is None:
            one = self._load(index, first, hp, iepoch)
        return one, two

    def _info_trials(self, index: int, dataset: str, hp: str, iepoch: int | None) -> Trials:
        """:meth:`_trials` for ``get_more_info`` at ``iepoch``. Uncached, the trials with only
        what the call reads (smaller statements, never cached): mid-run, the blobs and no
        final scalars; at the last epoch, the dataset's final sets only."""
        trials = self._cache.get((index, hp, dataset))
        if trials is not None:
            return trials
        if not self._cache.maxsize:
            if _mid_run(iepoch, hp):
                groups = self._groups
                key = None if groups is None else group_key(index, hp, dataset)
                trials = None
                if groups is not None and key is not None:
                    trials = load_group_trials(self._db, key, groups)
                if trials is None:
                    trials = load_mid_run_trials(self._db, index, dataset, hp)
                # (a run whose last epoch is iepoch after all is answered from the finals)
                if trials is not None and trials.last_epoch != iepoch:
                    return trials
            else:
                fields = FINAL_INFO_FIELDS.get(dataset)
                if fields is not None:
                    trials = load_slim_trials(self._db, index, dataset, hp, fields, compact=True)
                    # (compact rows answer the last epoch only; runs of another length, which
                    # iepoch would read mid-run, take the full rows)
                    if trials is not None and (iepoch is None or trials.last_epoch == iepoch):
                        return trials
        return self._load(index, dataset, hp, iepoch)

    def _cost_trials(self, index: int, dataset: str, hp: str) -> Trials:
        """:meth:`_trials` for ``get_cost_info`` / ``get_latency``; uncached, the trials with
        only the scalars the costs read (never cached)."""
        trials = self._cache.get((index, hp, dataset))
        if trials is not None:
            return trials
        if not self._cache.maxsize:
            trials = load_slim_trials(self._db, index, dataset, hp, COST_FIELDS)
            if trials is not None:
                return trials
        return self._load(index, dataset, hp, None)

    def _info(
        self,
        index: int,
        dataset: str,
        iepoch: int | None,
        hp: str,
        is_random: bool | int,
        trials: Trials,
        rng: Chooser | None,
    ) -> dict[str, Any]:
        if isinstance(is_random, bool) and is_random:
            with self._lock:
                choice: Any = (self._rng if rng is None else rng).choice(trials.seeds)
        elif isinstance(is_random, bool):
            choice = False
        elif isinstance(is_random, int):
            if is_random not in trials.seeds:
                raise OutOfDomainError(
                    f"can not find random seed ({is_random}) from {trials.seeds}"
                )
            choice = is_random
        else:
            raise OutOfDomainError(f"invalid value for is_random: {is_random!r}")
        if not self._cache.maxsize:  # (uncached: a fresh answer, no memo, no copy)
            return more_info(self._db, trials, index, dataset, hp, iepoch, choice)
        # (False == 0 as a dict key: the flag keeps the mean apart from a seed-0 trial.)
        key = (iepoch, choice is False, choice)
        info = trials.infos.get(key)
        if info is None:
            info = more_info(self._db, trials, index, dataset, hp, iepoch, choice)
            if len(trials.infos) < MEMO_LIMIT:
                trials.infos[key] = info
        return dict(info)  # a copy: callers may change theirs

    def _costs(self, trials: Trials) -> dict[str, Any]:
        if trials.costs is None:
            trials.costs = trial_costs(trials)
        return trials.costs
