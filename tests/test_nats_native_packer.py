"""The native ``NatsCurvesPacker`` against the reference ``packing.CurvesPacker`` (#14).

The builder stores ``curves`` in the order the packer gives; the native one must give every
run the same id and hand back the same rows in the same calls, whatever the page size, window,
blob sizes (spilling ones too), batching and run-id range (varint growth at 128 and 16,384).
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from nasbench_lite._native import NatsCurvesPacker
from nasbench_lite.benchmarks.nats.packing import CurvesPacker

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
        calls.append(
            packer.add([r for f in chunk for r in f[0]], [c for f in chunk for c in f[1]])
        )
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
    with pytest.raises(ValueError):
        NatsCurvesPacker(100)
