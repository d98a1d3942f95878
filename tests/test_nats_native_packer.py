"""The native ``NatsCurvesPacker`` against the reference ``packing.CurvesPacker`` (#14).

The builder stores ``curves`` in the order the packer gives; the native one must give every
run the same id and hand back the same rows in the same calls, whatever the page size, window,
blob sizes (spilling ones too), batching and run-id range (varint growth at 128 and 16,384).
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from nasbench_lite._core.formats.safe_pickle import load_path
from nasbench_lite._native import NatsCurvesPacker
from nasbench_lite.benchmarks.nats.build import _reference_rows
from nasbench_lite.benchmarks.nats.packing import CurvesPacker
from nasbench_lite.benchmarks.nats.source import read_build_batch, stored_runs
from nasbench_lite.errors import InvalidInputError
from nasbench_lite.spaces.nb201.space import size_strings, topology_strings
from nats_fixture import pickle_save, write_archive

HPS = ("01", "12", "200")
DATASETS = ("cifar10-valid", "cifar10", "cifar100", "ImageNet16-120")


def _files(rng: random.Random, n_archs: int, scale: int) -> list[tuple[list[Any], list[Any]]]:
    """Per architecture: its ``runs`` rows (key, provisional run id, payload columns) and
    ``curves`` rows, in file order, with uneven trial counts and blob sizes."""
    files, run_id = [], 0
    for arch in range(n_archs):
        runs, curves = [], []
        for hp in rng.sample(HPS, rng.randint(1, 3)):
            for dataset in DATASETS:
                for seed in rng.sample((777, 888, 999), rng.randint(1, 3)):
                    n = max(1, int(scale * rng.lognormvariate(0, 0.8)))
                    runs.append((arch, hp, dataset, seed, run_id, f"p{arch}", None, 1.5))
                    curves.append((run_id, rng.randbytes(n)))
                    run_id += 1
        files.append((runs, curves))
    return files


def _pack(packer: Any, files: list[tuple[list[Any], list[Any]]], batch: int) -> list[Any]:
    calls = []
    for at in range(0, len(files), batch):
        chunk = files[at : at + batch]
        calls.append(packer.add([r for f in chunk for r in f[0]], [c for f in chunk for c in f[1]]))
    calls.append(packer.finish())
    return calls


@pytest.mark.parametrize(
    ("page_size", "window", "scale", "batch"),
    [
        (4096, 3, 900, 1),
        (16384, 24, 1500, 1),
        (16384, 64, 1500, 7),
        (65536, 64, 4000, 3),
        (65536, 5, 30000, 1),  # blobs beyond a page: overflow cells
    ],
)
def test_native_packer_equals_the_reference(
    page_size: int, window: int, scale: int, batch: int
) -> None:
    files = _files(random.Random(page_size + window + scale), 150, scale)
    reference = CurvesPacker(page_size, window=window)
    native = NatsCurvesPacker(page_size, window=window)
    expected = _pack(reference, files, batch)
    got = _pack(native, files, batch)
    assert [tuple(c) for c in got] == [tuple(c) for c in expected]  # call by call
    assert native.leaves == reference.leaves
    assert native.next_id == reference.next_id


def test_ids_past_the_two_byte_varint() -> None:
    """17,000+ runs: rowids whose varint grows after a group arrived (``_place`` re-sizes)."""
    files = _files(random.Random(3), 1100, 700)
    reference = CurvesPacker(16384)
    native = NatsCurvesPacker(16384)
    assert _pack(native, files, 16) == _pack(reference, files, 16)
    assert native.next_id > 16384
    assert native.leaves == reference.leaves


def test_a_run_without_its_blob_is_a_key_error() -> None:
    packer = NatsCurvesPacker(16384)
    with pytest.raises(KeyError):
        packer.add([(0, "12", "cifar10", 777, 5)], [(4, b"x")])
    with pytest.raises(InvalidInputError, match="page_size=100"):
        NatsCurvesPacker(100)
    with pytest.raises(ValueError):  # InvalidInputError is a ValueError for callers
        NatsCurvesPacker(16384, window=0)


@pytest.mark.parametrize("space", ["tss", "sss"])
def test_add_batch_equals_rows_then_add(space: str, tmp_path: Path) -> None:
    """The builder's fused path (runs built once, with their final ids) against the rows of
    ``NatsBuildBatch.rows`` fed to ``add``: the same 8 items, segment by segment, and the same
    leftovers at the end; mixed with rows from Python (the reference walker's path)."""
    archs = topology_strings() if space == "tss" else size_strings()
    write_archive(tmp_path, archs, space, list(range(12)), seed=5)
    files = [(i, tmp_path / f"{i:06d}.pickle.pbz2") for i in range(12)]
    # file 6 outside the strict layout (an integer train time: the reference reads it)
    data = load_path(files[6][1])
    trial = next(iter(next(iter(data.values()))["all_results"].values()))
    trial["train_times"][0] = 3
    pickle_save(data, files[6][1])
    batch = read_build_batch(files, archs)
    assert [position for position, _ in batch.irregular()] == [6]
    fused, split = NatsCurvesPacker(16384, window=6), NatsCurvesPacker(16384, window=6)
    fused_configs: dict[str, int] = {}
    split_configs: dict[str, int] = {}
    irregular = [position for position, _ in batch.irregular()]
    run_id = 0
    start = 0
    for stop in sorted({*irregular, 3, 4, 9, 12}):
        if stop in irregular or stop <= start:
            if stop in irregular:  # the reference walker's rows, through add on both sides
                index, path = files[stop]
                data = load_path(path)
                rows = _reference_rows(index, stored_runs(index, archs[index], data, path), 0, {})
                assert fused.add(rows[2], rows[3]) == split.add(rows[2], rows[3])
                start = stop + 1
            continue
        got = fused.add_batch(batch, start, stop, fused_configs)
        rows = batch.rows(start, stop, run_id, split_configs)
        run_id += rows[7]
        runs, curves = split.add(rows[2], rows[3])
        assert got == (*rows[:2], runs, curves, *rows[4:])
        start = stop
    assert fused.finish() == split.finish()
    assert fused_configs == split_configs
    assert fused.next_id == split.next_id > 0
