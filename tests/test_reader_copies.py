"""Readers in worker processes: pickled / copied objects of every kind open the file again.

The official ``NASBench``, ``nats_bench`` API objects and ``NASHPOBench2API`` are plain
objects, so client code passes them to ``multiprocessing`` pools (``spawn``, and
``forkserver``, the default from Python 3.14 on, pickle every argument) or deep-copies them.
The nasbench_lite readers pickle as the path plus their state (config, budget counters,
history, used time, seed, query log, the generator's state); the copy opens the database
itself and makes its own caches. The compat objects are compared with copies of the official
ones (same answers, printed and logged text, global-``random`` draws; nothing printed on
unpickling). Kinds without copies, and closed readers, raise ``NotCopyableError`` (a
``TypeError``, as pickle raises for unpicklable objects).
"""

from __future__ import annotations

import contextlib
import copy
import importlib
import io
import logging
import multiprocessing
import pickle
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kind_dbs
import nasbench_lite
import nashpobench2_fixture as nhb2_fx
import nb101_tfrecord as tfr
import pytest
import toy_kind
from nasbench_lite import nb101
from nasbench_lite.benchmarks.nashpobench2 import reader as native_nhb2
from nasbench_lite.benchmarks.nats import reader as native_nats
from nasbench_lite.benchmarks.nb101.build import build_nb101
from nasbench_lite.compat import nats_bench as compat_nats
from nasbench_lite.compat.nasbench import api as compat_api
from nasbench_lite.compat.nashpobench2api import api as compat_nhb2
from nasbench_lite.errors import (
    DatabaseError,
    InvalidInputError,
    NasbenchLiteError,
    NotCopyableError,
)
from nasbench_lite.nb101 import api as native_api
from nats_fixture import real_archive

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
    # A kind without copies (the test suite's toy kind: every packaged kind has them) says
    # so, instead of pickle's error on a lock inside.
    source = tmp_path / "scores.tsv"
    source.write_text("a\t1.5\nb\t2.5\n", encoding="utf-8")
    toy_kind.build_toy(source, tmp_path / "toy.sqlite")
    with toy_kind.ToyReader(tmp_path / "toy.sqlite") as reader:
        assert not type(reader)._COPYABLE
        with pytest.raises(NotCopyableError, match="open the file in each process"):
            pickle.dumps(reader)
    # A closed reader of the other kinds too.
    with nasbench_lite.open(kind_dbs.small_nar(tmp_path)) as nar:
        pass
    with pytest.raises(NotCopyableError, match="closed"):
        pickle.dumps(nar)


def test_a_copy_of_a_file_gone_since_raises_database_error(database: Path, tmp_path: Path) -> None:
    moved = tmp_path / "moved.sqlite"
    moved.write_bytes(database.read_bytes())
    with native_api.NASBench(moved) as bench:
        data = pickle.dumps(bench)
    moved.unlink()
    with pytest.raises(DatabaseError, match="no such database file"):
        pickle.loads(data)


# -- every other kind: native readers -------------------------------------------------------
@pytest.fixture(scope="module")
def kinds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return kind_dbs.build_all(tmp_path_factory.mktemp("kinds"))


#: The native readers compared: case -> (kind, how it is opened).
CASES: dict[str, tuple[str, Any]] = {
    "nats": ("nats", lambda p: native_nats.create(p, "tss", random_state=3)),
    "nats-uncached": ("nats", lambda p: native_nats.create(p, "tss", random_state=3, cache_size=0)),
    "nashpobench2": ("nashpobench2", lambda p: native_nhb2.API(p, random_state=3)),
    "nar": ("nar", nasbench_lite.open),
    "nats_space": ("nats_space", nasbench_lite.open),
    "nb101_space": ("nb101_space", nasbench_lite.open),
}


def _open(kinds: dict[str, Path], case: str) -> Any:
    kind, opener = CASES[case]
    return opener(kinds[kind])


