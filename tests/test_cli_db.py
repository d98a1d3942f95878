"""The search-space database and the CLI, end to end (subprocesses, real files).

The full space DB is built once per module through the CLI itself (~5-10 s).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import apsw
import pytest
from cells import INCEPTION_HASH, INCEPTION_MATRIX, INCEPTION_OPS
from nasbench_lite._core import building as dbmod
from nasbench_lite.benchmarks.nb101_space.build import build_nb101_space
from nasbench_lite.benchmarks.nb101_space.reader import SearchSpace
from nasbench_lite.cli import build_parser, main
from nasbench_lite.errors import (
    BuildError,
    DatabaseError,
    NotInDatabaseError,
    OutOfDomainError,
    OutputExistsError,
    SchemaVersionError,
)
from nasbench_lite.nb101 import ModelSpec


def run_cli(*args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    """Runs ``python -m nasbench_lite`` in a subprocess (what users type, minus the shim)."""
    return subprocess.run(
        [sys.executable, "-m", "nasbench_lite", *args],
        capture_output=True,
        text=True,
        check=check,
        timeout=300,
    )


@pytest.fixture(scope="module")
def space_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("space") / "nb101-space.sqlite"
    result = run_cli("build", "nb101-space", "-o", str(path), "--quiet", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["rows"] == {"cells": 423624}
    assert result.stderr == ""  # --quiet: no progress bar
    return path


def test_built_database_content(space_db: Path) -> None:
    with SearchSpace(space_db) as space:
        assert len(space) == 423624
        meta = space.meta
        record = space.get(INCEPTION_HASH)
    assert meta["schema_version"] == "2"
    assert meta["kind"] == "nb101_space"
    assert meta["hash_list_matches_published"] == "true"
    assert meta["rows.cells"] == "423624"
    assert meta["labelled_graphs"] == "1293208"
    assert meta["builder_version"].startswith("nasbench_lite ")
    # The representative is the original enumeration's (the notebook's canonical form).
    assert record["module_operations"] == [
        "input",
        "conv3x3-bn-relu",
        "conv1x1-bn-relu",
        "maxpool3x3",
        "conv3x3-bn-relu",
        "conv3x3-bn-relu",
        "output",
    ]
    assert ModelSpec(record["module_adjacency"], record["module_operations"]).hash_spec() == (
        INCEPTION_HASH
    )
    assert record["trainable_parameters"] == 2_694_282  # the notebook's value for this cell
    # Plain sqlite3 reads it too, and the hash index exists.
    with sqlite3.connect(f"file:{space_db}?mode=ro", uri=True) as con:
        plan = con.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM cells WHERE hash = ?", (INCEPTION_HASH,)
        ).fetchall()
        counts = dict(con.execute("SELECT num_vertices, count(*) FROM cells GROUP BY 1"))
    assert "cells_hash" in str(plan)
    assert counts == {2: 1, 3: 6, 4: 84, 5: 2441, 6: 62010, 7: 359082}


def test_space_lookups(space_db: Path) -> None:
    with SearchSpace(space_db) as space:
        assert INCEPTION_HASH in space
        assert "0" * 32 not in space
        with pytest.raises(NotInDatabaseError) as info:
            space.get("0" * 32)
        assert isinstance(info.value, KeyError)
        record = space.get_spec(ModelSpec(INCEPTION_MATRIX, INCEPTION_OPS))
        assert record["hash"] == INCEPTION_HASH
        with pytest.raises(OutOfDomainError):
            space.get_spec(ModelSpec([[0, 0], [0, 0]], ["input", "output"]))
        table = space.get_many([INCEPTION_HASH, "nope", INCEPTION_HASH])
    assert table.column("found").to_pylist() == [True, False, True]
    assert table.column("cell_id").to_pylist()[1] is None
    assert table.column("cell_id").to_pylist()[0] == record["cell_id"]


def test_database_is_opened_read_only(space_db: Path) -> None:
    with SearchSpace(space_db) as space, pytest.raises(apsw.ReadOnlyError):
        space.db.connection.execute("DELETE FROM cells")


def test_cli_query_info_hash(space_db: Path) -> None:
    by_hash = run_cli("query", str(space_db), "--hash", INCEPTION_HASH, "--json")
    assert by_hash.returncode == 0, by_hash.stderr
    by_spec = run_cli(
        "query",
        str(space_db),
        "--matrix",
        json.dumps(INCEPTION_MATRIX),
        "--ops",
        json.dumps(INCEPTION_OPS),
        "--json",
    )
    assert json.loads(by_hash.stdout) == json.loads(by_spec.stdout)
    info = run_cli("info", str(space_db), "--json")
    assert json.loads(info.stdout)["meta"]["rows.cells"] == 423624  # typed JSON (#17)
    hashed = run_cli(
        "hash", "--matrix", json.dumps(INCEPTION_MATRIX), "--ops", json.dumps(INCEPTION_OPS)
    )
    assert hashed.stdout.strip() == INCEPTION_HASH


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["hash", "--matrix", "[[0,1],[0,0]", "--ops", '["input","output"]'], "not valid JSON"),
        (["hash", "--matrix", "[[0,1],[0,0]]", "--ops", '["input"]'], "length of ops"),
        (["hash", "--matrix", "[[0,0],[0,0]]", "--ops", '["input","output"]'], "disconnected"),
        (["hash", "--matrix", "[[0,1],[1,0]]", "--ops", '["input","output"]'], "upper triangular"),
        (["hash", "--matrix", "[[0,1],[0,0]]", "--ops", '["input",3]'], "op-name strings"),
        (["query", "missing.sqlite", "--hash", "ab"], "no such database file"),
        (["info", "missing.sqlite"], "no such database file"),
    ],
)
def test_cli_user_errors_are_one_line(args: list[str], message: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_usage_error_exit_code() -> None:
    assert run_cli("build").returncode == 2
    assert run_cli("frobnicate").returncode == 2


def test_every_cli_command_has_help() -> None:
    parser = build_parser()
    actions = [a for a in parser._actions if isinstance(a, type(parser._subparsers._actions[-1]))]  # type: ignore[union-attr]
    seen = 0
    for action in actions:
        for choice in action.choices.values():
            assert choice.description, f"{choice.prog} lacks a description"
            for sub in choice._actions:
                if sub.option_strings and sub.dest != "help":
                    assert sub.help, f"{choice.prog} {sub.option_strings} lacks help"
            seen += 1
    assert seen >= 4


def test_query_foreign_and_corrupt_files(tmp_path: Path) -> None:
    text = tmp_path / "notes.sqlite"
    text.write_text("not a database at all, just some text " * 50)
    with pytest.raises(DatabaseError, match="not a nasbench_lite database"):
        SearchSpace(text)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as con:
        con.execute("CREATE TABLE meta(key TEXT, value TEXT)")
        con.execute("INSERT INTO meta VALUES ('kind', 'nb101_space'), ('schema_version', '99')")
    with pytest.raises(SchemaVersionError) as info:
        SearchSpace(other)
    assert (info.value.expected, info.value.actual) == (2, "99")
    result = run_cli("info", str(other))
    assert result.returncode == 1 and "schema version" in result.stderr


def test_existing_output_is_never_clobbered_without_force(tmp_path: Path) -> None:
    out = tmp_path / "space.sqlite"
    out.write_bytes(b"precious")
    with pytest.raises(OutputExistsError):
        build_nb101_space(out)
    result = run_cli("build", "nb101-space", "-o", str(out), "--quiet")
    assert result.returncode == 1 and "--force" in result.stderr
    assert out.read_bytes() == b"precious"
    assert list(tmp_path.iterdir()) == [out]


def test_failed_build_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "space.sqlite"
    out.write_bytes(b"precious")
    import nasbench_lite.benchmarks.nb101_space.build as build
    import nasbench_lite.benchmarks.nb101_space.source as source

    monkeypatch.setattr(source, "NB101_SPACE_SHA256", "0" * 64)  # as if the enumeration were wrong
    with pytest.raises(BuildError, match="does not reproduce"):
        build.build_nb101_space(out, force=True)
    assert out.read_bytes() == b"precious"
    assert list(tmp_path.iterdir()) == [out]


def test_missing_output_directory(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="does not exist"):
        build_nb101_space(tmp_path / "nope" / "x.sqlite")


def test_interrupted_build_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "space.sqlite"
    proc = subprocess.Popen(
        [sys.executable, "-m", "nasbench_lite", "build", "nb101-space", "-o", str(out), "-q"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    # Wait until the build has created its temporary file, then interrupt it.
    while time.monotonic() < deadline and not any(tmp_path.glob(".space.sqlite.*")):
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode != 0, stderr
    assert list(tmp_path.iterdir()) == []


def test_atomic_output_replaces_only_on_success(tmp_path: Path) -> None:
    out = tmp_path / "f.bin"
    with dbmod.atomic_output(out) as temp:
        temp.write_bytes(b"new")
    assert out.read_bytes() == b"new"
    with pytest.raises(RuntimeError), dbmod.atomic_output(out, force=True) as temp:
        temp.write_bytes(b"half")
        raise RuntimeError("boom")
    assert out.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.bin"]


def test_enumerate_to_parquet_and_csv(tmp_path: Path) -> None:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    parquet = tmp_path / "cells.parquet"
    assert main(["enumerate", "nb101", "--out", str(parquet), "--max-vertices", "5", "-q"]) == 0
    table = pq.read_table(parquet)
    assert table.num_rows == 2532
    first = table.slice(1, 1).to_pylist()[0]
    assert first["hash"] == "b49ac8c578b4561d79ac7087988f1c61"
    assert first["ops"] == ["input", "conv3x3-bn-relu", "output"]
    csv = tmp_path / "cells.csv"
    assert main(["enumerate", "nb101", "--out", str(csv), "--max-vertices", "4", "-q"]) == 0
    rows = pacsv.read_csv(csv)
    assert rows.num_rows == 91
    assert rows.column("ops").to_pylist()[1] == "input,conv3x3-bn-relu,output"
    assert main(["enumerate", "nb101", "--out", str(csv), "--max-vertices", "4", "-q"]) == 1
    assert (
        main(["enumerate", "nb101", "--out", str(csv), "--max-vertices", "9", "-q", "--force"]) == 1
    )
