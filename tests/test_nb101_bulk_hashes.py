"""``query_many`` on lists of hash strings: the one-join fast path (``_joined_hashes``) against
the general per-string path (``_raw_of_strings`` + ``_hex_keys``) and against single lookups.

Inputs are chosen to fool a join-based parser: items with spaces or commas that shift the
separators back into place, wrong lengths that add up, uppercase or non-hex digits, non-ASCII
text, str subclasses, and non-str items.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nb101_tfrecord as tfr
import numpy as np
import pytest
from nasbench_lite import nb101
from nasbench_lite.benchmarks.nb101.build import build_nb101
from nasbench_lite.benchmarks.nb101.bulk import (
    _hashes_of,
    _hex_keys,
    _joined_hashes,
    _raw_of_strings,
)
from nasbench_lite.errors import InvalidInputError
from nasbench_lite.nb101.api import NASBench


class _Text(str):
    pass


def _general(items: list[str]) -> tuple[Any, Any, bool]:
    """What the per-string path makes of ``items``: raw bytes, keys, exactness."""
    raw, exact = _raw_of_strings([str(item) for item in items])
    return raw, _hex_keys(raw), exact


def _tricky(good: list[str]) -> list[list[Any]]:
    a, b, c = good[:3]
    return [
        [a[:16] + " " + a[17:], b],  # a space inside an item (fromhex would skip it)
        [a[:31], " " + b],  # lengths that add up, the separator shifted back into place
        [a + " " + b[:31], c],  # two hashes in one item
        [a[:31] + " ", b],  # a trailing space in place of a digit
        [a, b.upper()],  # uppercase digits (fromhex takes them; the stored hashes do not)
        [a, "g" * 32],  # not hex
        [a, "é" * 32],  # not ASCII
        [a, ""],  # empty
        [a, b + "0"],  # 33 characters
        [a, b[:-1]],  # 31 characters
        [a, b[:30] + "\t0"],  # whitespace fromhex would skip
        [a, b.replace(b[0], ",", 1)],  # a comma
    ]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    cells = tfr.cells_from_rows(nb101.enumerate_cells(max_vertices=4).to_pylist())
    folder = tmp_path_factory.mktemp("bulk_hashes")
    source = folder / "nasbench_full.tfrecord"
    tfr.write_tfrecord(source, tfr.synthetic_dataset(cells, seed=4))
    build_nb101([source], folder / "nb101.sqlite")
    return folder / "nb101.sqlite", [h for h, _, _ in cells]


def test_joined_path_equals_general_path(built: tuple[Path, list[str]]) -> None:
    _, good = built
    rng = np.random.default_rng(3)
    plain = [good[i] for i in rng.integers(0, len(good), size=500).tolist()]
    joined = _joined_hashes(plain)
    assert joined is not None and joined.exact and joined.keys is not None
    raw, keys, exact = _general(plain)
    assert exact and np.array_equal(joined.raw, raw)
    for ours, theirs in zip(joined.keys, keys, strict=True):
        assert np.array_equal(ours, theirs)
    # A str subclass is read by its text, as a dict lookup would.
    subclassed = _joined_hashes([_Text(h) for h in plain])
    assert subclassed is not None and np.array_equal(subclassed.raw, raw)


def test_joined_path_refuses_what_it_cannot_prove(built: tuple[Path, list[str]]) -> None:
    _, good = built
    for items in _tricky(good):
        assert _joined_hashes(items) is None, items
        hashes = _hashes_of(items)  # the general path takes them
        raw, _, exact = _general(items)
        assert np.array_equal(hashes.raw, raw) and hashes.exact == exact
    assert _joined_hashes([]) is None
    assert _joined_hashes([good[0], b"0" * 32]) is None
    with pytest.raises(InvalidInputError):
        _hashes_of([good[0], b"0" * 32])


def test_query_many_hashes_match_single_lookups(built: tuple[Path, list[str]]) -> None:
    path, good = built
    rng = np.random.default_rng(9)
    picked = [good[i] for i in rng.integers(0, len(good), size=300).tolist()]
    inputs = [picked, *(_tricky(good) * 2), [*picked[:5], "0" * 32, *picked[5:]]]
    with NASBench(path, seed=0) as by_sql, NASBench(path, seed=0) as by_index:
        known = set(by_sql.hash_iterator())
        # 20,000+ rows load the sorted hash index; smaller lookups on a fresh object join in SQL.
        by_index.query_many(picked * 70, repeat="mean")
        for items in inputs:
            for repeat in ("random", "mean", 1):
                table = by_sql.query_many(items, repeat=repeat)
                assert by_index.query_many(items, repeat=repeat).equals(table)
                found = table.column("found").to_pylist()
                assert found == [isinstance(h, str) and h in known for h in items], items
                assert table.column("hash").to_pylist() == [h or None for h in items]
                for row, item in zip(table.to_pylist(), items, strict=True):
                    if row["found"] and repeat == 1:
                        stats = by_sql.get_metrics_from_hash(item)[1][108][1]
                        assert row["training_time"] == stats["final_training_time"]
                        assert row["test_accuracy"] == stats["final_test_accuracy"]
        assert "index" in by_index.__dict__["_bulk_state"]
        assert "index" not in by_sql.__dict__["_bulk_state"]