def _kind_answers(reader: Any) -> list[Any]:
    """What a reader answers next, draws of its generator and carried state included."""
    kind = type(reader).KIND
    if kind == "nats":
        out: list[Any] = [reader.used_time, reader.verbose, reader.fast_mode, reader.filename]
        for index in range(1, 4):  # (architecture 0 of the fixture has no times to simulate)
            out.append(reader.get_more_info(index, "cifar10", hp="12", is_random=True))
            out.append(reader.get_more_info(index, "cifar100", iepoch=5, hp="200"))
            out.append(reader.simulate_train_eval(index, "cifar100", hp="12"))
            out.append(reader.get_cost_info(index, "cifar10-valid"))
        return [*out, reader.random(), reader.used_time, reader.cache_info()["maxsize"]]
    if kind == "nashpobench2":
        out = [reader.seed, reader.verbose, reader.logger.name, list(reader.acc_trans)]
        for _ in range(4):
            key = reader.get_random_key()
            out.append((key, reader.query_by_key(**key)))
        out.append(reader.query_by_key(**reader.get_key_from_idx(5), epoch=200))
        return [*out, reader.get_results(epoch=12, mode="valid"), reader.get_total_cost()]
    if kind == "nar":
        return [reader.get(7), reader.get(reader._first_row("SELECT hash FROM nar101")["hash"])]
    if kind == "nats_space":
        return [
            len(reader),
            reader.get(11),
            reader.get(300, "sss"),
            reader.get(reader.get(11)["arch_str"]),
        ]
    assert kind == "nb101_space"
    first = reader.db.query("SELECT hash FROM cells ORDER BY cell_id LIMIT 1")[0][0]
    cell = reader.get(first)
    return [len(reader), first in reader, {k: str(v) for k, v in cell.items()}]


def _moved_on(reader: Any) -> None:
    """Moves the reader's user-visible state on, so that a copy has something to carry."""
    kind = type(reader).KIND
    if kind == "nats":
        reader.simulate_train_eval(1, "cifar10", hp="12")
        reader.get_more_info(2, "cifar10", hp="12", is_random=True)
        reader.verbose = True
    elif kind == "nashpobench2":
        reader.set_seed(reader.seeds[-1])
        reader.query_by_key(**reader.get_random_key())
        reader.reset_logdata(verbose=True)
        reader.query_by_key(**reader.get_random_key())
    else:
        reader._rng.random()


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_kind_copies_carry_state_and_answer_as_the_original(
    kinds: dict[str, Path], case: str
) -> None:
    with _open(kinds, case) as reader:
        assert type(reader)._COPYABLE
        _moved_on(reader)
        clone = pickle.loads(pickle.dumps(reader))
        deep = copy.deepcopy(reader)
        try:
            assert type(clone) is type(deep) is type(reader)
            assert clone.path == deep.path == reader.path.resolve()
            assert clone._db is not reader._db and clone._lock is not reader._lock
            assert clone._rng.getstate() == reader._rng.getstate()
            if type(reader).KIND == "nats":  # the trial cache is the copy's own, empty
                info, original = clone.cache_info(), reader.cache_info()
                assert info == {**original, "size": 0, "hits": 0, "misses": 0}
                assert original["size"] > 0 or not original["maxsize"]
                assert clone._cache._lock is clone._lock
                assert clone._uncached == reader._uncached == (case == "nats-uncached")
            expected = _kind_answers(reader)
            assert _kind_answers(clone) == expected == _kind_answers(deep)
        finally:
            clone.close()
            deep.close()


def test_a_nats_copy_checks_the_space_of_the_file_it_opens(
    kinds: dict[str, Path], tmp_path: Path
) -> None:
    moved = tmp_path / "nats.sqlite"
    moved.write_bytes(kinds["nats"].read_bytes())
    with nasbench_lite.open(moved) as reader:
        data = pickle.dumps(reader)
    state = pickle.loads(data).__getstate__()  # what a pickled tss reader carries
    with pytest.raises(InvalidInputError, match="holds the tss space, not sss"):
        native_nats.NATSsize.__new__(native_nats.NATSsize).__setstate__(state)


def _kind_worker(job: tuple[str, Any]) -> tuple[str, list[Any]]:
    case, reader = job
    return case, _kind_answers(reader)


def test_a_spawned_pool_gets_every_kind_as_an_argument(kinds: dict[str, Path]) -> None:
    readers = {case: _open(kinds, case) for case in sorted(CASES)}
    try:
        for reader in readers.values():
            _moved_on(reader)
        context = multiprocessing.get_context("spawn")
        with context.Pool(2) as pool:
            results = dict(pool.map(_kind_worker, list(readers.items())))
        for case, reader in readers.items():  # each worker's copy starts from the parent's state
            assert results[case] == _kind_answers(reader), case
    finally:
        for reader in readers.values():
            reader.close()


