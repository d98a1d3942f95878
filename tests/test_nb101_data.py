"""NAS-Bench-101 data: TFRecord -> SQLite builder, the official-compatible API, bulk queries.

Sources are small files written in the exact official byte format by ``nb101_tfrecord`` (real
framing and CRC32C, real protobuf, base64, JSON). ``official_style_load`` (a transcription of
the official loader) is the oracle every value is compared with, bit for bit.
"""

from __future__ import annotations

import json
import random
import sqlite3
import struct
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import nb101_tfrecord as tfr
import numpy as np
import pytest
from nasbench_lite import nb101
from nasbench_lite._core.database import Database
from nasbench_lite.benchmarks.nb101.build import _index_hashes, build_nb101
from nasbench_lite.errors import (
    CorruptSourceError,
    DatabaseError,
    InvalidInputError,
    NotInDatabaseError,
    OutOfDomainError,
    OutputExistsError,
)
from nasbench_lite.nb101.api import NASBench
from nasbench_lite.registry import export_database


def bits(value: float) -> bytes:
    return struct.pack("<d", value)


@pytest.fixture(scope="module")
def cells() -> list[tuple[str, Any, list[str]]]:
    # Every cell of 2..5 vertices (2,532): all vertex counts, many shapes.
    return tfr.cells_from_rows(nb101.enumerate_cells(max_vertices=5).to_pylist())


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory, cells: Any) -> Path:
    path = tmp_path_factory.mktemp("src") / "nasbench_full.tfrecord"
    # Interleaved order: repeats of one (cell, epochs) are far apart in the file.
    tfr.write_tfrecord(path, tfr.synthetic_dataset(cells, seed=7, order="interleaved"))
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, source: Path) -> Path:
    out = tmp_path_factory.mktemp("db") / "nb101.sqlite"
    build_nb101([source], out, batch_records=997)  # odd batch size: batches split repeats
    return out


@pytest.fixture(scope="module")
def oracle(source: Path) -> Any:
    return tfr.official_style_load(source)


@pytest.fixture
def api(built: Path) -> Any:
    with NASBench(built, seed=0) as nasbench:
        yield nasbench


def test_every_value_round_trips_bit_exactly(api: NASBench, oracle: Any) -> None:
    fixed_stats, computed_stats, valid_epochs = oracle
    assert api.valid_epochs == valid_epochs == {4, 12, 36, 108}
    assert list(api.hash_iterator()) == list(fixed_stats)  # first-appearance order
    assert len(api.hash_iterator()) == len(fixed_stats) == 2532
    for module_hash, expected in fixed_stats.items():
        fixed, computed = api.get_metrics_from_hash(module_hash)
        assert fixed["module_adjacency"].dtype == np.int8
        np.testing.assert_array_equal(fixed["module_adjacency"], expected["module_adjacency"])
        assert fixed["module_operations"] == expected["module_operations"]
        assert fixed["trainable_parameters"] == expected["trainable_parameters"]
        assert computed.keys() == computed_stats[module_hash].keys()
        for epochs, runs in computed.items():
            reference = computed_stats[module_hash][epochs]
            assert len(runs) == len(reference) == 3
            for ours, theirs in zip(runs, reference, strict=True):
                assert ours.keys() == theirs.keys()
                for key, value in ours.items():
                    assert bits(value) == bits(theirs[key]), (module_hash, epochs, key)


def test_meta_and_provenance(built: Path, source: Path) -> None:
    with Database(built) as db:
        meta = db.meta
    sources = json.loads(meta["sources"])
    import hashlib

    assert sources == [
        {
            "name": source.name,
            "size": source.stat().st_size,
            "sha256": hashlib.sha256(source.read_bytes()).hexdigest(),
            "records": 2532 * 12,
            "official": None,
        }
    ]
    assert meta["sources_official"] == "false"
    assert (meta["rows.cells"], meta["rows.runs"], meta["records"]) == ("2532", "30384", "30384")
    assert meta["rows.special_values"] == "0"
    assert meta["kind"] == "nb101" and meta["schema_version"] == "3"


