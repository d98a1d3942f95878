"""The native NATS walker (``rust/core/src/nats``) against the Python reference, file by file.

``source.read_arch_files`` (Rust: read, bz2, parse, walk) must give, for every file it accepts,
exactly what ``source.stored_runs`` (the Python reference walker) gives on the same file read
with the Python restricted unpickler: same runs, same series bit for bit, same finals and NaN
masks, same curve blobs. Files outside the strict layout must come back as None (the builder
then runs the reference, which raises the error users see or accepts the file).
"""

from __future__ import annotations

import collections
import shutil
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from nasbench_lite._core.formats.safe_pickle import load_path
from nasbench_lite.benchmarks.nats.source import ArchRuns, read_arch_files, stored_runs
from nasbench_lite.errors import CorruptSourceError, UnsafePickleError
from nasbench_lite.spaces.nb201.space import size_strings, topology_strings
from nats_fixture import pickle_save, write_archive

DATA = Path(__file__).parent / "data" / "nats"
ARCHS = {"tss": topology_strings(), "sss": size_strings()}


def _bits(value: float | None) -> bytes | None:
    return None if value is None else struct.pack("<d", value)


def _run_view(stored: Any) -> dict[str, Any]:
    record, values, nan_mask, blob = stored
    trial = record.trial
    assert blob == trial.encode()
    return {
        "fields": (
            record.hp,
            record.hp_order,
            record.dataset,
            record.dataset_order,
            record.seed,
            record.seed_order,
            record.seed_label,
            record.epochs,
            tuple(record.eval_names),
            record.config,
            _bits(record.params),
            _bits(record.flops),
        ),
        "finals": [_bits(v) for v in values],
        "nan_mask": nan_mask,
        "values": trial.values.tobytes(),
        "present": trial.present.tolist(),
        "dict_present": trial.dict_present,
        "latency": None if trial.latency is None else [_bits(x) for x in trial.latency],
        "blob": trial.encode(),
    }


def _assert_same(native: ArchRuns, reference: ArchRuns) -> int:
    assert [(hp, order) for hp, order, _ in native] == [(hp, o) for hp, o, _ in reference]
    compared = 0
    for (_, _, runs), (_, _, ref_runs) in zip(native, reference, strict=True):
        assert len(runs) == len(ref_runs)
        for run, ref in zip(runs, ref_runs, strict=True):
            assert _run_view(run) == _run_view(ref)
            compared += 1
    return compared


def _compare_file(space: str, index: int, path: Path) -> int:
    native = read_arch_files([(index, path)], ARCHS[space])[0]
    assert native is not None, f"{path.name} left to the reference walker"
    reference = stored_runs(index, ARCHS[space][index], load_path(path), path)
    return _assert_same(native, reference)


@pytest.mark.parametrize("space", ["tss", "sss"])
@pytest.mark.parametrize("index", [0, 11, 284])
def test_real_official_files(space: str, index: int) -> None:
    assert _compare_file(space, index, DATA / f"{space}-{index:06d}.pickle.pbz2") > 0


@pytest.mark.parametrize("space", ["tss", "sss"])
def test_synthetic_files_with_every_quirk(space: str, tmp_path: Path) -> None:
    # Indexes 0..13 cover every irregularity of nats_fixture.make_arch: missing seeds, legacy
    # params, missing latency, NaN losses, no train times, NumPy scalars, sparse eval sets.
    indexes = list(range(14))
    write_archive(tmp_path, ARCHS[space], space, indexes, seed=3)
    files = [(i, tmp_path / f"{i:06d}.pickle.pbz2") for i in indexes]
    natives = read_arch_files(files, ARCHS[space])  # one parallel batch
    for (index, path), native in zip(files, natives, strict=True):
        assert native is not None, path.name
        reference = stored_runs(index, ARCHS[space][index], load_path(path), path)
        assert _assert_same(native, reference) > 0


def _first_trial(data: Any) -> dict[str, Any]:
    return next(iter(data["12"]["all_results"].values()))  # type: ignore[no-any-return]


def _sum_order_matters(data: Any) -> None:
    # Values whose float sum depends on the algorithm (Python 3.12 compensates) and on order.
    rc = _first_trial(data)
    epochs = rc["epochs"]
    times = [1e16, 1.0, -1e16, 0.1, 0.2, 0.3] * epochs
    rc["train_times"] = collections.OrderedDict(
        (e, times[e])
        for e in reversed(range(epochs))  # file order differs from epoch order
    )
    for key in rc["eval_times"]:
        rc["eval_times"][key] = times[int(key.rsplit("@")[1]) + 1]
    rc["latency"] = [0.1] * 10


def _irrational_config(data: Any) -> None:
    _first_trial(data)["arch_config"]["extra"] = [1, 2]


