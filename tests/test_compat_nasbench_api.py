"""``nasbench_lite.compat.nasbench.api.NASBench`` against the official semantics.

The oracle is :class:`OfficialNASBench`: the official ``query`` / ``is_valid`` /
``get_metrics_*`` / budget logic (nb101.md §6) re-implemented in memory on the dictionaries that
the official loader builds (``nb101_tfrecord.official_style_load``) from the same TFRecord file
the database was built from, with the global ``random`` module used where the official code
uses it. Seeded client programs (a random search and a regularized evolution in the style of
the NAS-Bench-101 notebook, their own ``random`` draws interleaved with the API's) run once on
each and must see the same thing at every step.
"""

from __future__ import annotations

import copy
import random
import re
import runpy
import subprocess
import sys
import types
from collections.abc import Callable, KeysView, Mapping
from pathlib import Path
from typing import Any

import nb101_tfrecord as tfr
import numpy as np
import pytest
from nasbench_lite import nb101
from nasbench_lite.benchmarks.nb101.build import build_nb101
from nasbench_lite.compat.nasbench import api
from nasbench_lite.compat.nasbench.lib import config
from nasbench_lite.errors import NotInDatabaseError, OutOfDomainError
from nasbench_lite.nb101 import api as native_api
from nb101_reference import OPS, reference_check, reference_hash, reference_prune, spec_labels

INPUT, OUTPUT = "input", "output"


class OfficialNASBench:
    """What the official class does with its dictionaries (nb101.md §5-§6)."""

    def __init__(self, loaded: Any, seed: int | None = None) -> None:
        self.config = config.build_config()
        random.seed(seed)
        print("Loading dataset from file... This may take a few minutes...")
        fixed, computed, epochs = loaded
        self.fixed_statistics, self.computed_statistics = fixed, computed
        self.valid_epochs = epochs
        self.training_time_spent = 0.0
        self.total_epochs_spent = 0
        print("Loaded dataset in 0 seconds")

    def _pruned(self, spec: api.ModelSpec) -> tuple[Any, Any]:
        return reference_prune(spec.original_matrix.tolist(), spec.original_ops)

    def is_valid(self, spec: api.ModelSpec) -> bool:
        return reference_check(*self._pruned(spec), self.config) is None

    def _check_spec(self, spec: api.ModelSpec) -> None:
        message = reference_check(*self._pruned(spec), self.config)
        if message is not None:
            raise OutOfDomainError(message)

    def get_metrics_from_hash(self, module_hash: str) -> tuple[Any, Any]:
        return (
            copy.deepcopy(self.fixed_statistics[module_hash]),
            copy.deepcopy(self.computed_statistics[module_hash]),
        )

    def get_metrics_from_spec(self, spec: api.ModelSpec) -> tuple[Any, Any]:
        self._check_spec(spec)
        matrix, ops = self._pruned(spec)
        labels = spec_labels(ops, self.config["available_ops"])
        return self.get_metrics_from_hash(reference_hash(matrix, labels))

    def query(self, spec: api.ModelSpec, epochs: int = 108, stop_halfway: bool = False) -> Any:
        if epochs not in self.valid_epochs:
            raise OutOfDomainError(f"invalid number of epochs, must be one of {self.valid_epochs}")
        fixed, computed = self.get_metrics_from_spec(spec)
        run = computed[epochs][random.randint(0, self.config["num_repeats"] - 1)]
        prefix = "halfway_" if stop_halfway else "final_"
        data = {key: fixed[key] for key in fixed}
        for key in ("training_time", "train_accuracy", "validation_accuracy", "test_accuracy"):
            data[key] = run[prefix + key]
        self.training_time_spent += data["training_time"]
        self.total_epochs_spent += epochs // 2 if stop_halfway else epochs
        return data

    def get_budget_counters(self) -> tuple[float, int]:
        return self.training_time_spent, self.total_epochs_spent

    def reset_budget_counters(self) -> None:
        self.training_time_spent, self.total_epochs_spent = 0.0, 0


@pytest.fixture(scope="module")
def cells() -> list[tuple[str, Any, list[str]]]:
    # Every cell of 2..5 vertices: a client sampling 5-vertex specs always finds its cell.
    return tfr.cells_from_rows(nb101.enumerate_cells(max_vertices=5).to_pylist())


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory, cells: Any) -> Path:
    path = tmp_path_factory.mktemp("nb101src") / "nasbench_full.tfrecord"
    tfr.write_tfrecord(path, tfr.synthetic_dataset(cells, seed=21))
    return path


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory, source: Path) -> Path:
    out = tmp_path_factory.mktemp("nb101db") / "nb101.sqlite"
    build_nb101([source], out)
    return out


