"""NAS-HPO-Bench-II: pickles -> SQLite builder and the API, compared with the official package.

Sources are written in the official pickle layout by ``nashpobench2_fixture`` (a few hundred
cell codes in whole isomorphism classes, every lr x batch size, three seeds); the official
``nashpobench2api.NASHPOBench2API`` reads the same files and is the oracle for every value.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import pickle
import random
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import nashpobench2_fixture as fx
import nashpobench2api
import numpy as np
import pytest
from nasbench_lite._core.database import Database
from nasbench_lite._core.formats.safe_pickle import UnsafePickleError
from nasbench_lite.errors import (
    BuildError,
    CorruptSourceError,
    NasbenchLiteError,
    NotInDatabaseError,
    OutOfDomainError,
    OutputExistsError,
)
from nasbench_lite.nashpobench2 import API, build_nashpobench2
from nasbench_lite.registry import export_database
from nasbench_lite.spaces.nb201.cellcode import canonical_classes


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("nhb2") / "data"
    fx.write_dataset(folder, fx.sample_cellcodes(300, seed=3), seed=11)
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("db") / "nhb2.sqlite"
    build_nashpobench2(data_dir, out)
    return out


@pytest.fixture(scope="module")
def official(data_dir: Path) -> Any:
    logger = logging.getLogger("test_nashpobench2.official")
    logger.addHandler(logging.NullHandler())
    return nashpobench2api.NASHPOBench2API(str(data_dir), logger=logger, verbose=False)


@pytest.fixture
def api(built: Path, official: Any) -> Any:
    official.reset_logdata()
    official.set_seed(official.seeds[0])
    with API(built) as ours:
        yield ours


def test_search_space_and_indexes_equal_official(api: API, official: Any) -> None:
    assert api.get_search_space() == official.get_search_space()
    assert (api.cellcodes, api.lrs, api.batch_sizes, api.seeds) == (
        official.cellcodes,
        official.lrs,
        official.batch_sizes,
        official.seeds,
    )
    assert len(api) == len(official) == len(official.cellcodes) * 48
    assert str(api) == str(official)
    for idx in range(len(official)):
        key = official.get_key_from_idx(idx)
        assert api.get_key_from_idx(idx) == key
        assert api.get_idx_from_key(key) == official.get_idx_from_key(key) == idx
    assert api.get_key_from_idx(-1) == official.get_key_from_idx(len(official) - 1)
    with pytest.raises(IndexError):
        api.get_key_from_idx(len(api))
    with pytest.raises(IndexError):
        api.get_key_from_idx(-len(api) - 1)


def test_every_key_mode_and_epoch_equals_official(api: API, official: Any) -> None:
    checked = 0
    for seed in official.seeds:
        official.set_seed(seed)
        api.set_seed(seed)
        for idx in range(0, len(official), 1 if seed == official.seeds[0] else 7):
            key = official.get_key_from_idx(idx)
            for mode in ("train", "valid", "test"):
                for iepoch in (None, 1, 5, 11, 12):
                    expected = official.query_by_key(
                        **key, mode=mode, iepoch=iepoch, enable_log=False
                    )
                    assert (
                        api.query_by_key(**key, mode=mode, iepoch=iepoch, enable_log=False)
                        == expected
                    )
                    checked += 1
            assert api.query_by_key(**key, epoch=200) == official.query_by_key(**key, epoch=200)
    assert checked > len(official) * 15


def test_values_are_python_floats(api: API) -> None:
    acc, cost = api[0]
    assert type(acc) is float and type(cost) is float
    acc200, none = api.query_by_key(*api.get_key_from_idx(5).values(), epoch=200)
    assert type(acc200) is float and none is None


def test_query_by_index_getitem_and_seed_argument(api: API, official: Any) -> None:
    rng = random.Random(4)
    for _ in range(300):
        c, lr, bs = (rng.randrange(len(official.cellcodes)), rng.randrange(8), rng.randrange(6))
        seed = rng.choice(official.seeds)
        assert api.query_by_index(c, lr, bs, seed=seed) == official.query_by_index(
            c, lr, bs, seed=seed
        )
        assert api.seed == official.seed == seed  # the seed stays selected, as officially
        assert api.query_by_index(c, lr, bs, iepoch=3) == official.query_by_index(
            c, lr, bs, iepoch=3
        )
        idx = rng.randrange(len(official))
        assert api[idx] == official[idx]
    assert api.query_by_index(0, 0, 0, mode="test") == official.query_by_key(
        **official.get_key_from_idx(0), mode="test"
    )
    assert api.get_results(epoch=12) == official.get_results(epoch=12)


def test_search_log_and_results_equal_official(api: API, official: Any) -> None:
    for run in range(3):
        rng = random.Random(run)
        while official.get_total_cost() < 20_000:
            key = {
                "cellcode": rng.choice(official.cellcodes),
                "lr": rng.choice(official.lrs),
                "batch_size": rng.choice(official.batch_sizes),
            }
            mode = rng.choice(["train", "valid", "test"])
            iepoch = rng.choice([None, 4, 12])
            assert api.query_by_key(**key, mode=mode, iepoch=iepoch) == official.query_by_key(
                **key, mode=mode, iepoch=iepoch
            )
            api.query_by_key(**key, epoch=200)  # 200-epoch queries are not logged
            official.query_by_key(**key, epoch=200)
        assert api.get_total_cost() == official.get_total_cost()
        for epoch in (12, 200, "both"):
            for mode in ("valid", "test"):
                ours = api.get_results(epoch=epoch, mode=mode)
                theirs = official.get_results(epoch=epoch, mode=mode)
                assert ours == theirs
                assert len(ours["acc_trans"]) > 10
        if run == 0:
            api.reset_logdata()
        else:
            api.reset_log_data()  # the README's spelling
        official.reset_logdata()
        assert api.get_total_cost() == 0.0
        assert api.get_results()["acc_trans"] == []


def test_get_results_before_any_query(api: API) -> None:
    results = api.get_results()
    assert results == {
        "acc_trans": [],
        "key_trans": [],
        "best_acc_trans": [],
        "best_key_trans": [],
        "total_cost_trans": [],
        "final_accs": [],
    }


def test_random_keys_from_own_rng(built: Path, official: Any) -> None:
    random.seed(99)
    expected = [official.get_random_key() for _ in range(50)]
    state = random.getstate()
    with API(built, random_state=99) as a, API(built, random_state=99) as b:
        ours = [a.get_random_key() for _ in range(50)]
        assert ours == [b.get_random_key() for _ in range(50)]
    assert ours == expected  # same draws as the official API after random.seed(99)
    assert random.getstate() == state  # the global RNG is never touched


def test_constructor_seed(built: Path, official: Any) -> None:
    key = official.get_key_from_idx(17)
    for seed in official.seeds:
        official.set_seed(seed)
        with API(built, seed=seed) as ours:
            assert ours.seed == seed
            assert ours.query_by_key(**key) == official.query_by_key(**key)
    with pytest.raises(OutOfDomainError, match=r"choose a seed value from \[222, 555, 888\]"):
        API(built, seed=1)


def test_unknown_keys_name_the_choices(api: API) -> None:
    code = api.cellcodes[0]
    cases = [
        ((["0|00|00"], 0.1, 16), "unknown cell code"),
        (("9|99|999", 0.1, 16), "unknown cell code"),
        (([1], 0.1, 16), "unknown cell code"),
        ((code, 0.3, 16), r"choose lr from \[0.003125, 0.00625, 0.0125, 0.025, 0.05, 0.1, 0.2"),
        ((code, 0.1, 100), r"choose batch_size from \[16, 32, 64, 128, 256, 512\]"),
    ]
    for args, message in cases:
        with pytest.raises(OutOfDomainError, match=message) as info:
            api.query_by_key(*args)
        assert isinstance(info.value, ValueError) and isinstance(info.value, NasbenchLiteError)
    with pytest.raises(OutOfDomainError, match="unknown learning rate"):
        api.get_idx_from_key({"cellcode": code, "lr": 1.0, "batch_size": 16})
    with pytest.raises(OutOfDomainError, match=r"choose epoch from \[12, 200\]"):
        api.query_by_key(code, 0.1, 16, epoch=100)
    with pytest.raises(OutOfDomainError, match=r"choose mode from \['train', 'valid', 'test'\]"):
        api.query_by_key(code, 0.1, 16, mode="val")
    with pytest.raises(OutOfDomainError, match="only available for epoch 12"):
        api.query_by_key(code, 0.1, 16, epoch=200, iepoch=3)
    assert api.get_results()["acc_trans"] == []  # failed queries log nothing


def test_quirks_fixed(api: API, official: Any) -> None:
    key = official.get_key_from_idx(3)
    # iepoch=0: the official API reads column '*_-1' and fails with KeyError.
    with pytest.raises(KeyError):
        official.query_by_key(**key, iepoch=0)
    for bad in (0, -1, 13, 2.5, True):
        with pytest.raises(OutOfDomainError, match=r"iepoch must be an int in 1\.\.12"):
            api.query_by_key(**key, iepoch=bad)
    # seed=0: the official API ignores it (truthiness) and answers with the current seed.
    official.set_seed(555)
    assert official.query_by_key(**key, seed=0) == official.query_by_key(**key, seed=555)
    assert official.seed == 555
    with pytest.raises(OutOfDomainError, match="unknown seed 0"):
        api.query_by_key(**key, seed=0)
    # Official negative indexes map to wrong keys; ours count from the end.
    assert official.get_key_from_idx(-1) != official.get_key_from_idx(len(official) - 1)
    assert api.get_key_from_idx(-1) == official.get_key_from_idx(len(official) - 1)


def test_iteration_ends(built: Path, official: Any) -> None:
    with API(built) as ours:
        values = [value for value, _ in zip(ours, range(len(ours) + 5), strict=False)]
    assert len(values) == len(official)


def test_isomorphic_codes_share_hash_and_values(built: Path, data_dir: Path) -> None:
    cellinfo = pickle.loads((data_dir / "cellinfo.pkl").read_bytes())["hash"]
    with Database(built) as db:
        rows = db.query(
            "SELECT cellcode, c.hash_id, h.cell_hash FROM cells c JOIN hashes h USING (hash_id)"
        )
    assert {code: cell_hash for code, _, cell_hash in rows} == cellinfo
    groups: dict[str, list[str]] = {}
    for code, cell_hash in cellinfo.items():
        groups.setdefault(cell_hash, []).append(code)
    shared = [codes for codes in groups.values() if len(codes) > 1]
    assert len(shared) > 20
    with API(built) as ours:
        for codes in shared:
            answers = {ours.query_by_key(c, 0.05, 64, mode="test", iepoch=7) for c in codes}
            assert len(answers) == 1


def test_meta_provenance_and_grouping_report(built: Path, data_dir: Path) -> None:
    with Database(built) as db:
        meta = db.meta
        classes = dict(db.query("SELECT cellcode, canonical_cellcode FROM cells"))
    assert meta["kind"] == "nashpobench2" and meta["schema_version"] == "2"
    sources = json.loads(meta["sources"])
    assert [s["name"] for s in sources] == ["bench12.pkl", "cellinfo.pkl", "avgaccs200.pkl"]
    for source in sources:
        path = data_dir / source["name"]
        assert source["size"] == path.stat().st_size
        assert source["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    cellinfo = pickle.loads((data_dir / "cellinfo.pkl").read_bytes())["hash"]
    bench = pickle.loads((data_dir / "bench12.pkl").read_bytes())
    assert meta["rows.cells"] == str(len(cellinfo))
    assert (
        meta["rows.hashes"] == meta["grouping.official_hashes"] == str(len(set(cellinfo.values())))
    )
    assert meta["rows.runs"] == str(len(bench["lr"]))
    assert meta["rows.epochs"] == str(12 * len(bench["lr"]))
    assert json.loads(meta["lrs"]) == sorted(set(bench["lr"].values()))
    assert classes == canonical_classes(cellinfo)
    # The fixture splits two classes and merges two: recount the codes grouped differently.
    official_group = {
        c: frozenset(d for d in cellinfo if cellinfo[d] == cellinfo[c]) for c in cellinfo
    }
    our_group = {c: frozenset(d for d in classes if classes[d] == classes[c]) for c in classes}
    differ = sum(official_group[c] != our_group[c] for c in cellinfo)
    assert differ > 0
    assert meta["grouping.codes_grouped_differently"] == str(differ)
    assert meta["grouping.canonical_classes"] == str(len(set(classes.values())))


def test_query_many_equals_single_queries(api: API, official: Any) -> None:
    for kwargs in [
        {},
        {"mode": "test"},
        {"mode": "train", "iepoch": 6},
        {"mode": "valid", "iepoch": 1},
    ]:
        table = api.query_many(**kwargs)
        assert table.num_rows == len(official)
        assert table.column("index").to_pylist() == list(range(len(official)))
        expected = [
            official.query_by_key(**official.get_key_from_idx(i), enable_log=False, **kwargs)
            for i in range(len(official))
        ]
        assert table.column("acc").to_pylist() == [a for a, _ in expected]
        assert table.column("cost").to_pylist() == [c for _, c in expected]
        assert all(table.column("found").to_pylist())
        assert set(table.column("seed").to_pylist()) == {official.seed}
    surrogate = api.query_many(epoch=200)
    assert surrogate.column("acc").to_pylist() == [
        official.query_by_key(**official.get_key_from_idx(i), epoch=200)[0]
        for i in range(len(official))
    ]
    assert surrogate.column("cost").null_count == surrogate.num_rows
    assert surrogate.column("seed").null_count == surrogate.num_rows
    assert api.get_results()["acc_trans"] == []  # bulk queries are not logged


def test_query_many_subsets_seeds_and_mean(api: API, official: Any) -> None:
    codes = [official.cellcodes[5], official.cellcodes[2]]
    table = api.query_many(codes, [0.4, 0.003125], [512], mode="test", seed="all")
    rows = table.to_pylist()
    assert [(r["cellcode"], r["lr"], r["batch_size"], r["seed"]) for r in rows] == [
        (c, lr, 512, s) for c in codes for lr in (0.4, 0.003125) for s in official.seeds
    ]
    for row in rows:
        official.set_seed(row["seed"])
        key = {"cellcode": row["cellcode"], "lr": row["lr"], "batch_size": 512}
        assert (row["acc"], row["cost"]) == official.query_by_key(
            **key, mode="test", enable_log=False
        )
        assert row["index"] == official.get_idx_from_key(key)
    fixed = api.query_many(codes, seed=888).to_pylist()
    official.set_seed(888)
    assert [r["acc"] for r in fixed] == [
        official.query_by_key(c, lr, bs, enable_log=False)[0]
        for c in codes
        for lr in official.lrs
        for bs in official.batch_sizes
    ]
    mean = api.query_many(codes, [0.1], [64], seed="mean", iepoch=9).to_pylist()
    for row, code in zip(mean, codes, strict=True):
        values = []
        for seed in official.seeds:
            official.set_seed(seed)
            values.append(official.query_by_key(code, 0.1, 64, iepoch=9, enable_log=False))
        assert row["seed"] is None
        assert row["acc"] == pytest.approx(sum(a for a, _ in values) / 3, rel=1e-12)
        assert row["cost"] == pytest.approx(sum(c for _, c in values) / 3, rel=1e-12)
    with pytest.raises(OutOfDomainError, match="choose lr from"):
        api.query_many(codes, [0.5])
    with pytest.raises(OutOfDomainError, match="unknown cell code"):
        api.query_many(["3|33|3333"])
    with pytest.raises(OutOfDomainError, match="unknown seed"):
        api.query_many(codes, seed=1)
    with pytest.raises(ValueError, match="seed must be"):
        api.query_many(codes, seed="median")


def test_query_many_partial_epochs_equal_official(built: Path, official: Any) -> None:
    codes = official.cellcodes[::40]
    with API(built) as ours:
        for loaded in (False, True):  # the one-epoch columns, then the preloaded arrays
            if loaded:
                ours.preload()
            for mode, iepoch in (("test", 4), ("valid", 11), ("train", 1)):
                rows = ours.query_many(codes, mode=mode, iepoch=iepoch, seed="all").to_pylist()
                assert len(rows) == len(codes) * 48 * 3
                for row in rows:
                    official.set_seed(row["seed"])
                    expected = official.query_by_key(
                        row["cellcode"],
                        row["lr"],
                        row["batch_size"],
                        mode=mode,
                        iepoch=iepoch,
                        enable_log=False,
                    )
                    assert (row["acc"], row["cost"]) == expected, (loaded, mode, row)


def test_preload_gives_the_same_answers(built: Path, official: Any) -> None:
    rng = random.Random(8)
    keys = [official.get_key_from_idx(rng.randrange(len(official))) for _ in range(500)]
    with API(built) as cold, API(built) as warm:
        warm.preload()
        for key in keys:
            for kwargs in ({}, {"mode": "test", "iepoch": 5}, {"epoch": 200}):
                assert cold.query_by_key(**key, **kwargs) == warm.query_by_key(**key, **kwargs)


# -- incomplete data, corrupt and malicious sources, atomic builds ---------------------------


def _rewrite(folder: Path, name: str, obj: Any) -> None:
    (folder / name).write_bytes(pickle.dumps(obj, protocol=4))


def _copy_dataset(source: Path, target: Path) -> Path:
    target.mkdir()
    for name in ("bench12.pkl", "cellinfo.pkl", "avgaccs200.pkl"):
        (target / name).write_bytes((source / name).read_bytes())
    return target


def test_missing_rows_are_reported_not_invented(tmp_path: Path, data_dir: Path) -> None:
    folder = _copy_dataset(data_dir, tmp_path / "data")
    bench = pickle.loads((folder / "bench12.pkl").read_bytes())
    surrogate = pickle.loads((folder / "avgaccs200.pkl").read_bytes())
    dropped = sorted(bench["lr"])[::97]
    for column in bench.values():
        for key in dropped:
            del column[key]
    gone = next(iter(surrogate["avg_acc"]))
    del surrogate["avg_acc"][gone]
    _rewrite(folder, "bench12.pkl", bench)
    _rewrite(folder, "avgaccs200.pkl", surrogate)
    out = tmp_path / "partial.sqlite"
    build_nashpobench2(folder, out)
    official = nashpobench2api.NASHPOBench2API(str(folder), verbose=False)
    cell_of = {}
    for code, cell_hash in official.cellinfo["hash"].items():
        cell_of.setdefault(cell_hash, code)
    with API(out) as ours:
        cell_hash, lr, bs, seed = dropped[0]
        ours.set_seed(seed)
        official.set_seed(seed)
        with pytest.raises(KeyError):
            official.query_by_key(cell_of[cell_hash], lr, bs)
        with pytest.raises(NotInDatabaseError):
            ours.query_by_key(cell_of[cell_hash], lr, bs)
        with pytest.raises(NotInDatabaseError):
            ours.query_by_key(cell_of[gone[0]], gone[1], gone[2], epoch=200)
        table = ours.query_many(seed="all")
        missing = {
            (r["cellcode"], r["lr"], r["batch_size"], r["seed"])
            for r in table.to_pylist()
            if not r["found"]
        }
        assert missing == {
            (c, k[1], k[2], k[3])
            for k in dropped
            for c, h in official.cellinfo["hash"].items()
            if h == k[0]
        }
        assert table.filter(table.column("found")).column("acc").null_count == 0
        assert table.column("acc").null_count == len(missing)


def test_existing_output_needs_force(tmp_path: Path, data_dir: Path) -> None:
    out = tmp_path / "nhb2.sqlite"
    out.write_bytes(b"keep me")
    with pytest.raises(OutputExistsError):
        build_nashpobench2(data_dir, out)
    assert out.read_bytes() == b"keep me"
    summary = build_nashpobench2(data_dir, out, force=True)
    assert summary.rows["runs"] > 0
    with Database(out, kind="nashpobench2") as db:
        assert db.meta["rows.runs"] == str(summary.rows["runs"])


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("drop_column", "column 'valid_acc_5' is missing"),
        ("drop_value", "column 'test_time_11' has no value for row"),
        ("bad_key", "is not \\(cell_hash, lr, batch_size, seed\\)"),
        ("key_mismatch", "has batch_size = 17"),
        ("not_numeric", "column 'train_acc_0' is not numeric"),
        ("bad_cellcode", "cell code '4\\|00\\|000' is not of the form"),
        ("no_hash_table", "expected a dict with a non-empty 'hash' dict"),
        ("surrogate_not_number", "not a number"),
        ("truncated", "not a readable pickle|truncated"),
        ("no_rows", "bench12.pkl: no rows"),
        ("extra_value", "column 'seed' has .* rows, column 'lr' has"),
        ("hash_type", "cell hash of '0\\|00\\|000' is a float, expected str or int"),
        ("surrogate_key", "is not \\(cell_hash, lr, batch_size\\)"),
    ],
)
def test_corrupt_sources_write_nothing(
    tmp_path: Path, data_dir: Path, damage: str, message: str
) -> None:
    folder = _copy_dataset(data_dir, tmp_path / "data")
    bench = pickle.loads((folder / "bench12.pkl").read_bytes())
    first = next(iter(bench["lr"]))
    if damage == "drop_column":
        del bench["valid_acc_5"]
    elif damage == "drop_value":
        del bench["test_time_11"][first]
    elif damage == "bad_key":
        for column in bench.values():
            column[first[:3]] = column.pop(first)
    elif damage == "key_mismatch":
        bench["batch_size"][first] = 17
    elif damage == "not_numeric":
        bench["train_acc_0"][first] = "n/a"
    elif damage == "bad_cellcode":
        cellinfo = pickle.loads((folder / "cellinfo.pkl").read_bytes())
        cellinfo["hash"]["4|00|000"] = "x"
        _rewrite(folder, "cellinfo.pkl", cellinfo)
    elif damage == "no_hash_table":
        _rewrite(folder, "cellinfo.pkl", {"hashes": {}})
    elif damage == "no_rows":
        bench = {name: {} for name in bench}
    elif damage == "extra_value":
        bench["seed"][("x", 0.1, 16, 222)] = 222
    elif damage == "hash_type":
        cellinfo = pickle.loads((folder / "cellinfo.pkl").read_bytes())
        cellinfo["hash"]["0|00|000"] = 1.5
        _rewrite(folder, "cellinfo.pkl", cellinfo)
    elif damage == "surrogate_key":
        surrogate = pickle.loads((folder / "avgaccs200.pkl").read_bytes())
        surrogate["avg_acc"][("h", 0.1)] = 50.0
        _rewrite(folder, "avgaccs200.pkl", surrogate)
    elif damage == "surrogate_not_number":
        surrogate = pickle.loads((folder / "avgaccs200.pkl").read_bytes())
        surrogate["avg_acc"][next(iter(surrogate["avg_acc"]))] = None
        _rewrite(folder, "avgaccs200.pkl", surrogate)
    _rewrite(folder, "bench12.pkl", bench)
    if damage == "truncated":
        data = (folder / "bench12.pkl").read_bytes()
        (folder / "bench12.pkl").write_bytes(data[: len(data) // 2])
    out = tmp_path / "out.sqlite"
    with pytest.raises(CorruptSourceError, match=message) as info:
        build_nashpobench2(folder, out)
    assert isinstance(info.value, ValueError)
    assert info.value.path is not None and info.value.path.parent == folder
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # no temporary left


def test_missing_inputs(tmp_path: Path, data_dir: Path) -> None:
    with pytest.raises(BuildError, match="no such data folder"):
        build_nashpobench2(tmp_path / "nope", tmp_path / "out.sqlite")
    folder = _copy_dataset(data_dir, tmp_path / "data")
    (folder / "avgaccs200.pkl").unlink()
    with pytest.raises(BuildError, match="avgaccs200.pkl: missing"):
        build_nashpobench2(folder, tmp_path / "out.sqlite")
    assert not (tmp_path / "out.sqlite").exists()


class _Exploit:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        import os

        return (os.system, (f"touch {self.marker}",))


def test_malicious_pickle_runs_nothing(tmp_path: Path, data_dir: Path) -> None:
    folder = _copy_dataset(data_dir, tmp_path / "data")
    marker = tmp_path / "pwned"
    cellinfo = pickle.loads((folder / "cellinfo.pkl").read_bytes())
    cellinfo["payload"] = _Exploit(marker)
    _rewrite(folder, "cellinfo.pkl", cellinfo)
    out = tmp_path / "out.sqlite"
    with pytest.raises(UnsafePickleError, match=r"refers to (posix|os|nt)\.system") as info:
        build_nashpobench2(folder, out)
    assert info.value.name == "system"
    assert isinstance(info.value, CorruptSourceError)
    assert not marker.exists()
    assert not out.exists()
    # The official loader would have run it: prove the payload is live.
    pickle.loads((folder / "cellinfo.pkl").read_bytes())
    assert marker.exists()


def test_cli_build_and_info(tmp_path: Path, data_dir: Path) -> None:
    out = tmp_path / "nhb2.sqlite"
    command = [
        sys.executable,
        "-m",
        "nasbench_lite",
        "build",
        "nashpobench2",
        str(data_dir),
        "-o",
        str(out),
        "--quiet",
        "--json",
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["kind"] == "nashpobench2" and payload["rows"]["cells"] > 0
    again = subprocess.run(command, capture_output=True, text=True, check=False)
    assert again.returncode == 1
    assert again.stderr.strip().count("\n") == 0 and "already exists" in again.stderr
    info = subprocess.run(
        [sys.executable, "-m", "nasbench_lite", "info", str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "grouping.codes_grouped_differently" in info.stdout
    missing = subprocess.run(
        [
            sys.executable,
            "-m",
            "nasbench_lite",
            "build",
            "nashpobench2",
            str(tmp_path / "nope"),
            "-o",
            str(tmp_path / "x.sqlite"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.returncode == 1 and "no such data folder" in missing.stderr


def _source_rows(data_dir: Path) -> dict[tuple[Any, ...], dict[str, Any]]:
    """bench12.pkl as ``{(cell_hash, lr, batch_size, seed): {column: value}}``."""
    bench = pickle.loads((data_dir / "bench12.pkl").read_bytes())
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    for column, values in bench.items():
        for key, value in values.items():
            rows.setdefault(key, {})[column] = value
    return rows


def _same(a: Any, b: Any) -> bool:
    """Equal bit for bit (NaN equals NaN, -0.0 differs from 0.0); None only equals None."""
    if a is None or b is None:
        return a is b
    return bool(np.float64(a).tobytes() == np.float64(b).tobytes())


def _plain_rows(path: Path) -> dict[tuple[Any, ...], dict[str, Any]]:
    """The database's runs and epochs, keyed like bench12, with the special bits applied."""
    con = sqlite3.connect(path)
    keys = {
        run_id: key
        for run_id, *key in con.execute(
            "SELECT r.run_id, h.cell_hash, l.lr, b.batch_size, s.seed FROM runs r"
            " JOIN hashes h USING (hash_id) JOIN lrs l USING (lr_idx)"
            " JOIN batch_sizes b USING (bs_idx) JOIN seeds s USING (seed_idx)"
        )
    }
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}

    def exact(value: Any, mask: int, bit: int) -> Any:
        return (math.nan if value is None else -0.0) if mask >> bit & 1 else value

    totals = ("total_train_time", "total_trainval_time", "total_test_time")
    finals = ("train_acc_11", "valid_acc_11", "test_acc_11")  # runs.final_*: copies
    sql = (
        "SELECT run_id, total_train_time, total_trainval_time, total_test_time,"
        " final_train_acc, final_valid_acc, final_test_acc, special_mask FROM runs"
    )
    for run_id, *values, mask in con.execute(sql):
        key = tuple(keys[run_id])
        row = rows.setdefault(key, {"lr": key[1], "batch_size": key[2], "seed": key[3]})
        for i, (name, v) in enumerate(zip(totals + finals, values, strict=True)):
            row[name if i < 3 else f"final:{name}"] = exact(v, mask, i)
    metrics = ("train_acc", "valid_acc", "test_acc", "train_time", "valid_time", "test_time")
    for run_id, epoch, *values, mask in con.execute(
        f"SELECT run_id, epoch, {', '.join(metrics)}, special_mask FROM epochs"
    ):
        row = rows[tuple(keys[run_id])]
        for i, (metric, value) in enumerate(zip(metrics, values, strict=True)):
            row[f"{metric}_{epoch - 1}"] = exact(value, mask, i)
    return rows