def test_layout_serves_a_hash_lookup_from_one_index(built: Path, cells: Any) -> None:
    """Schema 3: 4 KiB pages, and the hash index covers what ``query`` reads of ``cells``
    (plain SQL by hash uses it too); a duplicated hash would have failed the build."""
    module_hash = cells[5][0]
    with sqlite3.connect(f"file:{built}?mode=ro", uri=True) as con:
        (page_size,) = con.execute("PRAGMA page_size").fetchone()
        plan = con.execute(
            "EXPLAIN QUERY PLAN SELECT cell_id, num_vertices, edge_bits, op_codes,"
            " trainable_parameters FROM cells WHERE hash = ?",
            (module_hash,),
        ).fetchall()
        (distinct, total) = con.execute(
            "SELECT count(DISTINCT hash), count(*) FROM cells"
        ).fetchone()
    assert page_size == 4096
    assert "COVERING INDEX cells_hash" in str(plan)
    assert distinct == total == 2532


def test_a_hash_stored_twice_fails_the_index_check() -> None:
    import apsw
    from nasbench_lite.errors import InternalError

    con = apsw.Connection(":memory:")
    con.execute(
        "CREATE TABLE cells(cell_id INTEGER PRIMARY KEY, hash TEXT, num_vertices INTEGER,"
        " num_edges INTEGER, edge_bits INTEGER, op_codes INTEGER, trainable_parameters INTEGER)"
    )
    rows = [(0, "a" * 32, 2, 1, 1, 0, 10), (1, "b" * 32, 3, 2, 3, 1, 20)]
    con.executemany("INSERT INTO cells VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    _index_hashes(con)  # distinct hashes: fine
    con.execute("DROP INDEX cells_hash")
    con.execute("INSERT INTO cells VALUES (2, ?, 3, 2, 3, 2, 30)", ("a" * 32,))
    with pytest.raises(InternalError, match="stored twice"):
        _index_hashes(con)


def test_query_semantics_and_budget(api: NASBench, oracle: Any, cells: Any) -> None:
    fixed_stats, computed_stats, _ = oracle
    module_hash, matrix, ops = cells[100]
    spec = nb101.ModelSpec(matrix, ops)
    mirror = random.Random(0)  # the official API after random.seed(0)
    for epochs, halfway in [(108, False), (4, True), (36, False), (12, True)]:
        data = api.query(spec, epochs=epochs, stop_halfway=halfway)
        run = computed_stats[module_hash][epochs][mirror.randint(0, 2)]
        prefix = "halfway_" if halfway else "final_"
        assert data["training_time"] == run[prefix + "training_time"]
        assert data["test_accuracy"] == run[prefix + "test_accuracy"]
        assert data["validation_accuracy"] == run[prefix + "validation_accuracy"]
        assert data["train_accuracy"] == run[prefix + "train_accuracy"]
        assert data["trainable_parameters"] == fixed_stats[module_hash]["trainable_parameters"]
        assert data["module_operations"] == fixed_stats[module_hash]["module_operations"]
    time_spent, epochs_spent = api.get_budget_counters()
    assert epochs_spent == 108 + 2 + 36 + 6
    assert time_spent > 0
    api.reset_budget_counters()
    assert api.get_budget_counters() == (0.0, 0)


def test_seeded_repeats_are_deterministic_and_per_instance(built: Path, cells: Any) -> None:
    spec = nb101.ModelSpec(cells[50][1], cells[50][2])
    random.seed(123)
    state = random.getstate()
    with NASBench(built, seed=5) as a, NASBench(built, seed=5) as b, NASBench(built, seed=6) as c:
        first = [a.query(spec)["test_accuracy"] for _ in range(30)]
        second = [b.query(spec)["test_accuracy"] for _ in range(30)]
        third = [c.query(spec)["test_accuracy"] for _ in range(30)]
    assert first == second
    assert first != third
    assert len(set(first)) == 3  # all three repeats get drawn
    assert random.getstate() == state  # the global RNG is never touched


def test_query_errors(api: NASBench, cells: Any) -> None:
    spec = nb101.ModelSpec(cells[3][1], cells[3][2])
    with pytest.raises(OutOfDomainError, match="invalid number of epochs"):
        api.query(spec, epochs=100)
    disconnected = nb101.ModelSpec([[0, 0], [0, 0]], ["input", "output"])
    with pytest.raises(OutOfDomainError, match="disconnected"):
        api.query(disconnected)
    assert not api.is_valid(disconnected)
    big = np.zeros((8, 8), dtype=int)
    for v in range(7):
        big[v, v + 1] = 1
    eight = nb101.ModelSpec(big, ["input"] + ["conv3x3-bn-relu"] * 6 + ["output"])
    with pytest.raises(OutOfDomainError, match="too many vertices, got 8"):
        api.query(eight)
    # A valid 6-vertex cell is not in this 2..5-vertex file.
    six = np.zeros((6, 6), dtype=int)
    for v in range(5):
        six[v, v + 1] = 1
    absent = nb101.ModelSpec(six, ["input"] + ["maxpool3x3"] * 4 + ["output"])
    assert api.is_valid(absent)
    with pytest.raises(NotInDatabaseError) as info:
        api.query(absent)
    assert isinstance(info.value, KeyError)
    with pytest.raises(KeyError):
        api.get_metrics_from_hash("0" * 32)
    assert api.get_budget_counters() == (0.0, 0)  # failed queries cost nothing


def test_query_many_matches_single_queries(built: Path, cells: Any, oracle: Any) -> None:
    _, computed_stats, _ = oracle
    chosen = cells[::97]
    specs = [nb101.ModelSpec(m, o) for _, m, o in chosen]
    with NASBench(built, seed=3) as bulk, NASBench(built, seed=3) as single:
        table = bulk.query_many(specs, epochs=36)
        expected = [single.query(s, epochs=36)["validation_accuracy"] for s in specs]
        assert table.column("validation_accuracy").to_pylist() == expected
        assert bulk.get_budget_counters() == (0.0, 0)  # not counted unless asked
        counted = bulk.query_many(specs, epochs=36, repeat=1, count_budget=True)
        assert bulk.get_budget_counters()[1] == 36 * len(specs)
        assert bulk.get_budget_counters()[0] == pytest.approx(
            sum(counted.column("training_time").to_pylist())
        )
    hashes = [h for h, _, _ in chosen] + ["f" * 32]
    with NASBench(built) as api:
        everything = api.query_many(hashes, epochs=4, stop_halfway=True, repeat="all")
        means = api.query_many(hashes, epochs=4, repeat="mean").to_pylist()
        padded = np.zeros((2, 7, 7), dtype=np.uint8)
        padded[0, 0, 1] = padded[0, 1, 2] = 1
        by_arrays = api.query_many(
            (padded, [["input", "conv3x3-bn-relu", "output"], ["input", "output"]]), repeat=2
        ).to_pylist()
    assert everything.num_rows == 3 * len(chosen) + 1
    last = everything.to_pylist()[-1]
    assert (last["found"], last["valid"], last["test_accuracy"]) == (False, True, None)
    first = everything.to_pylist()[:3]
    reference = computed_stats[chosen[0][0]][4]
    assert [r["test_accuracy"] for r in first] == [x["halfway_test_accuracy"] for x in reference]
    assert [r["repeat"] for r in first] == [0, 1, 2]
    mean = np.mean([x["final_train_accuracy"] for x in computed_stats[chosen[1][0]][4]])
    assert means[1]["train_accuracy"] == pytest.approx(mean, rel=0, abs=1e-15)
    assert means[1]["repeat"] is None
    assert by_arrays[0]["found"] and by_arrays[0]["repeat"] == 2
    assert not by_arrays[1]["valid"] and not by_arrays[1]["found"]


def test_query_many_bad_arguments(api: NASBench) -> None:
    with pytest.raises(InvalidInputError):
        api.query_many(["a" * 32], repeat="median")
    with pytest.raises(InvalidInputError):
        api.query_many(["a" * 32], repeat="mean", count_budget=True)
    with pytest.raises(InvalidInputError):
        api.query_many([1, 2, 3])
    with pytest.raises(OutOfDomainError):
        api.query_many(["a" * 32], epochs=5)


def test_thread_safety(built: Path, cells: Any) -> None:
    specs = [nb101.ModelSpec(m, o) for _, m, o in cells[:40]]
    with NASBench(built, seed=1) as api:
        errors: list[BaseException] = []

        def work() -> None:
            try:
                for spec in specs:
                    api.query(spec, epochs=12)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert api.get_budget_counters()[1] == 4 * 40 * 12


def test_two_processes_read_at_once(built: Path, cells: Any) -> None:
    code = (
        "import sys; from nasbench_lite.nb101.api import NASBench;"
        "api = NASBench(sys.argv[1]); print(len(api.hash_iterator()))"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(built)], stdout=subprocess.PIPE)
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=60)[0].decode().strip() for p in procs]
    assert outputs == ["2532"] * 3


