"""The native final-epoch reader (``_native.nats_final_sets``) and the fast costs path
(``costs.trial_costs``) against their Python references (``results._final_info_reference``,
``aggregate.costs_of_columns``), bit for bit, errors included.

Rows are random ``runs`` rows: NULL, NaN (stored as NULL with its ``nan_mask`` bit), -0.0 and
short decimals, 1-3 trials, disagreeing trials, each dataset and each choice (mean, a seed).
The uncached and cached API (``cache_size=0`` / default) give the same answers on the real
fixture files, and ``simulate_train_eval`` reads both of cifar10's datasets in one statement.
"""

from __future__ import annotations

import math
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from nasbench_lite import _native, nats
from nasbench_lite.benchmarks.nats import costs, results
from nasbench_lite.benchmarks.nats.aggregate import costs_of_columns
from nasbench_lite.benchmarks.nats.build import build_nats
from nasbench_lite.benchmarks.nats.costs import trial_costs
from nasbench_lite.benchmarks.nats.layout import DATASETS, FINAL_FIELDS, finals_to_row
from nasbench_lite.errors import NasbenchLiteError
from nats_fixture import real_archive

REAL = {"tss": ("NATS-tss-v1_0-3ffb9-simple", 11), "sss": ("NATS-sss-v1_0-50262-simple", 284)}
NAMES = {
    "cifar10-valid": "x-valid,ori-test",
    "cifar10": "ori-test",
    "cifar100": "x-valid,x-test,ori-test",
    "ImageNet16-120": "x-valid,x-test,ori-test",
}


def _bits(x: Any) -> Any:
    if isinstance(x, float):
        return struct.pack("<d", x)
    if isinstance(x, dict):
        return [(k, _bits(v)) for k, v in x.items()]  # (key order too)
    if isinstance(x, list | tuple):
        return [_bits(v) for v in x]
    return x


def _outcome(call: Any, *args: Any) -> Any:
    try:
        return _bits(call(*args))
    except (NasbenchLiteError, TypeError) as exc:
        return ("error", type(exc).__name__, str(exc))


def _value(rng: np.random.Generator, missing: float) -> float | None:
    draw = rng.uniform()
    if draw < missing:
        return None
    if draw < missing + 0.05:
        return math.nan
    if draw < missing + 0.08:
        return -0.0
    return round(float(rng.uniform(0, 100)), int(rng.integers(0, 4)))


def _random_trials(rng: np.random.Generator, dataset: str) -> results.Trials:
    count = int(rng.integers(1, 4))
    missing = float(rng.choice([0.0, 0.05, 0.3]))
    rows = []
    for k in range(count):
        values = {name: _value(rng, missing) for name in FINAL_FIELDS}
        if rng.uniform() < 0.5:  # (most files: every trial has the same costs)
            values["flops"], values["params"] = 12.5, 0.75
        values["latency"] = float(rng.uniform(-1, 1))
        row, mask = finals_to_row(values)
        epochs = 12 if rng.uniform() < 0.9 else 200
        # (seed, epochs, eval_names, run_id, nan_mask, finals..., seed_order) as load_trials
        rows.append((777 + 111 * k, epochs, NAMES[dataset], k, mask, *row, k))
    return results.Trials(rows)


@pytest.mark.parametrize("seed", range(60))
def test_native_final_sets_equal_the_python_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for dataset in DATASETS:
        trials = _random_trials(rng, dataset)
        for choice in (False, *trials.seeds):
            want = _outcome(results._final_info_reference, trials, 3, dataset, "12", choice)
            got = _outcome(results.more_info, None, trials, 3, dataset, "12", None, choice)
            assert got == want, (dataset, choice)


@pytest.mark.parametrize("seed", range(60))
def test_fast_costs_equal_costs_of_columns(seed: int) -> None:
    rng = np.random.default_rng(1000 + seed)
    for dataset in DATASETS:
        trials = _random_trials(rng, dataset)
        if rng.uniform() < 0.2:  # equal costs with a -0.0 / 0.0 pair: formatted apart
            rows = [list(r) for r in trials.rows]
            at = 5 + FINAL_FIELDS.index("flops")
            for k, row in enumerate(rows):
                row[at] = -0.0 if k % 2 else 0.0
            trials = results.Trials([tuple(r) for r in rows])
        want = _outcome(costs_of_columns, trials.column, trials.seeds, trials.eval_names)
        got = _outcome(trial_costs, trials)
        assert got == want, dataset


