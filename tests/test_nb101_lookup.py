"""``cell_lookup``: the packed per-cell copy of ``cells`` + ``runs`` that first sights read.

Every row must equal what plain SQL reads from ``cells``, ``runs`` and ``special_values``
(exact bits, NaN payloads and -0.0 included); ``query`` must answer the same through it as
through the cells/runs read it replaces; a damaged row is a typed error; a cell whose key was
taken by another cell has no row and is still answered.
"""

from __future__ import annotations

import shutil
import sqlite3
import struct
from pathlib import Path
from typing import Any

import nb101_tfrecord as tfr
import pytest
from nasbench_lite import nb101
from nasbench_lite.benchmarks.nb101 import build as build_module
from nasbench_lite.benchmarks.nb101.build import build_nb101
from nasbench_lite.benchmarks.nb101.layout import (
    METRIC_COLUMNS,
    RUN_RECORD,
    hash_key,
    unpack_runs,
)
from nasbench_lite.errors import CorruptDatabaseError, NotInDatabaseError
from nasbench_lite.nb101.api import NASBench
from test_nb101_plain_columns import _with_values


def bits(value: float) -> int:
    return int(struct.unpack("<q", struct.pack("<d", value))[0])


@pytest.fixture(scope="module")
def cells() -> list[tuple[str, Any, list[str]]]:
    return tfr.cells_from_rows(nb101.enumerate_cells(max_vertices=4).to_pylist())


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory, cells: Any) -> Path:
    records = tfr.synthetic_dataset(cells, seed=5, order="interleaved")
    records = [_with_values(r, k) if k % 5 == 0 else r for k, r in enumerate(records)]
    path = tmp_path_factory.mktemp("lookup") / "lookup.tfrecord"
    tfr.write_tfrecord(path, records)
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, source: Path) -> Path:
    out = tmp_path_factory.mktemp("lookup_db") / "nb101.sqlite"
    build_nb101([source], out, batch_records=97)
    return out


def _plain_runs(con: sqlite3.Connection, cell_id: int) -> list[tuple[int, ...]]:
    """``(epochs, eight value bits)`` per run of a cell from runs + special_values."""
    exact = {
        (e, r, m): b
        for e, r, m, b in con.execute(
            "SELECT epochs, repeat, metric, bits FROM special_values WHERE cell_id = ?",
            (cell_id,),
        )
    }
    names = METRIC_COLUMNS.split(", ")
    out = []
    for epochs, repeat, *values in con.execute(
        f"SELECT epochs, repeat, {METRIC_COLUMNS} FROM runs WHERE cell_id = ?"
        " ORDER BY epochs, repeat",
        (cell_id,),
    ):
        exact_bits = [
            exact.get((epochs, repeat, name), None if v is None else bits(v))
            for name, v in zip(names, values, strict=True)
        ]
        assert None not in exact_bits  # every NULL has its exact bits
        out.append((epochs, *exact_bits))
    return out


def test_every_row_is_the_plain_tables_bit_for_bit(built: Path) -> None:
    con = sqlite3.connect(built)
    cells = con.execute(
        "SELECT cell_id, hash, num_vertices, edge_bits, op_codes, trainable_parameters FROM cells"
    ).fetchall()
    lookup = {
        row[1]: row
        for row in con.execute(
            "SELECT hash_key, hash, cell_id, num_vertices, edge_bits, op_codes,"
            " trainable_parameters, runs_packed FROM cell_lookup"
        )
    }
    assert len(lookup) == len(cells) > 50
    assert con.execute("SELECT value FROM meta WHERE key = 'rows.cell_lookup'").fetchone() == (
        str(len(cells)),
    )
    specials = 0
    for cell_id, module_hash, *columns in cells:
        key, _, stored_id, *stored_columns, packed = lookup[module_hash]
        assert key == hash_key(module_hash) == int(module_hash[:16], 16) >> 1
        assert (stored_id, stored_columns) == (cell_id, columns)
        records = [
            (record[0], *(bits(v) for v in record[1:]))
            for record in struct.iter_unpack("<q8d", packed)
        ]
        assert records == _plain_runs(con, cell_id)
        specials += sum(
            1 for record in struct.iter_unpack("<q8d", packed) for v in record if v != v
        )
    assert specials > 0  # NaNs of several bit patterns went through


def test_record_layout_has_one_definition() -> None:
    assert RUN_RECORD.size == build_module._RECORD_DTYPE.itemsize == 72
    packed = RUN_RECORD.pack(12, *range(8)) + RUN_RECORD.pack(108, *range(8, 16))
    assert unpack_runs(packed, 108) == {0: tuple(float(v) for v in range(8, 16))}
    assert unpack_runs(packed, 4) == {}
    many = b"".join(RUN_RECORD.pack(4 if r % 3 else 36, *[float(r)] * 8) for r in range(70))
    assert unpack_runs(many, 4) == {
        k: (float(r),) * 8 for k, r in enumerate(r for r in range(70) if r % 3)
    }
    nan = struct.unpack("<d", struct.pack("<Q", 0xFFF800000000ABCD))[0]
    (values,) = unpack_runs(RUN_RECORD.pack(108, nan, -0.0, *range(6)), 108).values()
    assert [bits(v) for v in values[:2]] == [bits(nan), bits(-0.0)]
    for damaged in (packed[:-1], packed + b"\x00"):
        with pytest.raises(ValueError, match="not whole 72-byte records"):
            unpack_runs(damaged, 108)
    assert unpack_runs(b"", 108) == {}
    with pytest.raises(ValueError, match="more than 65536"):
        unpack_runs(bytes(72 * 65537), 0)  # a hostile row: no million-entry answer


