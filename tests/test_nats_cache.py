"""The per-object trial cache of the NATS API (issue #14): bounded, exact, thread-safe.

Every answer of a cached API (small ``cache_size``, so entries are evicted and read again) is
compared bit for bit with an uncached one (``cache_size=0``: every call reads the database)
and, on the real files, with the official ``nats_bench``. Sources: synthetic archives in the
official layout (tests/nats_fixture.py) and the real files in tests/data/nats.
"""

from __future__ import annotations

import random
import threading
from pathlib import Path
from typing import Any

import nats_bench
import pytest
from nasbench_lite import nats
from nasbench_lite.benchmarks.nats.build import build_nats
from nasbench_lite.benchmarks.nats.cache import LRUCache
from nasbench_lite.errors import InvalidInputError, NotInDatabaseError, OutOfDomainError
from nasbench_lite.spaces.nb201.space import size_strings, topology_strings
from nats_fixture import DATASETS, write_archive
from test_nats_api import HPS, REAL, outcome, real_archive, same

INDEXES = [0, 1, 2, 5, 12]


@pytest.fixture(scope="module", params=["tss", "sss"])
def built(request: Any, tmp_path_factory: Any) -> tuple[str, Path, list[int]]:
    space = request.param
    tmp = tmp_path_factory.mktemp(f"cache-{space}")
    archs = topology_strings() if space == "tss" else size_strings()
    write_archive(tmp / "archive", archs, space, INDEXES, seed=7)
    build_nats(tmp / "archive", tmp / "db.sqlite")
    return space, tmp / "db.sqlite", INDEXES


