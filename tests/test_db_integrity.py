"""Corrupt and replaced databases (#13): typed errors, never a traceback or a silent wrong answer.

For every packaged kind a small database is damaged by seeded patterns -- a flipped byte in the
header and in the body of each page type (table/index, leaf/interior), truncations, zeroed
pages, swapped pages -- and then queried through the CLI and checked with ``verify``. A query
either fails on one line (exit 1) or answers; an answer that differs from the intact
database's must be caught by ``verify`` (content checksum). ``verify`` never passes a copy
whose answer differs.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import kind_dbs
import nasbench_lite
import pytest
from nasbench_lite import cli
from nasbench_lite._core.integrity import verify_database
from nasbench_lite.errors import CorruptDatabaseError, DatabaseError
from test_registry import _query_args

PAGE_TYPES = {
    0x02: "interior index",
    0x05: "interior table",
    0x0A: "leaf index",
    0x0D: "leaf table",
}


@pytest.fixture(scope="module")
def dbs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return kind_dbs.build_all(tmp_path_factory.mktemp("kinds"))


def _pages(data: bytes) -> tuple[int, list[int]]:
    raw = int.from_bytes(data[16:18], "big")
    size = 65536 if raw == 1 else raw
    types = [data[i * size + (100 if i == 0 else 0)] for i in range(len(data) // size)]
    return size, types


def _patterns(data: bytes, rng: random.Random) -> Iterator[tuple[str, bytes]]:
    size, types = _pages(data)
    count = len(types)
    for code, name in PAGE_TYPES.items():
        pages = [i for i, t in enumerate(types) if t == code]
        for page in rng.sample(pages, min(2, len(pages))):
            start = page * size + (100 if page == 0 else 0)
            for offset in (rng.randrange(0, 12), rng.randrange(12, size - start % size)):
                corrupt = bytearray(data)
                corrupt[start + offset] ^= 0xFF
                yield f"flip {name} page {page} +{offset}", bytes(corrupt)
    others = [i for i, t in enumerate(types) if t not in PAGE_TYPES]
    for page in others[:2]:
        corrupt = bytearray(data)
        corrupt[page * size + rng.randrange(size)] ^= 0xFF
        yield f"flip other page {page}", bytes(corrupt)
    for offset in (rng.randrange(16, 100), 28, 16):  # header: random, page count, page size
        corrupt = bytearray(data)
        corrupt[offset] ^= 0x5A
        yield f"flip file header +{offset}", bytes(corrupt)
    for cut in (len(data) // 2, len(data) - size, len(data) - 1, 1000, 0):
        yield f"truncate to {cut}", data[:cut]
    for page in rng.sample(range(count), min(4, count)):
        yield f"zero page {page}", data[: page * size] + bytes(size) + data[(page + 1) * size :]
    for _ in range(3):
        a, b = sorted(rng.sample(range(count), 2)) if count > 1 else (0, 0)
        pages = [data[i * size : (i + 1) * size] for i in range(count)]
        pages[a], pages[b] = pages[b], pages[a]
        yield f"swap pages {a} {b}", b"".join(pages)


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("kind", kind_dbs.KINDS)
def test_corruption_patterns_are_typed_and_never_silently_wrong(
    dbs: dict[str, Path], kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = dbs[kind]
    args = _query_args(kind, good)
    code, expected, err = _run(["query", str(good), "--json", *args], capsys)
    assert code == 0, err
    data = good.read_bytes()
    copy = tmp_path / "copy.sqlite"
    tried = failed = caught_by_verify = 0
    for label, corrupt in _patterns(data, random.Random(f"{kind}-13")):
        tried += 1
        copy.write_bytes(corrupt)
        code, out, err = _run(["query", str(copy), "--json", *args], capsys)
        assert code in (0, 1), (label, err)
        if code == 1:
            failed += 1
            assert err.count("\n") == 1 and err.startswith("nasbench-lite: error:"), (label, err)
        vcode, _, verr = _run(["verify", str(copy), "-q"], capsys)
        assert vcode in (0, 1), (label, verr)
        if vcode == 1:
            assert verr.count("\n") == 1 and "Traceback" not in verr, (label, verr)
            caught_by_verify += 1
        if code == 0 and out != expected:
            assert vcode == 1, f"{label}: wrong answer that verify does not catch"
        if code == 1 and vcode == 0:
            pytest.fail(f"{label}: query fails but verify passes: {err}")
    assert tried >= 15 and failed + caught_by_verify > 0


def test_verify_passes_an_intact_database_of_every_kind(
    dbs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    for kind, path in dbs.items():
        report = verify_database(path)
        assert report["kind"] == kind and report["checksum_stored"], kind
        code, out, _ = _run(["verify", str(path), "--json"], capsys)
        assert code == 0 and json.loads(out)["kind"] == kind


def test_altered_value_is_caught_by_the_checksum(dbs: dict[str, Path], tmp_path: Path) -> None:
    import sqlite3

    copy = tmp_path / "nar.sqlite"
    shutil.copy(dbs["nar"], copy)
    with sqlite3.connect(copy) as connection:  # one stored accuracy changed, nothing else
        connection.execute(
            "UPDATE nar201 SET cifar10_val_acc = cifar10_val_acc + 1 "
            "WHERE arch_index = (SELECT min(arch_index) FROM nar201)"
        )
    with pytest.raises(CorruptDatabaseError, match="checksum"):
        verify_database(copy)


def test_truncated_database_is_refused_on_open(dbs: dict[str, Path], tmp_path: Path) -> None:
    copy = tmp_path / "nats.sqlite"
    data = dbs["nats"].read_bytes()
    size, _ = _pages(data)
    copy.write_bytes(data[: len(data) - size])
    with pytest.raises(CorruptDatabaseError):
        nasbench_lite.open(copy)


READER = textwrap.dedent(
    """
    import sys
    import nasbench_lite
    from nasbench_lite.errors import NasbenchLiteError
    reader = nasbench_lite.open(sys.argv[1])
    print("open", flush=True)
    sys.stdin.readline()
    typed = 0
    for _ in range(200):
        try:
            reader.get_more_info(1, "cifar10", hp="12")
        except NasbenchLiteError:
            typed += 1
    print("done", typed, flush=True)
    """
)

OVERWRITES: dict[str, Callable[[Path, Path], None]] = {
    "truncate": lambda live, other: live.write_bytes(live.read_bytes()[:4096]),
    "cp other": lambda live, other: shutil.copyfile(other, live),
    "cp same": lambda live, other: shutil.copyfile(live.with_name("keep.sqlite"), live),
}


@pytest.mark.parametrize("how", list(OVERWRITES))
def test_reader_survives_in_place_overwrite(dbs: dict[str, Path], tmp_path: Path, how: str) -> None:
    live = tmp_path / "live.sqlite"
    shutil.copy(dbs["nats"], live)
    shutil.copy(dbs["nats"], tmp_path / "keep.sqlite")
    proc = subprocess.Popen(
        [sys.executable, "-c", READER, str(live)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdin is not None
    assert proc.stdout.readline().strip() == "open"
    OVERWRITES[how](live, dbs["nar"])
    out, err = proc.communicate("go\n", timeout=120)
    assert proc.returncode == 0, (proc.returncode, err[-2000:])  # -7 would be SIGBUS
    assert out.startswith("done"), err[-2000:]


def test_cli_on_a_non_database_and_a_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"SQLite format 3\x00" + bytes(200))
    for argv in (["info", str(junk)], ["query", str(junk), "--arch", "1"], ["verify", str(junk)]):
        code, _, err = _run(argv, capsys)
        assert code == 1 and err.count("\n") == 1, (argv, err)
    with pytest.raises(DatabaseError):
        nasbench_lite.open(junk)


def _reference_checksum(connection: Any) -> str:
    """The content checksum written value by value (the format's definition)."""
    import hashlib

    from nasbench_lite._core.integrity import _encode, _order_by, data_tables

    digest = hashlib.sha256()
    for table in data_tables(connection):
        digest.update(b"T" + table.encode())
        order = _order_by(connection, table)
        for row in connection.execute(f'SELECT * FROM "{table}" ORDER BY {order}'):
            digest.update(b"".join(_encode(v) for v in row))
            digest.update(b"\n")
    return digest.hexdigest()


def test_batched_checksum_equals_the_value_by_value_definition(tmp_path: Path) -> None:
    import apsw
    import kind_dbs
    from nasbench_lite._core import integrity

    dbs = kind_dbs.build_all(tmp_path / "kinds")
    mixed = tmp_path / "mixed.sqlite"
    con = apsw.Connection(str(mixed))
    con.execute("CREATE TABLE t(k INTEGER PRIMARY KEY, v)")
    values = [1, -(2**63), 2**63 - 1, 0.5, -0.0, None, "é", b"\x00\x01", True, float("nan")]
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(values)))
    con.close()
    for path in [*dbs.values(), mixed]:
        con = apsw.Connection(str(path))
        try:
            assert integrity.content_checksum(con) == _reference_checksum(con), path
        finally:
            con.close()
