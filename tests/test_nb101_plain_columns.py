"""NAS-Bench-101 plain columns: one ``runs`` row per (cell, epochs, repeat), REAL metrics.

The source holds values a REAL column cannot keep bit for bit (NaNs of several bit patterns,
-0.0) next to infinities and subnormals; every value must come back exactly through every
reader (``get_metrics_from_hash``, ``query``, ``query_many`` on both of its paths,
``computed_statistics``, the Parquet export), while plain SQL sees NULL for a NaN.
"""

from __future__ import annotations

import dataclasses
import shutil
import sqlite3
import struct
import subprocess
from pathlib import Path
from typing import Any

import apsw
import nb101_tfrecord as tfr
import pytest
from nasbench_lite import nb101
from nasbench_lite.benchmarks.nb101 import bulk
from nasbench_lite.benchmarks.nb101.build import build_nb101
from nasbench_lite.benchmarks.nb101.layout import METRIC_FIELDS
from nasbench_lite.errors import SchemaVersionError
from nasbench_lite.nb101.api import NASBench
from nasbench_lite.registry import export_database


def bits(value: float) -> int:
    return int(struct.unpack("<q", struct.pack("<d", value))[0])


def of_bits(pattern: int) -> float:
    return float(struct.unpack("<d", struct.pack("<Q", pattern))[0])


#: Values a REAL column cannot hold exactly (NaNs of three patterns, -0.0) and some it can.
SPECIAL = [
    of_bits(0x7FF8000000000000),  # Python's float("nan")
    of_bits(0xFFF8000000000000),  # x86's default NaN (negative)
    of_bits(0x7FF800000000ABCD),  # a quiet NaN with a payload
    -0.0,
]
UNUSUAL = [float("inf"), -float("inf"), 5e-324, 0.0, 1.0]


def _with_values(record: Any, k: int) -> Any:
    """The record with special values in its halfway and final evaluations."""
    half, final = record.evaluations[1], record.evaluations[2]
    special = SPECIAL[k % len(SPECIAL)]
    unusual = UNUSUAL[k % len(UNUSUAL)]
    half = dataclasses.replace(half, test_accuracy=special, train_accuracy=unusual)
    final = dataclasses.replace(
        final, validation_accuracy=SPECIAL[(k + 1) % len(SPECIAL)], training_time=unusual
    )
    return dataclasses.replace(record, evaluations=[record.evaluations[0], half, final])


@pytest.fixture(scope="module")
def cells() -> list[tuple[str, Any, list[str]]]:
    return tfr.cells_from_rows(nb101.enumerate_cells(max_vertices=4).to_pylist())


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory, cells: Any) -> Path:
    records = tfr.synthetic_dataset(cells, seed=11, order="interleaved")
    # Every 7th record carries special values: some cells have them in one repeat only.
    records = [_with_values(r, k) if k % 7 == 0 else r for k, r in enumerate(records)]
    path = tmp_path_factory.mktemp("special") / "special.tfrecord"
    tfr.write_tfrecord(path, records)
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, source: Path) -> Path:
    out = tmp_path_factory.mktemp("special_db") / "nb101.sqlite"
    build_nb101([source], out, batch_records=101)
    return out


@pytest.fixture(scope="module")
def oracle(source: Path) -> Any:
    return tfr.official_style_load(source)


def test_the_source_really_has_special_values(oracle: Any) -> None:
    _, computed, _ = oracle
    seen = {
        bits(run[key])
        for per_cell in computed.values()
        for runs in per_cell.values()
        for run in runs
        for key in METRIC_FIELDS
    }
    assert {bits(v) for v in SPECIAL + UNUSUAL} <= seen


def test_every_value_round_trips_bit_exactly_through_every_reader(
    built: Path, oracle: Any, cells: Any
) -> None:
    fixed_stats, computed_stats, _ = oracle
    with NASBench(built, seed=0) as api:
        stats = dict(api.computed_statistics.items())
        for module_hash, expected in computed_stats.items():
            _, computed = api.get_metrics_from_hash(module_hash)
            for source_of_truth in (
                computed,
                stats[module_hash],
                api.computed_statistics[module_hash],
            ):
                assert source_of_truth.keys() == expected.keys()
                for epochs, runs in expected.items():
                    got = source_of_truth[epochs]
                    assert len(got) == len(runs)
                    for ours, theirs in zip(got, runs, strict=True):
                        assert {k: bits(v) for k, v in ours.items()} == {
                            k: bits(v) for k, v in theirs.items()
                        }, (module_hash, epochs)
        by_hash = {h: (m, o) for h, m, o in cells}
        for module_hash, expected in list(computed_stats.items())[:60]:
            spec = nb101.ModelSpec(*by_hash[module_hash])
            for repeat in range(3):
                for halfway in (False, True):
                    data = api.query(spec, epochs=12, stop_halfway=halfway, repeat=repeat)
                    run = expected[12][repeat]
                    prefix = "halfway_" if halfway else "final_"
                    for key in ("training_time", "train_accuracy", "validation_accuracy"):
                        assert bits(data[key]) == bits(run[prefix + key])
                    assert bits(data["test_accuracy"]) == bits(run[prefix + "test_accuracy"])


