"""``build nats``: bit-exact storage, layout checks with clear errors, atomic output, CLI."""

from __future__ import annotations

import bz2
import json
import math
import os
import pickle
import shutil
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from nasbench_lite._core.database import Database
from nasbench_lite._core.formats.safe_pickle import UnsafePickleError, load_path
from nasbench_lite.benchmarks.nats.build import build_nats
from nasbench_lite.benchmarks.nats.trial import FINAL_FIELDS, Trial, finals_from_row
from nasbench_lite.errors import BuildError, CorruptSourceError, OutputExistsError
from nasbench_lite.spaces.nb201.space import isomorphism_classes, size_strings, topology_strings
from nats_fixture import pickle_save, write_archive

DATA = Path(__file__).parent / "data" / "nats"


def bits(value: float) -> bytes:
    return struct.pack("<d", value)


@pytest.fixture(scope="module")
def tss_archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[int, Any]]:
    directory = tmp_path_factory.mktemp("tss") / "NATS-tss-v1_0-3ffb9-simple"
    data = write_archive(directory, topology_strings(), "tss", [0, 3, 5, 6, 7, 15624], seed=1)
    shutil.copy(DATA / "tss-000011.pickle.pbz2", directory / "000011.pickle.pbz2")
    data[11] = load_path(DATA / "tss-000011.pickle.pbz2")
    return directory, data


@pytest.fixture(scope="module")
def tss_db(tss_archive: tuple[Path, dict[int, Any]], tmp_path_factory: Any) -> Path:
    out = tmp_path_factory.mktemp("tssdb") / "tss.sqlite"
    done = []
    summary = build_nats(tss_archive[0], out, progress=lambda d, t: done.append((d, t)))
    assert done[-1] == (7, 7)
    assert summary.rows == {"archs": 15_625, "archs_with_results": 7, "runs": summary.rows["runs"]}
    return out


def test_every_stored_value_is_bit_exact(
    tss_archive: tuple[Path, dict[int, Any]], tss_db: Path
) -> None:
    _, data = tss_archive
    checked = 0
    with Database(tss_db, kind="nats") as db:
        rows = db.query(
            "SELECT arch_index, hp, dataset, seed, eval_names, epochs, seed_label, data"
            " FROM runs JOIN curves USING (run_id)"
        )
        assert len(rows) == sum(
            len(state["all_results"]) for arch in data.values() for state in arch.values()
        )
        for index, hp, dataset, seed, names, epochs, label, blob in rows:
            rc = data[index][hp]["all_results"][(dataset, seed)]
            trial = Trial.decode(blob, names.split(","))
            assert list(trial.eval_names) == rc["eval_names"] and epochs == rc["epochs"]
            assert label == rc["seed"]
            for row, field in enumerate(
                ("train_acc1es", "train_acc5es", "train_losses", "train_times")
            ):
                source = rc[field]
                assert trial.dict_present[row] == (source is not None)
                for epoch in range(epochs):
                    held = source is not None and epoch in source
                    assert bool(trial.present[row, epoch]) == held
                    if held:
                        assert bits(trial.values[row, epoch]) == bits(source[epoch])
                        checked += 1
            for i, name in enumerate(trial.eval_names):
                for k, field in enumerate(("eval_acc1es", "eval_losses", "eval_times")):
                    for epoch in range(epochs):
                        key = f"{name}@{epoch}"
                        held = key in rc[field]
                        assert bool(trial.present[4 + 3 * i + k, epoch]) == held
                        if held:
                            assert bits(trial.values[4 + 3 * i + k, epoch]) == bits(rc[field][key])
                            checked += 1
            if rc["latency"] is None:
                assert trial.latency is None
            else:
                assert list(map(bits, trial.latency)) == list(map(bits, rc["latency"]))
    assert checked > 20_000


