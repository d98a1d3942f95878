"""``nasbench_lite.compat.nashpobench2api`` against the official ``nashpobench2api`` 1.0.0.

Both read the same official-format pickles (``nashpobench2_fixture``): every one of the 4,096
cell codes (so the regularized evolution's mutations always land in the space) with two
learning rates, two batch sizes and two seeds, to stay small. The call sequences are the ones
of the official ``test/test.py`` and ``bench_algos`` scripts, written here in our own code,
with the global ``random`` seeded the same way before each implementation runs them; every
returned value, every transition list and every logged line must be equal.
"""

from __future__ import annotations

import collections
import copy
import io
import logging
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nashpobench2_fixture as fx
import nashpobench2api as official_package
import nashpobench2api.utils as official_utils
import pytest
from nasbench_lite.compat import nashpobench2api as compat_package
from nasbench_lite.compat.nashpobench2api import api as compat_api
from nasbench_lite.compat.nashpobench2api import utils as compat_utils
from nasbench_lite.errors import CompatAssertionError, NotInDatabaseError, SourceNotFoundError
from nasbench_lite.nashpobench2 import build_nashpobench2

IMPLEMENTATIONS = {
    "official": official_package.NASHPOBench2API,
    "compat": compat_package.NASHPOBench2API,
}


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NASBENCH_LITE_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("nhb2-all") / "data"
    patch = pytest.MonkeyPatch()
    patch.setattr(fx, "LRS", (0.025, 0.1))
    patch.setattr(fx, "BATCH_SIZES", (64, 256))
    try:
        fx.write_dataset(folder, seed=21, seeds=(555, 888))
    finally:
        patch.undo()
    return folder


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    path = tmp_path_factory.mktemp("nhb2-db") / "nhb2.sqlite"
    build_nashpobench2(data_dir, path)
    return path


class Captured:
    """A logger of its own whose output is kept in a string."""

    def __init__(self, name: str) -> None:
        self.stream = io.StringIO()
        self.logger = logging.getLogger(f"test_compat_nashpobench2.{name}")
        self.logger.handlers = [logging.StreamHandler(self.stream)]
        self.logger.propagate = False

    @property
    def text(self) -> str:
        return self.stream.getvalue()


