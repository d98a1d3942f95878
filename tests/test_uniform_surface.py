"""One suite of checks for the uniform query surface, run over every kind with results.

Each case is a small database built from files in the official formats (NB101 TFRecord with
one repeat dropped, NATS tss and sss archives with the real files' missing seeds, a
NAS-HPO-Bench-II data folder with one run dropped) plus an oracle: the official package where
it is pure Python (``nats_bench``, ``nashpobench2api``) or the official-compatible NB101 API
(``get_metrics_from_hash``), so every uniform value is compared with an official one.
"""

from __future__ import annotations

import math
import pickle
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nasbench_lite
import nashpobench2_fixture as nhb2_fx
import nats_bench
import nb101_tfrecord as tfr
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from nasbench_lite import nats, nb101
from nasbench_lite._core.surface import BASE_COLUMNS, UNITS
from nasbench_lite.benchmarks.nashpobench2.build import build_nashpobench2
from nasbench_lite.benchmarks.nats.build import build_nats
from nasbench_lite.benchmarks.nb101.build import build_nb101
from nasbench_lite.errors import (
    InvalidInputError,
    NasbenchLiteError,
    OutOfDomainError,
)
from nasbench_lite.spaces.nb201.space import size_strings, topology_strings
from nashpobench2api import NASHPOBench2API
from nats_fixture import write_archive

README = Path(__file__).resolve().parent.parent / "README.md"

#: Oracle: (id, fidelity mapping, seed, metric) -> the official value (None: absent).
Oracle = Callable[[str, dict[str, Any], int, str], Any]


@dataclass
class Case:
    name: str
    path: Path
    oracle: Oracle
    #: Architectures with results (the oracle knows them), one of them missing a seed.
    evaluated: list[str]
    #: (id, fidelity, missing seed) of an architecture lacking one expected seed.
    missing: tuple[str, dict[str, Any], int]
    #: A per-seed metric and an architecture-level one (None: the kind has none).
    metric: str
    arch_metric: str | None
    #: Another fidelity than the default, to check that it is honoured.
    other_fidelity: dict[str, Any]
    symmetric_neighbours: bool = True


# ---------------------------------------------------------------------------- builders
def _nb101_case(folder: Path) -> Case:
    cells = tfr.cells_from_rows(nb101.enumerate_cells(max_vertices=4).to_pylist())
    records = tfr.synthetic_dataset(cells, seed=11)
    dropped_hash = cells[3][0]
    # Drop the third repeat of one cell at 108 epochs: a missing seed, as in real data gaps.
    positions = [i for i, r in enumerate(records) if r.hash == dropped_hash and r.epochs == 108]
    records = [r for i, r in enumerate(records) if i != positions[2]]
    source = folder / "nasbench.tfrecord"
    tfr.write_tfrecord(source, records)
    path = folder / "nb101.sqlite"
    build_nb101([source], path)
    api = nasbench_lite.open(path)
    names = {
        "cifar10/train/accuracy": ("final_train_accuracy", 100.0),
        "cifar10/validation/accuracy": ("final_validation_accuracy", 100.0),
        "cifar10/test/accuracy": ("final_test_accuracy", 100.0),
        "cifar10/train/time": ("final_training_time", 1.0),
    }

    def oracle(ident: str, fidelity: dict[str, Any], seed: int, metric: str) -> Any:
        fixed, computed = api.get_metrics_from_hash(ident)
        if metric == "params":
            return fixed["trainable_parameters"] / 1e6
        runs = computed.get(fidelity.get("epochs", 108), [])
        if seed >= len(runs):
            return None
        field, factor = names[metric]
        if fidelity.get("point") == "halfway":
            field = field.replace("final_", "halfway_")
        return runs[seed][field] * factor

    ids = [c[0] for c in cells[:6]]
    return Case(
        "nb101",
        path,
        oracle,
        ids,
        (dropped_hash, {"epochs": 108}, 2),
        "cifar10/test/accuracy",
        "params",
        {"epochs": 12, "point": "halfway"},
        symmetric_neighbours=False,
    )