def test_space_columns_and_meta(tss_db: Path) -> None:
    archs = topology_strings()
    with Database(tss_db, kind="nats") as db:
        rows = db.query("SELECT arch_str, class_index, has_results FROM archs ORDER BY arch_index")
        assert [r[0] for r in rows] == archs
        assert [r[1] for r in rows] == isomorphism_classes(archs).tolist()
        assert {i for i, r in enumerate(rows) if r[2]} == {0, 3, 5, 6, 7, 11, 15624}
        assert db.meta["space"] == "tss" and db.meta["source.form"] == "archive directory"
        assert json.loads(db.meta["hps"]) == ["12", "200"]
        assert db.meta["source.files"] == "7"
        # NaN stays NaN through nan_mask (SQL REAL turns it into NULL).
        nan_rows = [
            finals_from_row(r[1:], r[0])["train_loss"]
            for r in db.query(
                f"SELECT nan_mask, {', '.join(FINAL_FIELDS)} FROM runs WHERE train_loss IS NULL"
            )
        ]
        assert nan_rows and all(math.isnan(v) for v in nan_rows)


def test_official_hp200_gaps_stay_missing(tss_db: Path) -> None:
    """Real file, arch 11: cifar100 hp 200 has x-valid only at the last epoch."""
    with Database(tss_db, kind="nats") as db:
        names, blob = db.query(
            "SELECT eval_names, data FROM runs JOIN curves USING (run_id)"
            " WHERE arch_index = 11 AND hp = '200' AND dataset = 'cifar100' AND seed = 777"
        )[0]
    trial = Trial.decode(blob, names.split(","))
    row = 4 + 3 * trial.eval_names.index("x-valid")
    assert trial.present[row].tolist() == [False] * 199 + [True]
    assert trial.present[row + 2].all()  # times exist for every epoch (pseudo times)


def corrupt(directory: Path, index: int, change: Any) -> None:
    path = directory / f"{index:06d}.pickle.pbz2"
    data = load_path(path)
    change(data)
    pickle_save(data, path)


def _first_trial(data: Any) -> dict[str, Any]:
    return next(iter(data["12"]["all_results"].values()))  # type: ignore[no-any-return]


CORRUPTIONS = {
    "arch_index": (lambda d: d["12"].update(arch_index=9), "'arch_index'"),
    "arch_str": (lambda d: d["12"].update(arch_str="|none~0|"), "differs from meta"),
    "missing all_results": (lambda d: d["12"].pop("all_results"), "missing key 'all_results'"),
    "unknown dataset": (
        lambda d: d["12"]["dataset_seed"].update(mnist=[1]),
        "unknown dataset 'mnist'",
    ),
    "missing trial": (
        lambda d: d["12"]["dataset_seed"]["cifar10"].append(5),
        "missing trial ('cifar10', 5)",
    ),
    "extra trial": (
        lambda d: d["12"]["all_results"].update({("cifar10", 42): _first_trial(d)}),
        "not in dataset_seed",
    ),
    "epoch out of range": (
        lambda d: _first_trial(d)["train_losses"].update({99: 1.0}),
        "key 99 is not an epoch",
    ),
    "eval key": (
        lambda d: _first_trial(d)["eval_acc1es"].update({"x-valid@500": 1.0}),
        "beyond 12 epochs",
    ),
    "eval set": (
        lambda d: _first_trial(d)["eval_losses"].update({"bogus@1": 1.0}),
        "not '<eval set>@<epoch>'",
    ),
    "value type": (
        lambda d: _first_trial(d)["train_acc1es"].update({0: "high"}),
        "value of epoch 0 is str",
    ),
    "latency": (lambda d: _first_trial(d).update(latency=0.5), "'latency'"),
    "name": (lambda d: _first_trial(d).update(name="cifar100"), "'name' is 'cifar100'"),
    "not a dict": (lambda d: d.update({"12": [1, 2]}), "expected a dict"),
}


@pytest.mark.parametrize("case", sorted(CORRUPTIONS))
def test_corrupt_files_fail_cleanly(case: str, tmp_path: Path) -> None:
    archs = topology_strings()
    directory = tmp_path / "archive"
    write_archive(directory, archs, "tss", [2, 4], quirks=False)
    change, message = CORRUPTIONS[case]
    corrupt(directory, 4, change)
    out = tmp_path / "out.sqlite"
    out.write_bytes(b"previous")
    with pytest.raises(CorruptSourceError, match="000004.pickle.pbz2") as info:
        build_nats(directory, out, force=True)
    assert message in str(info.value)
    assert out.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive", "out.sqlite"]


