"""The native reader of NATS curves blobs (``_native.nats_curves_arrays`` / ``nats_mid_run_sets``)
against the Python reference (``layout.Curves``, ``results.mid_run_sets_reference``), bit for bit.

Covered: every encoding branch (constant, DEC16/24/32, SPLIT4/SPLIT, F8) with NaN, -0.0,
infinities and partial presence; random series and presence; every blob of the real fixture
files; damaged blobs (every truncation, random byte flips), which must raise the same
``CorruptDatabaseError`` (same message) or give the same values.
"""

from __future__ import annotations

import math
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from nasbench_lite import _native
from nasbench_lite._core.database import Database
from nasbench_lite.benchmarks.nats import results
from nasbench_lite.benchmarks.nats.build import build_nats
from nasbench_lite.benchmarks.nats.layout import FINAL_FIELDS, Curves, encode_curves
from nasbench_lite.errors import CorruptDatabaseError
from nats_fixture import real_archive
from test_nats_curves import _series

REAL = {"tss": ("NATS-tss-v1_0-3ffb9-simple", 11), "sss": ("NATS-sss-v1_0-50262-simple", 284)}
SETS = {"cifar10-valid": ("x-valid", "ori-test"), "cifar100": ("x-valid", "x-test", "ori-test")}


def _bits(x: Any) -> Any:
    if isinstance(x, float):
        return struct.pack("<d", x)
    if isinstance(x, list | tuple):
        return [_bits(v) for v in x]
    return x


def _same_arrays(blob: bytes) -> None:
    """Native and Python full decodes agree (values bit for bit, mask, errors)."""
    try:
        want: Any = Curves(blob).arrays()
    except CorruptDatabaseError as exc:
        want = ("error", str(exc))
    try:
        got: Any = _native.nats_curves_arrays(blob)
    except CorruptDatabaseError as exc:
        got = ("error", str(exc))
    if isinstance(want[0], str):
        assert got == want
        return
    assert got[0].dtype == np.float64 and got[1].dtype == np.bool_
    assert (got[1] == want[1]).all()
    assert (got[0].view("<u8") == want[0].view("<u8")).all()


def _trials(blobs: list[bytes], names: list[tuple[str, ...]], seeds: list[int]) -> Any:
    rows = [
        (seed, 0, ",".join(n), k, 0, *([None] * len(FINAL_FIELDS)))
        for k, (seed, n) in enumerate(zip(seeds, names, strict=True))
    ]
    trials = results.Trials(rows, blobs)
    trials.epochs = [0] * len(rows)  # (unused by the mid-run path)
    return trials


def _outcome(call: Any, *args: Any) -> Any:
    try:
        return call(*args)
    except Exception as exc:  # compare type and message
        return ("error", type(exc).__name__, str(exc))


def _same_mid_run(trials: Any, dataset: str, iepoch: int, choice: Any) -> None:
    want = _outcome(results.mid_run_sets_reference, None, trials, dataset, iepoch, choice)
    got = _outcome(results._mid_run_sets, None, trials, dataset, iepoch, choice)
    if isinstance(want, list):
        want = [None if v is None else tuple(v[1:]) for v in want]
    assert _bits(got) == _bits(want), (dataset, iepoch, choice)


def _trial_blob(rng: np.random.Generator, epochs: int, sets: int, partial: bool) -> bytes:
    """A blob of 4 train series then (acc, loss, time) per eval set, every kind mixed."""
    pool = _series(rng, epochs)
    n = 4 + 3 * sets
    values = np.stack([pool[int(i)] for i in rng.integers(0, len(pool), n)])
    present = np.ones_like(values, dtype=bool)
    dict_present = [True] * n
    if partial:
        present &= rng.uniform(size=values.shape) < rng.uniform(0.97, 1.0)
        present[rng.uniform(size=n) < 0.05] = False
        dict_present = (rng.uniform(size=n) < 0.95).tolist()
    if rng.uniform() < 0.3:  # no eval times: get_eval reports no time (or trials disagree)
        present[6::3] = False
    if rng.uniform() < 0.2:  # no train times dict
        dict_present[3] = False
    latency = [0.25] if rng.uniform() < 0.5 else None
    return encode_curves(values, present, dict_present, latency)


@pytest.mark.parametrize("epochs", [1, 2, 12, 90, 200, 300])
def test_every_encoding_branch_decodes_as_the_python_reader(epochs: int) -> None:
    rng = np.random.default_rng(epochs)
    values = np.stack(_series(rng, epochs))
    for partial in (False, True):
        present = np.ones_like(values, dtype=bool)
        if partial:
            present[1, ::3] = False
            present[0, :-1] = False
            present[5] = rng.uniform(size=epochs) < 0.7
            present[6] = False
        blob = encode_curves(values, present, [True] * len(values), [1.0, 2.0])
        if epochs == 300 and not partial:
            assert {1, 2, 3, 4, 5, 7} <= set(Curves(blob).layout.kinds)
        if epochs == 12 and not partial:
            assert {1, 2, 3, 4, 6} <= set(Curves(blob).layout.kinds)
        _same_arrays(blob)


