"""The group index (``curve_index`` / ``curve_shapes``: benchmarks/nats/packing.GroupDirectory,
sql/nats.sql).

Every (arch, hp, dataset) of the real fixture files gets one entry whose run ids and shape
agree with ``runs``; an uncached mid-run ``get_more_info`` reads through it (one statement,
no ``runs`` row) and answers exactly what the ``runs`` path answers, at every epoch and for
every choice; an index that cannot answer (no entry, a shape that disagrees, a malformed
shape or index) falls back to ``runs`` with the same answer.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import struct
from pathlib import Path
from typing import Any

import pytest
from nasbench_lite import nats
from nasbench_lite.benchmarks.nats import cached, trial_rows
from nasbench_lite.benchmarks.nats.build import build_nats
from nasbench_lite.benchmarks.nats.layout import DATASETS
from nasbench_lite.benchmarks.nats.packing import NO_GROUP, GroupDirectory, group_key
from nats_fixture import real_archive
from test_nats_final_native import REAL, _outcome


@pytest.fixture(scope="module", params=["tss", "sss"])
def real_db(request: Any, tmp_path_factory: Any) -> tuple[str, Path]:
    space = request.param
    tmp = tmp_path_factory.mktemp(f"groups-{space}")
    archive = real_archive(tmp, space)
    build_nats(archive, tmp / "db.sqlite")
    return space, tmp / "db.sqlite"


def test_every_group_has_a_row_that_agrees_with_runs(real_db: tuple[str, Path]) -> None:
    _, path = real_db
    con = sqlite3.connect(path)
    runs = con.execute(
        "SELECT arch_index, hp, dataset, seed, run_id, seed_order, epochs, eval_names FROM runs"
        " ORDER BY arch_index, hp, dataset, seed_order"
    ).fetchall()
    groups: dict[int, list[Any]] = {}
    for arch, hp, dataset, *rest in runs:
        key = group_key(arch, hp, dataset)
        assert key is not None
        groups.setdefault(key, []).append(rest)
    shapes = {
        row[0]: [json.loads(x) for x in row[1:]]
        for row in con.execute(
            "SELECT shape_id, seeds, eval_names, epochs, positions FROM curve_shapes"
        )
    }
    (data,) = con.execute("SELECT data FROM curve_index WHERE id = 0").fetchone()
    entries = struct.unpack(f"<{len(data) // 4}I", data)
    seen = 0
    for key, entry in enumerate(entries):
        if entry == NO_GROUP:
            assert key not in groups
            continue
        trials = groups[key]
        first = entry >> 8
        seeds, eval_names, epochs, positions = shapes[entry & 0xFF]
        assert seeds == [t[0] for t in trials]
        assert [first + p for p in positions] == [t[1] for t in trials]
        assert epochs == [t[3] for t in trials]
        assert eval_names == [t[4] for t in trials]
        seen += 1
    assert seen == len(groups) > 0


def test_uncached_mid_run_reads_through_the_directory(
    real_db: tuple[str, Path], statement_trace: Any
) -> None:
    """Same answers as the ``runs`` path (a cached API), one statement, no runs row."""
    space, path = real_db
    index = REAL[space][1]
    ref = nats.create(path, space, random_state=3)
    api = nats.create(path, space, random_state=3, cache_size=0)
    try:
        assert api._groups is not None
        statements = statement_trace(api._db)
        for hp in ref.arch_hps(index):
            for dataset in DATASETS:
                seeds = ref._trials(index, dataset, hp).seeds
                for iepoch in (-1, *range(int(hp) - 1), int(hp) + 3):
                    for is_random in (False, True, *seeds, 12345):
                        statements.clear()
                        args = (index, dataset, iepoch, hp, is_random)
                        got = _outcome(api.get_more_info, *args)
                        assert got == _outcome(ref.get_more_info, *args), args
                        if 0 <= iepoch < int(hp) - 1 and got[0] != "error":
                            assert len(statements) == 1, statements
                            assert statements[0].startswith("SELECT data FROM curves")
    finally:
        ref.close()
        api.close()


@pytest.mark.parametrize(
    "damage", ["no row", "no entries", "wrong count", "bad shape", "no shapes", "odd index"]
)
def test_a_directory_that_cannot_answer_falls_back_to_runs(
    real_db: tuple[str, Path], tmp_path: Path, damage: str
) -> None:
    space, path = real_db
    index = REAL[space][1]
    copy = tmp_path / "copy.sqlite"
    shutil.copy(path, copy)
    con = sqlite3.connect(copy)
    if damage == "no row":
        con.execute("DELETE FROM curve_index")
    elif damage == "no entries":
        con.execute("UPDATE curve_index SET data = zeroblob(0)")
    elif damage == "odd index":
        (data,) = con.execute("SELECT data FROM curve_index").fetchone()
        con.execute("UPDATE curve_index SET data = ?", (data + b"\0",))
    elif damage == "wrong count":  # (every trial one position further: the last one is past)
        con.execute(
            "UPDATE curve_shapes SET positions = '[' || replace(replace(replace(substr("
            "positions, 2), '2', '3'), '1', '2'), '0', '1')"
        )
    elif damage == "bad shape":
        con.execute("UPDATE curve_shapes SET positions = '[7]', seeds = 'nope'")
    else:
        con.execute("DELETE FROM curve_shapes")
    con.commit()
    con.close()
    ref = nats.create(path, space, random_state=3)
    api = nats.create(copy, space, random_state=3, cache_size=0)
    try:
        for hp in ref.arch_hps(index):
            for dataset in DATASETS:
                for is_random in (False, True):
                    args = (index, dataset, int(hp) // 2 - 1, hp, is_random)
                    if args[2] < 0:
                        continue
                    assert _outcome(api.get_more_info, *args) == _outcome(
                        ref.get_more_info, *args
                    ), args
    finally:
        ref.close()
        api.close()


def test_directory_entries_skip_groups_without_slots_or_consecutive_ids() -> None:
    directory = GroupDirectory()
    # (arch, hp, dataset, seed, run_id, dataset_order, seed_order, label, epochs, eval_names)
    rows = [
        (0, "12", "cifar10", 888, 5, 0, 1, "0888", 12, "ori-test"),
        (0, "12", "cifar10", 999, 6, 0, 2, "0999", 12, "ori-test"),
        (0, "12", "cifar10", 777, 4, 0, 0, "0777", 12, "ori-test"),
        (0, "12", "other", 777, 7, 1, 0, "0777", 12, "ori-test"),  # no dataset slot
        (0, "7", "cifar100", 777, 8, 2, 0, "0777", 7, "x-valid"),  # no hp slot
        (1, "90", "cifar100", 777, 9, 2, 0, "0777", 90, "x-valid"),
        (1, "90", "cifar100", 888, 11, 2, 1, "0888", 90, "x-valid"),  # ids 9, 11: a gap
        (2, "90", "cifar10", 777, 12, 1, 0, "0777", 90, "ori-test"),
    ]
    directory.add(rows)
    ((row_id, data),) = directory.index_rows()
    entries = struct.unpack(f"<{len(data) // 4}I", data)
    key = group_key(0, "12", "cifar10")
    assert key is not None and entries[key] == 4 << 8 | 0
    assert entries[group_key(2, "90", "cifar10") or 0] == 12 << 8 | 1
    assert sum(e != NO_GROUP for e in entries) == 2 and row_id == 0
    assert directory.shape_rows()[0] == (
        0, "[777, 888, 999]", '["ori-test", "ori-test", "ori-test"]', "[12, 12, 12]", "[0, 1, 2]"
    )  # fmt: skip
    assert group_key(2, "90", "ImageNet16-120") == 2 * 16 + 2 * 4 + 3
    assert group_key(2, "90", "nope") is None


def test_a_hostile_number_of_shapes_turns_the_directory_off(
    real_db: tuple[str, Path], tmp_path: Path
) -> None:
    space, path = real_db
    copy = tmp_path / "copy.sqlite"
    shutil.copy(path, copy)
    con = sqlite3.connect(copy)
    con.executemany(
        "INSERT INTO curve_shapes VALUES (?, '[1]', '[\"x-valid\"]', '[1]', '[0]')",
        [(1000 + i,) for i in range(trial_rows.SHAPE_LIMIT + 1)],
    )
    con.commit()
    con.close()
    api = nats.create(copy, space, cache_size=0)
    try:
        assert api._groups is None
        assert isinstance(api, cached.CachedTrialsReader)
    finally:
        api.close()


@pytest.fixture(scope="module", params=["tss", "sss"])
def quirky_db(request: Any, tmp_path_factory: Any) -> tuple[str, Path, list[int]]:
    """Synthetic files with every irregularity of the real data (nats_fixture quirks: missing
    seeds, disagreeing params, no latency, NaN losses, no train times, NumPy scalars, eval
    sets only at the last epoch)."""
    from nasbench_lite.spaces.nb201.space import size_strings, topology_strings
    from nats_fixture import write_archive

    space = request.param
    tmp = tmp_path_factory.mktemp(f"quirky-{space}")
    archs = topology_strings() if space == "tss" else size_strings()
    indexes = [0, 1, 2, 3, 4, 5, 6, 7, 12, 35, 70]
    write_archive(tmp / "archive", archs, space, indexes, seed=7)
    build_nats(tmp / "archive", tmp / "db.sqlite")
    return space, tmp / "db.sqlite", indexes


def test_uncached_one_pass_calls_equal_the_general_path_on_quirky_files(
    quirky_db: tuple[str, Path, list[int]],
) -> None:
    """benchmarks/nats/uncached.py against the cached API (the general path, checked against
    the official API in test_nats_api.py): same values, errors and generator draws for every
    form, epoch (in and out of range) and choice."""
    space, path, indexes = quirky_db
    ref = nats.create(path, space, random_state=11)
    api = nats.create(path, space, random_state=11, cache_size=0)
    calls = 0
    try:
        for index in indexes:
            for hp in ref.arch_hps(index):
                epochs = int(hp) if space == "tss" or hp != "90" else 9
                for dataset in DATASETS:
                    seeds = ref._trials(index, dataset, hp).seeds
                    for iepoch in (None, -1, *range(epochs + 1), int(hp) - 1):
                        for is_random in (False, True, *seeds, 4242):
                            args = (index, dataset, iepoch, hp, is_random)
                            want = _outcome(ref.get_more_info, *args)
                            assert _outcome(api.get_more_info, *args) == want, args
                            calls += 1
                    for method in ("get_cost_info", "get_latency"):
                        want = _outcome(getattr(ref, method), index, dataset, hp)
                        got = _outcome(getattr(api, method), index, dataset, hp)
                        assert got == want, (method, index, dataset, hp)
                for dataset in ("cifar10", "cifar100", "ImageNet16-120"):
                    for iepoch in (None, int(hp) - 1, epochs - 1, 0):
                        args = (index, dataset, iepoch, hp)
                        want = _outcome(ref.simulate_train_eval, *args)
                        assert _outcome(api.simulate_train_eval, *args) == want, args
                assert api.used_time == ref.used_time
        assert api._rng.getstate() == ref._rng.getstate()
        assert calls > 2000
    finally:
        ref.close()
        api.close()
