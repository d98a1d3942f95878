"""The builder's native encoding (``rust/core/src/nats/{encode,rows}.rs``) against Python.

The curves blob encoder must write ``layout.encode_curves``'s bytes on every trial of the
fixtures and on random series of every kind (constants, short decimals of each width, -0.0,
NaN / inf, split floats with few or many exponents, sparse presence); and the rows of a native
batch (``source.read_build_batch(...).rows``) must equal ``build._reference_rows`` over the
Python reference walker (``source.stored_runs``) value for value, bit for bit: run rows with
their NULLs and NaN masks, curves blobs, summaries (costs, legacy-fix, means), configs.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from nasbench_lite import _native
from nasbench_lite._core.formats.safe_pickle import load_path
from nasbench_lite.benchmarks.nats.build import _reference_rows
from nasbench_lite.benchmarks.nats.layout import encode_curves
from nasbench_lite.benchmarks.nats.source import read_build_batch, stored_runs
from nasbench_lite.errors import CorruptSourceError, InvalidInputError
from nasbench_lite.spaces.nb201.space import size_strings, topology_strings
from nats_fixture import pickle_save, write_archive

DATA = Path(__file__).parent / "data" / "nats"
ARCHS = {"tss": topology_strings(), "sss": size_strings()}


def _native_blob(values: Any, present: Any, dicts: Any, latency: Any) -> bytes:
    return bytes(
        _native.nats_encode_curves(
            np.ascontiguousarray(values, dtype=np.float64),
            np.ascontiguousarray(present, dtype=bool),
            [bool(d) for d in dicts],
            latency,
        )
    )


def _random_series(rng: np.random.Generator, epochs: int) -> tuple[np.ndarray, np.ndarray]:
    style = int(rng.integers(12))
    present = np.ones(epochs, dtype=bool)
    if style in (0, 1):
        present = rng.random(epochs) < (0.0 if style == 0 else 0.7)
    if style == 2:
        values = np.full(epochs, 42.125)
    elif style == 3:  # 2-decimal accuracies (DEC16)
        values = rng.integers(0, 10_000, epochs) / 100.0
    elif style == 4:  # DEC24 / DEC32 sized integers and decimals
        values = rng.integers(-(2**30), 2**30, epochs) / 10.0 ** int(rng.integers(0, 4))
    elif style == 5:  # any bits: NaN, inf, subnormals, -0.0 (F8 or split)
        values = rng.integers(0, 2**63, epochs, dtype=np.int64).view(np.float64).copy()
        values[rng.random(epochs) < 0.2] = -0.0
        values[rng.random(epochs) < 0.1] = np.nan
        values[rng.random(epochs) < 0.1] = np.inf
    elif style == 6:  # noisy losses: a few exponents (SPLIT4)
        values = rng.random(epochs) * 2.0 + 0.5
    elif style == 7:  # many exponents (SPLIT)
        values = rng.random(epochs) * 10.0 ** rng.integers(-30, 30, epochs)
    elif style == 8:  # near the decimal bound: floor(log10) of the integer range
        values = (2**31 - 1) / 10.0 ** rng.integers(0, 7, epochs)
    elif style == 9:
        values = np.where(rng.random(epochs) < 0.5, 0.0, -0.0)
    elif style == 10:  # times: sums of the same value, as the files hold
        values = np.round(rng.random(epochs) * 30, 6)
    else:
        values = rng.standard_normal(epochs) * 1e6
    return np.where(present, values, 0.0), present


def test_random_series_encode_to_the_reference_bytes() -> None:
    rng = np.random.default_rng(20)
    for _ in range(1500):
        n_series = 4 + 3 * int(rng.integers(0, 4))
        epochs = int(rng.integers(1, 60))
        parts = [_random_series(rng, epochs) for _ in range(n_series)]
        values = np.vstack([p[0] for p in parts])
        present = np.vstack([p[1] for p in parts])
        dicts = rng.random(n_series) < 0.8
        latency = None if rng.random() < 0.3 else list(rng.random(int(rng.integers(1, 5))))
        expected = encode_curves(values, present, dicts, latency)
        assert _native_blob(values, present, dicts, latency) == expected


def test_encoder_refuses_bad_shapes() -> None:
    with pytest.raises(InvalidInputError):
        _native.nats_encode_curves(np.zeros((4, 3)), np.zeros((4, 2), dtype=bool), [True] * 4)
    with pytest.raises(InvalidInputError):
        _native.nats_encode_curves(np.zeros((4, 3)), np.zeros((4, 3), dtype=bool), [True] * 3)


def _cell(value: Any) -> Any:
    """Floats compared by their bits (NaN included), everything else as is."""
    if isinstance(value, float):
        return ("f", struct.pack("<d", value))
    if isinstance(value, bytes):
        return ("b", value)
    return (type(value).__name__, value)


def _rows_view(rows: Any) -> list[Any]:
    *tables, hps, datasets, count = rows
    return [[tuple(map(_cell, row)) for row in table] for table in tables] + [
        sorted(set(hps)),
        sorted(set(datasets)),
        count,
    ]


def _compare(space: str, files: list[tuple[int, Path]], run_id: int = 7) -> int:
    batch = read_build_batch(files, ARCHS[space])
    assert batch.irregular() == []
    native_configs: dict[str, int] = {"{}": 0}
    reference_configs = dict(native_configs)
    native = batch.rows(0, len(files), run_id, native_configs)
    reference: list[Any] = [[], [], [], [], [], [], [], 0]
    for index, path in files:
        runs = stored_runs(index, ARCHS[space][index], load_path(path), path)
        one = _reference_rows(index, runs, run_id + reference[7], reference_configs)
        for k in range(7):
            reference[k] += one[k]
        reference[7] += one[7]
    assert _rows_view(native) == _rows_view(reference)
    assert native_configs == reference_configs
    return int(native[7])


@pytest.mark.parametrize("space", ["tss", "sss"])
def test_real_official_files(space: str) -> None:
    files = [(i, DATA / f"{space}-{i:06d}.pickle.pbz2") for i in (0, 11, 284)]
    assert _compare(space, files) > 0


@pytest.mark.parametrize("space", ["tss", "sss"])
def test_synthetic_files_with_every_quirk(space: str, tmp_path: Path) -> None:
    indexes = list(range(14))
    write_archive(tmp_path, ARCHS[space], space, indexes, seed=5)
    files = [(i, tmp_path / f"{i:06d}.pickle.pbz2") for i in indexes]
    assert _compare(space, files) > 0


def _trials(data: Any) -> list[dict[str, Any]]:
    return [rc for state in data.values() for rc in state["all_results"].values()]


def _disagreeing_flops(data: Any) -> None:
    for k, rc in enumerate(_trials(data)):
        rc["flop"] = 10.0 + k * 1e-3


def _mixed_times(data: Any) -> None:
    rc = _trials(data)[1]
    rc["eval_times"] = {}


def _nan_accuracy(data: Any) -> None:
    for rc in _trials(data)[:2]:
        last = rc["epochs"] - 1
        rc["train_acc1es"][last] = float("nan")
        rc["eval_acc1es"][f"x-valid@{last}"] = float("nan")


def _no_latency(data: Any) -> None:
    for rc in _trials(data):
        rc["latency"] = None


def _negative_latency(data: Any) -> None:
    for k, rc in enumerate(_trials(data)):
        rc["latency"] = [-1.0] if k % 2 else [0.25, 0.5]


def _missing_params(data: Any) -> None:
    _trials(data)[0]["params"] = None


MUTATIONS = {
    "flops disagree (legacy fix)": _disagreeing_flops,
    "one trial without eval times": _mixed_times,
    "NaN finals": _nan_accuracy,
    "no latency": _no_latency,
    "negative latencies": _negative_latency,
    "a trial without params": _missing_params,
}


@pytest.mark.parametrize("case", sorted(MUTATIONS))
def test_edited_files_agree(case: str, tmp_path: Path) -> None:
    write_archive(tmp_path, ARCHS["tss"], "tss", [3, 4], quirks=False)
    path = tmp_path / "000004.pickle.pbz2"
    data = load_path(path)
    MUTATIONS[case](data)
    pickle_save(data, path)
    files = [(3, tmp_path / "000003.pickle.pbz2"), (4, path)]
    assert _compare("tss", files) > 0


def test_irregular_files_are_listed_and_refused_by_rows(tmp_path: Path) -> None:
    write_archive(tmp_path, ARCHS["tss"], "tss", [2, 4, 6], quirks=False)
    path = tmp_path / "000004.pickle.pbz2"
    data = load_path(path)
    data["12"]["arch_index"] = 9
    pickle_save(data, path)
    files = [(i, tmp_path / f"{i:06d}.pickle.pbz2") for i in (2, 4, 6)]
    batch = read_build_batch(files, ARCHS["tss"])
    assert [position for position, _ in batch.irregular()] == [1]
    assert batch.rows(2, 3, 0, {})[7] > 0
    with pytest.raises(InvalidInputError):
        batch.rows(0, 2, 0, {})
    with pytest.raises(InvalidInputError):
        batch.rows(2, 4, 0, {})


def test_unreadable_file_raises(tmp_path: Path) -> None:
    bad = tmp_path / "000012.pickle.pbz2"
    bad.write_bytes(b"BZh9 not bz2")
    with pytest.raises(CorruptSourceError, match="000012"):
        read_build_batch([(12, bad)], ARCHS["tss"])


def test_native_and_reference_builds_write_the_same_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nasbench_lite.benchmarks.nats import build

    archive = tmp_path / "archive"
    write_archive(archive, ARCHS["sss"], "sss", list(range(10)), seed=8)
    native = build.build_nats(archive, tmp_path / "native.sqlite")

    def reference_only(batch: Any, files: list[tuple[int, Path]], archs: list[str]) -> Any:
        for index, path in files:
            yield index, stored_runs(index, archs[index], load_path(path), path), path

    monkeypatch.setattr(build, "_segments", reference_only)
    reference = build.build_nats(archive, tmp_path / "reference.sqlite")
    assert native.rows == reference.rows
    assert native.meta["content_sha256"] == reference.meta["content_sha256"]


@pytest.mark.parametrize("reader", ["read_nats_build_batch", "read_nats_arch_files"])
def test_misaligned_file_lists_are_typed_errors(reader: str) -> None:
    from nasbench_lite.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="same length"):
        getattr(_native, reader)(["000000.pickle.pbz2"], [], ["|nor_conv_3x3~0|"])
