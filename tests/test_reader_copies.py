"""Readers in worker processes: pickled / copied NB101 objects open the file again.

The official ``NASBench`` is a plain object of dicts, so client code passes it to
``multiprocessing`` pools (``spawn``, and ``forkserver``, the default from Python 3.14 on,
pickle every argument) or deep-copies it. The nasbench_lite objects pickle as the path plus
their state (config, budget counters, history, the generator's state); the copy opens the
database itself. Kinds without copies, and closed readers, raise ``NotCopyableError`` (a
``TypeError``, as pickle raises for unpicklable objects).
"""

from __future__ import annotations

import contextlib
import copy
import io
import multiprocessing
import pickle
import random
from pathlib import Path
from typing import Any

import kind_dbs
import nasbench_lite
import nb101_tfrecord as tfr
import pytest
from nasbench_lite import nb101
from nasbench_lite.benchmarks.nb101.build import build_nb101
from nasbench_lite.compat.nasbench import api as compat_api
from nasbench_lite.errors import DatabaseError, NasbenchLiteError, NotCopyableError
from nasbench_lite.nb101 import api as native_api

INPUT, OUTPUT = "input", "output"
OPS = ["conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"]


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cells = tfr.cells_from_rows(nb101.enumerate_cells(max_vertices=4).to_pylist())
    folder = tmp_path_factory.mktemp("copies")
    source = folder / "nasbench_full.tfrecord"
    tfr.write_tfrecord(source, tfr.synthetic_dataset(cells, seed=3))
    build_nb101([source], folder / "nb101.sqlite")
    return folder / "nb101.sqlite"


def _specs() -> list[Any]:
    chain = [[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]]
    return [
        compat_api.ModelSpec(chain, [INPUT, OPS[0], OPS[2], OUTPUT]),
        compat_api.ModelSpec([[0, 1, 1], [0, 0, 1], [0, 0, 0]], [INPUT, OPS[1], OUTPUT]),
        compat_api.ModelSpec([[0, 1], [0, 0]], [INPUT, OUTPUT]),
    ]


def _answers(bench: Any) -> list[Any]:
    out = []
    for spec in _specs():
        data = bench.query(spec, epochs=12)
        out.append((data["validation_accuracy"], data["module_adjacency"].tolist()))
    return [*out, bench.get_budget_counters()]


def _worker(bench: Any) -> list[Any]:
    return _answers(bench)


def test_a_native_copy_carries_state_and_draws_what_the_original_draws(database: Path) -> None:
    with native_api.NASBench(database, seed=11) as bench:
        _answers(bench)  # counters, row cache and generator moved on
        bench.config["num_repeats"] = 2
        bench.history["note"] = [1, 2]
        clone = pickle.loads(pickle.dumps(bench))
        deep = copy.deepcopy(bench)
        try:
            assert clone.path == deep.path == bench.path.resolve()
            assert clone.config == bench.config and clone.history == {"note": [1, 2]}
            assert clone.get_budget_counters() == bench.get_budget_counters()
            assert clone._rows == {}  # caches are not carried: the copy reads the file
            assert clone._db is not bench._db and clone._lookup is not bench._lookup
            expected = _answers(bench)
            assert _answers(clone) == expected == _answers(deep)
        finally:
            clone.close()
            deep.close()


def test_a_compat_copy_prints_nothing_and_leaves_the_global_random_alone(
    database: Path,
) -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        bench = compat_api.NASBench(str(database), seed=0)
    with bench:
        bench.config["max_edges"] = 2
        data = pickle.dumps(bench)
        state = random.getstate()
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            clone = pickle.loads(data)
        assert printed.getvalue() == "" and random.getstate() == state
        with clone:
            assert type(clone) is compat_api.NASBench
            assert clone.config is clone._api.config and clone.config["max_edges"] == 2
            assert clone.dataset_file == bench.dataset_file
            assert clone.valid_epochs == bench.valid_epochs
            verdicts = [clone.is_valid(s) for s in _specs()]
            assert verdicts == [bench.is_valid(s) for s in _specs()] == [False, False, True]
            clone.config["max_edges"] = 9  # its own dict: the original keeps its config
            assert bench.config["max_edges"] == 2
            bench.config["max_edges"] = 9
            random.seed(4)
            expected = _answers(bench)
            random.seed(4)
            assert _answers(clone) == expected
            assert len(clone.fixed_statistics) == len(bench.fixed_statistics)


@pytest.mark.parametrize("api", ["native", "compat"])
def test_a_spawned_pool_gets_the_object_as_an_argument(database: Path, api: str) -> None:
    if api == "native":
        bench: Any = native_api.NASBench(database, seed=5)
    else:
        with contextlib.redirect_stdout(io.StringIO()):
            bench = compat_api.NASBench(str(database), seed=5)
    with bench:
        context = multiprocessing.get_context("spawn")
        with context.Pool(2) as pool:
            results = pool.map(_worker, [bench, bench])
        if api == "native":  # each worker's copy starts from the parent's generator state
            assert results == [_answers(copy.deepcopy(bench))] * 2
        else:  # the global random of a fresh worker is its own: compare what draws leave alone
            for result in results:
                assert [r[1] for r in result[:-1]] == [r[1] for r in _answers(bench)[:-1]]


def test_closed_readers_and_kinds_without_copies_raise_a_typed_error(
    database: Path, tmp_path: Path
) -> None:
    bench = native_api.NASBench(database)
    bench.close()
    with pytest.raises(NotCopyableError, match="closed") as info:
        pickle.dumps(bench)
    assert isinstance(info.value, TypeError) and isinstance(info.value, NasbenchLiteError)
    with pytest.raises(NotCopyableError):
        copy.deepcopy(bench)
    # A kind without copies (NAR here) says so, instead of pickle's error on a lock inside.
    with nasbench_lite.open(kind_dbs.small_nar(tmp_path)) as reader:
        assert not type(reader)._COPYABLE
        with pytest.raises(NotCopyableError, match="open the file in each process"):
            pickle.dumps(reader)


def test_a_copy_of_a_file_gone_since_raises_database_error(database: Path, tmp_path: Path) -> None:
    moved = tmp_path / "moved.sqlite"
    moved.write_bytes(database.read_bytes())
    with native_api.NASBench(moved) as bench:
        data = pickle.dumps(bench)
    moved.unlink()
    with pytest.raises(DatabaseError, match="no such database file"):
        pickle.loads(data)
