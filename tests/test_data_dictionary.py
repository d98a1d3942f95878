"""The data dictionary: every column of every table and view of every kind is documented."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import kind_dbs
import pytest
from nasbench_lite import cli
from nasbench_lite._core.dictionary import (
    parse_dictionary,
    schema_columns,
    undocumented_columns,
    write_dictionary,
)
from nasbench_lite._core.schema import load_schema
from nasbench_lite.errors import InternalError


@pytest.fixture(scope="module")
def dbs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return kind_dbs.build_all(tmp_path_factory.mktemp("dictionary"))


def test_every_column_of_every_kind_is_documented(dbs: dict[str, Path]) -> None:
    for kind, path in dbs.items():
        con = sqlite3.connect(path)
        columns = schema_columns(con.execute)
        rows = con.execute(
            "SELECT table_name, column_name, type, unit, split, aggregation, meaning"
            " FROM data_dictionary"
        ).fetchall()
        documented = {(r[0], r[1]) for r in rows}
        assert set(columns) == documented, (kind, set(columns) ^ documented)
        assert undocumented_columns(con.execute) == [], kind
        assert all(all(field for field in row) for row in rows), kind
        views = con.execute("SELECT name FROM sqlite_master WHERE type = 'view'").fetchall()
        for (view,) in views:  # every view runs
            con.execute(f'SELECT * FROM "{view}" LIMIT 3').fetchall()


def test_every_index_is_documented_in_its_schema_file(dbs: dict[str, Path]) -> None:
    for kind, path in dbs.items():
        sql = load_schema(kind).sql
        indexes = sqlite3.connect(path).execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        )
        for (name,) in indexes:  # explicit indexes (implicit PK/UNIQUE ones have no sql)
            assert f"INDEX {name} ON" in sql, (kind, name)
        assert "Indexes" in sql or "INDEX" in sql, kind


def test_declared_foreign_keys_hold(dbs: dict[str, Path]) -> None:
    declared = 0
    for kind, path in dbs.items():
        con = sqlite3.connect(path)
        assert con.execute("PRAGMA foreign_key_check").fetchall() == [], kind
        tables = [t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        declared += sum(
            len(con.execute(f'PRAGMA foreign_key_list("{t}")').fetchall()) for t in tables
        )
    assert declared >= 10


def test_a_new_undocumented_column_or_view_is_caught() -> None:
    """What the test above relies on: a column added without its --@ line is reported."""
    import apsw

    schema = load_schema("nashpobench2")
    con = apsw.Connection(":memory:")
    con.execute(schema.sql)
    con.execute("ALTER TABLE epochs ADD COLUMN extra_acc REAL")
    con.execute("CREATE VIEW new_view AS SELECT run_id, valid_acc * 2 AS doubled FROM epochs")
    write_dictionary(con, schema.sql, "nashpobench2.sql")
    assert undocumented_columns(con.execute) == [
        ("epochs", "extra_acc"),
        ("new_view", "doubled"),
        ("new_view", "run_id"),
    ]
    bare = apsw.Connection(":memory:")
    bare.execute("CREATE TABLE t (a INTEGER)")
    assert undocumented_columns(bare.execute) == [("t", "a")]


def test_valid_and_test_columns_name_their_split(dbs: dict[str, Path]) -> None:
    for kind, path in dbs.items():
        rows = (
            sqlite3.connect(path)
            .execute(
                "SELECT table_name, column_name, split, unit FROM data_dictionary"
                " WHERE column_name LIKE '%valid%' OR column_name LIKE '%test%'"
            )
            .fetchall()
        )
        for table, column, split, unit in rows:
            if column.endswith(("accuracy", "acc")):
                assert "measured on:" in split and "trained on" in split, (kind, table, column)
                assert unit in ("%", "fraction"), (kind, table, column, unit)
    nats = sqlite3.connect(dbs["nats"])
    (split,) = nats.execute(
        "SELECT split FROM data_dictionary WHERE table_name = 'runs'"
        " AND column_name = 'ori_test_accuracy'"
    ).fetchone()
    assert "CONTAINS the validation half" in split


def test_a_stale_or_malformed_comment_is_an_error() -> None:
    with pytest.raises(InternalError, match="malformed"):
        parse_dictionary("--@ cells.hash | only two")
    with pytest.raises(InternalError, match="twice"):
        parse_dictionary("--@ a.b | - | - | - | x\n--@ a.b | - | - | - | y")
    entries = parse_dictionary(load_schema("nats").sql)
    assert any(e.table_name == "final_accuracy" and e.type == "REAL" for e in entries)


def test_info_columns_prints_the_dictionary(
    dbs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["info", str(dbs["nb101"]), "--columns"]) == 0
    out = capsys.readouterr().out
    assert "runs.final_test_accuracy" in out and "fraction" in out
    assert "cell_means.final_validation_accuracy" in out and "cells.trainable_parameters" in out
    assert "runs.metrics" not in out  # the blob is gone
    assert cli.main(["info", str(dbs["nats"]), "--columns", "--json"]) == 0
    import json

    columns = json.loads(capsys.readouterr().out)["columns"]
    assert {"table_name": "runs", "column_name": "x_test_accuracy"}.items() <= next(
        c for c in columns if c["column_name"] == "x_test_accuracy"
    ).items()


def test_databases_without_the_table_use_the_packaged_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import gzip
    import json
    import shutil

    packed = sorted((Path(__file__).parent / "data" / "pre_redesign").glob("*.sqlite.gz"))
    # (nats: schema 2 is refused since #14 changed the curves format; test_registry checks it.)
    packed = [p for p in packed if not p.name.startswith("nats.")]
    assert packed
    for source in packed:
        path = tmp_path / source.name.removesuffix(".gz")
        with gzip.open(source) as data, open(path, "wb") as target:
            shutil.copyfileobj(data, target)
        con = sqlite3.connect(path)
        assert not con.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'data_dictionary'"
        ).fetchall()
        tables = {(t, c) for t, c in schema_columns(con.execute) if t != "data_dictionary"}
        (version,) = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if version != str(load_schema(path.stem).version):  # refused: its layout changed since
            assert cli.main(["info", str(path), "--columns", "--json"]) == 1
            assert "rebuild it with" in capsys.readouterr().err
            continue
        assert cli.main(["info", str(path), "--columns", "--json"]) == 0
        columns = json.loads(capsys.readouterr().out)["columns"]
        assert {(c["table_name"], c["column_name"]) for c in columns} == tables, path.name