def outcome(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """The result, or the error's builtin classes and message."""
    try:
        return call(*args, **kwargs)
    except Exception as exc:  # compare what the caller could catch
        builtins = (ValueError, KeyError, AssertionError, TypeError, IndexError)
        kinds = tuple(k.__name__ for k in builtins if isinstance(exc, k))
        return ("error", kinds, str(exc) if not isinstance(exc, KeyError) else "")


def both(data_dir: Path, replay: Callable[[Any], Iterator[Any]], **kwargs: Any) -> None:
    """Runs ``replay`` on each implementation from the same global seed; compares all."""
    runs = {}
    for name, cls in IMPLEMENTATIONS.items():
        captured = Captured(name)
        api = cls(str(data_dir), logger=captured.logger, **kwargs)
        random.seed(1234)
        values = list(replay(api))
        runs[name] = (values, captured.text, random.random())
    (want, want_log, want_next), (got, got_log, got_next) = runs["official"], runs["compat"]
    assert len(got) == len(want)
    for index, (w, g) in enumerate(zip(want, got, strict=True)):
        assert g == w, (index, w, g)
        assert type(g) is type(w), (index, type(w), type(g))
    assert got_log == want_log
    assert got_next == want_next  # the same number of global draws


# -- the official test script --------------------------------------------------------------
def official_test_script(api: Any) -> Iterator[Any]:
    """test/test.py: random search runs, len, str, the loop, index/key round trips, queries."""
    for _ in range(3):
        while api.get_total_cost() < 20000:
            key = api.get_random_key()
            yield api.query_by_key(**key, epoch=12)
        yield api.get_results(epoch="both")
        api.reset_logdata()
    yield len(api)
    yield str(api)
    api.reset_logdata(verbose=False)
    yield from api
    for _ in range(10):
        yield api.get_key_from_idx(random.choice(range(len(api))))
    for _ in range(10):
        yield api.get_idx_from_key(api.get_random_key())
    for _ in range(10):
        yield api.query_by_index(
            random.choice(range(len(api.cellcodes))),
            random.choice(range(len(api.lrs))),
            random.choice(range(len(api.batch_sizes))),
        )
    key = api.get_random_key()
    for mode in ["train", "valid", "test"]:
        for iepoch in [1, 3, 9]:
            yield api.query_by_key(**key, mode=mode, epoch=12, iepoch=iepoch)
    for epoch in [12, 200, "both"]:
        yield api.get_results(epoch=epoch)["final_accs"]


def test_official_test_script(data_dir: Path) -> None:
    both(data_dir, official_test_script)


# -- bench_algos: random search and regularized evolution ------------------------------------
def random_search(api: Any) -> Iterator[Any]:
    for run in range(4):
        random.seed(run)
        while api.get_total_cost() < 20000:
            key = api.get_random_key()
            yield api.query_by_key(**key, epoch=12)
        yield copy.deepcopy(api.get_results(epoch="both"))
        api.reset_logdata()


def mutate(key: dict[str, Any], api: Any, utils: Any) -> dict[str, Any]:
    child = dict(key)
    element = random.choice([f"edge-{i}" for i in range(6)] + ["lr", "batch_size"])
    if element.startswith("edge"):
        edge = int(element[-1])
        current = utils.get_ith_op(key["cellcode"], edge)
        child["cellcode"] = utils.set_ith_op(
            key["cellcode"], edge, random.choice([op for op in range(4) if op != current])
        )
    elif element == "lr":
        child["lr"] = random.choice([lr for lr in api.lrs if lr != key["lr"]])
    else:
        child["batch_size"] = random.choice([b for b in api.batch_sizes if b != key["batch_size"]])
    return child


def regularized_evolution(api: Any) -> Iterator[Any]:
    utils = compat_utils if isinstance(api, compat_package.NASHPOBench2API) else official_utils
    for run in range(3):
        random.seed(run)
        population: collections.deque[tuple[dict[str, Any], float]] = collections.deque()
        while len(population) < 10:
            key = api.get_random_key()
            acc, cost = api.query_by_key(**key, epoch=12)
            population.append((key, acc))
            yield acc, cost
        while api.get_total_cost() < 20000:
            sample = [random.choice(list(population)) for _ in range(3)]
            parent = max(sample, key=lambda member: member[1])
            child = mutate(parent[0], api, utils)
            acc, cost = api.query_by_key(**child, epoch=12)
            population.append((child, acc))
            population.popleft()
            yield child, acc, cost
        yield copy.deepcopy(api.get_results(epoch="both"))
        api.reset_logdata()


def test_random_search_as_bench_algos(data_dir: Path) -> None:
    both(data_dir, random_search, verbose=False)


def test_regularized_evolution_as_bench_algos(data_dir: Path) -> None:
    both(data_dir, regularized_evolution, verbose=False)


def test_verbose_query_log_and_interleaved_seeds(data_dir: Path) -> None:
    def replay(api: Any) -> Iterator[Any]:
        for trial in range(30):
            key = api.get_random_key()
            seed = random.choice([None, 0, 555, 888])  # 0 keeps the current seed, officially
            iepoch = random.choice([None, 1, 6, 12])
            mode = random.choice(["train", "valid", "test"])
            yield api.query_by_key(**key, mode=mode, iepoch=iepoch, seed=seed)
            yield api.query_by_key(**key, epoch=200, enable_log=trial % 2 == 0)
            yield api.seed, api.best_acc, api.best_cost, api.best_key, api.total_cost
        yield api.get_results(epoch=200, mode="valid")
        yield api.get_results(epoch=12, mode="train")
        yield api.acc_trans, api.key_trans, api.best_key_trans, api.total_cost_trans

    both(data_dir, replay)


# -- construction, keys, errors ------------------------------------------------------------
def test_constructor_forms(data_dir: Path, database: Path) -> None:
    a, b = Captured("a"), Captured("b")
    official = official_package.NASHPOBench2API(str(data_dir), 888, a.logger, False)
    positional = compat_package.NASHPOBench2API(str(data_dir), 888, b.logger, False)
    keyword = compat_package.NASHPOBench2API(data_dir=database, seed=888, verbose=False)
    falsy = compat_package.NASHPOBench2API(data_dir=data_dir, seed=0, logger=b.logger)
    assert official.seed == positional.seed == keyword.seed == 888 and falsy.seed == 555
    assert positional.data_dir == str(data_dir) and keyword.data_dir == database
    assert positional.logger is b.logger and positional.verbose is False
    assert positional.get_search_space() == official.get_search_space()
    assert positional.epochs == official.epochs and positional.seeds == official.seeds
    assert positional.cellinfo["hash"] == official.cellinfo["hash"]
    code = official.cellcodes[100]
    assert positional._cellcode2hash(code) == official._cellcode2hash(code)
    key = official.get_key_from_idx(77)
    assert keyword.query_by_key(**key) == positional.query_by_key(**key)
    assert keyword.query_by_key(**key) == official.query_by_key(**key)
    for bad_seed in (1, 556):
        want = outcome(official_package.NASHPOBench2API, str(data_dir), bad_seed, a.logger)
        got = outcome(compat_package.NASHPOBench2API, str(data_dir), bad_seed, b.logger)
        assert got == want


def test_default_logger_is_the_official_one(data_dir: Path) -> None:
    logger = logging.getLogger("nashpobench2api.api")
    before = list(logger.handlers)
    try:
        api = compat_package.NASHPOBench2API(str(data_dir))
        assert api.logger is logger and logger.propagate is False
        assert len(logger.handlers) == len(before) + 1  # one stderr handler per object
        assert isinstance(logger.handlers[-1], logging.StreamHandler)
        assert logger.level == logging.DEBUG
        compat_package.NASHPOBench2API(str(data_dir), verbose=False)
        assert logger.level == logging.INFO
    finally:
        logger.handlers = before


def test_missing_data_logs_the_hint(tmp_path: Path) -> None:
    a, b = Captured("missing-a"), Captured("missing-b")
    with pytest.raises(FileNotFoundError):
        official_package.NASHPOBench2API(str(tmp_path / "nope"), logger=a.logger)
    with pytest.raises(SourceNotFoundError) as info:
        compat_package.NASHPOBench2API(str(tmp_path / "nope"), logger=b.logger)
    assert b.text == a.text and "HINT: Download the API data" in a.text
    assert str(tmp_path / "nope") in str(info.value)


def test_bad_arguments_raise_as_officially(data_dir: Path) -> None:
    a, b = Captured("bad-a"), Captured("bad-b")
    official = official_package.NASHPOBench2API(str(data_dir), logger=a.logger, verbose=False)
    ours = compat_package.NASHPOBench2API(str(data_dir), logger=b.logger, verbose=False)
    code, lr, bs = official.cellcodes[5], official.lrs[1], official.batch_sizes[0]
    cases: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
        (("9|99|999", lr, bs), {}),
        ((["not", "hashable"], lr, bs), {}),
        ((code, 0.3, bs), {}),
        ((code, lr, 100), {}),
        ((code, lr, bs), {"epoch": 50}),
        ((code, lr, bs), {"epoch": True}),
        ((code, lr, bs), {"mode": "eval"}),
        ((code, lr, bs), {"epoch": 200, "iepoch": 3}),
        ((code, lr, bs), {"iepoch": 13}),
        ((code, lr, bs), {"iepoch": 0}),
        ((code, lr, bs), {"iepoch": -2}),
        ((code, lr, bs), {"iepoch": 4.0}),
        ((code, lr, bs), {"epoch": 12.0}),
        ((code, lr, bs), {"iepoch": True}),
        ((code, lr, bs), {"seed": 222}),
        ((code, lr, bs), {"epoch": 200, "mode": "test"}),
    ]
    for args, kwargs in cases:
        want = outcome(official.query_by_key, *args, **kwargs)
        got = outcome(ours.query_by_key, *args, **kwargs)
        assert got == want, (args, kwargs, want, got)
    with pytest.raises(CompatAssertionError):
        ours.query_by_key(code, lr, bs, mode="eval")
    with pytest.raises(NotInDatabaseError):
        ours.query_by_key(code, lr, bs, iepoch=0)
    assert outcome(ours.set_seed, 7) == outcome(official.set_seed, 7)
    for index in (-1, -5, -len(official), len(official) - 1, len(official), 10**6):
        assert outcome(ours.get_key_from_idx, index) == outcome(official.get_key_from_idx, index)
    bad_key = {"cellcode": code, "lr": 0.3, "batch_size": bs}
    assert outcome(ours.get_idx_from_key, bad_key)[:2] == ("error", ("ValueError",))
    assert outcome(official.get_idx_from_key, bad_key)[:2] == ("error", ("ValueError",))