def test_multiple_sources_continue_cells_and_repeats(tmp_path: Path, cells: Any) -> None:
    records = tfr.synthetic_dataset(cells[:30], epochs=(108,), seed=2)
    first, second = tmp_path / "a.tfrecord", tmp_path / "b.tfrecord"
    tfr.write_tfrecord(first, records[:40])
    tfr.write_tfrecord(second, records[40:])
    whole = tmp_path / "whole.tfrecord"
    tfr.write_tfrecord(whole, records)
    build_nb101([first, second], tmp_path / "split.sqlite")
    build_nb101([whole], tmp_path / "whole.sqlite")
    with NASBench(tmp_path / "split.sqlite") as a, NASBench(tmp_path / "whole.sqlite") as b:
        for module_hash in b.hash_iterator():
            assert (
                a.get_metrics_from_hash(module_hash)[1] == b.get_metrics_from_hash(module_hash)[1]
            )


@pytest.fixture(scope="module")
def small_records(cells: Any) -> list[Any]:
    return tfr.synthetic_dataset(cells[:20], seed=4)


CORRUPTIONS = {
    "length_crc": lambda data, recs: tfr.flip_length_crc(data, 3),
    "payload_crc": lambda data, recs: tfr.flip_payload_crc(data, 3),
    "truncated": lambda data, recs: tfr.truncate_tail(data, 7),
    "bad_base64": lambda data, recs: tfr.encode_tfrecord(
        [*recs[:3], tfr.bad_base64_payload(recs[3])]
    ),
    "bad_json": lambda data, recs: tfr.encode_tfrecord([*recs[:3], tfr.bad_json_payload()]),
    "hash_mismatch": lambda data, recs: tfr.encode_tfrecord(
        [*recs[:3], tfr.hash_mismatch_record(recs[3])]
    ),
    "unknown_epochs": lambda data, recs: tfr.encode_tfrecord(
        [*recs[:3], tfr.unknown_epochs_record(recs[3], 7)]
    ),
}