# -- compat objects against copies of the official ones ------------------------------------
_STAMP = re.compile(r"\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\]")


def _copied(api: Any) -> tuple[Any, Any]:
    """A pickled and a deep copy, made checking that copying prints nothing and leaves the
    global ``random`` alone."""
    state = random.getstate()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        clone, deep = pickle.loads(pickle.dumps(api)), copy.deepcopy(api)
    assert printed.getvalue() == "" and random.getstate() == state
    return clone, deep


def _nats_next(api: Any) -> tuple[str, str, float]:
    """A NATS search's next steps from a fixed global seed: the printed text (timestamps
    masked), the answers and the global generator's next value."""
    random.seed(7)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        # avaliable_hps lists a set of str (official and ours): its order follows the
        # process's string hash seed, so results compared across processes sort it.
        hps = sorted(api.avaliable_hps)
        results = [repr(api), api.used_time, sorted(api.evaluated_indexes), hps]
        for index in (284, 11, 0):
            results.append(api.get_more_info(index, "cifar100", hp="12"))
            results.append(api.simulate_train_eval(index, "cifar10", hp="12"))
            results.append(api.get_cost_info(index, "ImageNet16-120"))
        results += [api.random(), api.used_time, sorted(api.evaluated_indexes)]
        results += [api.arch(11), api.query_index_by_arch(api.arch(284)), sorted(api.avaliable_hps)]
    return _STAMP.sub("[T]", out.getvalue()), repr(results), random.random()


def _official(name: str) -> Any:
    """An official package module as ``sys.modules`` holds it now: other tests import the
    official packages afresh, and pickle finds a class by its module's current object."""
    module = importlib.import_module(name)
    assert "nasbench_lite" not in str(module.__file__)  # the official package, not an alias
    return module


def _nats_moved_on(api: Any) -> None:
    random.seed(3)
    with contextlib.redirect_stdout(io.StringIO()):
        api.get_more_info(11, "cifar10", hp="12", is_random=False)
        api.simulate_train_eval(11, "cifar100", hp="12")


@pytest.fixture(scope="module")
def nats_folders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """The real fixture files as the official ``-simple`` folders; the compat cache in a
    temporary folder."""
    home = tmp_path_factory.mktemp("nats-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NASBENCH_LITE_CACHE", str(home / "cache"))
        yield {space: real_archive(home, space, (0, 11, 284)) for space in ("tss", "sss")}


def _both_nats(folder: Path, space: str, verbose: bool) -> tuple[Any, Any]:
    with contextlib.redirect_stdout(io.StringIO()):
        official = _official("nats_bench").create(str(folder), space, True, verbose)
        ours = compat_nats.create(str(folder), space, True, verbose)
    return official, ours


@pytest.mark.parametrize("verbose", [False, True])
@pytest.mark.parametrize("space", ["tss", "sss"])
def test_a_compat_nats_copy_answers_as_a_copy_of_the_official(
    nats_folders: dict[str, Path], space: str, verbose: bool
) -> None:
    official, ours = _both_nats(nats_folders[space], space, verbose)
    try:
        for api in (official, ours):
            _nats_moved_on(api)
        copies = {"official": _copied(official), "ours": _copied(ours)}
        assert type(copies["ours"][0]) is type(ours)
        want = _nats_next(copies["official"][0])
        assert ("Call " in want[0]) == verbose  # the copies print what verbose says
        assert _nats_next(copies["official"][1]) == want
        assert _nats_next(copies["ours"][0]) == want == _nats_next(copies["ours"][1])
        # The originals go on as their copies did.
        assert _nats_next(ours) == want == _nats_next(official)
    finally:
        ours.close()


def _compat_worker(api: Any) -> Any:
    official_class = _official("nats_bench.api_topology").NATStopology
    if isinstance(api, (compat_nats.NATStopology, official_class)):
        return _nats_next(api)
    return _nhb2_next(api)


