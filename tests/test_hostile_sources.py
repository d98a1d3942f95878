"""Hostile source files on the Python side (#13): no silent coercion, typed errors.

NAS-HPO-Bench-II: a numeric *string* (or a boolean) in a value column is refused with
``CorruptSourceError`` naming the column and row, instead of being stored as a float.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import nashpobench2_fixture as nhb2_fx
import pytest
from nasbench_lite.benchmarks.nashpobench2.build import build_nashpobench2
from nasbench_lite.errors import CorruptSourceError


def _dataset(folder: Path) -> dict[str, Any]:
    return nhb2_fx.write_dataset(folder, nhb2_fx.sample_cellcodes(8, seed=1), seed=5)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("valid_acc_3", "0.5"),
        ("train_time_0", "12"),
        ("total_train_time", True),
        ("test_acc_0", b"1"),
    ],
)
def test_nhb2_value_column_must_hold_numbers(tmp_path: Path, column: str, value: Any) -> None:
    objects = _dataset(tmp_path / "src")
    bench = objects["bench12"]
    first = next(iter(bench[column]))
    bench[column][first] = value
    with open(tmp_path / "src" / "bench12.pkl", "wb") as handle:
        pickle.dump(bench, handle, protocol=4)
    out = tmp_path / "nhb2.sqlite"
    with pytest.raises(CorruptSourceError, match=f"{column}.*not a number"):
        build_nashpobench2(tmp_path / "src", out)
    assert not out.exists()


def test_nhb2_numbers_still_build(tmp_path: Path) -> None:
    _dataset(tmp_path / "src")
    build_nashpobench2(tmp_path / "src", tmp_path / "nhb2.sqlite")
    assert (tmp_path / "nhb2.sqlite").is_file()
