"""Database corruptions found by ``benchmarks/fuzz_campaign.py`` (seeds 11 and 12), as tests.

Each test builds a small database of its kind through the package's own builder
(``kind_dbs``), then changes the few bytes the campaign's mutant changed, located by walking
SQLite's file format (page header, cell pointers, record header): a renamed column in the
stored ``CREATE TABLE`` text (a wrong answer that ``verify`` passed), a table row whose key
no longer matches (an ``IndexError`` from ``query``) and a value whose record serial type says
BLOB or TEXT in a REAL column (a ``TypeError`` from ``query --json``).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import kind_dbs
import nasbench_lite
import pytest
from nasbench_lite import cli
from nasbench_lite._core.integrity import verify_database
from nasbench_lite.errors import CorruptDatabaseError

LEAF_TABLE, INTERIOR_TABLE = 0x0D, 0x05


@pytest.fixture(scope="module")
def dbs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("kinds")
    return {"nar": kind_dbs.small_nar(folder), "nats": kind_dbs.small_nats(folder)}


def _page_size(data: bytes | bytearray) -> int:
    raw = int.from_bytes(data[16:18], "big")
    return 65536 if raw == 1 else raw


def _varint(data: bytes | bytearray, at: int) -> tuple[int, int]:
    """SQLite's big-endian varint at ``at``: (value, offset after it)."""
    value = 0
    for i in range(8):
        byte = data[at + i]
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, at + i + 1
    return (value << 8) | data[at + 8], at + 9


def _table_cell(data: bytes | bytearray, root: int, rowid: int) -> int:
    """File offset of the leaf cell holding ``rowid`` in the rowid table rooted at ``root``."""
    size = _page_size(data)
    page = root
    while True:
        base = (page - 1) * size
        head = base + (100 if page == 1 else 0)
        kind = data[head]
        count = int.from_bytes(data[head + 3 : head + 5], "big")
        pointers = head + (12 if kind == INTERIOR_TABLE else 8)
        cells = [
            base + int.from_bytes(data[pointers + 2 * i : pointers + 2 * i + 2], "big")
            for i in range(count)
        ]
        if kind == LEAF_TABLE:
            for cell in cells:
                _, at = _varint(data, cell)  # payload size, then the rowid
                if _varint(data, at)[0] == rowid:
                    return cell
            raise AssertionError(f"rowid {rowid} not on its leaf page {page}")
        assert kind == INTERIOR_TABLE, f"page {page} is not a table b-tree page"
        for cell in cells:  # 4-byte left child, then the largest rowid under it
            if rowid <= _varint(data, cell + 4)[0]:
                page = int.from_bytes(data[cell : cell + 4], "big")
                break
        else:
            page = int.from_bytes(data[head + 8 : head + 12], "big")  # right-most child


def _serial_type_offset(data: bytes | bytearray, cell: int, column: int) -> int:
    """File offset of the serial type of ``column`` in the record of a table leaf cell."""
    _, at = _varint(data, cell)
    _, at = _varint(data, at)  # the rowid: the record starts here
    _, at = _varint(data, at)  # the record header's size
    for _ in range(column):
        _, at = _varint(data, at)
    return at


def _root(path: Path, table: str) -> int:
    with sqlite3.connect(path) as connection:
        row = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()
    return int(row[0])


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _one_line_error(code: int, err: str) -> bool:
    return code == 1 and err.count("\n") == 1 and err.startswith("nasbench-lite: error:")


@pytest.mark.parametrize(
    ("table", "column", "flipped"),
    [
        # Seed-11 mutants: one bit of the stored CREATE TABLE text; the answer then carried
        # the renamed key and `verify` passed (integrity check, row counts and checksum agree).
        ("nar201", b"arch_str", b"arch_stb"),
        ("nar201", b"imagenet16_120_total_params", b"imagenet16_12p_total_params"),
        # The same kind of flip in a declared type: the column's affinity changes.
        ("nar201", b"cifar10_test_acc   REAL", b"cifar10_test_acc   REAM"),
    ],
)
def test_flipped_byte_in_the_stored_schema_fails_verify(
    dbs: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    table: str,
    column: bytes,
    flipped: bytes,
) -> None:
    data = bytearray(dbs["nar"].read_bytes())
    statement = data.find(f"CREATE TABLE {table} (".encode())
    at = data.find(column, statement)
    assert statement >= 0 and at > statement
    data[at : at + len(column)] = flipped  # same length: every other byte as built
    copy = tmp_path / "nar.sqlite"
    copy.write_bytes(bytes(data))
    with pytest.raises(CorruptDatabaseError, match=f"{table}.*schema"):
        verify_database(copy)
    code, _, err = _cli(["verify", str(copy), "-q"], capsys)
    assert _one_line_error(code, err), err


def test_intact_schema_of_every_kind_passes_verify(tmp_path: Path) -> None:
    for kind, path in kind_dbs.build_all(tmp_path).items():
        assert verify_database(path)["kind"] == kind


def test_archs_row_with_a_damaged_key_is_a_typed_error(
    dbs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Seed-11 mutant: architecture 1's row unreachable by its key (was ``IndexError``)."""
    data = bytearray(dbs["nats"].read_bytes())
    cell = _table_cell(data, _root(dbs["nats"], "archs"), 1)
    _, at = _varint(data, cell)
    assert data[at] == 1  # the rowid varint of arch_index 1
    data[at] = 0  # now a second row 0: the search for 1 finds nothing
    copy = tmp_path / "nats.sqlite"
    copy.write_bytes(bytes(data))
    with nasbench_lite.open(copy) as api, pytest.raises(CorruptDatabaseError, match="archs"):
        api[1]  # noqa: B018 - the lookup is the test
    code, _, err = _cli(["query", str(copy), "--json", "--arch", "1", "--hp", "12"], capsys)
    assert _one_line_error(code, err), err


#: Content bytes of SQLite's numeric serial types (1-6: integers, 7: an IEEE double).
NUMBER_BYTES = {1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8, 7: 8}


@pytest.mark.parametrize(("base", "storage"), [(12, "BLOB"), (13, "TEXT")])
def test_wrong_storage_class_in_a_real_column_is_a_typed_error(
    dbs: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    base: int,
    storage: str,
) -> None:
    """Seed-11 mutant: ``nar201.cifar10_val_acc`` read as bytes (was ``TypeError`` in JSON)."""
    data = bytearray(dbs["nar"].read_bytes())
    cell = _table_cell(data, _root(dbs["nar"], "nar201"), 7)
    at = _serial_type_offset(data, cell, 2)  # arch_index (rowid alias), arch_str, this
    # 50.0 is stored as a 1-byte integer (SQLite's compact form of an integral REAL).
    assert data[at] in NUMBER_BYTES
    # A BLOB (12 + 2n) or TEXT (13 + 2n) of the same length: the record stays well-formed.
    data[at] = base + 2 * NUMBER_BYTES[data[at]]
    copy = tmp_path / "nar.sqlite"
    copy.write_bytes(bytes(data))
    with nasbench_lite.open(copy) as api, pytest.raises(CorruptDatabaseError, match=storage):
        api.get(7)
    code, _, err = _cli(["query", str(copy), "--json", "--arch", "7"], capsys)
    assert _one_line_error(code, err), err
    with pytest.raises(CorruptDatabaseError):
        verify_database(copy)