@pytest.fixture(scope="module")
def loaded(source: Path) -> Any:
    return tfr.official_style_load(source)


@pytest.fixture
def nasbench(database: Path) -> Any:
    with api.NASBench(database, seed=0) as opened:
        yield opened


def _close(bench: Any) -> None:
    if isinstance(bench, api.NASBench):
        bench.close()


# --------------------------------------------------------------------------------------------
# Client programs, written the way published NB101 experiments are (global random).

NUM_VERTICES = 5
ALLOWED_OPS = [OPS[0], OPS[1], OPS[2]]


def random_cell(bench: Any) -> api.ModelSpec:
    """A uniformly random valid 5-vertex cell (rejection sampling, global random)."""
    while True:
        matrix = np.triu(
            np.array([[int(random.random() < 0.5) for _ in range(NUM_VERTICES)] for _ in range(5)]),
            1,
        )
        ops = [INPUT] + [random.choice(ALLOWED_OPS) for _ in range(NUM_VERTICES - 2)] + [OUTPUT]
        spec = api.ModelSpec(matrix=matrix, ops=ops)
        if bench.is_valid(spec):
            return spec


def mutate(bench: Any, parent: api.ModelSpec, rate: float) -> api.ModelSpec:
    """Flip each edge with probability rate/V, swap each op with probability rate/(V-2)."""
    while True:
        matrix = copy.deepcopy(parent.original_matrix)
        ops = copy.deepcopy(parent.original_ops)
        for src in range(NUM_VERTICES - 1):
            for dst in range(src + 1, NUM_VERTICES):
                if random.random() < rate / NUM_VERTICES:
                    matrix[src, dst] = 1 - matrix[src, dst]
        for vertex in range(1, NUM_VERTICES - 1):
            if random.random() < rate / (NUM_VERTICES - 2):
                ops[vertex] = random.choice(
                    [op for op in bench.config["available_ops"] if op != ops[vertex]]
                )
        child = api.ModelSpec(matrix, ops)
        if bench.is_valid(child):
            return child


def _record(data: dict[str, Any], bench: Any) -> tuple[Any, ...]:
    return (
        data["module_adjacency"].tolist(),
        data["module_adjacency"].dtype,
        data["module_operations"],
        data["trainable_parameters"],
        data["training_time"],
        data["train_accuracy"],
        data["validation_accuracy"],
        data["test_accuracy"],
        bench.get_budget_counters(),
    )


def random_search(bench: Any, budget: float) -> list[tuple[Any, ...]]:
    bench.reset_budget_counters()
    trace, best = [], -1.0
    while bench.get_budget_counters()[0] < budget:
        spec = random_cell(bench)
        epochs = random.choice(sorted(bench.valid_epochs))
        data = bench.query(spec, epochs=epochs, stop_halfway=random.random() < 0.25)
        best = max(best, data["validation_accuracy"])
        trace.append((*_record(data, bench), best))
    return trace


def regularized_evolution(
    bench: Any, budget: float, population_size: int = 20, tournament: int = 5
) -> list[tuple[Any, ...]]:
    bench.reset_budget_counters()
    trace: list[tuple[Any, ...]] = []
    population: list[tuple[float, api.ModelSpec]] = []
    while len(population) < population_size:
        spec = random_cell(bench)
        data = bench.query(spec)
        population.append((data["validation_accuracy"], spec))
        trace.append(_record(data, bench))
    while bench.get_budget_counters()[0] < budget:
        chosen = sorted(random.sample(range(len(population)), tournament))
        parent = max((population[i] for i in chosen), key=lambda item: item[0])[1]
        child = mutate(bench, parent, rate=1.0)
        data = bench.query(child)
        population.append((data["validation_accuracy"], child))
        population.pop(0)
        trace.append(_record(data, bench))
    return trace


Client = Callable[[Any, float], list[tuple[Any, ...]]]