def _nats_case(folder: Path, space: str) -> Case:
    archs = topology_strings() if space == "tss" else size_strings()
    indexes = [0, 1, 2, 3, 4, 5, 100]
    write_archive(folder / "archive", archs, space, indexes, seed=7)
    path = folder / f"nats-{space}.sqlite"
    build_nats(folder / "archive", path)
    official = nats_bench.create(str(folder / "archive"), space, fast_mode=True, verbose=False)
    native = nats.create(path, space)
    labels = {
        "cifar10-valid": {"train": "train", "x-valid": "valid", "ori-test": "test"},
        "cifar10": {"train": "train", "ori-test": "test"},
    }
    other = {"train": "train", "x-valid": "valid", "x-test": "test", "ori-test": "valtest"}
    long_hp = "200" if space == "tss" else "90"
    last = 20 if space == "tss" else 9

    def oracle(ident: str, fidelity: dict[str, Any], seed: int, metric: str) -> Any:
        index = archs.index(ident)
        hp = fidelity.get("hp", long_hp)
        parts = metric.split("/")
        if len(parts) == 2:
            return official.get_cost_info(index, parts[0], hp=hp)[parts[1]]
        dataset, setname, quantity = parts
        epoch = fidelity.get("epoch")
        iepoch = None if epoch is None else epoch - 1
        try:
            info = official.get_more_info(index, dataset, iepoch=iepoch, hp=hp, is_random=seed)
        except ValueError:  # "can not find random seed": the official has no such trial
            return None
        except TypeError:
            # The official size-space code divides None by the epoch count when a file has
            # no times; the compatible API answers (None per-time values, README).
            info = native.get_more_info(index, dataset, iepoch=iepoch, hp=hp, is_random=seed)
        label = labels.get(dataset, other)[setname]
        key = f"{label}-{'all-time' if quantity == 'time' else quantity}"
        return info.get(key)

    return Case(
        f"nats-{space}",
        path,
        oracle,
        [archs[i] for i in indexes],
        # Odd indexes lack seed 999 at the long schedule (nats_fixture quirks, issue #30).
        (archs[1], {"hp": long_hp, "epoch": last}, 999),
        "cifar100/x-test/accuracy",
        "cifar100/flops",
        {"hp": "12", "epoch": 5},
    )


def _nhb2_case(folder: Path) -> Case:
    data = folder / "nhb2"
    written = nhb2_fx.write_dataset(data, nhb2_fx.sample_cellcodes(12, seed=3), seed=9)
    bench = written["bench12"]
    cellcodes = sorted(written["cellinfo"]["hash"])
    code = cellcodes[0]
    key = (written["cellinfo"]["hash"][code], nhb2_fx.LRS[2], nhb2_fx.BATCH_SIZES[1])
    seeds = sorted(set(bench["seed"].values()))
    for column in bench.values():  # one run of one configuration is missing
        column.pop((*key, seeds[-1]))
    with open(data / "bench12.pkl", "wb") as handle:
        pickle.dump(bench, handle, protocol=4)
    path = folder / "nhb2.sqlite"
    build_nashpobench2(data, path)
    official = NASHPOBench2API(str(data), verbose=False)
    source = {
        "cifar10/train/accuracy": ("train", 0),
        "cifar10/valid/accuracy": ("valid", 0),
        "cifar10/test/accuracy": ("test", 0),
        "cifar10/train/time": ("train", 1),
        "cifar10/train+valid/time": ("valid", 1),
        "cifar10/train+valid+test/time": ("test", 1),
    }

    def split(ident: str) -> tuple[str, float, int]:
        cell, lr, bs = ident.split(",")
        return cell, float(lr[3:]), int(bs[3:])

    def oracle(ident: str, fidelity: dict[str, Any], seed: int, metric: str) -> Any:
        cell, lr, bs = split(ident)
        mode, item = source[metric]
        try:
            answer = official.query_by_key(
                cell, lr, bs, mode=mode, iepoch=fidelity.get("epoch"), seed=seed, enable_log=False
            )
        except KeyError:
            return None
        return answer[item]

    def ident(cell: str, lr: float, bs: int) -> str:
        return f"{cell},lr={lr!r},bs={bs}"

    evaluated = [
        ident(c, nhb2_fx.LRS[i % 8], nhb2_fx.BATCH_SIZES[i % 6])
        for i, c in enumerate(cellcodes[:5])
    ]
    missing_id = ident(code, nhb2_fx.LRS[2], nhb2_fx.BATCH_SIZES[1])
    return Case(
        "nashpobench2",
        path,
        oracle,
        [*evaluated, missing_id],
        (missing_id, {"epoch": 12}, seeds[-1]),
        "cifar10/valid/accuracy",
        None,
        {"epoch": 5},
    )