def test_get_results_before_any_query(data_dir: Path) -> None:
    a, b = Captured("empty-a"), Captured("empty-b")
    official = official_package.NASHPOBench2API(str(data_dir), logger=a.logger)
    ours = compat_package.NASHPOBench2API(str(data_dir), logger=b.logger)
    assert outcome(ours.get_results) == outcome(official.get_results)
    assert b.text == a.text
    assert not hasattr(ours, "final_accs") and not hasattr(official, "final_accs")


def test_module_names_mirror_the_official(data_dir: Path) -> None:
    assert compat_package.NASHPOBench2API is compat_api.NASHPOBench2API
    official_methods = {
        name
        for name in vars(official_package.NASHPOBench2API)
        if not name.startswith("__") or name in ("__len__", "__str__", "__getitem__")
    }
    assert official_methods <= set(dir(compat_package.NASHPOBench2API))
    official_attrs = set(vars(official_package.NASHPOBench2API(str(data_dir), verbose=False)))
    ours = compat_package.NASHPOBench2API(str(data_dir), verbose=False)
    assert {a for a in official_attrs if not hasattr(ours, a)} == set()
    assert {n for n in vars(official_utils) if not n.startswith("_")} <= set(vars(compat_utils))


def test_utils_equal_official() -> None:
    for code in ["0|12|330", "3|21|012", "ab|cd|ef", "0|0"]:
        for i in range(-8, 9):
            for new_op in (0, 3, "x"):
                assert outcome(compat_utils.set_ith_op, code, i, new_op) == outcome(
                    official_utils.set_ith_op, code, i, new_op
                )
            assert outcome(compat_utils.get_ith_op, code, i) == outcome(
                official_utils.get_ith_op, code, i
            )