@pytest.mark.parametrize("client", [random_search, regularized_evolution])
@pytest.mark.parametrize("trial", range(3))
def test_seeded_clients_follow_the_official_trajectory(
    client: Client, trial: int, database: Path, loaded: Any
) -> None:
    runs = []
    for make in (lambda: api.NASBench(database), lambda: OfficialNASBench(loaded)):
        bench = make()
        random.seed(trial)  # the client's own seeding, after the API was opened
        trace = client(bench, 150_000.0)
        runs.append((trace, random.random()))  # same number of global draws on both
        _close(bench)
    assert len(runs[0][0]) > 40
    assert runs[0] == runs[1]


def test_constructor_seed_seeds_the_global_random(database: Path, loaded: Any) -> None:
    spec = api.ModelSpec(*_cell_spec(loaded, 300))
    traces = []
    for make in (
        lambda: api.NASBench(database, seed=17),
        lambda: OfficialNASBench(loaded, seed=17),
    ):
        bench = make()
        traces.append([bench.query(spec, epochs=36)["test_accuracy"] for _ in range(30)])
        _close(bench)
    assert traces[0] == traces[1] and len(set(traces[0])) == 3
    with api.NASBench(database, seed=5):
        after = random.random()
    random.seed(5)
    assert after == random.random()


def test_seed_none_is_passed_to_random_seed(
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Any] = []
    monkeypatch.setattr(random, "seed", lambda *args: calls.append(args))
    with api.NASBench(database):
        pass
    with api.NASBench(database, seed=3):
        pass
    assert calls == [(None,), (3,)]


def test_compat_and_native_draw_the_same_repeats_for_the_same_seed(
    database: Path, cells: Any
) -> None:
    specs = [nb101.ModelSpec(m, o) for _, m, o in cells[::211]]
    with native_api.NASBench(database, seed=8) as native, api.NASBench(database, seed=8) as ours:
        for spec in specs * 4:
            mine, theirs = ours.query(spec, epochs=12), native.query(spec, epochs=12)
            assert np.array_equal(mine.pop("module_adjacency"), theirs.pop("module_adjacency"))
            assert mine == theirs
        assert ours.get_budget_counters() == native.get_budget_counters()


