"""Seeded mutation fuzzer over the NATS-Bench and NAS-HPO-Bench-II source readers (issue #13).

Each mutant (bit flips, inserted opcodes, deleted or duplicated runs, overwritten length
fields, in the decompressed pickle, written plain or re-compressed) goes through a whole
builder: the NATS archive builder (per-architecture file and meta file, native reader), the
NATS single-file builder (streaming reader) and the NAS-HPO-Bench-II builder (native reader).
Only ``NasbenchLiteError`` subclasses may escape. A few dozen mutants per reader by default
(seconds); set ``NASBENCH_LITE_FUZZ_MUTANTS=5000`` for a long campaign.
"""

from __future__ import annotations

import bz2
import os
import pickle
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from nasbench_lite.benchmarks.nashpobench2.build import build_nashpobench2
from nasbench_lite.benchmarks.nats.build import build_nats
from nasbench_lite.errors import NasbenchLiteError
from nashpobench2_fixture import sample_cellcodes, write_dataset
from nats_fixture import make_arch, write_archive

MUTANTS = int(os.environ.get("NASBENCH_LITE_FUZZ_MUTANTS", "25"))
TSS = [
    "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|",
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|",
]
_OPCODES = b"().0128NKMJhjqr\x94\x95\x85\x86\x87tsuea}]\x8c\x8d\x8eXBC\x8a\x8bG\x93Rb\x8f\x90\x91"
_BOUNDARY = [0, 1, 0x7F, 0xFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF, 1 << 27]


def mutate(rng: random.Random, data: bytes) -> bytes:
    """One seeded mutant of a pickle stream (plain, or bz2 when ``rng`` says so)."""
    out = bytearray(data)
    for _ in range(rng.randrange(1, 5)):
        at = rng.randrange(len(out))
        choice = rng.randrange(5)
        if choice == 0:
            out[at] ^= 1 << rng.randrange(8)
        elif choice == 1:
            out.insert(at, rng.choice(_OPCODES))
        elif choice == 2:
            del out[at : at + rng.randrange(1, 16)]
        elif choice == 3:
            run = out[at : at + rng.randrange(1, 64)]
            out[at:at] = run * rng.randrange(1, 4)
        else:
            out[at : at + 4] = rng.choice(_BOUNDARY).to_bytes(4, "little")
    return bz2.compress(bytes(out)) if rng.random() < 0.3 else bytes(out)


def campaign(seed: int, pristine: bytes, target: Path, build: Callable[[], object]) -> int:
    """Writes MUTANTS mutants to ``target`` and builds each; returns how many were refused."""
    rng = random.Random(seed)
    refused = 0
    untyped: list[str] = []
    for _ in range(MUTANTS):
        target.write_bytes(mutate(rng, pristine))
        try:
            build()
        except NasbenchLiteError:
            refused += 1
        except Exception as exc:  # noqa: BLE001 - collect every untyped escape
            untyped.append(f"{type(exc).__name__}: {str(exc)[:200]}")
    assert not untyped, untyped
    # The campaign's figures (shown with ``pytest -s``): no assertion on them.
    print(f"fuzz {target.name}: {MUTANTS} mutants, {refused} typed refusals, 0 untyped")
    return refused


@pytest.fixture()
def nats_archive(tmp_path: Path) -> Path:
    archive = tmp_path / "archive"
    write_archive(archive, TSS, "tss", [0, 1])
    return archive


@pytest.mark.parametrize("name", ["000001.pickle.pbz2", "meta.pickle.pbz2"])
def test_nats_archive_builder(tmp_path: Path, nats_archive: Path, name: str) -> None:
    target = nats_archive / name
    pristine = bz2.decompress(target.read_bytes())
    output = tmp_path / "out.sqlite"
    build_nats(nats_archive, output)  # the pristine archive builds
    refused = campaign(13, pristine, target, lambda: build_nats(nats_archive, output, force=True))
    assert refused > 0


def test_nats_single_file_builder(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    data = {i: make_arch(rng, i, TSS[i], "tss") for i in range(2)}
    document = {
        "meta_archs": TSS,
        "arch2infos": data,
        "evaluated_indexes": {0, 1},
        "total_archs": 2,
    }
    pristine = pickle.dumps(document, protocol=4)
    target = tmp_path / "NATS-tss-v1_0-fuzz.pickle.pbz2"
    output = tmp_path / "out.sqlite"
    target.write_bytes(pristine)
    build_nats(target, output)
    refused = campaign(14, pristine, target, lambda: build_nats(target, output, force=True))
    assert refused > 0


@pytest.mark.parametrize("name", ["bench12.pkl", "cellinfo.pkl", "avgaccs200.pkl"])
def test_nashpobench2_builder(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "nhb2"
    write_dataset(folder, sample_cellcodes(6), seeds=(0,))
    backup = tmp_path / "pristine"
    shutil.copy(folder / name, backup)
    output = tmp_path / "out.sqlite"
    build_nashpobench2(folder, output)
    refused = campaign(
        15,
        backup.read_bytes(),
        folder / name,
        lambda: build_nashpobench2(folder, output, force=True),
    )
    assert refused > 0