@pytest.fixture(scope="module", params=["nb101", "nats-tss", "nats-sss", "nashpobench2"])
def case(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Case:
    folder = tmp_path_factory.mktemp(request.param)
    if request.param == "nb101":
        return _nb101_case(folder)
    if request.param.startswith("nats"):
        return _nats_case(folder, request.param[5:])
    return _nhb2_case(folder)


@pytest.fixture()
def surface(case: Case) -> Any:
    with nasbench_lite.open(case.path, uniform=True) as opened:
        yield opened


def _same(got: Any, want: Any) -> bool:
    if want is None or got is None:
        return got is None and want is None
    return bool(got == want or (math.isnan(got) and math.isnan(want)))


def _tables_equal(a: pa.Table, b: pa.Table) -> bool:
    """Same schema and values, NaN equal to NaN (repr of a float is exact)."""
    return a.schema == b.schema and repr(a.to_pylist()) == repr(b.to_pylist())


# ---------------------------------------------------------------------------- the space
def test_space_size_iteration_and_ids(surface: Any) -> None:
    ids = list(surface.space)
    assert len(ids) == surface.space.size == len(surface.space) == len(set(ids)) > 0
    assert all(isinstance(i, str) for i in ids)
    assert all(surface.space.id(i) == i for i in ids[:50])
    assert ids[0] in surface.space and "not an architecture" not in surface.space


def test_sampling_is_deterministic_in_range_and_private(surface: Any) -> None:
    state = random.getstate()
    first = surface.space.sample(8, 123)
    assert first == surface.space.sample(8, 123) == surface.space.sample(8, random.Random(123))
    assert len(set(first)) == 8 and all(a in surface.space for a in first)
    assert first != surface.space.sample(8, 124)
    assert surface.space.sample(0, 1) == []
    everything = surface.space.sample(surface.space.size, 5)
    assert sorted(everything) == sorted(surface.space)
    assert random.getstate() == state  # the global generator is never touched
    with pytest.raises(OutOfDomainError):
        surface.space.sample(surface.space.size + 1, 0)
    with pytest.raises(OutOfDomainError):
        surface.space.sample(-1, 0)
    with pytest.raises(InvalidInputError):
        surface.space.sample(True, 0)
    with pytest.raises(InvalidInputError):
        surface.space.sample(2, "seed")


def test_neighbours_are_valid_distinct_and_not_self(case: Case, surface: Any) -> None:
    sizes = []
    for arch in [*case.evaluated[:3], *surface.space.sample(5, 9)]:
        near = surface.space.neighbours(arch)
        sizes.append(len(near))
        assert len(set(near)) == len(near) and arch not in near
        assert all(n in surface.space for n in near)
        if case.symmetric_neighbours:
            assert all(arch in surface.space.neighbours(n) for n in near)
    # (An NB101 input -> output cell has none: its one edge cannot go.)
    assert sum(size > 0 for size in sizes) >= len(sizes) - 1


def test_nb101_neighbours_are_one_edit_away(tmp_path: Path) -> None:
    # Every neighbour of an NB101 cell is the pruned form of one edge flip or op change.
    case = _nb101_case(tmp_path)
    with nasbench_lite.open(case.path, uniform=True) as surface:
        for arch in case.evaluated[:4]:
            matrix, ops = surface.space.spec(arch)
            expected = set()
            n = len(ops)
            for i in range(n):
                for j in range(i + 1, n):
                    m = np.array(matrix)
                    m[i, j] ^= 1
                    spec = nb101.ModelSpec(m, ops)
                    if nb101.is_valid(spec):
                        expected.add(spec.hash_spec())
            for v in range(1, n - 1):
                for op in ("conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"):
                    spec = nb101.ModelSpec(np.array(matrix), [*ops[:v], op, *ops[v + 1 :]])
                    if op != ops[v] and nb101.is_valid(spec):
                        expected.add(spec.hash_spec())
            expected = {h for h in expected if h in surface.space} - {arch}
            assert set(surface.space.neighbours(arch)) == expected


def test_encodings(surface: Any) -> None:
    archs = surface.space.sample(6, 2)
    for kind in surface.space.encodings:
        encoded = surface.space.encode(archs, kind)
        assert isinstance(encoded, np.ndarray) and encoded.shape[0] == 6
        assert np.array_equal(encoded, surface.space.encode(list(reversed(archs)), kind)[::-1])
        assert len({row.tobytes() for row in encoded}) == 6  # distinct archs, distinct rows
        empty = surface.space.encode([], kind)  # an empty batch: zero rows of the same width
        assert isinstance(empty, np.ndarray) and empty.shape == (0, *encoded.shape[1:])
    assert np.array_equal(surface.space.encode(archs), surface.space.encode(archs, None))
    with pytest.raises(OutOfDomainError):
        surface.space.encode(archs, "no-such-encoding")


# ---------------------------------------------------------------------------- metadata
def test_objectives_and_fidelities_metadata(case: Case, surface: Any) -> None:
    names = [o.name for o in surface.objectives]
    assert len(names) == len(set(names))
    for objective in surface.objectives:
        assert objective.unit == UNITS[objective.quantity]  # one unit per quantity
        assert objective.split and objective.dataset and objective.stored_as
        assert objective.higher_is_better == (objective.quantity == "accuracy")
    assert case.metric in names
    for fidelity in surface.fidelities:
        assert fidelity.default in fidelity.values and fidelity.unit and fidelity.description
    assert surface.curve_axis in {f.name for f in surface.fidelities}
    if case.name == "nb101":
        assert "multiplied by 100" in surface.objective("cifar10/test/accuracy").stored_as
        assert "10k images held out" in surface.objective("cifar10/validation/accuracy").split
    if case.name.startswith("nats"):
        assert "never use it as validation" in surface.objective("cifar100/ori-test/accuracy").split
        assert "x-valid" not in names and "cifar10/x-valid/accuracy" not in names


# ---------------------------------------------------------------------------- queries
def test_query_equals_the_official_answers(case: Case, surface: Any) -> None:
    for fidelity in ({}, case.other_fidelity):
        metrics = [
            o.name
            for o in surface.objectives
            if o.dataset == surface.objective(case.metric).dataset
        ]
        table = surface.query(case.evaluated, fidelity or None, "all", metrics)
        checked = 0
        for row in table.to_pylist():
            if not row["found"]:
                continue
            for name in metrics:
                want = case.oracle(row["id"], fidelity, row["seed"], name)
                assert _same(row[name], want), (row["id"], row["seed"], name, row[name], want)
                checked += 1
        assert checked >= 20
        # Means: every seed the architecture has, summed in the benchmark's seed order.
        means = surface.query(case.evaluated, fidelity or None, "mean", [case.metric])
        for row in means.to_pylist():
            if not row["found"]:
                continue
            per_seed = table.filter(pc.equal(table["id"], row["id"]))
            seeds = per_seed["seed"].to_pylist()
            values = [case.oracle(row["id"], fidelity, s, case.metric) for s in seeds]
            assert row["n_seeds"] == len(seeds)
            if all(v is not None for v in values):
                total = 0.0
                for v in values:
                    total += v
                assert row[case.metric] == pytest.approx(total / len(values), rel=1e-12)


def test_query_by_seed_and_random(case: Case, surface: Any) -> None:
    ident = case.evaluated[0]
    every = surface.query([ident], seed="all", metrics=[case.metric]).to_pylist()
    for row in every:
        one = surface.query_one(ident, seed=row["seed"], metrics=[case.metric])
        assert one["seed"] == row["seed"] and one[case.metric] == row[case.metric]
    drawn = surface.query(case.evaluated * 5, seed="random", metrics=[case.metric], random_state=4)
    again = surface.query(case.evaluated * 5, seed="random", metrics=[case.metric], random_state=4)
    assert drawn.equals(again)
    seeds_of: dict[str, set[int]] = {}
    for row in surface.query(case.evaluated, seed="all", metrics=[case.metric]).to_pylist():
        seeds_of.setdefault(row["id"], set()).add(row["seed"])
    picked = [(r["id"], r["seed"]) for r in drawn.to_pylist() if r["found"]]
    assert picked and all(seed in seeds_of[ident] for ident, seed in picked)
    assert all(r["n_seeds"] == 1 for r in drawn.to_pylist() if r["found"])
    assert len({seed for _, seed in picked}) > 1  # not always the same seed


def test_missing_seeds_are_reported_never_imputed(case: Case, surface: Any) -> None:
    ident, fidelity, absent = case.missing
    mean = surface.query_one(ident, fidelity, "mean", [case.metric])
    expected = surface.query([ident], fidelity, "all", [case.metric])
    assert mean["found"] and absent in mean["missing_seeds"]
    assert mean["n_seeds"] == expected.num_rows
    assert absent not in expected["seed"].to_pylist()
    seeds = expected["seed"].to_pylist()
    values = [case.oracle(ident, fidelity, s, case.metric) for s in seeds]
    assert mean[case.metric] == pytest.approx(sum(values) / len(values), rel=1e-12)
    lacking = surface.query_one(ident, fidelity, absent, [case.metric])
    assert lacking["found"] is False and lacking[case.metric] is None
    assert lacking["n_seeds"] == 0 and absent in lacking["missing_seeds"]
    assert case.oracle(ident, fidelity, absent, case.metric) is None  # the official has none


def test_arrow_shapes_types_and_input_order(case: Case, surface: Any) -> None:
    archs = [case.evaluated[2], case.evaluated[0], case.evaluated[2], case.evaluated[1]]
    metrics = [case.metric] + ([case.arch_metric] if case.arch_metric else [])
    table = surface.query(archs, metrics=metrics)
    fidelity_names = [f.name for f in surface.fidelities]
    assert table.column_names == [*BASE_COLUMNS, *fidelity_names, *metrics]
    assert table.num_rows == 4
    assert table["index"].to_pylist() == [0, 1, 2, 3] and table["id"].to_pylist() == archs
    types = dict(zip(table.column_names, table.schema.types, strict=True))
    assert types["index"] == pa.int64() and types["id"] == pa.string()
    assert types["found"] == pa.bool_() and types["seed"] == pa.int64()
    assert types["n_seeds"] == pa.int32() and types["missing_seeds"] == pa.list_(pa.int64())
    assert all(types[m] == pa.float64() for m in metrics)
    assert table["seed"].null_count == 4  # means
    every = surface.query(archs, seed="all", metrics=metrics)
    assert every.num_rows == sum(table["n_seeds"].to_pylist())
    assert every["index"].to_pylist() == sorted(every["index"].to_pylist())
    assert surface.query([], metrics=metrics).num_rows == 0
    if case.arch_metric:
        rows = table.to_pylist()
        want = case.oracle(archs[0], {}, 0, case.arch_metric)
        assert rows[0][case.arch_metric] == rows[2][case.arch_metric] == want
    one = surface.query_one(archs[1], metrics=metrics)
    assert one == {**table.slice(1, 1).to_pylist()[0], "index": 0}


def test_default_metrics_are_one_dataset(surface: Any) -> None:
    table = surface.query(surface.space.sample(2, 0))
    names = [n for n in table.column_names if "/" in n or n == "params"]
    assert {surface.objective(n).dataset for n in names} == {surface.objectives[0].dataset}


def test_curves(case: Case, surface: Any) -> None:
    ident = case.evaluated[0]
    axis = next(f for f in surface.fidelities if f.name == surface.curve_axis)
    x, y = surface.curve(ident, case.metric)
    assert x.tolist() == [v for v in axis.values if v <= axis.default]
    assert x.shape == y.shape and y.dtype == np.float64
    assert y[-1] == pytest.approx(surface.query_one(ident, metrics=[case.metric])[case.metric])
    xs, ys = surface.curve(ident, case.metric, seed="all")
    seeds = surface.query([ident], seed="all", metrics=[case.metric])["seed"].to_pylist()
    assert ys.shape == (len(seeds), len(xs))
    for k, seed in enumerate(seeds):
        _, one = surface.curve(ident, case.metric, seed=seed)
        assert np.array_equal(one, ys[k], equal_nan=True)
        for position in (0, len(xs) // 2, len(xs) - 1):
            fidelity = {surface.curve_axis: int(xs[position])}
            want = case.oracle(ident, fidelity, seed, case.metric)
            assert _same(None if math.isnan(ys[k, position]) else ys[k, position], want)
    _, drawn = surface.curve(ident, case.metric, seed="random", random_state=1)
    assert any(np.array_equal(drawn, row, equal_nan=True) for row in ys)
    if case.arch_metric:
        with pytest.raises(OutOfDomainError):
            surface.curve(ident, case.arch_metric)


def test_best_matches_a_scan(case: Case, surface: Any) -> None:
    target = surface.objective(case.metric)
    best = surface.best(case.metric)
    rows = [r for r in surface.query(list(surface.space), metrics=[case.metric]).to_pylist()]
    values = [r[case.metric] for r in rows if r["found"] and r[case.metric] is not None]
    assert best is not None
    assert best[case.metric] == (max(values) if target.higher_is_better else min(values))
    limit = sorted(values)[len(values) // 2]
    bounded = surface.best(case.metric, where={case.metric: (None, limit)})
    assert bounded is not None and bounded[case.metric] == max(v for v in values if v < limit)
    assert surface.best(case.metric, where={case.metric: (1e9, None)}) is None


# ---------------------------------------------------------------------------- errors
def test_bad_arguments_raise_typed_errors(case: Case, surface: Any) -> None:
    ident = case.evaluated[0]
    bad: list[tuple[type[Exception], Callable[[], Any]]] = [
        (InvalidInputError, lambda: surface.query(ident)),  # a str is not a batch
        (InvalidInputError, lambda: surface.query(42)),
        (InvalidInputError, lambda: surface.query([ident], seed="bogus")),
        (InvalidInputError, lambda: surface.query([ident], seed=True)),
        (InvalidInputError, lambda: surface.query([ident], seed=1.5)),
        (InvalidInputError, lambda: surface.query([ident], metrics=[3])),
        (InvalidInputError, lambda: surface.query([ident], metrics=[])),
        (InvalidInputError, lambda: surface.query([ident], random_state="x", seed="random")),
        (OutOfDomainError, lambda: surface.query([ident], metrics=["no/such/metric"])),
        (OutOfDomainError, lambda: surface.query(["not an arch"])),
        (InvalidInputError, lambda: surface.query([object()])),
        (OutOfDomainError, lambda: surface.query([ident], fidelity=10_000)),
        (OutOfDomainError, lambda: surface.query([ident], fidelity={"nope": 1})),
        (OutOfDomainError, lambda: surface.query([ident], fidelity={surface.curve_axis: True})),
        (InvalidInputError, lambda: surface.query_one(ident, seed="all")),
        (InvalidInputError, lambda: surface.best(case.metric, where=[1, 2])),
        (InvalidInputError, lambda: surface.best(case.metric, where={case.metric: (1,)})),
        (InvalidInputError, lambda: surface.best(case.metric, where={case.metric: ("a", 1)})),
        (InvalidInputError, lambda: surface.best(case.metric, seed="all")),
        (OutOfDomainError, lambda: surface.best("nope")),
        (OutOfDomainError, lambda: surface.curve(ident, "nope")),
        (InvalidInputError, lambda: surface.curve(ident, case.metric, fidelity=3)),
    ]
    for error, call in bad:
        with pytest.raises(error) as info:
            call()
        assert isinstance(info.value, NasbenchLiteError)
    axis = next(f for f in surface.fidelities if f.name == surface.curve_axis)
    as_numpy = surface.query([ident], {axis.name: np.int64(axis.values[0])}, np.int64(0))
    assert as_numpy[axis.name].type == pa.int64()  # normalised to the declared value
    with pytest.raises(OutOfDomainError) as located:
        surface.query([ident, "not an arch"])
    assert located.value.row == 1


def test_nats_per_seed_metrics_of_two_datasets_refused(tmp_path: Path) -> None:
    case = _nats_case(tmp_path, "tss")
    with nasbench_lite.open(case.path, uniform=True) as surface:
        with pytest.raises(OutOfDomainError, match="one dataset"):
            surface.query(
                case.evaluated, metrics=["cifar10/ori-test/accuracy", "cifar100/x-test/accuracy"]
            )
        # Costs of any dataset may sit beside one dataset's per-seed metrics.
        table = surface.query(case.evaluated, metrics=["cifar100/x-test/accuracy", "cifar10/flops"])
        assert table["cifar10/flops"].null_count == 0
        assert _tables_equal(
            surface.query(case.evaluated, {"hp": 12}), surface.query(case.evaluated, {"hp": "12"})
        )
        with pytest.raises(OutOfDomainError, match="is not one of"):
            surface.query(case.evaluated, fidelity={"hp": "012"})
        with pytest.raises(OutOfDomainError, match="after the last epoch"):
            surface.query(case.evaluated, fidelity={"hp": "12", "epoch": 13})


def test_nats_bulk_path_equals_per_architecture_path(tmp_path: Path) -> None:
    from nasbench_lite.benchmarks.nats import surface as nats_surface

    case = _nats_case(tmp_path, "sss")
    metrics = [
        "cifar100/x-test/accuracy",
        "cifar100/train/loss",  # NaN in some trials (nats_fixture quirks)
        "cifar100/train/time",
        "cifar100/params",
        "cifar100/latency",
    ]
    with nasbench_lite.open(case.path, uniform=True) as surface:
        for fidelity in (None, {"epoch": 4}):
            small = surface.query(case.evaluated * 6, fidelity, "all", metrics)
            try:
                nats_surface._SMALL = 0
                bulk = surface.query(case.evaluated * 6, fidelity, "all", metrics)
            finally:
                nats_surface._SMALL = 32
            assert _tables_equal(small, bulk)
            losses = small["cifar100/train/loss"].to_pylist()
            assert fidelity or any(isinstance(v, float) and math.isnan(v) for v in losses)


def test_uniform_open_of_other_kinds_and_bad_flag(tmp_path: Path) -> None:
    from nasbench_lite.benchmarks.nats_space.build import build_nats_space

    space_db = build_nats_space(tmp_path / "space.sqlite").path
    with pytest.raises(OutOfDomainError, match="no uniform query surface"):
        nasbench_lite.open(space_db, uniform=True)
    with pytest.raises(InvalidInputError):
        nasbench_lite.open(space_db, uniform="yes")
    with nasbench_lite.open(space_db) as reader:  # the plain open is unchanged
        assert not hasattr(reader, "objectives")


# ---------------------------------------------------------------------------- README
def _readme_examples() -> dict[str, str]:
    blocks = re.findall(r"```py\n# uniform example: (\w+)\n(.*?)```", README.read_text(), re.DOTALL)
    return dict(blocks)


def test_readme_uniform_examples_run(tmp_path_factory: pytest.TempPathFactory) -> None:
    import kind_dbs

    examples = _readme_examples()
    assert set(examples) == {
        "tour",
        "nb101_best_small_cell",
        "nats_x_test_vs_flops",
        "nhb2_best_lr",
    }
    folder = tmp_path_factory.mktemp("readme")
    paths = {
        "nb101_path": kind_dbs.small_nb101(folder),
        "nats_path": kind_dbs.small_nats(folder),
        "nhb2_path": kind_dbs.small_nashpobench2(folder),
    }
    results: dict[str, dict[str, Any]] = {}
    for name, code in examples.items():
        scope: dict[str, Any] = dict(paths)
        exec(compile(code, f"README:{name}", "exec"), scope)
        results[name] = scope
    # The answers agree with the native / official-compatible APIs.
    with nasbench_lite.open(paths["nb101_path"]) as api:
        candidates = []
        for module_hash in api.hash_iterator():
            fixed, computed = api.get_metrics_from_hash(module_hash)
            if fixed["trainable_parameters"] < 1_000_000 and 108 in computed:
                valid = [r["final_validation_accuracy"] * 100 for r in computed[108]]
                candidates.append((sum(valid) / len(valid), module_hash))
        assert results["nb101_best_small_cell"]["best"]["id"] == max(candidates)[1]
    with nasbench_lite.open(paths["nats_path"]) as api:
        points = results["nats_x_test_vs_flops"]["points"]
        assert points and len(points) == len(api.evaluated_indexes)
        for arch, flops, accuracy in points:
            index = api.query_index_by_arch(arch)
            info = api.get_more_info(index, "cifar100", hp="200", is_random=False)
            assert accuracy == info["test-accuracy"]  # x-test is get_more_info's 'test'
            assert flops == api.get_cost_info(index, "cifar100", hp="200")["flops"]
    with nasbench_lite.open(paths["nhb2_path"]) as api:
        best_lr = results["nhb2_best_lr"]["best_lr"]
        assert set(best_lr) == set(api.cellcodes)
        for code, (lr, batch_size, accuracy) in best_lr.items():
            scores = []
            for x in api.lrs:
                for bs in api.batch_sizes:
                    values = [
                        api.query_by_key(code, x, bs, mode="valid", seed=s, enable_log=False)[0]
                        for s in api.seeds
                    ]
                    scores.append((sum(values) / len(values), x, bs))
            top = max(s[0] for s in scores)
            first = next(s for s in scores if s[0] == top)
            assert (lr, batch_size) == first[1:] and accuracy == pytest.approx(top)
