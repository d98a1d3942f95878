"""``_native.ContentDigest`` writes the bytes ``integrity._encode`` defines, for every value.

The database-level comparison (every kind's DB, native checksum vs the value-by-value
definition) is in ``test_db_integrity.py``; here the values SQLite never returns but the
definition covers (ints beyond 64 bits, subclasses, lone surrogates, buffers) and the row
shapes (tuples, lists, any iterable of rows) are checked against the definition directly.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from nasbench_lite._core.integrity import _encode
from nasbench_lite._native import ContentDigest


class _Int(int):
    def __str__(self) -> str:  # the definition prints int(value), not str(value)
        return "not used"


class _Float(float):
    pass


class _Str(str):
    pass


def _definition(tables: dict[str, list[Any]]) -> str:
    digest = hashlib.sha256()
    for name, rows in tables.items():
        digest.update(b"T" + name.encode())
        for row in rows:
            digest.update(b"".join(_encode(v) for v in row) + b"\n")
    return digest.hexdigest()


def _native(tables: dict[str, list[Any]]) -> str:
    digest = ContentDigest()
    for name, rows in tables.items():
        digest.table(name)
        assert digest.rows(iter(rows)) == len(rows)
    return digest.hexdigest()


def test_every_value_type_encodes_as_the_definition() -> None:
    values: list[Any] = [
        None, 0, 1, -1, 2**63 - 1, -(2**63), 2**70, -(2**100), True, False, _Int(42),
        0.0, -0.0, 1.5, float("inf"), float("nan"), _Float(2.5),
        "", "plain", "é中", "\ud800 lone", _Str("sub"),
        b"", b"\x00\xff", bytearray(b"ba"), memoryview(b"mv"),
    ]  # fmt: skip
    tables = {
        "one_per_row": [(v,) for v in values],
        "all_in_one_row": [tuple(values)],
        "lists_too": [list(values[:5]), list(values[5:])],
        "empty": [],
    }
    assert _native(tables) == _definition(tables)


def test_large_blobs_and_many_rows() -> None:
    blob = bytes(range(256)) * 1000  # above the native buffer: hashed directly
    rows = [(i, i * 0.25, f"r{i}", blob if i % 50 == 0 else b"x") for i in range(2000)]
    tables = {"big": rows}
    assert _native(tables) == _definition(tables)


def test_hexdigest_is_a_snapshot_and_the_digest_goes_on() -> None:
    digest = ContentDigest()
    digest.table("t")
    digest.rows([(1,)])
    first = digest.hexdigest()
    assert digest.hexdigest() == first == _definition({"t": [(1,)]})
    digest.rows([(2,)])
    assert digest.hexdigest() == _definition({"t": [(1,), (2,)]})


def test_a_value_without_bytes_conversion_raises_and_is_not_hashed_silently() -> None:
    digest = ContentDigest()
    digest.table("t")
    with pytest.raises(TypeError):
        digest.rows([(object(),)])
    with pytest.raises(TypeError):
        digest.rows([5])  # a row must be iterable
