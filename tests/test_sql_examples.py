"""The README's plain-SQL examples and ``nasbench-lite sql`` / ``nasbench_lite.sql``.

Every ``-- example:`` block of the README runs against small databases built from files in the
official formats, and its answer is checked against the sources (or the native API).
"""

from __future__ import annotations

import csv
import io
import json
import pickle
import re
import shutil
import sqlite3
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Any

import kind_dbs
import nasbench_lite
import pytest
from nasbench_lite import cli
from nasbench_lite.errors import DatabaseError, InvalidInputError

README = Path(__file__).resolve().parent.parent / "README.md"


def _examples() -> dict[str, str]:
    blocks = re.findall(r"```sql\n-- example: (\w+)\n(.*?)```", README.read_text(), re.DOTALL)
    return dict(blocks)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sql")


@pytest.fixture(scope="module")
def dbs(folder: Path) -> dict[str, Path]:
    from nasbench_lite.benchmarks.nats_space.build import build_nats_space

    return {
        "nb101": kind_dbs.small_nb101(folder),
        "nats": kind_dbs.small_nats(folder),
        "nats_space": build_nats_space(folder / "nats-space.sqlite").path,
        "nashpobench2": kind_dbs.small_nashpobench2(folder),
    }


def _run(name: str, dbs: dict[str, Path]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = nasbench_lite.sql(_examples()[name], *dbs.values()).to_pylist()
    assert rows, name
    return rows


def test_the_readme_has_the_four_examples() -> None:
    assert set(_examples()) == {
        "nb101_best_small_cell",
        "nb101_best_small_cell_repeats",
        "nats_cifar100_x_test_vs_flops",
        "nhb2_best_lr_at_12_epochs",
        "nats_by_isomorphism_class",
    }


def _nb101_small_cells(path: Path) -> list[tuple[float, str, list[dict[str, float]]]]:
    """(-mean validation, hash, 108-epoch runs) of every cell under 1M parameters (the API)."""
    candidates = []
    with nasbench_lite.open(path) as api:
        for module_hash in api.hash_iterator():
            fixed, computed = api.get_metrics_from_hash(module_hash)
            if fixed["trainable_parameters"] >= 1_000_000 or 108 not in computed:
                continue
            valid = [r["final_validation_accuracy"] for r in computed[108]]
            candidates.append((-sum(valid) / len(valid), module_hash, computed[108]))
    assert len(candidates) >= 2  # a real choice
    return candidates


def test_nb101_best_small_cell(dbs: dict[str, Path]) -> None:
    (row,) = _run("nb101_best_small_cell", dbs)
    neg_valid, module_hash, runs = min(_nb101_small_cells(dbs["nb101"]))
    test = [r["final_test_accuracy"] for r in runs]
    assert row["hash"] == module_hash
    # SQL avg sums with compensation: equal to the plain mean up to rounding.
    assert row["valid_fraction"] == pytest.approx(-neg_valid, rel=1e-15, abs=0)
    assert row["test_fraction"] == pytest.approx(sum(test) / len(test), rel=1e-15, abs=0)
    assert row["trainable_parameters"] < 1_000_000


def test_nb101_best_small_cell_repeats(dbs: dict[str, Path]) -> None:
    (row,) = _run("nb101_best_small_cell_repeats", dbs)
    _, module_hash, runs = min(_nb101_small_cells(dbs["nb101"]))
    test = [r["final_test_accuracy"] for r in runs]
    times = [r["final_training_time"] for r in runs]
    assert (row["hash"], row["repeats"]) == (module_hash, len(runs))
    assert (row["worst_test_fraction"], row["best_test_fraction"]) == (min(test), max(test))
    assert row["mean_training_seconds"] == pytest.approx(sum(times) / len(times), rel=1e-15)


@pytest.mark.parametrize("name", ["nb101_best_small_cell", "nb101_best_small_cell_repeats"])
def test_nb101_examples_run_in_plain_sqlite(dbs: dict[str, Path], name: str) -> None:
    """No nasbench_lite function is needed: Python's sqlite3 and the sqlite3 shell agree."""
    query = _examples()[name]
    con = sqlite3.connect(":memory:")
    con.execute("ATTACH DATABASE ? AS nb101", (f"file:{dbs['nb101']}?mode=ro",))
    plain = con.execute(query).fetchall()
    ours = [tuple(r.values()) for r in _run(name, dbs)]
    # Python's sqlite3 may link another SQLite than apsw: avg() can differ in the last bit.
    assert plain == [
        tuple(pytest.approx(v, rel=1e-15) if isinstance(v, float) else v for v in row)
        for row in ours
    ]
    shell = shutil.which("sqlite3")
    if shell is None:
        pytest.skip("no sqlite3 shell on this machine")
    out = subprocess.run(
        [shell, "-readonly", ":memory:", "-cmd", f"ATTACH '{dbs['nb101']}' AS nb101"],
        input=query,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip().split("|")[0] == plain[0][0]


def test_nats_cifar100_x_test_vs_flops(dbs: dict[str, Path]) -> None:
    rows = _run("nats_cifar100_x_test_vs_flops", dbs)
    con = sqlite3.connect(dbs["nats"])
    by_arch: dict[int, list[float]] = defaultdict(list)
    for arch, value in con.execute(
        "SELECT arch_index, x_test_accuracy FROM runs WHERE hp = '200'"
        " AND dataset = 'cifar100' AND x_test_accuracy IS NOT NULL ORDER BY seed_order"
    ):
        by_arch[arch].append(value)
    assert {r["arch_index"] for r in rows} == set(by_arch)
    for row in rows:
        values = by_arch[row["arch_index"]]
        assert row["x_test_accuracy_percent"] == pytest.approx(sum(values) / len(values))
    flops = [r["mflops"] for r in rows]
    assert flops == sorted(flops)


def test_nhb2_best_lr_at_12_epochs(dbs: dict[str, Path], folder: Path) -> None:
    rows = _run("nhb2_best_lr_at_12_epochs", dbs)
    bench = pickle.loads((folder / "nhb2" / "bench12.pkl").read_bytes())
    cell_hash = pickle.loads((folder / "nhb2" / "cellinfo.pkl").read_bytes())["hash"]
    per_config: dict[Any, list[float]] = defaultdict(list)
    for (h, lr, bs, _seed), value in bench["valid_acc_11"].items():
        per_config[(h, lr, bs)].append(value)
    best: dict[Any, tuple[float, float, int]] = {}
    for (h, lr, bs), values in sorted(per_config.items(), key=lambda kv: (kv[0][1], kv[0][2])):
        mean = sum(values) / len(values)
        if h not in best or mean > best[h][0]:
            best[h] = (mean, lr, bs)
    assert len(rows) == len(cell_hash)
    for row in rows:
        mean, lr, bs = best[cell_hash[row["cellcode"]]]
        assert (row["lr"], row["batch_size"]) == (lr, bs), row["cellcode"]
        assert row["valid_acc_percent"] == pytest.approx(mean)


def test_nats_by_isomorphism_class(dbs: dict[str, Path]) -> None:
    rows = _run("nats_by_isomorphism_class", dbs)
    flat = _run("nats_cifar100_x_test_vs_flops", dbs)
    assert sum(r["archs"] for r in rows) == len(flat)
    con = sqlite3.connect(dbs["nats_space"])
    classes = dict(con.execute("SELECT arch_index, class_index FROM topologies"))
    by_class: dict[int, list[float]] = defaultdict(list)
    for r in flat:
        by_class[classes[r["arch_index"]]].append(r["x_test_accuracy_percent"])
    assert {r["class_index"]: r["best_x_test_percent"] for r in rows} == {
        k: max(v) for k, v in by_class.items()
    }


def test_plain_examples_run_in_the_sqlite3_shell_alike(dbs: dict[str, Path]) -> None:
    """Examples that need no nasbench_lite SQL function give the same rows in plain SQLite."""
    plain = {
        name: query
        for name, query in _examples().items()
        if not re.search(r"\bnb101_(metric|mean)\(", query)
    }
    assert {"nats_cifar100_x_test_vs_flops", "nhb2_best_lr_at_12_epochs"} <= set(plain)
    con = sqlite3.connect(":memory:")
    for kind, path in dbs.items():
        con.execute(f"ATTACH DATABASE ? AS {kind}", (str(path),))
    for name, query in plain.items():
        cursor = con.execute(query)
        columns = [d[0] for d in cursor.description]
        got = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        expected = _run(name, dbs)
        # avg() may round differently between SQLite versions (3.43+ sums compensated).
        assert got == [
            {k: pytest.approx(v) if isinstance(v, float) else v for k, v in row.items()}
            for row in expected
        ], name


def test_nhb2_view_answers_the_example(dbs: dict[str, Path]) -> None:
    view = nasbench_lite.sql(
        "SELECT cellcode, lr, batch_size, valid_acc AS valid_acc_percent"
        " FROM nashpobench2.best_at_12_epochs ORDER BY cell_idx",
        dbs["nashpobench2"],
    ).to_pylist()
    assert view == _run("nhb2_best_lr_at_12_epochs", dbs)


def test_cli_sql_table_json_csv(dbs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    query = "SELECT arch_index, arch_str FROM nats.archs ORDER BY arch_index LIMIT 2"
    assert cli.main(["sql", query, str(dbs["nats"]), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert [r["arch_index"] for r in payload] == [0, 1]
    assert cli.main(["sql", query, str(dbs["nats"]), "--csv"]) == 0
    table = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert table[0] == ["arch_index", "arch_str"] and len(table) == 3
    assert cli.main(["sql", query, str(dbs["nats"])]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0].split() == ["arch_index", "arch_str"]
    assert "(2 rows)" in captured.err


def test_sql_names_empty_results_and_refusals(
    dbs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    empty = nasbench_lite.sql("SELECT hash, cell_id FROM x.cells WHERE 0", f"x={dbs['nb101']}")
    assert empty.column_names == ["hash", "cell_id"] and empty.num_rows == 0
    two = nasbench_lite.sql(
        "SELECT (SELECT count(*) FROM nats.archs) = (SELECT count(*) FROM nats_tss.archs) AS same",
        dbs["nats"],
        dbs["nats"],
    )
    assert two.to_pylist() == [{"same": 1}]
    for statement in (
        "INSERT INTO nats.configs(config) VALUES ('x')",
        "DELETE FROM nats.archs",
        f"ATTACH DATABASE '{dbs['nb101']}' AS other",
        "PRAGMA nats.journal_mode = WAL",
    ):
        with pytest.raises(DatabaseError):
            nasbench_lite.sql(statement, dbs["nats"])
        assert cli.main(["sql", statement, str(dbs["nats"])]) == 1
        assert capsys.readouterr().err.startswith("nasbench-lite: error:")
    with pytest.raises(InvalidInputError):
        nasbench_lite.sql("SELECT 1", f"main={dbs['nats']}")
    with pytest.raises(InvalidInputError, match="alias"):
        nasbench_lite.sql("SELECT 1 AS a, 2 AS a", dbs["nats"])


def test_the_nb101_blob_decoders_are_gone(dbs: dict[str, Path]) -> None:
    """NB101 metrics are columns now; the old decoder functions no longer exist."""
    with pytest.raises(DatabaseError, match="no such function"):
        nasbench_lite.sql("SELECT nb101_mean(x'', 'final_test_accuracy')", dbs["nb101"])


def _duckdb_examples() -> dict[str, str]:
    blocks = re.findall(r"```sql\n-- duckdb: (\w+)\n(.*?)```", README.read_text(), re.DOTALL)
    return dict(blocks)


def test_duckdb_examples_on_the_export_agree(
    dbs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import duckdb  # in the test extra
    from nasbench_lite.registry import export_database

    for kind, folder in (("nb101", "nb101"), ("nats", "nats"), ("nashpobench2", "nhb2")):
        export_database(dbs[kind], tmp_path / f"{folder}-parquet")
    monkeypatch.chdir(tmp_path)
    examples = _duckdb_examples()
    assert set(examples) == {
        "nb101_best_small_cell",
        "nats_cifar100_x_test_vs_flops",
        "nhb2_best_lr_at_12_epochs",
    }
    for name, query in examples.items():
        result = duckdb.sql(query)
        got = [dict(zip(result.columns, row, strict=True)) for row in result.fetchall()]
        expected = _run(name, dbs)
        assert len(got) == len(expected), name
        for mine, theirs in zip(got, expected, strict=True):
            assert mine.keys() == theirs.keys(), name
            for key, value in theirs.items():
                assert mine[key] == (pytest.approx(value) if isinstance(value, float) else value)