@pytest.mark.parametrize("kind", sorted(CORRUPTIONS))
def test_corrupt_sources_fail_cleanly(tmp_path: Path, small_records: Any, kind: str) -> None:
    good = tfr.encode_tfrecord(small_records)
    bad = CORRUPTIONS[kind](good, small_records)
    source = tmp_path / "bad.tfrecord"
    source.write_bytes(bad)
    out = tmp_path / "out.sqlite"
    out.write_bytes(b"existing good database")
    with pytest.raises(CorruptSourceError) as info:
        build_nb101([source], out, force=True)
    expected_index = len(small_records) - 1 if kind == "truncated" else 3
    assert info.value.record_index == expected_index
    assert info.value.byte_offset == tfr.record_offsets(good)[expected_index]
    assert str(source) in str(info.value)
    assert out.read_bytes() == b"existing good database"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.tfrecord", "out.sqlite"]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "nasbench_lite",
            "build",
            "nb101",
            str(source),
            "-o",
            str(tmp_path / "new.sqlite"),
            "-q",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "record" in result.stderr
    assert not (tmp_path / "new.sqlite").exists()


def test_build_argument_errors(tmp_path: Path, source: Path) -> None:
    from nasbench_lite.errors import BuildError

    with pytest.raises(BuildError, match="no such source"):
        build_nb101([tmp_path / "missing.tfrecord"], tmp_path / "x.sqlite")
    with pytest.raises(BuildError, match="no source"):
        build_nb101([], tmp_path / "x.sqlite")
    empty = tmp_path / "empty.tfrecord"
    empty.write_bytes(b"")
    with pytest.raises(CorruptSourceError, match="no records"):
        build_nb101([empty], tmp_path / "x.sqlite")
    existing = tmp_path / "exists.sqlite"
    existing.write_bytes(b"keep")
    with pytest.raises(OutputExistsError):
        build_nb101([source], existing)
    assert existing.read_bytes() == b"keep"
    assert not (tmp_path / "x.sqlite").exists()