@pytest.mark.parametrize("path", ["sql", "budget"])
def test_query_many_keeps_special_values(
    built: Path, oracle: Any, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    _, computed_stats, _ = oracle
    if path == "budget":  # the whole-budget arrays, as for large lookups
        monkeypatch.setattr(bulk, "LOAD_BUDGET_AT", 1)
    else:
        monkeypatch.setattr(bulk, "LOAD_BUDGET_AT", 10**9)
    hashes = list(computed_stats)
    with NASBench(built) as api:
        for halfway in (False, True):
            table = api.query_many(
                hashes + ["0" * 32], epochs=36, stop_halfway=halfway, repeat="all"
            )
            rows = table.to_pylist()
            assert rows[-1]["found"] is False
            prefix = "halfway_" if halfway else "final_"
            for row in rows[:-1]:
                run = computed_stats[row["hash"]][36][row["repeat"]]
                for key in (
                    "training_time",
                    "train_accuracy",
                    "validation_accuracy",
                    "test_accuracy",
                ):
                    assert bits(row[key]) == bits(run[prefix + key]), (row, key)


def test_plain_sql_sees_null_for_nan_and_special_values_has_the_bits(
    built: Path, oracle: Any
) -> None:
    _, computed_stats, _ = oracle
    con = sqlite3.connect(built)
    special = {
        (cell, epochs, repeat, metric): value
        for cell, epochs, repeat, metric, value in con.execute("SELECT * FROM special_values")
    }
    assert special  # the source has some
    hashes = dict(con.execute("SELECT cell_id, hash FROM cells"))
    columns = ", ".join(METRIC_FIELDS)
    rows = con.execute(f"SELECT cell_id, epochs, repeat, {columns} FROM runs").fetchall()
    assert len(rows) == sum(len(r) for c in computed_stats.values() for r in c.values())
    expected_special = 0
    for cell, epochs, repeat, *values in rows:
        run = computed_stats[hashes[cell]][epochs][repeat]
        for name, value in zip(METRIC_FIELDS, values, strict=True):
            source = run[name]
            if source != source or bits(source) == bits(-0.0):
                expected_special += 1
                assert value == (None if source != source else 0.0)
                assert special[cell, epochs, repeat, name] == bits(source)
            else:
                assert bits(value) == bits(source)
    assert expected_special == len(special)
    meta = dict(con.execute("SELECT key, value FROM meta"))
    assert meta["rows.special_values"] == str(len(special))


def test_export_writes_the_exact_values(built: Path, oracle: Any, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    _, computed_stats, _ = oracle
    export_database(built, tmp_path / "out")
    runs = pq.read_table(tmp_path / "out" / "runs").to_pylist()
    cells = {c["cell_id"]: c["hash"] for c in pq.read_table(tmp_path / "out" / "cells").to_pylist()}
    assert len(runs) == sum(len(r) for c in computed_stats.values() for r in c.values())
    for row in runs:
        run = computed_stats[cells[row["cell_id"]]][row["epochs"]][row["repeat"]]
        assert {k: bits(row[k]) for k in METRIC_FIELDS} == {k: bits(run[k]) for k in METRIC_FIELDS}


def test_cell_means_view(built: Path, oracle: Any) -> None:
    _, computed_stats, _ = oracle
    con = sqlite3.connect(built)
    con.row_factory = sqlite3.Row
    rows = con.execute("SELECT * FROM cell_means ORDER BY cell_id, epochs").fetchall()
    assert len(rows) == 4 * len(computed_stats)
    for row in rows:
        runs = computed_stats[row["hash"]][row["epochs"]]
        assert row["repeats"] == len(runs)
        for name in METRIC_FIELDS:
            # SQL avg skips NULL, i.e. the NaN repeats; -0.0 is stored as 0.0 (same mean).
            kept = [r[name] for r in runs if r[name] == r[name]]
            mean = sum(kept) / len(kept) if kept else float("nan")
            if mean == mean:
                assert row[name] == pytest.approx(mean, rel=1e-15, abs=0)
            else:  # no non-NaN repeat, or inf + -inf: SQL has no NaN, the mean is NULL
                assert row[name] is None


def test_skip_duplicates_renumbers_repeats_and_their_special_values(
    tmp_path: Path, cells: Any
) -> None:
    records = tfr.synthetic_dataset(cells[:8], epochs=(108,), seed=5)
    records = [_with_values(r, k) for k, r in enumerate(records)]
    first, second = tmp_path / "a.tfrecord", tmp_path / "b.tfrecord"
    tfr.write_tfrecord(first, records)
    # The second file repeats runs 0 and 2 of each cell and adds one new run (made special).
    extra = [
        dataclasses.replace(
            r,
            evaluations=[
                *r.evaluations[:2],
                dataclasses.replace(r.evaluations[2], test_accuracy=0.125 + k / 64),
            ],
        )
        for k, r in enumerate(records[1::3])
    ]
    tfr.write_tfrecord(second, [*records[0::3], *records[2::3], *extra])
    out = tmp_path / "skip.sqlite"
    build_nb101([first, second], out, on_overlap="skip-duplicates")
    oracle = tfr.official_style_load(first)[1]
    with NASBench(out) as api:
        for module_hash, expected in oracle.items():
            runs = api.get_metrics_from_hash(module_hash)[1][108]
            assert len(runs) == 4  # the three of the first file, then the new one
            for ours, theirs in zip(runs, [*expected[108], None], strict=True):
                if theirs is None:
                    assert 0.125 <= ours["final_test_accuracy"] < 0.25
                    assert bits(ours["final_validation_accuracy"]) in {bits(v) for v in SPECIAL}
                    continue
                assert {k: bits(v) for k, v in ours.items()} == {
                    k: bits(v) for k, v in theirs.items()
                }
    con = sqlite3.connect(out)
    assert con.execute("SELECT max(repeat) FROM runs").fetchone() == (3,)
    orphans = con.execute(
        "SELECT count(*) FROM special_values s LEFT JOIN runs r USING (cell_id, epochs, repeat)"
        " WHERE r.cell_id IS NULL"
    ).fetchone()
    assert orphans == (0,)


def test_an_old_layout_database_is_refused_with_a_rebuild_hint(built: Path, tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite"
    shutil.copy(built, old)
    con = apsw.Connection(str(old))
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(SchemaVersionError) as info:
        NASBench(old)
    assert "nasbench-lite build nb101" in str(info.value)


def test_the_sqlite3_shell_needs_no_extension(built: Path) -> None:
    """Plain columns: the stock sqlite3 shell answers questions about any metric."""
    shell = shutil.which("sqlite3")
    if shell is None:
        pytest.skip("no sqlite3 shell on this machine")
    query = (
        "SELECT hash, round(final_test_accuracy, 6) FROM cell_means WHERE epochs = 108"
        " ORDER BY final_validation_accuracy DESC, hash LIMIT 1;"
    )
    shell_out = subprocess.run(
        [shell, "-readonly", str(built), query], capture_output=True, text=True, check=True
    ).stdout.strip()
    expected = sqlite3.connect(built).execute(query).fetchone()
    assert shell_out == f"{expected[0]}|{expected[1]}"


@pytest.mark.parametrize("count", [0, 1, 2, 7, 1000, 30_001])
def test_bulk_repeat_draws_are_the_query_draws(built: Path, count: int) -> None:
    import random

    with NASBench(built, seed=count) as api:
        draws = api._draw_repeats(count).tolist()
        after = api._rng.random()
    mirror = random.Random(count)  # what `count` calls of query() draw
    assert draws == [mirror.randint(0, 2) for _ in range(count)]
    assert after == mirror.random()  # and not one word more


@pytest.mark.parametrize("paths", ["sql", "index+budget", "index+sql"])
def test_hash_lookups_match_exactly(
    built: Path, oracle: Any, monkeypatch: pytest.MonkeyPatch, paths: str
) -> None:
    _, computed_stats, _ = oracle
    api = NASBench(built)
    if paths != "sql":  # a large lookup first loads the hash index (and a budget)
        monkeypatch.setattr(bulk, "LOAD_BUDGET_AT", 1)
        api.query_many(list(computed_stats), epochs=4 if paths == "index+sql" else 108)
    monkeypatch.setattr(bulk, "LOAD_BUDGET_AT", 1 if paths == "index+budget" else 10**9)
    real = list(computed_stats)
    odd = [
        real[0].upper(),
        real[1][:31],
        real[2] + "0",
        "",
        "é" * 32,
        real[3][:31] + "g",
        "0" * 32,
    ]
    with api:
        table = api.query_many([*real[:5], *odd], epochs=108, repeat=0)
    found = table.column("found").to_pylist()
    assert found == [True] * 5 + [False] * len(odd)
    assert table.column("hash").to_pylist() == [*real[:5], *odd[:3], None, *odd[4:]]