def test_plain_columns_hold_every_source_value_bit_for_bit(built: Path, data_dir: Path) -> None:
    source, stored = _source_rows(data_dir), _plain_rows(built)
    assert stored.keys() == source.keys()
    for key, columns in source.items():
        finals = {k[6:]: stored[key].pop(k) for k in list(stored[key]) if k.startswith("final:")}
        assert stored[key].keys() == columns.keys(), key
        for column, value in columns.items():
            assert _same(stored[key][column], value), (key, column)
        assert sorted(finals) == ["test_acc_11", "train_acc_11", "valid_acc_11"]
        assert all(_same(v, columns[k]) for k, v in finals.items()), key
    con = sqlite3.connect(built)
    assert con.execute("SELECT min(epoch), max(epoch), count(*) FROM epochs").fetchone() == (
        1,
        12,
        12 * len(source),
    )
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    # At epoch 12 the official cost is the file's totals (what the API reads from runs).
    mismatched = con.execute(
        "SELECT count(*) FROM epochs e JOIN runs r USING (run_id) WHERE e.epoch = 12 AND NOT"
        " (e.train_cost = r.total_train_time AND e.valid_cost = r.total_trainval_time"
        " AND e.test_cost = r.total_trainval_time + r.total_test_time)"
    ).fetchone()
    assert mismatched == (0,)


