"""The builder's page-packed ``curves`` order (benchmarks/nats/packing.py) against real SQLite.

The packer models how SQLite fills table leaves on append; ``dbstat`` shows what SQLite did:
the same number of leaves, every group's blobs in one leaf (unless noted as split), ids
0..n-1 in insertion order, and an order that does not depend on how the rows are batched.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import apsw
import pytest
from nasbench_lite.benchmarks.nats.packing import CurvesPacker, cell_size, page_size_of

HPS = ("01", "12", "90")
DATASETS = ("cifar10-valid", "cifar10", "cifar100", "ImageNet16-120")


def _arch_rows(rng: random.Random, arch: int, first_id: int) -> tuple[list[Any], list[Any]]:
    """One file's ``runs`` rows (key, run id, a payload column) and ``curves`` rows, in file
    order (hp, dataset, seed), with provisional ids from ``first_id``."""
    runs, curves = [], []
    run_id = first_id
    for hp in HPS:
        seeds = (777, 888, 999) if hp == "12" else (777,)
        for dataset in DATASETS:
            base = {"01": 120, "12": 700, "90": 4000}[hp]
            for seed in seeds:
                n = max(1, int(base * rng.uniform(0.5, 1.5)))
                runs.append((arch, hp, dataset, seed, run_id, f"payload-{arch}-{seed}"))
                curves.append((run_id, bytes([arch % 251]) * n))
                run_id += 1
    return runs, curves


def _pack(page_size: int, files: list[tuple[list[Any], list[Any]]], batch: int) -> Any:
    packer = CurvesPacker(page_size, window=24)
    runs_out, curves_out = [], []
    for at in range(0, len(files), batch):
        chunk = files[at : at + batch]
        a, b = packer.add([r for f in chunk for r in f[0]], [c for f in chunk for c in f[1]])
        runs_out += a
        curves_out += b
    a, b = packer.finish()
    return packer, runs_out + a, curves_out + b


def _leaf_of_rowid(connection: apsw.Connection) -> list[int]:
    """Per rowid of ``curves`` (0..n-1, in order) the leaf it is stored in."""
    leaves = connection.execute(
        "SELECT ncell FROM dbstat WHERE name = 'curves' AND pagetype = 'leaf' ORDER BY path"
    ).fetchall()
    out: list[int] = []
    for leaf, (ncell,) in enumerate(leaves):
        out.extend([leaf] * ncell)
    return out


@pytest.mark.parametrize("page_size", [4096, 16384, 65536])
def test_the_packer_predicts_sqlite_leaves_and_keeps_groups_together(
    tmp_path: Path, page_size: int
) -> None:
    rng = random.Random(page_size)
    files, first = [], 0
    for arch in range(120):
        runs, curves = _arch_rows(rng, arch, first)
        first += len(runs)
        files.append((runs, curves))
    packer, runs, curves = _pack(page_size, files, batch=1)
    # every row once; ids in storage order; runs rows in primary-key order, archs ascending
    assert [c[0] for c in curves] == list(range(len(curves)))
    assert sorted(r[4] for r in runs) == list(range(len(curves)))
    assert [r[:4] for r in runs] == sorted(r[:4] for r in runs)
    provisional = {c[0]: c[1] for f in files for c in f[1]}
    by_key = {r[:4]: r for f in files for r in f[0]}
    blob_of = dict(curves)
    for row in runs:  # each run keeps its own blob and columns, only its run id changed
        assert blob_of[row[4]] == provisional[by_key[row[:4]][4]]
        assert row[5] == by_key[row[:4]][5]

    path = tmp_path / "curves.sqlite"
    connection = apsw.Connection(str(path))
    connection.execute(f"PRAGMA page_size = {page_size}")
    connection.execute("CREATE TABLE curves (run_id INTEGER PRIMARY KEY, data BLOB NOT NULL)")
    with connection:
        connection.executemany("INSERT INTO curves VALUES (?, ?)", curves)
    leaf_of = _leaf_of_rowid(connection)
    assert len(set(leaf_of)) == packer.leaves
    groups: dict[tuple[Any, ...], set[int]] = {}
    for row in runs:
        groups.setdefault(row[:3], set()).add(leaf_of[row[4]])
    split = sum(len(leaves) > 1 for leaves in groups.values())
    if page_size >= 16384:  # (4 KiB leaves are smaller than the hp '90' blobs)
        assert split <= len(groups) // 50
    # the leaves are nearly full: at most ~4% of the leaf bytes unused (groups of 1-3 cells)
    used = sum(cell_size(len(b), i, page_size) + 2 for i, b in curves)
    if page_size >= 16384:
        assert used >= 0.96 * packer.leaves * (page_size - 8)


def test_the_order_does_not_depend_on_batching() -> None:
    rng = random.Random(7)
    files, first = [], 0
    for arch in range(40):
        runs, curves = _arch_rows(rng, arch, first)
        first += len(runs)
        files.append((runs, curves))
    _, runs_one, curves_one = _pack(16384, files, batch=1)
    _, runs_many, curves_many = _pack(16384, files, batch=16)
    assert runs_one == runs_many
    assert curves_one == curves_many


def test_cell_size_is_sqlites() -> None:
    """``cell_size`` against SQLite's own page accounting (``dbstat``: payload + headers)."""
    for page_size in (4096, 16384):
        connection = apsw.Connection(":memory:")
        connection.execute(f"PRAGMA page_size = {page_size}")
        connection.execute("CREATE TABLE curves (run_id INTEGER PRIMARY KEY, data BLOB NOT NULL)")
        for n in (0, 1, 100, 1000, 3000, 4061, 4100, 9000, 20000):
            connection.execute("DELETE FROM curves")
            connection.execute("INSERT INTO curves VALUES (?, ?)", (300, b"x" * n))
            (unused,) = connection.execute(
                "SELECT unused FROM dbstat WHERE name = 'curves' AND pagetype = 'leaf'"
            ).fetchone()
            assert page_size - 8 - unused - 2 == cell_size(n, 300, page_size), (page_size, n)


def test_page_sizes() -> None:
    assert page_size_of("sss") == 16384
    assert page_size_of("tss") == 65536
