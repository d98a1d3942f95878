"""Every reader shared by 4 threads (1,000 queries each) and one file read by 4 processes:
no error, and the same answers as a single-threaded run (one test per kind)."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import kind_dbs
import nasbench_lite
import nasbench_lite.registry
import pytest

THREADS = 4
QUERIES = 1_000


def _keys(kind: str, reader: Any) -> list[Any]:
    """Up to 50 keys that exist in the small database of ``kind``."""
    if kind in ("nb101_space", "nb101"):
        return [r[0] for r in reader._query("SELECT hash FROM cells ORDER BY cell_id LIMIT 50")]
    if kind == "nats_space":
        return list(range(50))
    if kind == "nats":
        return sorted(reader.evaluated_indexes)
    if kind == "nashpobench2":
        return [
            reader.get_key_from_idx(i) for i in range(0, len(reader), max(1, len(reader) // 50))
        ]
    return [r[0] for r in reader._query("SELECT hash FROM nar101")] + [0, 7]


def _ask(kind: str, reader: Any, key: Any) -> Any:
    """One query, answered as plain data."""
    if kind == "nb101_space":
        record = reader.get(key)
        return record["cell_id"], record["flops"]
    if kind == "nb101":
        fixed, computed = reader.get_metrics_from_hash(key)
        return fixed["trainable_parameters"], repr(computed)
    if kind == "nats_space":
        return reader.get(key)["class_index"]
    if kind == "nats":
        return repr(reader.get_more_info(key, "cifar10", hp="12", is_random=False))
    if kind == "nashpobench2":
        return reader.query_by_key(**key, enable_log=False)
    return repr(reader.get(key))


def _serial(kind: str, path: Path) -> list[Any]:
    with nasbench_lite.open(path) as reader:
        keys = _keys(kind, reader)
        return [_ask(kind, reader, keys[i % len(keys)]) for i in range(QUERIES)]


def _process_main(args: tuple[str, str]) -> list[Any]:
    kind, path = args
    return _serial(kind, Path(path))


@pytest.fixture(scope="module")
def dbs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return kind_dbs.build_all(tmp_path_factory.mktemp("concurrency"))


@pytest.mark.parametrize("kind", list(kind_dbs.KINDS))
def test_four_threads_share_one_reader(kind: str, dbs: dict[str, Path]) -> None:
    expected = _serial(kind, dbs[kind])
    with nasbench_lite.open(dbs[kind]) as reader:
        keys = _keys(kind, reader)

        def worker(offset: int) -> list[Any]:
            # Each thread walks the keys from another start, so the calls interleave.
            order = [(i + offset * 7) % QUERIES for i in range(QUERIES)]
            return [(i, _ask(kind, reader, keys[i % len(keys)])) for i in order]

        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(worker, range(THREADS)))
    for result in results:
        assert len(result) == QUERIES
        for i, answer in result:
            assert answer == expected[i]


@pytest.mark.parametrize("kind", list(kind_dbs.KINDS))
def test_four_processes_read_one_file(kind: str, dbs: dict[str, Path]) -> None:
    expected = _serial(kind, dbs[kind])
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        results = pool.map(_process_main, [(kind, str(dbs[kind]))] * 4)
    assert all(result == expected for result in results)


def test_the_query_table_covers_every_kind() -> None:
    names = [k.name for k in nasbench_lite.registry.kinds()]
    assert sorted(kind_dbs.KINDS) == sorted(names)