def test_nan_negative_zero_and_none_round_trip(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    written = fx.write_dataset(folder, fx.sample_cellcodes(12, seed=4), seed=6)
    bench = written["bench12"]
    keys = list(bench["lr"])
    bench["valid_acc_11"][keys[0]] = math.nan
    bench["valid_acc_3"][keys[1]] = -0.0
    bench["test_time_2"][keys[1]] = math.nan
    bench["train_acc_11"][keys[2]] = None
    bench["total_trainval_time"][keys[3]] = math.nan
    bench["total_train_time"][keys[4]] = -0.0
    bench["valid_time_1"][keys[5]] = None
    _rewrite(folder, "bench12.pkl", bench)
    out = tmp_path / "special.sqlite"
    build_nashpobench2(folder, out)
    source, stored = _source_rows(folder), _plain_rows(out)
    for key, columns in source.items():
        for column, value in columns.items():
            assert _same(stored[key][column], value), (key, column)
            if f"final:{column}" in stored[key]:
                assert _same(stored[key][f"final:{column}"], value), (key, column)
    official = nashpobench2api.NASHPOBench2API(str(folder), verbose=False)
    cell_of = {}
    for code, cell_hash in official.cellinfo["hash"].items():
        cell_of.setdefault(cell_hash, code)
    checked = failed = 0
    with API(out) as cold, API(out) as warm:
        warm.preload()
        for key in keys[:6]:
            for ours in (cold, warm):
                ours.set_seed(key[3])
            official.set_seed(key[3])
            query = (cell_of[key[0]], key[1], key[2])
            for mode in ("train", "valid", "test"):
                for iepoch in (None, 1, 2, 3, 4, 11, 12):
                    kwargs = {"mode": mode, "iepoch": iepoch, "enable_log": False}
                    try:
                        expected = official.query_by_key(*query, **kwargs)
                    except TypeError:  # None + float in the official sum: ours fails too
                        with pytest.raises((TypeError, NasbenchLiteError)):
                            cold.query_by_key(*query, **kwargs)
                        failed += 1
                        continue
                    for ours in (cold, warm):
                        if ours is warm and None in expected:
                            continue  # the arrays hold NaN where the file holds None
                        got = ours.query_by_key(*query, **kwargs)
                        assert all(_same(a, b) for a, b in zip(got, expected, strict=True)), (
                            key,
                            kwargs,
                            got,
                            expected,
                        )
                        checked += 1
    assert checked > 150 and failed > 0
    special = (
        sqlite3.connect(out)
        .execute("SELECT count(*) FROM epochs WHERE special_mask != 0")
        .fetchone()[0]
    )
    assert special > 3  # the six values and the costs computed from them


def test_export_writes_the_plain_tables(tmp_path: Path, built: Path, data_dir: Path) -> None:
    import pyarrow.parquet as pq

    written = export_database(built, tmp_path / "out")
    assert set(written) == {
        "meta",
        "data_dictionary",
        "hashes",
        "cells",
        "lrs",
        "batch_sizes",
        "seeds",
        "runs",
        "epochs",
        "surrogate",
    }
    epochs = pq.read_table(written["epochs"])
    bench = pickle.loads((data_dir / "bench12.pkl").read_bytes())
    assert epochs.num_rows == 12 * len(bench["lr"])
    assert epochs.schema.field("valid_acc").metadata[b"unit"] == b"%"
    assert b"CIFAR-10 test set" in epochs.schema.field("test_acc").metadata[b"split"]
    con = sqlite3.connect(built)
    assert epochs.to_pylist()[:500] == [
        dict(zip(epochs.column_names, row, strict=True))
        for row in con.execute(f"SELECT {', '.join(epochs.column_names)} FROM epochs LIMIT 500")
    ]
    csv = export_database(built, tmp_path / "csv", fmt="csv")
    header = csv["epochs"].read_text().splitlines()[0]
    assert header.replace('"', "") == (
        "run_id,epoch,train_acc,valid_acc,test_acc,train_time,valid_time,test_time,"
        "train_cost,valid_cost,test_cost,special_mask"
    )


def test_best_at_12_epochs_view_equals_the_source(built: Path, data_dir: Path) -> None:
    bench = pickle.loads((data_dir / "bench12.pkl").read_bytes())
    cell_hash = pickle.loads((data_dir / "cellinfo.pkl").read_bytes())["hash"]
    per_config: dict[Any, list[tuple[float, float]]] = {}
    for key, valid in bench["valid_acc_11"].items():
        per_config.setdefault(key[:3], []).append((valid, bench["test_acc_11"][key]))
    best: dict[Any, tuple[float, float, float, int]] = {}
    for (h, lr, bs), values in sorted(per_config.items(), key=lambda kv: (kv[0][1], kv[0][2])):
        valid = sum(v for v, _ in values) / len(values)
        test = sum(t for _, t in values) / len(values)
        if h not in best or valid > best[h][2]:
            best[h] = (lr, bs, valid, test)
    rows = (
        sqlite3.connect(built)
        .execute(
            "SELECT cellcode, lr, batch_size, valid_acc, test_acc, n_seeds FROM best_at_12_epochs"
            " ORDER BY cell_idx"
        )
        .fetchall()
    )
    assert [r[0] for r in rows] == sorted(cell_hash)
    for code, lr, bs, valid, test, n_seeds in rows:
        want = best[cell_hash[code]]
        assert (lr, bs) == want[:2], code
        assert (valid, test) == pytest.approx(want[2:]) and n_seeds == 3


def test_numpy_keys_and_protocol_2(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    written = fx.write_dataset(folder, fx.sample_cellcodes(20, seed=5), seed=2, protocol=2)
    # pandas' to_dict() can leave NumPy scalars in the MultiIndex tuples: same layout, other types.
    bench = {}
    for name, column in written["bench12"].items():
        bench[name] = {
            (h, np.float64(lr), np.int64(bs), np.int64(s)): value
            for (h, lr, bs, s), value in column.items()
        }
    (folder / "bench12.pkl").write_bytes(pickle.dumps(bench, protocol=2))
    out = tmp_path / "np.sqlite"
    build_nashpobench2(folder, out)
    official = nashpobench2api.NASHPOBench2API(str(folder), verbose=False)
    with API(out) as ours:
        assert ours.get_search_space() == official.get_search_space()
        for idx in range(0, len(official), 5):
            key = official.get_key_from_idx(idx)
            assert ours.query_by_key(**key, mode="test", iepoch=4) == official.query_by_key(
                **key, mode="test", iepoch=4
            )


def test_verbose_logs_each_query(built: Path, caplog: pytest.LogCaptureFixture) -> None:
    with API(built, verbose=True) as ours:
        key = ours.get_key_from_idx(9)
        with caplog.at_level(logging.INFO, logger="nasbench_lite.nashpobench2"):
            ours.query_by_key(**key)
            ours.query_by_key(**key, enable_log=False)
        assert len(caplog.records) == 1 and key["cellcode"] in caplog.text
        ours.reset_logdata(verbose=False)
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="nasbench_lite.nashpobench2"):
            ours.query_by_key(**key)
        assert caplog.records == []
