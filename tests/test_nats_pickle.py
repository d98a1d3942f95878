"""The restricted unpickler on the real NATS-Bench archive files (bz2 pickles)."""

from __future__ import annotations

import bz2
import os
import pickle
from pathlib import Path
from typing import Any

import pytest
from nasbench_lite._core.formats.safe_pickle import UnsafePickleError, load_path
from nasbench_lite.errors import CorruptSourceError

DATA = Path(__file__).parent / "data" / "nats"
FILES = ["tss-000011.pickle.pbz2", "sss-000284.pickle.pbz2", "tss-meta.pickle.pbz2"]


def plain(value: Any) -> bool:
    """True when only builtin data types (no numpy objects) appear anywhere in ``value``."""
    if isinstance(value, dict):
        return all(plain(k) and plain(v) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return all(plain(v) for v in value)
    return value is None or type(value) in (int, float, bool, str, bytes)


@pytest.mark.parametrize("name", FILES)
def test_real_archive_files_load_as_plain_data(name: str) -> None:
    ours = load_path(DATA / name)
    # The fixtures are trusted, so the unrestricted loader can serve as the reference.
    with bz2.open(DATA / name) as handle:
        reference = pickle.load(handle)
    assert ours == reference
    assert plain(ours)


def test_per_arch_file_layout() -> None:
    results = load_path(DATA / "tss-000011.pickle.pbz2")
    assert list(results) == ["12", "200"]
    state = results["200"]
    assert state["arch_index"] == 11
    run = state["all_results"][("cifar10-valid", 777)]
    assert isinstance(run["train_acc1es"][0], float)
    # Seeds are strings inside a run (keys use ints): an official quirk to keep in mind.
    assert (run["seed"], run["name"], run["epochs"]) == ("0777", "cifar10-valid", 200)
    assert (run["params"], run["flop"]) == (0.802426, 113.95137)


class _Boom:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> Any:
        return (os.system, (f"touch {self.marker}",))


def test_malicious_bz2_pickle_is_refused_and_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    evil = tmp_path / "000000.pickle.pbz2"
    evil.write_bytes(bz2.compress(pickle.dumps({"200": _Boom(marker)})))
    with pytest.raises(UnsafePickleError) as info:
        load_path(evil)
    assert info.value.module in ("posix", "os", "nt")
    assert not marker.exists()


def test_corrupt_bz2_is_a_clean_error(tmp_path: Path) -> None:
    good = (DATA / "sss-000284.pickle.pbz2").read_bytes()
    truncated = tmp_path / "cut.pickle.pbz2"
    truncated.write_bytes(good[: len(good) // 2])
    with pytest.raises(CorruptSourceError):
        load_path(truncated)
    garbage = tmp_path / "garbage.pickle.pbz2"
    garbage.write_bytes(b"BZh9" + b"\x00" * 100)
    with pytest.raises(CorruptSourceError):
        load_path(garbage)