# Accepted by the reference with its own semantics: the native walker must hand them over.
HANDED_OVER = {
    "integer train times": lambda d: _first_trial(d).update(
        train_times=collections.OrderedDict((e, 3) for e in range(12))
    ),
    "config with a list": _irrational_config,
    "float seed label": lambda d: _first_trial(d).update(seed=7.5),
    "big int flop": lambda d: _first_trial(d).update(flop=2**70),
}
# Refused by the reference (its message names the key): handed over as well.
REFUSED = {
    "arch_index": lambda d: d["12"].update(arch_index=9),
    "missing trial": lambda d: d["12"]["dataset_seed"]["cifar10"].append(5),
    "eval key": lambda d: _first_trial(d)["eval_acc1es"].update({"x-valid@500": 1.0}),
    "leading zero epoch": lambda d: _first_trial(d)["eval_acc1es"].update({"x-valid@01": 1.0}),
    "bool value": lambda d: _first_trial(d)["train_acc1es"].update({0: True}),
    "float epoch keys": lambda d: _first_trial(d).update(
        train_losses={float(e): v for e, v in _first_trial(d)["train_losses"].items()}
    ),
    "tuple seed list": lambda d: d["12"]["dataset_seed"].update(cifar10=(111,)),
}


def test_sums_follow_the_running_pythons_sum(tmp_path: Path) -> None:
    write_archive(tmp_path, ARCHS["tss"], "tss", [5], quirks=False)
    path = tmp_path / "000005.pickle.pbz2"
    data = load_path(path)
    _sum_order_matters(data)
    pickle_save(data, path)
    assert _compare_file("tss", 5, path) > 0


@pytest.mark.parametrize("case", sorted(HANDED_OVER) + sorted(REFUSED))
def test_irregular_files_go_to_the_reference(case: str, tmp_path: Path) -> None:
    write_archive(tmp_path, ARCHS["tss"], "tss", [2, 4], quirks=False)
    path = tmp_path / "000004.pickle.pbz2"
    data = load_path(path)
    (HANDED_OVER | REFUSED)[case](data)
    pickle_save(data, path)
    good, irregular = read_arch_files(
        [(2, tmp_path / "000002.pickle.pbz2"), (4, path)], ARCHS["tss"]
    )
    assert good is not None and irregular is None
    if case in REFUSED:
        with pytest.raises(CorruptSourceError, match="000004"):
            stored_runs(4, ARCHS["tss"][4], load_path(path), path)
    else:
        assert stored_runs(4, ARCHS["tss"][4], load_path(path), path)


def test_unreadable_files_raise_in_order(tmp_path: Path) -> None:
    shutil.copy(DATA / "tss-000011.pickle.pbz2", tmp_path / "000011.pickle.pbz2")
    bad = tmp_path / "000012.pickle.pbz2"
    bad.write_bytes(b"BZh9 not bz2")
    unsafe = tmp_path / "000013.pickle.pbz2"
    unsafe.write_bytes(b"\x80\x04cos\nsystem\n(Vecho\ntR.")
    files = [(11, tmp_path / "000011.pickle.pbz2"), (12, bad), (13, unsafe)]
    with pytest.raises(CorruptSourceError, match="000012"):
        read_arch_files(files, ARCHS["tss"])
    with pytest.raises(UnsafePickleError, match="os.system"):
        read_arch_files([files[0], files[2]], ARCHS["tss"])
    runs = read_arch_files(files[:1], ARCHS["tss"])[0]
    assert runs is not None
    # The flat arrays are views the records own: the trials read back what the file holds.
    trial = runs[0][2][0][0].trial
    assert trial.values.shape == trial.present.shape and np.isfinite(trial.values).all()


def test_mutated_files_agree_with_the_reference(tmp_path: Path) -> None:
    # Seeded byte mutations of a real file: whenever the native walker accepts a mutant, the
    # reference must accept it too, with the same runs (a refusal is the reference's to make).
    import bz2
    import random

    source = DATA / "tss-000011.pickle.pbz2"
    pristine = bz2.decompress(source.read_bytes())
    rng = random.Random(14)
    path = tmp_path / "000011.pickle.pbz2"
    accepted = handed_over = 0
    for _ in range(40):
        mutant = bytearray(pristine)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(mutant))
            mutant[at] = rng.choice((mutant[rng.randrange(len(mutant))], rng.randrange(256)))
        path.write_bytes(bz2.compress(bytes(mutant), 1))
        try:
            native = read_arch_files([(11, path)], ARCHS["tss"])[0]
            data = load_path(path)
        except CorruptSourceError:
            continue  # not a readable pickle (UnsafePickleError is one too): no walk to compare
        if native is None:
            handed_over += 1
            continue
        accepted += 1
        assert _assert_same(native, stored_runs(11, ARCHS["tss"][11], data, path)) > 0
    assert accepted > 0
