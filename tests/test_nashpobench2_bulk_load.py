"""``API.preload``'s bulk read (``bulk.doubles``: IEEE 754 bytes in one blob per statement via
APSW's bundled ``ieee754`` extension) against the row-fetching path it replaces, bit for bit:
on a source full of NaN, -0.0 and None, and on a doctored database whose ``epochs`` table is
incomplete and holds rows the API cannot reach.
"""

from __future__ import annotations

import math
import pickle
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import nashpobench2_fixture as fx
import numpy as np
import pytest
from nasbench_lite.benchmarks.nashpobench2 import bulk
from nasbench_lite.nashpobench2 import API, build_nashpobench2


def _arrays(path: Path, fast: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, ...]:
    """``load_dense`` + ``load_epochs`` of a database, by the blob path or by rows."""
    with monkeypatch.context() as patch:
        if not fast:
            patch.setattr(bulk, "_ieee754", lambda db: False)
        with API(path) as api:
            if fast and not bulk._ieee754(api._db):
                pytest.skip("this APSW ships without the ieee754 extension")
            api.preload()
            assert api._dense is not None
            return tuple(np.array(a, copy=True) for a in api._dense)


def _same(a: Any, b: Any) -> bool:
    if a.dtype == np.float64:
        return bool(np.array_equal(a.view(np.int64), b.view(np.int64)))
    return bool(np.array_equal(a, b))


@pytest.fixture(scope="module")
def special(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("nhb2_bulk") / "data"
    written = fx.write_dataset(folder, fx.sample_cellcodes(16, seed=5), seed=7)
    bench = written["bench12"]
    keys = list(bench["lr"])
    changes = {
        "valid_acc_11": math.nan,
        "valid_acc_3": -0.0,
        "test_time_2": math.nan,
        "train_acc_11": None,
        "total_trainval_time": math.nan,
        "total_train_time": -0.0,
        "valid_time_1": None,
        "test_acc_0": -0.0,
        "train_time_5": math.inf,
    }
    for position, (column, value) in enumerate(changes.items()):
        for key in keys[position :: len(keys) // 5]:
            bench[column][key] = value
    (folder / "bench12.pkl").write_bytes(pickle.dumps(bench, protocol=4))
    out = folder.parent / "special.sqlite"
    build_nashpobench2(folder, out)
    return out


def test_blob_read_equals_row_read(special: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, rows = _arrays(special, True, monkeypatch), _arrays(special, False, monkeypatch)
    assert all(_same(a, b) for a, b in zip(fast, rows, strict=True))
    runs, present = fast[0], fast[1]
    curves = runs[present, : bulk.NUM_CURVES]
    # The source's specials made it through: NaN, -0.0 and inf among the per-epoch values.
    assert np.isnan(curves).any() and np.isinf(curves).any()
    assert ((curves == 0.0) & np.signbit(curves)).any()


def test_incomplete_epochs_table(
    special: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doctored = tmp_path / "doctored.sqlite"
    shutil.copyfile(special, doctored)
    con = sqlite3.connect(doctored)
    first, second = (r for (r,) in con.execute("SELECT run_id FROM runs ORDER BY 1 LIMIT 2"))
    con.execute("DELETE FROM epochs WHERE run_id = ? AND epoch > 6", (first,))
    con.execute("DELETE FROM epochs WHERE run_id = ?", (second,))
    # Rows of a run that does not exist (never reported: the run is not present), when the
    # id space has a free slot, and rows the API cannot place (out of range, epoch 13).
    with API(special) as api:
        size = (max(api._hash_list) + 1) * api._per_cell * api._num_seeds
    taken = {r for (r,) in con.execute("SELECT run_id FROM runs")}
    copy = (
        "INSERT INTO epochs SELECT ?, {epoch}, train_acc, valid_acc, test_acc, train_time,"
        " valid_time, test_time, train_cost, valid_cost, test_cost, special_mask"
        " FROM epochs WHERE run_id = (SELECT max(run_id) FROM epochs) AND epoch = 1"
    )
    free = [r for r in range(size) if r not in taken][:1]
    for run in free:
        con.execute(copy.format(epoch=3), (run,))
    con.execute("PRAGMA ignore_check_constraints = ON")
    con.execute(copy.format(epoch=13), (first,))
    con.execute(copy.format(epoch=1), (size + 5,))
    con.execute("DELETE FROM sqlite_stat1")
    con.commit()
    con.execute("VACUUM")
    con.close()
    fast = _arrays(doctored, True, monkeypatch)
    runs = fast[0]
    # The row path (not the blob path) misplaces or fails on the unplaceable rows: compare
    # after removing them.
    con = sqlite3.connect(doctored)
    con.execute("DELETE FROM epochs WHERE epoch = 13 OR run_id >= ?", (size,))
    con.commit()
    con.execute("VACUUM")
    con.close()
    rows = _arrays(doctored, False, monkeypatch)
    assert all(_same(a, b) for a, b in zip(fast, rows, strict=True))
    if free:
        assert not np.isnan(runs[free[0], 2]) and not fast[1][free[0]]
    # Epochs 7-11 of `first` are gone (epoch 12's accuracies are the runs table's copies).
    assert np.isnan(runs[first, 6:11]).all() and not np.isnan(runs[first, :6]).all()
    assert np.isnan(runs[second, 36:72]).all()  # every per-epoch time of `second`