def test_space_db_is_not_a_data_db(tmp_path: Path) -> None:
    import apsw

    path = tmp_path / "space.sqlite"
    con = apsw.Connection(str(path))
    con.execute("CREATE TABLE meta(key TEXT, value TEXT)")
    con.execute("INSERT INTO meta VALUES ('kind', 'nb101_space'), ('schema_version', '1')")
    con.close()
    with pytest.raises(DatabaseError, match="expected nb101"):
        NASBench(path)


def test_export_parquet_round_trips(tmp_path: Path, built: Path, oracle: Any) -> None:
    import pyarrow.dataset as ds
    from nasbench_lite.cli import main

    out = tmp_path / "parquet"
    assert main(["export", str(built), "--out", str(out), "-q"]) == 0
    # One folder per table, so a dataset reader never merges two tables.
    assert sorted(p.name for p in out.iterdir()) == [
        "README.txt",
        "cells",
        "data_dictionary",
        "meta",
        "runs",
        "special_values",
    ]
    cells_table = ds.dataset(out / "cells").to_table().to_pylist()
    runs_table = ds.dataset(out / "runs").to_table()
    fixed_stats, computed_stats, _ = oracle
    assert [c["hash"] for c in cells_table] == list(fixed_stats)
    by_id = {c["cell_id"]: c for c in cells_table}
    for cell in cells_table[:200]:
        expected = fixed_stats[cell["hash"]]
        assert cell["ops"] == ",".join(expected["module_operations"])
        assert cell["adjacency"] == "".join(map(str, expected["module_adjacency"].reshape(-1)))
    assert runs_table.num_rows == 30384
    for row in runs_table.slice(0, 3000).to_pylist():
        reference = computed_stats[by_id[row["cell_id"]]["hash"]][row["epochs"]][row["repeat"]]
        for key, value in reference.items():
            assert bits(row[key]) == bits(value)
    csv_out = tmp_path / "csv"
    written = export_database(built, csv_out, fmt="csv")
    assert written["runs"].read_text().count("\n") == 30384 + 1
    with pytest.raises(OutputExistsError):
        export_database(built, csv_out, fmt="csv")
    with pytest.raises(InvalidInputError):
        export_database(built, csv_out, fmt="xlsx")  # type: ignore[arg-type]


def test_cli_build_and_query(tmp_path: Path, source: Path, cells: Any) -> None:
    out = tmp_path / "cli.sqlite"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "nasbench_lite",
            "build",
            "nb101",
            str(source),
            "-o",
            str(out),
            "-q",
            "--json",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["rows"]["cells"] == 2532
    query = subprocess.run(
        [sys.executable, "-m", "nasbench_lite", "query", str(out), "--hash", cells[7][0], "--json"],
        capture_output=True,
        text=True,
    )
    payload = json.loads(query.stdout)
    assert payload["module_operations"] == cells[7][2]
    assert len(payload["computed_stats"]["108"]) == 3


def test_native_framing_matches_the_reference_writer(small_records: Any) -> None:
    from nasbench_lite import _native

    payloads = [record.payload() for record in small_records[:25]] + [b""]
    assert _native.frame_tfrecords(payloads) == b"".join(tfr.frame_record(p) for p in payloads)