def test_query_answers_as_the_plain_tables_do(built: Path, cells: Any, tmp_path: Path) -> None:
    plain = tmp_path / "plain.sqlite"
    shutil.copy(built, plain)
    with sqlite3.connect(plain) as con:
        con.execute("DELETE FROM cell_lookup")  # every cell takes the cells/runs read
    with NASBench(built, seed=0) as packed_api, NASBench(plain, seed=0) as plain_api:
        statements: list[str] = []
        others: list[str] = []
        (point,) = packed_api._db._point_connections  # the first sights' own connection
        point.exec_trace = lambda _c, sql, _b: statements.append(sql) or True
        packed_api._db.connection.exec_trace = lambda _c, sql, _b: others.append(sql) or True
        for module_hash, matrix, ops in cells:
            spec = nb101.ModelSpec(matrix, ops)
            for epochs in (4, 12, 36, 108):
                for repeat in range(3):
                    for halfway in (False, True):
                        ours = packed_api.query(spec, epochs, halfway, repeat=repeat)
                        theirs = plain_api.query(spec, epochs, halfway, repeat=repeat)
                        assert ours.keys() == theirs.keys()
                        for key in ours:
                            if key.endswith(("accuracy", "time")):
                                assert bits(ours[key]) == bits(theirs[key]), module_hash
                            elif key == "module_adjacency":
                                assert ours[key].tolist() == theirs[key].tolist()
                            else:
                                assert ours[key] == theirs[key]
        assert packed_api.get_budget_counters() == plain_api.get_budget_counters()
        assert all("FROM cell_lookup" in sql for sql in statements)
        assert len(statements) == len(cells) * 4  # one statement per (cell, budget)
        assert others == []  # no cells/runs read


@pytest.mark.parametrize("damage", [b"\x00" * 71, "text", 7])
def test_a_damaged_row_is_a_typed_error(
    built: Path, cells: Any, tmp_path: Path, damage: Any
) -> None:
    module_hash, matrix, ops = cells[3]
    copy = tmp_path / "damaged.sqlite"
    shutil.copy(built, copy)
    with sqlite3.connect(copy) as con:
        con.execute("UPDATE cell_lookup SET runs_packed = ? WHERE hash = ?", (damage, module_hash))
    with NASBench(copy, seed=0) as api:
        with pytest.raises(CorruptDatabaseError, match="damaged cell_lookup row"):
            api.query(nb101.ModelSpec(matrix, ops))
        other_hash, other_matrix, other_ops = cells[4]
        assert api.query(nb101.ModelSpec(other_matrix, other_ops), repeat=0)  # others still read


def test_a_taken_key_falls_back_to_the_plain_tables(
    source: Path, cells: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two hashes sharing a key (63 bits of an MD5: not in the official data) are forced here.
    first, second = cells[10][0], cells[20][0]
    real = build_module.hash_key
    monkeypatch.setattr(build_module, "hash_key", lambda h: real(first) if h == second else real(h))
    out = tmp_path / "collide.sqlite"
    build_nb101([source], out)
    con = sqlite3.connect(out)
    assert (
        con.execute("SELECT count(*) FROM cell_lookup WHERE hash = ?", (second,)).fetchone()[0] == 0
    )
    assert con.execute("SELECT value FROM meta WHERE key = 'rows.cell_lookup'").fetchone() == (
        str(len(cells) - 1),
    )
    with NASBench(out, seed=0) as api, NASBench(out, seed=0) as twin:
        for module_hash, matrix, ops in (cells[10], cells[20]):
            answer = api.query(nb101.ModelSpec(matrix, ops), epochs=36, repeat=2)
            _, computed = twin.get_metrics_from_hash(module_hash)
            assert bits(answer["test_accuracy"]) == bits(computed[36][2]["final_test_accuracy"])


def test_an_unknown_hash_is_not_found_on_both_paths(built: Path, tmp_path: Path) -> None:
    small = tmp_path / "one_cell_less.sqlite"
    shutil.copy(built, small)
    cells = tfr.cells_from_rows(nb101.enumerate_cells(max_vertices=4).to_pylist())
    module_hash, matrix, ops = cells[0]
    with sqlite3.connect(small) as con:
        cell_id = con.execute("SELECT cell_id FROM cells WHERE hash = ?", (module_hash,)).fetchone()
        con.execute("DELETE FROM runs WHERE cell_id = ?", cell_id)
        con.execute("DELETE FROM cells WHERE hash = ?", (module_hash,))
        con.execute("DELETE FROM cell_lookup WHERE hash = ?", (module_hash,))
    with NASBench(small, seed=0) as api, pytest.raises(NotInDatabaseError):
        api.query(nb101.ModelSpec(matrix, ops))


def test_point_lookups_have_their_own_connection_closed_with_the_handle(
    built: Path, tmp_path: Path
) -> None:
    from nasbench_lite._core.database import Database
    from nasbench_lite.errors import DatabaseError

    copy = tmp_path / "gone.sqlite"
    shutil.copy(built, copy)
    db = Database(copy, kind="nb101")
    run = db.point_query()
    assert run("SELECT count(*) FROM cell_lookup", ()) == db.query("SELECT count(*) FROM cells")
    copy.unlink()  # an open connection keeps reading; a new one cannot open
    with pytest.raises(DatabaseError):
        db.point_query()
    db.close()
    with pytest.raises(DatabaseError):
        run("SELECT 1", ())