@pytest.mark.parametrize("seed", range(30))
def test_native_costs_answer_the_common_case_bit_for_bit(seed: int) -> None:
    """``_native.nats_costs`` answers whenever the trials share FLOPs and params (the
    reference's values, keys and key order) and declines (None) otherwise."""
    rng = np.random.default_rng(5000 + seed)
    for dataset in DATASETS:
        trials = _random_trials(rng, dataset)
        names = trials.eval_names[0]
        costs._plan(names)
        fields, keys = costs._NATIVE_PLANS[names]
        native = _native.nats_costs(trials.rows, fields, keys, results.COMPENSATED_SUM)
        flops, params = trials.column("flops"), trials.column("params")
        shared = all(
            type(c[0]) is float and c[0] and c[0] == c[0] and c.count(c[0]) == len(c)
            for c in (flops, params)
        )
        want = _outcome(costs.trial_costs_reference, trials, names)
        if native is None:
            assert not shared or want[0] == "error" or None in trials.column("latency")
        else:
            assert shared
            assert _bits(native) == want


def test_native_costs_reject_bad_plans() -> None:
    row = (777, 12, "ori-test", 0, 0, *([1.5] * len(FINAL_FIELDS)), 0)
    with pytest.raises(NasbenchLiteError):
        _native.nats_costs([row], bytes([12, 13]), ("T-train@epoch",))
    with pytest.raises(NasbenchLiteError):
        _native.nats_costs([row], bytes([len(FINAL_FIELDS)]), ("x",))
    assert _native.nats_costs([], bytes([12]), ("x",)) is None
    assert _native.nats_costs([row[:10]], bytes([12]), ("x",)) is None


def test_rows_of_another_shape_fall_back_to_the_reference() -> None:
    row = (777, 12, "ori-test", 0, 0, *([1.5] * len(FINAL_FIELDS)), 0)
    sets = bytes([0, 1, 2])
    assert _native.nats_final_sets([row], sets, -1) == [(1.5, 1.5, 1.5)]
    text = (*row[:5], "1.5", *row[6:])  # a TEXT value in a REAL column
    assert _native.nats_final_sets([text], sets, -1) is None
    assert _native.nats_final_sets([row[:10]], sets, -1) is None
    trials = results.Trials([text])
    want = _outcome(results._final_info_reference, trials, 0, "cifar10", "12", False)
    assert _outcome(results.more_info, None, trials, 0, "cifar10", "12", None, False) == want
    with pytest.raises(NasbenchLiteError):
        _native.nats_final_sets([row], bytes([0, 1]), -1)  # not 3 positions per set
    with pytest.raises(NasbenchLiteError):
        _native.nats_final_sets([row], bytes([0, 1, len(FINAL_FIELDS)]), -1)
    with pytest.raises(NasbenchLiteError):
        _native.nats_final_sets([row], sets, 1)  # no second trial


@pytest.fixture(scope="module", params=["tss", "sss"])
def real_db(request: Any, tmp_path_factory: Any) -> tuple[str, Path]:
    space = request.param
    tmp = tmp_path_factory.mktemp(f"final-{space}")
    archive = real_archive(tmp, space, [REAL[space][1]])
    build_nats(archive, tmp / "db.sqlite")
    return space, tmp / "db.sqlite"