def test_a_spawned_pool_gets_the_compat_objects_as_the_official_ones(
    nats_folders: dict[str, Path], nhb2_data: Path
) -> None:
    official, ours = _both_nats(nats_folders["tss"], "tss", True)
    nhb2 = {
        name: cls(str(nhb2_data), logger=_logger("pool")) for name, cls in _nhb2_classes().items()
    }
    try:
        for api in (official, ours):
            _nats_moved_on(api)
        for api in nhb2.values():
            _nhb2_moved_on(api)
        jobs = [official, ours, nhb2["official"], nhb2["ours"]]
        context = multiprocessing.get_context("spawn")
        with context.Pool(2) as pool:
            results = pool.map(_compat_worker, jobs)
        assert results[1] == results[0] == _nats_next(copy.deepcopy(official))
        assert results[3] == results[2]
        assert results[2][1] == _nhb2_next(copy.deepcopy(nhb2["official"]))[1]
    finally:
        ours.close()
        nhb2["ours"]._api.close()


def _nhb2_classes() -> dict[str, Any]:
    return {
        "official": _official("nashpobench2api.api").NASHPOBench2API,
        "ours": compat_nhb2.NASHPOBench2API,
    }


@pytest.fixture(scope="module")
def nhb2_data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A small official-format data folder; the compat cache in a temporary folder."""
    folder = tmp_path_factory.mktemp("nhb2") / "data"
    nhb2_fx.write_dataset(folder, nhb2_fx.sample_cellcodes(40, seed=1), seed=5, seeds=(555, 888))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NASBENCH_LITE_CACHE", str(folder.parent / "cache"))
        yield folder


def _logger(name: str) -> logging.Logger:
    """A logger found by name (so that pickle carries it) writing to a string."""
    logger = logging.getLogger(f"test_reader_copies.{name}")
    logger.handlers = [logging.StreamHandler(io.StringIO())]
    logger.propagate = False
    return logger


def _logged(logger: logging.Logger) -> str:
    handler = logger.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    return str(handler.stream.getvalue())


def _nhb2_moved_on(api: Any) -> None:
    random.seed(3)
    api.set_seed(888)
    for _ in range(3):
        api.query_by_key(**api.get_random_key())


def _nhb2_next(api: Any) -> tuple[str, str, float]:
    """A NAS-HPO-Bench-II search's next steps from a fixed global seed: the log written
    meanwhile, the answers and the global generator's next value."""
    logged = len(_logged(api.logger)) if api.logger.handlers else 0
    random.seed(7)
    results = [api.seed, api.verbose, api.get_total_cost(), list(api.acc_trans)]
    for _ in range(3):
        key = api.get_random_key()
        results.append((key, api.query_by_key(**key), api.query_by_key(**key, epoch=200)))
    results += [api.get_results(), api.best_key, api.get_total_cost(), len(api)]
    text = _logged(api.logger)[logged:] if api.logger.handlers else ""
    return text, repr(results), random.random()


@pytest.mark.parametrize("verbose", [False, True])
def test_a_compat_nashpobench2_copy_answers_as_a_copy_of_the_official(
    nhb2_data: Path, verbose: bool
) -> None:
    apis = {
        name: cls(str(nhb2_data), logger=_logger(f"{name}-{verbose}"), verbose=verbose)
        for name, cls in _nhb2_classes().items()
    }
    try:
        for api in apis.values():
            _nhb2_moved_on(api)
        copies = {name: _copied(api) for name, api in apis.items()}
        assert type(copies["ours"][0]) is compat_nhb2.NASHPOBench2API
        assert copies["ours"][0].logger is apis["ours"].logger  # by name, as pickle does
        assert copies["ours"][0]._api._db is not apis["ours"]._api._db
        want = _nhb2_next(copies["official"][0])
        assert "valid acc" in want[0] and _nhb2_next(copies["official"][1]) == want
        assert _nhb2_next(copies["ours"][0]) == want == _nhb2_next(copies["ours"][1])
        assert _nhb2_next(apis["ours"]) == want == _nhb2_next(apis["official"])
    finally:
        apis["ours"]._api.close()


def test_a_logger_pickle_cannot_find_by_name_fails_as_for_the_official(nhb2_data: Path) -> None:
    for cls in _nhb2_classes().values():
        api = cls(str(nhb2_data), logger=logging.Logger("not-registered"))
        with pytest.raises(pickle.PicklingError, match="logger cannot be pickled"):
            pickle.dumps(api)