def test_query_draws_through_a_patched_randint_and_a_changed_num_repeats(
    nasbench: api.NASBench, loaded: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The native draw from the global generator stands for random.randint only while that is
    # unpatched (and randint's own error for num_repeats 0); else the call goes through it.
    spec = api.ModelSpec(*_cell_spec(loaded, 77))
    random.seed(4)
    mirror = random.Random(4)
    fast = [nasbench.query(spec)["test_accuracy"] for _ in range(40)]
    module_hash = list(loaded[0])[77]
    runs = loaded[1][module_hash][108]
    assert fast == [runs[mirror.randint(0, 2)]["final_test_accuracy"] for _ in range(40)]
    assert random.getstate() == mirror.getstate()
    calls: list[tuple[int, int]] = []

    def patched(low: int, high: int) -> int:
        calls.append((low, high))
        return 1

    monkeypatch.setattr(random, "randint", patched)
    assert nasbench.query(spec)["test_accuracy"] == runs[1]["final_test_accuracy"]
    assert calls == [(0, 2)]
    monkeypatch.undo()
    nasbench.config["num_repeats"] = 0
    try:
        with pytest.raises(ValueError, match="empty range"):
            nasbench.query(spec)  # randint(0, -1)'s own error, not a hang in _randbelow(0)
    finally:
        nasbench.config["num_repeats"] = 3


def _cell_spec(loaded: Any, index: int) -> tuple[Any, list[str]]:
    fixed = list(loaded[0].values())[index]
    return fixed["module_adjacency"], fixed["module_operations"]


# --------------------------------------------------------------------------------------------
# Method by method


def test_query_values_types_and_budget(nasbench: api.NASBench, loaded: Any) -> None:
    fixed_stats, computed_stats, _ = loaded
    module_hash = list(fixed_stats)[1234]
    spec = api.ModelSpec(*_cell_spec(loaded, 1234))
    random.seed(99)
    mirror = random.Random(99)
    expected_time, expected_epochs = 0.0, 0
    for epochs, halfway in [(108, False), (4, True), (36, False), (12, True), (108, True)]:
        data = nasbench.query(spec, epochs=epochs, stop_halfway=halfway)
        run = computed_stats[module_hash][epochs][mirror.randint(0, 2)]
        prefix = "halfway_" if halfway else "final_"
        assert list(data) == [
            "module_adjacency",
            "module_operations",
            "trainable_parameters",
            "training_time",
            "train_accuracy",
            "validation_accuracy",
            "test_accuracy",
        ]
        for key in ("training_time", "train_accuracy", "validation_accuracy", "test_accuracy"):
            assert data[key] == run[prefix + key] and type(data[key]) is float
        assert data["module_adjacency"].dtype == np.int8
        assert np.array_equal(
            data["module_adjacency"], fixed_stats[module_hash]["module_adjacency"]
        )
        assert data["module_operations"] == fixed_stats[module_hash]["module_operations"]
        assert type(data["trainable_parameters"]) is int
        assert data["trainable_parameters"] == fixed_stats[module_hash]["trainable_parameters"]
        expected_time += data["training_time"]
        expected_epochs += epochs // 2 if halfway else epochs
        assert nasbench.get_budget_counters() == (expected_time, expected_epochs)
    assert (nasbench.training_time_spent, nasbench.total_epochs_spent) == (
        expected_time,
        expected_epochs,
    )
    assert expected_epochs == 108 + 2 + 36 + 6 + 54
    assert nasbench.reset_budget_counters() is None
    assert nasbench.get_budget_counters() == (0.0, 0)
    assert type(nasbench.get_budget_counters()[0]) is float
    nasbench.training_time_spent, nasbench.total_epochs_spent = 5.0, 7  # plain attributes
    assert nasbench.get_budget_counters() == (5.0, 7)


def _chain(n: int, ops: list[str]) -> api.ModelSpec:
    return api.ModelSpec(np.eye(n, k=1, dtype=int), ops)


@pytest.mark.parametrize(
    ("spec_factory", "message"),
    [
        (
            lambda: api.ModelSpec([[0, 0], [0, 0]], [INPUT, OUTPUT]),
            "invalid spec, provided graph is disconnected.",
        ),
        (
            lambda: api.ModelSpec(
                np.triu(np.ones((7, 7), dtype=int), 1), [INPUT] + [OPS[0]] * 5 + [OUTPUT]
            ),
            "too many edges, got 21 (max edges = 9)",
        ),
        (
            lambda: _chain(8, [INPUT] + [OPS[1]] * 6 + [OUTPUT]),
            "too many vertices, got 8 (max vertices = 7)",
        ),
        (lambda: _chain(3, [OUTPUT, OPS[0], OUTPUT]), "first operation should be 'input'"),
        (lambda: _chain(3, [INPUT, OPS[0], INPUT]), "last operation should be 'output'"),
        (
            lambda: _chain(4, [INPUT, OPS[2], "identity", OUTPUT]),
            "unsupported op identity (available ops = ['conv3x3-bn-relu', 'conv1x1-bn-relu',"
            " 'maxpool3x3'])",
        ),
    ],
)
def test_out_of_domain_specs(
    nasbench: api.NASBench, spec_factory: Callable[[], api.ModelSpec], message: str
) -> None:
    spec = spec_factory()
    state = random.getstate()
    assert nasbench.is_valid(spec) is False
    for call in (nasbench.query, nasbench.get_metrics_from_spec, nasbench._check_spec):
        with pytest.raises(api.OutOfDomainError) as info:
            call(spec)
        assert str(info.value) == message
    assert random.getstate() == state  # nothing drawn for a failed query
    assert nasbench.get_budget_counters() == (0.0, 0)


#: Changes a client makes to ``nasbench.config`` (a smaller space, fewer ops, another op order
#: and so other hash labels); the official class reads them at every check.
CONFIG_CHANGES = [
    {"max_edges": 3},
    {"module_vertices": 4},
    {"available_ops": [OPS[0], OPS[2]]},
    {"available_ops": [OPS[1], OPS[0], OPS[2]]},
    {"available_ops": (OPS[0], OPS[1], OPS[2])},
    {"max_edges": 4, "module_vertices": 4, "available_ops": [OPS[1]]},
]


def _query_outcome(bench: Any, spec: api.ModelSpec) -> tuple[Any, ...]:
    """``bench.query(spec)`` as comparable data: the answer, or the error's kind and text
    (KeyError texts differ: ours names the hash and the file)."""
    try:
        data = bench.query(spec)
    except OutOfDomainError as exc:
        return ("domain", str(exc))
    except KeyError:
        return ("key",)
    return ("answer", *_record(data, bench))


@pytest.mark.parametrize("change", CONFIG_CHANGES, ids=repr)
def test_config_changes_apply_as_in_the_official_class(
    database: Path, loaded: Any, change: dict[str, Any]
) -> None:
    opened = api.NASBench(database, seed=3)
    official = OfficialNASBench(loaded, seed=3)
    native = native_api.NASBench(database, seed=0)
    try:
        for bench in (opened, official, native):
            bench.config.update(copy.deepcopy(change))
        random.seed(5)
        specs = []
        for _ in range(300):
            n = random.randint(2, 6)
            matrix = np.triu(np.array([[random.random() < 0.5 for _ in range(n)]] * n), 1)
            ops = [INPUT, *(random.choice(OPS) for _ in range(n - 2)), OUTPUT]
            specs.append(api.ModelSpec(matrix.astype(int), ops))
        verdicts = [official.is_valid(spec) for spec in specs]
        assert 0 < sum(verdicts) < len(specs)  # the change decides some specs both ways
        assert [opened.is_valid(spec) for spec in specs] == verdicts
        assert [native.is_valid(spec) for spec in specs] == verdicts
        random.seed(9)
        for spec in specs:
            # The same global draws on both sides (the repeat is drawn after the checks).
            state = random.getstate()
            ours = _query_outcome(opened, spec)
            drawn = random.getstate()
            random.setstate(state)
            assert ours == _query_outcome(official, spec)
            assert random.getstate() == drawn
            messages = []
            for bench in (opened, official, native):
                try:
                    bench._check_spec(spec)
                    messages.append(None)
                except OutOfDomainError as exc:
                    messages.append(str(exc))
            assert messages[0] == messages[1] == messages[2]
            if messages[0] is None:
                assert _metrics_outcome(opened, spec) == _metrics_outcome(official, spec)
        assert opened.get_budget_counters() == official.get_budget_counters()
        # Back to the official config: the construction-time verdicts answer again.
        for bench in (opened, official, native):
            bench.config.update(config.build_config())
        assert [opened.is_valid(spec) for spec in specs] == [official.is_valid(s) for s in specs]
    finally:
        opened.close()
        native.close()


def test_assigned_config_and_valid_epochs_reach_the_checks(database: Path, loaded: Any) -> None:
    with api.NASBench(database, seed=0) as opened:
        official = OfficialNASBench(loaded, seed=0)
        specs = [_chain(n, [INPUT, *[OPS[0]] * (n - 2), OUTPUT]) for n in (2, 3, 4, 5)]
        for bench in (opened, official):
            bench.config = {**config.build_config(), "max_edges": 2}  # new objects, not edits
            bench.valid_epochs = {108}
        verdicts = [official.is_valid(spec) for spec in specs]
        assert [opened.is_valid(spec) for spec in specs] == verdicts == [True, True, False, False]
        for bench in (opened, official):
            with pytest.raises(OutOfDomainError) as info:
                bench.query(specs[0], epochs=4)
            assert str(info.value) == "invalid number of epochs, must be one of {108}"
        assert opened.config["max_edges"] == 2 and opened.valid_epochs == {108}


class _Meddling(str):
    """A str-subclass key equal in hash to a config key: looking that key up runs its
    ``__eq__``, which here changes the config in the middle of the native check."""

    def __eq__(self, other: object) -> bool:
        if not self.meddled:  # once: the changes below look keys up again
            self.meddled = True
            # New objects in place of the ones the check may have read (the old ones freed).
            self.config["max_edges"] = int("9" * 30)
            self.config["available_ops"] = list(reversed(OPS))
        return False

    __hash__ = str.__hash__
    config: dict[str, Any]
    meddled = False


def test_a_config_changed_during_its_own_lookup_is_read_safely(database: Path) -> None:
    with native_api.NASBench(database, seed=0) as bench:
        spec = _chain(3, [INPUT, OPS[0], OUTPUT])
        key = _Meddling("module_vertices")
        key.config = bench.config
        bench.config[key] = 0  # same hash as the real key: its __eq__ runs on lookups
        # Whatever lookup meets the change, the answer is read from live objects: valid under
        # the changed config too (ops in another order, a larger edge limit), no crash.
        assert bench.is_valid(spec) is True and key.meddled
        # Hashed with the reversed op order, conv3x3 takes maxpool's label: as the official
        # class would, the query answers the maxpool cell.
        assert bench.query(spec)["module_operations"] == [INPUT, OPS[2], OUTPUT]


def test_config_changes_in_place_apply_to_that_object_only(database: Path) -> None:
    with native_api.NASBench(database, seed=0) as changed, native_api.NASBench(database) as other:
        spec = _chain(3, [INPUT, OPS[2], OUTPUT])
        assert changed.is_valid(spec) and other.is_valid(spec)
        changed.config["available_ops"].remove(OPS[2])  # the list itself, not a new one
        assert not changed.is_valid(spec)
        with pytest.raises(OutOfDomainError, match="unsupported op maxpool3x3"):
            changed.query(spec)
        assert other.is_valid(spec) and other.config["available_ops"] == OPS
        changed.config["available_ops"].append(OPS[2])  # back, by value: the fast path again
        assert changed.is_valid(spec)
        assert changed.query(spec)["module_operations"] == [INPUT, OPS[2], OUTPUT]


def _metrics_outcome(bench: Any, spec: api.ModelSpec) -> Any:
    """``bench.get_metrics_from_spec(spec)`` as comparable data ("key": not in the data)."""
    try:
        fixed, computed = bench.get_metrics_from_spec(spec)
    except KeyError:
        return "key"
    return (fixed["module_adjacency"].tolist(), fixed["module_operations"], computed)


def test_epochs_are_checked_first(nasbench: api.NASBench, loaded: Any) -> None:
    disconnected = api.ModelSpec([[0, 0], [0, 0]], [INPUT, OUTPUT])
    with pytest.raises(api.OutOfDomainError) as info:
        nasbench.query(disconnected, epochs=100)
    # The set's repr as the official loader builds it from this file (budgets in file order).
    expected = f"invalid number of epochs, must be one of {loaded[2]}"
    assert (
        str(info.value) == expected == ("invalid number of epochs, must be one of {108, 4, 12, 36}")
    )


def test_valid_spec_missing_from_the_data_is_a_key_error(nasbench: api.NASBench) -> None:
    six = _chain(6, [INPUT] + [OPS[2]] * 4 + [OUTPUT])  # valid, but this file stops at 5
    assert nasbench.is_valid(six)
    state = random.getstate()
    for call in (nasbench.query, nasbench.get_metrics_from_spec):
        with pytest.raises(KeyError):
            call(six)
    with pytest.raises(NotInDatabaseError, match="is not in"):
        nasbench.get_metrics_from_hash("0" * 32)
    assert random.getstate() == state and nasbench.get_budget_counters() == (0.0, 0)


def test_get_metrics_match_the_official_loader_for_every_cell(
    nasbench: api.NASBench, loaded: Any
) -> None:
    fixed_stats, computed_stats, _ = loaded
    # The notebook's analysis loop.
    for module_hash in nasbench.hash_iterator():
        fixed, computed = nasbench.get_metrics_from_hash(module_hash)
        _assert_fixed_equal(fixed, fixed_stats[module_hash])
        _assert_computed_equal(computed, computed_stats[module_hash])
    spec = api.ModelSpec(*_cell_spec(loaded, 77))
    fixed, computed = nasbench.get_metrics_from_spec(spec)
    _assert_fixed_equal(fixed, fixed_stats[list(fixed_stats)[77]])
    fixed["module_operations"].append("junk")  # fresh copies, as the official deep copies
    computed[108][0]["final_test_accuracy"] = -1.0
    again = nasbench.get_metrics_from_spec(spec)
    assert again[0]["module_operations"][-1] == OUTPUT
    assert again[1][108][0]["final_test_accuracy"] != -1.0
    assert nasbench.get_budget_counters() == (0.0, 0)


def _assert_fixed_equal(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    assert list(ours) == ["module_adjacency", "module_operations", "trainable_parameters"]
    assert ours["module_adjacency"].dtype == np.int8
    assert np.array_equal(ours["module_adjacency"], theirs["module_adjacency"])
    assert ours["module_operations"] == theirs["module_operations"]
    assert type(ours["module_operations"]) is list
    assert ours["trainable_parameters"] == theirs["trainable_parameters"]
    assert type(ours["trainable_parameters"]) is int


def _assert_computed_equal(ours: dict[int, Any], theirs: dict[int, Any]) -> None:
    assert ours == theirs  # same epochs, repeat order, keys and bit-identical floats
    for epochs, runs in ours.items():
        assert type(epochs) is int
        for run, expected in zip(runs, theirs[epochs], strict=True):
            assert list(run) == list(expected)
            assert all(type(value) is float for value in run.values())


def test_statistics_are_lazy_read_only_mappings(nasbench: api.NASBench, loaded: Any) -> None:
    fixed_stats, computed_stats, _ = loaded
    for view in (nasbench.fixed_statistics, nasbench.computed_statistics):
        assert isinstance(view, Mapping)
        assert len(view) == len(fixed_stats) == 2532
        assert list(view) == list(fixed_stats)  # first-appearance order
        with pytest.raises(TypeError):
            view["x"] = {}  # type: ignore[index]
        assert "f" * 32 not in view and 5 not in view and list(fixed_stats)[9] in view
        assert view.get("f" * 32) is None
        with pytest.raises(KeyError):
            view["f" * 32]
    some = list(fixed_stats)[::250]
    for module_hash in some:
        _assert_fixed_equal(nasbench.fixed_statistics[module_hash], fixed_stats[module_hash])
        _assert_computed_equal(
            nasbench.computed_statistics[module_hash], computed_stats[module_hash]
        )
    # items()/values() stream page by page; same content as the loader's dicts.
    streamed = dict(nasbench.computed_statistics.items())
    assert list(streamed) == list(computed_stats)
    for module_hash, computed in streamed.items():
        _assert_computed_equal(computed, computed_stats[module_hash])
    for (module_hash, fixed), value in zip(
        nasbench.fixed_statistics.items(), nasbench.fixed_statistics.values(), strict=True
    ):
        _assert_fixed_equal(fixed, fixed_stats[module_hash])
        _assert_fixed_equal(value, fixed_stats[module_hash])
    # A returned value is a copy: changing it changes nothing.
    first = some[0]
    nasbench.fixed_statistics[first]["trainable_parameters"] = -1
    assert nasbench.fixed_statistics[first]["trainable_parameters"] > 0
    # Native API: the same views.
    assert isinstance(nasbench._api.fixed_statistics, type(nasbench.fixed_statistics))


def test_hash_iterator_and_attributes(
    nasbench: api.NASBench, database: Path, loaded: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    hashes = nasbench.hash_iterator()
    assert isinstance(hashes, KeysView)
    assert len(hashes) == 2532 and list(hashes) == list(loaded[0])
    assert list(loaded[0])[100] in hashes and "nope" not in hashes
    assert nasbench.valid_epochs == {4, 12, 36, 108} and isinstance(nasbench.valid_epochs, set)
    assert nasbench.config == config.build_config()
    assert nasbench.dataset_file == database
    assert nasbench.history == {}
    capsys.readouterr()
    with api.NASBench(str(database)) as again:
        assert again.dataset_file == str(database)
    out = capsys.readouterr().out
    assert re.fullmatch(
        r"Loading dataset from file\.\.\. This may take a few minutes\.\.\.\n"
        r"Loaded dataset in \d+ seconds\n",
        out,
    )


def test_evaluate_says_training_is_not_offered(nasbench: api.NASBench) -> None:
    spec = _chain(3, [INPUT, OPS[0], OUTPUT])
    with pytest.raises(api.TrainingNotOfferedError, match="TensorFlow") as info:
        nasbench.evaluate(spec, "/tmp/model_dir")
    assert isinstance(info.value, NotImplementedError)


def test_hash_spec_helper(nasbench: api.NASBench, loaded: Any) -> None:
    spec = api.ModelSpec(*_cell_spec(loaded, 42))
    assert nasbench._hash_spec(spec) == list(loaded[0])[42]


# --------------------------------------------------------------------------------------------
# The official file itself


def test_constructor_takes_the_official_tfrecord(
    source: Path, loaded: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NASBENCH_LITE_CACHE", str(tmp_path / "cache"))
    with api.NASBench(source, seed=4) as first:
        spec = api.ModelSpec(*_cell_spec(loaded, 500))
        values = [first.query(spec)["validation_accuracy"] for _ in range(10)]
        assert list(first.hash_iterator()) == list(loaded[0])
    built = sorted((tmp_path / "cache").glob("*.sqlite"))
    assert len(built) == 1
    stamp = built[0].stat().st_mtime_ns
    with api.NASBench(str(source), seed=4) as second:  # reused, not rebuilt
        assert [second.query(spec)["validation_accuracy"] for _ in range(10)] == values
    assert built[0].stat().st_mtime_ns == stamp
    reference = OfficialNASBench(loaded, seed=4)
    assert [reference.query(spec)["validation_accuracy"] for _ in range(10)] == values


def test_missing_file_is_a_typed_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NASBENCH_LITE_CACHE", str(tmp_path / "cache"))
    from nasbench_lite.errors import NasbenchLiteError

    with pytest.raises(NasbenchLiteError, match="nowhere.tfrecord"):
        api.NASBench(tmp_path / "nowhere.tfrecord")


# --------------------------------------------------------------------------------------------
# An unmodified script, through the zero-change runner

SCRIPT = """\
import random
import sys

import numpy as np
from nasbench import api
from nasbench.lib import graph_util

nasbench = api.NASBench(sys.argv[1], seed=int(sys.argv[2]))
ops = nasbench.config["available_ops"]
found = 0
while found < 40:
    rows = [[int(random.random() < 0.5) for _ in range(5)] for _ in range(5)]
    matrix = np.triu(np.array(rows), 1)
    labels = ["input"] + [random.choice(ops) for _ in range(3)] + ["output"]
    spec = api.ModelSpec(matrix=matrix, ops=labels)
    if not nasbench.is_valid(spec):
        continue
    data = nasbench.query(spec, epochs=random.choice([4, 12, 36, 108]), stop_halfway=found % 3 == 0)
    labelling = [-1] + [ops.index(op) for op in spec.ops[1:-1]] + [-2]
    print(graph_util.hash_module(spec.matrix, labelling), data["module_operations"],
          repr(data["validation_accuracy"]), repr(data["training_time"]))
    found += 1
print(nasbench.get_budget_counters())
"""


def test_unmodified_script_prints_what_the_official_package_would(
    tmp_path: Path,
    database: Path,
    loaded: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    script = tmp_path / "search.py"
    script.write_text(SCRIPT, encoding="utf-8")
    ran = subprocess.run(
        [sys.executable, "-m", "nasbench_lite.compat", str(script), str(database), "7"],
        capture_output=True,
        text=True,
        check=True,
    )
    # The same script on the in-memory official semantics, as the official package.
    official = types.ModuleType("nasbench")
    official_api = types.ModuleType("nasbench.api")
    official_api.NASBench = lambda path, seed=None: OfficialNASBench(loaded, seed)  # type: ignore[attr-defined]
    official_api.ModelSpec = nb101.ModelSpec  # type: ignore[attr-defined]
    official_lib = types.ModuleType("nasbench.lib")
    official_graph_util = types.ModuleType("nasbench.lib.graph_util")
    official_graph_util.hash_module = reference_hash  # type: ignore[attr-defined]
    official.api, official.lib = official_api, official_lib  # type: ignore[attr-defined]
    official_lib.graph_util = official_graph_util  # type: ignore[attr-defined]
    for name, module in [
        ("nasbench", official),
        ("nasbench.api", official_api),
        ("nasbench.lib", official_lib),
        ("nasbench.lib.graph_util", official_graph_util),
    ]:
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setattr(sys, "argv", [str(script), str(database), "7"])
    capsys.readouterr()
    runpy.run_path(str(script), run_name="__main__")
    expected = capsys.readouterr().out
    assert ran.stdout == expected
    assert len(expected.splitlines()) == 43
    assert "nasbench" in ran.stderr  # the runner says the alias is active


def test_native_query_takes_a_repeat_index_or_a_drawing_callable(
    database: Path, loaded: Any
) -> None:
    from nasbench_lite.errors import InvalidInputError

    module_hash = list(loaded[0])[600]
    spec = nb101.ModelSpec(*_cell_spec(loaded, 600))
    runs = loaded[1][module_hash][36]
    with native_api.NASBench(database, seed=1) as native:
        state = native._rng.getstate()
        for index in range(3):
            data = native.query(spec, epochs=36, repeat=index)
            assert data["test_accuracy"] == runs[index]["final_test_accuracy"]
        asked: list[int] = []
        data = native.query(spec, 36, True, repeat=lambda n: asked.append(n) or 2)
        assert asked == [3] and data["test_accuracy"] == runs[2]["halfway_test_accuracy"]
        assert native._rng.getstate() == state  # its own generator untouched
        assert native.get_budget_counters()[1] == 3 * 36 + 18
        for bad in (3, -1, 1.5, True):
            with pytest.raises((InvalidInputError, NotInDatabaseError)):
                native.query(spec, epochs=36, repeat=bad)  # type: ignore[arg-type]
        assert native.get_budget_counters()[1] == 3 * 36 + 18  # failures cost nothing
        _assert_fixed_equal(native.fixed_statistics[module_hash], loaded[0][module_hash])
        _assert_computed_equal(native.computed_statistics[module_hash], loaded[1][module_hash])