def call_plan(
    space: str, indexes: list[int], n: int, seed: int
) -> list[tuple[str, tuple[Any, ...]]]:
    """``n`` random calls over every form (repeats included, so entries are hit and evicted)."""
    rng = random.Random(seed)
    plan: list[tuple[str, tuple[Any, ...]]] = []
    for _ in range(n):
        index = rng.choice(indexes)
        hp = rng.choice(HPS[space])
        dataset = rng.choice(DATASETS)
        epochs = int(hp) if space == "sss" or hp == "200" else 12
        iepoch = rng.choice([None, 0, epochs // 2, epochs - 1])
        form = rng.randrange(5)
        if form == 0:
            is_random = rng.choice([False, True, 777, 888, 999, 0])
            plan.append(("get_more_info", (index, dataset, iepoch, hp, is_random)))
        elif form == 1:
            plan.append(("get_cost_info", (index, dataset, hp)))
        elif form == 2:
            plan.append(("get_latency", (index, dataset, hp)))
        elif form == 3:
            plan.append(("simulate_train_eval", (index, rng.choice(DATASETS[1:]), iepoch, hp)))
        else:
            plan.append(("get_more_info", (index, dataset, iepoch, hp, False)))
    return plan


def run_plan(api: Any, plan: list[tuple[str, tuple[Any, ...]]]) -> list[Any]:
    return [outcome(getattr(api, method), *args) for method, args in plan]


def test_lru_cache_is_bounded_and_evicts_least_recently_used() -> None:
    cache: LRUCache[int, str] = LRUCache(3)
    for key in range(3):
        cache.put(key, str(key))
    assert cache.get(0) == "0"  # 0 is now the most recently used
    cache.put(3, "3")  # evicts 1
    assert len(cache) == 3
    assert cache.get(1) is None
    assert [cache.get(k) for k in (0, 2, 3)] == ["0", "2", "3"]
    assert cache.put(3, "other") == "3"  # the stored value wins
    for key in range(100):
        cache.put(key, str(key))
        assert len(cache) <= 3
    assert cache.info() == {"size": 3, "maxsize": 3, "hits": 4, "misses": 1}
    cache.clear()
    assert len(cache) == 0 and cache.get(99) is None


def test_cache_size_zero_keeps_nothing() -> None:
    cache: LRUCache[int, str] = LRUCache(0)
    assert cache.put(1, "1") == "1"
    assert len(cache) == 0 and cache.get(1) is None


@pytest.mark.parametrize("bad", [-1, True, 1.5, "8", None])
def test_bad_cache_size_is_refused(bad: Any, built: tuple[str, Path, list[int]]) -> None:
    space, db, _ = built
    with pytest.raises(InvalidInputError, match="cache_size"):
        LRUCache(bad)
    with pytest.raises(InvalidInputError, match="cache_size"):
        nats.create(db, space, cache_size=bad)


def test_small_cache_answers_equal_uncached_after_evictions(
    built: tuple[str, Path, list[int]],
) -> None:
    space, db, indexes = built
    plan = call_plan(space, indexes, 1500, seed=1)
    uncached = nats.create(db, space, random_state=3, cache_size=0)
    want = run_plan(uncached, plan)
    assert uncached.cache_info()["size"] == 0
    for size in (1, 4, 10_000):
        cached = nats.create(db, space, random_state=3, cache_size=size)
        got = run_plan(cached, plan)
        info = cached.cache_info()
        assert info["size"] <= size and info["hits"] > 0
        if size < 100:
            assert info["misses"] > len(indexes) * len(HPS[space]) * len(DATASETS)  # evictions
        for call, a, b in zip(plan, want, got, strict=True):
            assert same(a, b), (call, a, b)
        assert same(cached.used_time, uncached.used_time)
        cached.close()
    assert sum(isinstance(w, dict) for w in want) > 300  # the plan mostly answers
    uncached.close()


def test_answers_are_copies(built: tuple[str, Path, list[int]]) -> None:
    space, db, indexes = built
    api = nats.create(db, space, random_state=0)
    hp = HPS[space][-1]
    info = api.get_more_info(indexes[0], "cifar100", hp=hp, is_random=False)
    costs = api.get_cost_info(indexes[0], "cifar100", hp=hp)
    reference = (dict(info), dict(costs))
    info["train-accuracy"] = -1.0
    info.clear()
    costs["flops"] = -1.0
    again = api.get_more_info(indexes[0], "cifar100", hp=hp, is_random=False)
    assert same(again, reference[0])
    assert same(api.get_cost_info(indexes[0], "cifar100", hp=hp), reference[1])
    api.close()


def test_errors_are_not_cached(built: tuple[str, Path, list[int]]) -> None:
    space, db, indexes = built
    api = nats.create(db, space, cache_size=4)
    missing = next(i for i in range(100) if i not in indexes)
    for _ in range(3):
        with pytest.raises(NotInDatabaseError):
            api.get_more_info(missing, "cifar10", hp=HPS[space][0])
        with pytest.raises(OutOfDomainError, match="invalid iepoch"):
            api.get_more_info(indexes[0], "cifar10", iepoch=10_000, hp=HPS[space][0])
    assert api.cache_info()["size"] == 1  # only the existing entry


def test_four_threads_share_one_cached_api(built: tuple[str, Path, list[int]]) -> None:
    space, db, indexes = built
    # No is_random=True and no simulate_train_eval: their draws interleave across threads.
    plans = [
        [
            (m, a)
            for m, a in call_plan(space, indexes, 600, seed=10 + t)
            if m != "simulate_train_eval" and not (m == "get_more_info" and a[4] is True)
        ]
        for t in range(4)
    ]
    uncached = nats.create(db, space, cache_size=0)
    wants = [run_plan(uncached, plan) for plan in plans]
    shared = nats.create(db, space, cache_size=3)
    results: list[list[Any] | None] = [None] * 4
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def work(t: int) -> None:
        try:
            barrier.wait()
            results[t] = run_plan(shared, plans[t])
        except BaseException as exc:  # noqa: BLE001 -- reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for plan, want, got in zip(plans, wants, results, strict=True):
        assert got is not None
        for call, a, b in zip(plan, want, got, strict=True):
            assert same(a, b), (call, a, b)
    assert shared.cache_info()["size"] <= 3


@pytest.mark.parametrize("space", ["tss", "sss"])
def test_repeated_calls_equal_official_on_real_files(space: str, tmp_path: Path) -> None:
    archive = real_archive(tmp_path, space)
    build_nats(archive, tmp_path / "db.sqlite")
    official = nats_bench.create(str(archive), space, fast_mode=True, verbose=False)
    ours = nats.create(tmp_path / "db.sqlite", space, cache_size=2)
    index = REAL[space][1]
    checks = 0
    for _ in range(2):  # the second round answers from the cache (and after evictions)
        for hp in HPS[space]:
            for dataset in DATASETS:
                for iepoch in (None, 0, 5):
                    for is_random in (False, 777):
                        want = outcome(
                            official.get_more_info, index, dataset, iepoch, hp, is_random
                        )
                        got = outcome(ours.get_more_info, index, dataset, iepoch, hp, is_random)
                        if isinstance(want, tuple):  # both fail (our errors are typed)
                            assert isinstance(got, tuple), (hp, dataset, iepoch, is_random)
                        else:
                            assert same(want, got), (hp, dataset, iepoch, is_random)
                            checks += 1
                want = outcome(official.get_cost_info, index, dataset, hp)
                assert same(want, outcome(ours.get_cost_info, index, dataset, hp))
    assert checks > 50
    assert ours.cache_info()["hits"] > 0