def test_raw_tables_equal_the_official_dicts(data_dir: Path) -> None:
    official = official_package.NASHPOBench2API(str(data_dir), verbose=False)
    ours = compat_package.NASHPOBench2API(str(data_dir), verbose=False)
    assert set(ours.bench12) == set(official.bench12)
    rng = random.Random(3)
    keys = list(official.bench12["lr"])
    # The same keys; iteration follows the database's order, not the file's.
    assert len(ours.bench12["lr"]) == len(keys) and set(ours.bench12["seed"]) == set(keys)
    for key in rng.sample(keys, 40):
        for column in official.bench12:
            got, want = ours.bench12[column][key], official.bench12[column][key]
            assert got == want and type(got) is type(want), (column, key)
        assert key in ours.bench12["valid_acc_3"]
    surrogate = official.avgaccs200["avg_acc"]
    assert list(ours.avgaccs200) == ["avg_acc"]
    assert dict(ours.avgaccs200["avg_acc"]) == surrogate
    missing = (keys[0][0], keys[0][1], keys[0][2], 7)
    for bad in (missing, ("nohash", 0.1, 64, 555), "not a key", [1, 2]):
        assert bad not in ours.bench12["valid_acc_0"]
        with pytest.raises(KeyError):
            ours.bench12["valid_acc_0"][bad]  # type: ignore[index]
    with pytest.raises(KeyError):
        ours.bench12["no_such_column"]