@pytest.mark.parametrize("seed", range(40))
def test_random_trials_mid_run_equal_the_python_reference(seed: int) -> None:
    rng = np.random.default_rng(1000 + seed)
    dataset = "cifar100" if seed % 2 else "cifar10-valid"
    count = int(rng.integers(1, 4))
    epochs = [int(rng.choice([1, 3, 12, 50]))] * count
    if seed % 7 == 0 and count > 1:
        epochs[-1] = max(1, epochs[0] // 2)  # a shorter trial (out of range at some epochs)
    partial = seed % 3 != 0
    names = [SETS[dataset] if rng.uniform() < 0.8 else SETS[dataset][:1] for _ in range(count)]
    blobs = [_trial_blob(rng, e, len(n), partial) for e, n in zip(epochs, names, strict=True)]
    for blob in blobs:
        _same_arrays(blob)
    seeds = [777, 888, 999][:count]
    trials = _trials(blobs, names, seeds)
    for iepoch in sorted({-1, 0, epochs[0] // 2, epochs[0] - 1, epochs[0], 10**30}):
        for choice in (False, *seeds):
            _same_mid_run(trials, dataset, iepoch, choice)


def test_damaged_blobs_fail_or_read_as_the_python_reader() -> None:
    rng = np.random.default_rng(7)
    names = [SETS["cifar100"]] * 2
    blobs = [_trial_blob(rng, 12, 3, False) for _ in range(2)]
    blob = blobs[0]
    damaged = [blob[:cut] for cut in range(len(blob))]
    for _ in range(300):
        flipped = bytearray(blob)
        for at in rng.integers(0, len(blob), int(rng.integers(1, 4))):
            flipped[int(at)] = int(rng.integers(0, 256))
        damaged.append(bytes(flipped))
    for good in blobs:  # every 4-bit table index, one at a time, out of its table
        layout = Curves(good).layout
        for s, kind in enumerate(layout.kinds):
            if kind == 6:
                for at in range(layout.nibbles[s], layout.nibbles[s] + 6):
                    bad = bytearray(good)
                    bad[at] = 0xFF
                    damaged.append(bytes(bad))
    refused = 0
    for bad in damaged:
        _same_arrays(bad)
        trials = _trials([bad, blobs[1]], names, [777, 888])
        for iepoch in (0, 5, 11):
            for choice in (False, 777, 888):
                _same_mid_run(trials, "cifar100", iepoch, choice)
        try:
            Curves(bad).arrays()
        except CorruptDatabaseError:
            refused += 1
    assert refused >= len(blob)  # every truncation at least


@pytest.mark.parametrize("space", ["tss", "sss"])
def test_every_real_blob_reads_as_the_python_reader(space: str, tmp_path: Path) -> None:
    index = REAL[space][1]
    archive = real_archive(tmp_path, space, [index])
    path = tmp_path / "db.sqlite"
    build_nats(archive, path)
    db = Database(path, "nats")
    try:
        keys = db.query("SELECT DISTINCT arch_index, hp, dataset FROM runs")
        for arch, hp, dataset in keys:
            trials = results.load_trials(db, arch, dataset, hp, curves=True)
            assert trials is not None and trials.blobs is not None
            for blob in trials.blobs:
                _same_arrays(blob)
            epochs = Curves(trials.blobs[0]).epochs
            for iepoch in sorted({0, epochs // 2, epochs - 2, epochs - 1}):
                for choice in (False, *trials.seeds):
                    _same_mid_run(trials, dataset, iepoch, choice)
    finally:
        db.close()


@pytest.mark.parametrize("seed", range(30))
def test_final_columns_and_costs_equal_the_per_trial_reference(seed: int) -> None:
    """``Trials.column`` / ``costs_of_columns`` / ``_metrics`` against per-trial reads."""
    from nasbench_lite.benchmarks.nats.aggregate import costs_of, costs_of_columns
    from nasbench_lite.benchmarks.nats.layout import finals_to_row

    rng = np.random.default_rng(seed)
    count = int(rng.integers(1, 4))
    names = [SETS["cifar100"] if rng.uniform() < 0.8 else ("ori-test",) for _ in range(count)]
    rows = []
    for k in range(count):
        values: dict[str, float | None] = {}
        for name in FINAL_FIELDS:
            draw = rng.uniform()
            values[name] = (
                None if draw < 0.1 else math.nan if draw < 0.2 else round(float(rng.uniform()), 2)
            )
        if seed % 2:
            values["flops"], values["params"] = 1.5, 0.25  # (the legacy fix passes)
        values["latency"] = float(rng.uniform(-1, 1))
        row, mask = finals_to_row(values)
        rows.append((777 + k, 12, ",".join(names[k]), k, mask, *row))
    trials = results.Trials(rows)
    for name in FINAL_FIELDS:
        got = trials.column(name)
        assert _bits(list(got)) == _bits([trials.final(k, name) for k in range(count)])
    want = _outcome(costs_of, trials.final, count, trials.seeds, trials.eval_names)
    got = _outcome(costs_of_columns, trials.column, trials.seeds, trials.eval_names)
    assert _bits(got if isinstance(got, tuple) else list(got.items())) == _bits(
        want if isinstance(want, tuple) else list(want.items())
    )