def test_source_level_errors(tmp_path: Path) -> None:
    archs = size_strings()
    directory = tmp_path / "archive"
    write_archive(directory, archs, "sss", [1], quirks=False)
    out = tmp_path / "out.sqlite"
    # A pickle that would run code is refused, nothing runs.
    marker = tmp_path / "ran"
    payload = (
        b"\x80\x04cos\nsystem\n(V" + f"touch {marker}".encode() + b"\ntR."
    )  # protocol-0 GLOBAL/REDUCE
    (directory / "000002.pickle.pbz2").write_bytes(bz2.compress(payload))
    with pytest.raises(UnsafePickleError, match="os.system"):
        build_nats(directory, out)
    assert not marker.exists() and not out.exists()
    (directory / "000002.pickle.pbz2").write_bytes(bz2.compress(pickle.dumps({"12": {}}))[:-20])
    with pytest.raises(CorruptSourceError, match="000002"):
        build_nats(directory, out)
    (directory / "000002.pickle.pbz2").unlink()
    shutil.copy(directory / "000001.pickle.pbz2", directory / "40000.pickle.pbz2")
    with pytest.raises(CorruptSourceError, match="index 40000 but meta lists 32768"):
        build_nats(directory, out)
    (directory / "40000.pickle.pbz2").unlink()
    with pytest.raises(BuildError, match="not tss"):
        build_nats(directory, out, space="tss")
    (directory / "meta.pickle.pbz2").unlink()
    with pytest.raises(CorruptSourceError, match="no meta.pickle.pbz2"):
        build_nats(directory, out)
    with pytest.raises(BuildError, match="no such file"):
        build_nats(tmp_path / "missing", out)
    pickle_save({"meta_archs": ["a", "a"], "total_archs": 2}, directory / "meta.pickle.pbz2")
    with pytest.raises(CorruptSourceError, match="twice"):
        build_nats(directory, out)
    assert not out.exists()
    build_target = tmp_path / "exists.sqlite"
    build_target.write_bytes(b"x")
    write_archive(tmp_path / "empty", archs, "sss", [], quirks=False)
    with pytest.raises(OutputExistsError):
        build_nats(tmp_path / "empty", build_target)
    summary = build_nats(tmp_path / "empty", build_target, force=True)
    assert summary.rows["archs_with_results"] == 0 and summary.rows["archs"] == 32_768