def test_uncached_answers_equal_cached_ones_on_real_files(real_db: tuple[str, Path]) -> None:
    space, path = real_db
    index = REAL[space][1]
    cached = nats.create(path, space, random_state=5)
    uncached = nats.create(path, space, random_state=5, cache_size=0)
    try:
        for hp in cached.arch_hps(index):
            last = int(hp) - 1
            for dataset in DATASETS:
                for iepoch in (None, last, last // 2):
                    seeds = cached._trials(index, dataset, hp).seeds
                    for is_random in (False, True, *seeds):
                        args = (index, dataset, iepoch, hp, is_random)
                        want = _outcome(cached.get_more_info, *args)
                        assert _outcome(uncached.get_more_info, *args) == want, args
                assert _outcome(uncached.get_cost_info, index, dataset, hp) == _outcome(
                    cached.get_cost_info, index, dataset, hp
                )
                assert _outcome(uncached.get_latency, index, dataset, hp) == _outcome(
                    cached.get_latency, index, dataset, hp
                )
            for dataset in ("cifar10", "cifar100", "ImageNet16-120"):
                for iepoch in (None, last // 2):
                    args = (index, dataset, iepoch, hp)
                    want = _outcome(cached.simulate_train_eval, *args)
                    assert _outcome(uncached.simulate_train_eval, *args) == want, args
    finally:
        cached.close()
        uncached.close()


def test_one_statement_per_uncached_call(real_db: tuple[str, Path], statement_trace: Any) -> None:
    space, path = real_db
    index = REAL[space][1]
    api = nats.create(path, space, random_state=5, cache_size=0)
    hp = api.arch_hps(index)[-1]
    connections = [api._db.connection, *api._db._point_connections]
    assert len(connections) == 2  # its own and the point-lookup one
    statements = statement_trace(api._db)
    try:
        calls = [
            lambda: api.get_more_info(index, "cifar100", None, hp, False),
            lambda: api.get_more_info(index, "cifar10-valid", int(hp) // 2, hp, True),
            lambda: api.get_cost_info(index, "ImageNet16-120", hp),
            lambda: api.get_latency(index, "cifar10", hp),
            lambda: api.simulate_train_eval(index, "cifar10", None, hp),
            lambda: api.simulate_train_eval(index, "cifar10", int(hp) // 2, hp),
        ]
        for call in calls:
            statements.clear()
            call()
            assert len(statements) == 1, statements
    finally:
        api.close()


def test_native_info_dicts_equal_the_python_path(
    real_db: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``_native.nats_final_info`` / ``nats_info_dict`` build the dict the Python loop builds
    (values, key order, errors) at the last epoch and at every epoch mid-run."""
    space, path = real_db
    index = REAL[space][1]
    api = nats.create(path, space, random_state=5, cache_size=0)
    try:
        cases = []
        for hp in api.arch_hps(index):
            for dataset in DATASETS:
                seeds = api._trials(index, dataset, hp).seeds
                for iepoch in (None, *range(int(hp))):
                    for is_random in (False, *seeds):
                        cases.append((index, dataset, iepoch, hp, is_random))
        native = [_outcome(api.get_more_info, *args) for args in cases]
        monkeypatch.setattr(_native, "nats_final_info", lambda *args: None)
        monkeypatch.setattr(_native, "nats_info_dict", lambda *args: None)
        python = [_outcome(api.get_more_info, *args) for args in cases]
    finally:
        api.close()
    assert native == python
    assert sum(1 for x in native if x[0] != "error") > len(cases) // 2


def test_info_dict_declines_what_the_python_path_raises() -> None:
    keys = tuple(f"k{i}" for i in range(8))
    good = [(0.5, 90.0, 3.0), None]
    assert _native.nats_info_dict(good, keys, bytes([1, 0]), 2, "c") == {
        "k0": 0.5, "k1": 90.0, "k2": 1.5, "k3": 3.0, "comment": "c"
    }  # fmt: skip
    assert _native.nats_info_dict(good, keys, bytes([1, 1]), 2) is None  # a required set
    assert _native.nats_info_dict([False, None], keys, bytes([1, 0]), 2) is None
    assert _native.nats_info_dict(good, keys, bytes([1, 0]), 0) is None  # (ZeroDivisionError)
    assert _native.nats_info_dict([(0.5, 90.0, "3"), None], keys, bytes([1, 0]), 2) is None
    with pytest.raises(NasbenchLiteError):
        _native.nats_info_dict(good, keys[:4], bytes([1, 0]), 2)


def test_native_simulate_equals_the_dict_path(
    real_db: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``_native.nats_simulate`` gives the values (and, after the same draws, the used time)
    that the info and costs dicts give; it declines what it cannot answer."""
    space, path = real_db
    index = REAL[space][1]
    api = nats.create(path, space, cache_size=0)
    hps = api.arch_hps(index)
    api.close()
    cases = [
        (index, dataset, iepoch, hp)
        for hp in hps
        for dataset in ("cifar10", "cifar100", "ImageNet16-120")
        for iepoch in (None, int(hp) - 1)
        for _ in range(3)
    ]
    answered = []
    simulate = _native.nats_simulate

    def counted(*args: Any) -> Any:
        found = simulate(*args)
        answered.append(found is not None)
        return found

    monkeypatch.setattr(_native, "nats_simulate", counted)
    api = nats.create(path, space, random_state=5, cache_size=0)
    native = [_outcome(api.simulate_train_eval, *args) for args in cases]
    api.close()
    monkeypatch.setattr(_native, "nats_simulate", lambda *args: None)
    api = nats.create(path, space, random_state=5, cache_size=0)
    dicts = [_outcome(api.simulate_train_eval, *args) for args in cases]
    api.close()
    assert native == dicts
    assert sum(answered) > len(cases) // 2
    rows: list[Any] = []
    assert simulate(rows, b"", b"", 0, 1.0, 0, 0, rows, b"") is None  # (no set to read)
    with pytest.raises(NasbenchLiteError):
        simulate(rows, b"\x00", b"", 0, 1.0, 0, 0, rows, b"")