def test_cli_build_nats(tmp_path: Path, tss_archive: tuple[Path, dict[int, Any]]) -> None:
    out = tmp_path / "cli.sqlite"
    command = [sys.executable, "-m", "nasbench_lite", "build", "nats", str(tss_archive[0])]
    done = subprocess.run(
        [*command, "-o", str(out), "--quiet", "--json"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["rows"]["archs_with_results"] == 7 and payload["meta"]["space"] == "tss"
    again = subprocess.run([*command, "-o", str(out), "--quiet"], capture_output=True, text=True)
    assert again.returncode == 1 and "already exists" in again.stderr
    wrong = subprocess.run(
        [*command, "-o", str(tmp_path / "x.sqlite"), "--space", "sss", "--quiet"],
        capture_output=True,
        text=True,
    )
    assert wrong.returncode == 1 and "not sss" in wrong.stderr
    assert not (tmp_path / "x.sqlite").exists()
    assert os.listdir(tmp_path) == ["cli.sqlite"]
    query = [sys.executable, "-m", "nasbench_lite", "query", str(out), "--json"]
    shown = subprocess.run(
        [*query, "--arch", "11", "--dataset", "cifar100", "--hp", "200", "--seed", "888"],
        capture_output=True,
        text=True,
    )
    assert shown.returncode == 0, shown.stderr
    from nasbench_lite import nats

    with nats.create(out, "tss") as api:
        expected = api.get_more_info(11, "cifar100", None, "200", 888)
    assert json.loads(shown.stdout)["info"] == expected
    absent = subprocess.run([*query, "--arch", "12"], capture_output=True, text=True)
    assert absent.returncode == 1 and "no results" in absent.stderr


def test_absent_seeds_stay_absent(tss_db: Path) -> None:
    """Arch 7 lacks seed 999 at hp 200 (like NATS issue #30): nothing is invented for it."""
    with Database(tss_db, kind="nats") as db:
        seeds = db.query(
            "SELECT seed FROM runs WHERE arch_index = 7 AND hp = '200' AND dataset = 'cifar10'"
            " ORDER BY seed_order"
        )
        summary = db.query(
            "SELECT n_seeds FROM summaries WHERE arch_index = 7 AND hp = '200'"
            " AND dataset = 'cifar10'"
        )
    assert [s for (s,) in seeds] == [777, 888]
    assert summary == [(2,)]


def test_export_curves_and_runs_bit_exact(
    tss_archive: tuple[Path, dict[int, Any]], tss_db: Path, tmp_path: Path
) -> None:
    import pyarrow.parquet as pq
    from nasbench_lite.registry import export_database

    _, data = tss_archive
    written = export_database(tss_db, tmp_path / "out")
    assert set(written) == {
        "archs",
        "arch_hps",
        "configs",
        "curve_index",
        "curve_shapes",
        "curves",
        "data_dictionary",
        "meta",
        "runs",
        "summaries",
    }
    curves = pq.read_table(written["curves"]).to_pylist()
    series = {
        "train_accuracy": ("train_acc1es", None),
        "train_accuracy_top5": ("train_acc5es", None),
        "train_loss": ("train_losses", None),
        "train_time": ("train_times", None),
        **{
            f"{s.replace('-', '_')}_{k}": (f"eval_{f}", s)
            for s in ("x-valid", "x-test", "ori-test")
            for k, f in (("accuracy", "acc1es"), ("loss", "losses"), ("time", "times"))
        },
    }
    checked = 0
    for row in curves:
        rc = data[row["arch_index"]][row["hp"]]["all_results"][(row["dataset"], row["seed"])]
        for column, (field, setname) in series.items():
            source = rc[field] or {}
            key = row["epoch"] if setname is None else f"{setname}@{row['epoch']}"
            if key in source:
                assert bits(row[column]) == bits(source[key]), (row, column)
                checked += 1
            else:
                assert row[column] is None
    assert len(curves) == sum(
        rc["epochs"]
        for arch in data.values()
        for state in arch.values()
        for rc in state["all_results"].values()
    )
    assert checked > 20_000
    runs = pq.read_table(written["runs"]).to_pylist()
    nan_losses = [r["train_loss"] for r in runs if r["train_loss"] != r["train_loss"]]
    assert nan_losses  # NaN stays NaN in the export (NULL in SQL)
    assert "nan_mask" not in runs[0]


def test_single_benchmark_file_equals_archive_build(
    tss_archive: tuple[Path, dict[int, Any]], tss_db: Path, tmp_path: Path
) -> None:
    """The single-file form builds the same data; the official API (non-fast mode) agrees."""
    import nats_bench
    from nasbench_lite import nats
    from nats_fixture import write_benchmark_file

    _, data = tss_archive
    source = tmp_path / "NATS-tss-v1_0-3ffb9.pickle.pbz2"
    write_benchmark_file(source, topology_strings(), data)
    out = tmp_path / "file.sqlite"
    summary = build_nats(source, out)
    assert summary.meta["source.form"] == "single benchmark file"
    assert summary.rows == {"archs": 15_625, "archs_with_results": 7, "runs": 107}
    with Database(out) as a, Database(tss_db) as b:
        for table in ("runs", "curves", "summaries", "arch_hps", "configs"):
            assert a.query(f"SELECT * FROM {table}") == b.query(f"SELECT * FROM {table}")
    official = nats_bench.create(str(source), "tss", fast_mode=False, verbose=False)
    with nats.create(out, "tss") as ours:
        for index in data:
            for hp in ("12", "200"):
                got = ours.get_more_info(index, "cifar100", hp=hp, is_random=False)
                want = official.get_more_info(index, "cifar100", hp=hp, is_random=False)
                assert str(got) == str(want)  # NaN-safe exact comparison (repr round-trips)
        assert ours.find_best("cifar100", "x-valid", hp="200") == official.find_best(
            "cifar100", "x-valid", hp="200"
        )
    # Out-of-layout single files fail cleanly.
    pickle_save({"meta_archs": topology_strings()[:3], "arch2infos": None}, tmp_path / "bad.pbz2")
    with pytest.raises(CorruptSourceError, match="bad.pbz2"):
        build_nats(tmp_path / "bad.pbz2", tmp_path / "bad.sqlite")
    assert not (tmp_path / "bad.sqlite").exists()
