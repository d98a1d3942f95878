"""The single-spec fast path (issue #16): native check/prune/hash, lazy arrays, row cache.

``ModelSpec`` takes small 0/1 matrices through ``_native.nb101_spec_digest`` and builds its
ndarray attributes only when read; everything else goes the general (numpy) way. These tests
hold both paths to the pure-Python transcription of the original (``nb101_reference``) and to
each other, check that reading or changing the attributes behaves as in the original, that a
spec, its checks and its hash never import numpy, and that ``NASBench.query``'s per-object row
cache returns fresh, correct values. No timing is asserted (see
``benchmarks/bench_nb101_search.py``).
"""

from __future__ import annotations

import copy
import pickle
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import nb101_tfrecord as tfr
import numpy as np
import pytest
from nasbench_lite import _native, nb101
from nasbench_lite.benchmarks.nb101.build import build_nb101
from nasbench_lite.errors import NotInDatabaseError, OutOfDomainError
from nasbench_lite.nb101 import ModelSpec, check_spec, is_valid
from nasbench_lite.nb101.api import NASBench
from nasbench_lite.spaces.nb101 import spec as spec_module
from nb101_reference import (
    CONV1X1,
    CONV3X3,
    INPUT,
    MAXPOOL3X3,
    OPS,
    OUTPUT,
    reference_check,
    reference_hash,
    reference_prune,
    spec_labels,
)

INCEPTION = [
    [0, 1, 1, 1, 0, 1, 0],
    [0, 0, 0, 0, 0, 0, 1],
    [0, 0, 0, 0, 0, 0, 1],
    [0, 0, 0, 0, 1, 0, 0],
    [0, 0, 0, 0, 0, 0, 1],
    [0, 0, 0, 0, 0, 0, 1],
    [0, 0, 0, 0, 0, 0, 0],
]
INCEPTION_OPS = [INPUT, CONV1X1, CONV3X3, CONV3X3, CONV3X3, MAXPOOL3X3, OUTPUT]
INCEPTION_HASH = "28cfc7874f6d200472e1a9dcd8650aa0"


def random_spec(rng: random.Random) -> tuple[list[list[int]], list[str]]:
    """A random upper-triangular 0/1 matrix of 2..8 vertices with mostly in-domain ops."""
    n = rng.randint(2, 8)
    matrix = [[int(y > x and rng.random() < 0.4) for y in range(n)] for x in range(n)]
    pool = [*OPS, *OPS, "identity"]
    ops = [INPUT, *(rng.choice(pool) for _ in range(n - 2)), OUTPUT]
    return matrix, ops


def general_path(matrix: list[list[int]], ops: list[str]) -> ModelSpec:
    """The same spec forced through the numpy path (float entries never take the fast one)."""
    return ModelSpec(np.array(matrix, dtype=np.float64), ops)


@pytest.mark.parametrize("seed", range(4))
def test_fast_path_matches_reference_and_general_path(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(300):
        matrix, ops = random_spec(rng)
        for given in (matrix, np.array(matrix)):
            spec = ModelSpec(given, ops)
            assert spec._entries is not None  # took the fast path
            slow = general_path(matrix, ops)
            pruned_matrix, pruned_ops = reference_prune(matrix, ops)
            assert spec.valid_spec is slow.valid_spec is (pruned_matrix is not None)
            assert spec.ops == slow.ops == pruned_ops
            assert (
                is_valid(spec)
                is is_valid(slow)
                is (reference_check(*reference_prune(matrix, ops)) is None)
            )
            if pruned_matrix is None:
                assert spec.matrix is None
                continue
            labels = spec_labels(pruned_ops) if all(op in OPS for op in pruned_ops[1:-1]) else None
            if labels is None:
                with pytest.raises(OutOfDomainError, match="^unsupported op identity"):
                    spec.hash_spec()
            else:
                assert spec.hash_spec() == slow.hash_spec() == reference_hash(pruned_matrix, labels)
            assert spec.matrix is not None and spec.matrix.tolist() == pruned_matrix
            assert spec.original_matrix.tolist() == matrix


def _native_init(matrix: Any, ops: list[Any]) -> dict[str, Any] | None:
    """The attributes ``_native.nb101_spec_init`` writes for ``matrix`` / ``ops``, or None when
    it declines (and then it must have written only the constructor's first two: ``_digest``
    keeps its class default, None)."""
    state: dict[str, Any] = {}
    keys, unset = spec_module._OP_KEYS, spec_module._UNSET
    if _native.nb101_spec_init(state, matrix, ops, "channels_last", keys, unset):
        return state
    assert state == {"data_format": "channels_last", "original_ops": list(ops)}
    return None


def test_native_init_declines_what_the_general_path_owns() -> None:
    chain = [[0, 1, 0], [0, 0, 1], [0, 0, 0]]
    ops = [INPUT, CONV3X3, OUTPUT]
    state = _native_init(chain, ops)
    assert state is not None
    assert (state["_kept"], state["_num_edges"]) == (0b111, 2)
    assert state["_digest"] == state["_checked"] == "b49ac8c578b4561d79ac7087988f1c61"
    assert state["_entries"] == bytes([0, 1, 0, 0, 0, 1, 0, 0, 0]) and state["_dtype"] is int
    assert state["ops"] == state["_hashed_ops"] == ops and state["ops"] is not ops
    booleans = _native_init([[False, True], [False, False]], [INPUT, OUTPUT])
    assert booleans is not None and booleans["_dtype"] is bool
    assert _native_init(chain, [INPUT, [CONV3X3], OUTPUT]) is None  # unhashable op
    for bad in (
        [[0, 2, 0], [0, 0, 1], [0, 0, 0]],  # weighted entry
        [[0, 1, 0], [1, 0, 1], [0, 0, 0]],  # below the diagonal
        [[0, 1.0, 0], [0, 0, 1], [0, 0, 0]],  # float entry
        [[0, 1], [0, 0, 1], [0, 0, 0]],  # ragged
        [[0, 1, 0], [0, 0, 1]],  # not square
        (tuple(row) for row in chain),  # not a list
        [[0, np.int64(1), 0], [0, 0, 1], [0, 0, 0]],  # numpy scalar: dtype must come from numpy
    ):
        assert _native_init(bad, ops) is None
    assert _native_init([[0] * 9 for _ in range(9)], [INPUT] * 9) is None  # more than 8


def test_constructor_copies_any_iterable_of_ops_first() -> None:
    chain = [[0, 1, 0], [0, 0, 1], [0, 0, 0]]
    ops = [INPUT, CONV3X3, OUTPUT]
    for given in (tuple(ops), iter(ops), (op for op in ops)):
        spec = ModelSpec(chain, given, "channels_first")  # type: ignore[arg-type]
        assert list(vars(spec))[:3] == ["data_format", "original_ops", "_digest"]
        assert "_original" not in vars(spec)  # the class default until original_matrix is read
        assert spec.original_matrix.tolist() == chain and "_original" in vars(spec)
        assert spec.original_ops == ops and type(spec.original_ops) is list
        assert spec.data_format == "channels_first"
        assert spec.hash_spec() == "b49ac8c578b4561d79ac7087988f1c61"
    with pytest.raises(ValueError, match="ops must be Sequence, got int 3"):
        ModelSpec(chain, 3)  # type: ignore[arg-type]
    general = ModelSpec(np.array(chain, dtype=float), tuple(ops))
    assert list(vars(general))[:2] == ["data_format", "original_ops"]
    assert general._digest is None
    assert general.original_ops == ops and general.ops == ops


def test_native_init_keeps_the_unknown_op_out_of_the_verdict() -> None:
    chain = [[0, 1, 0], [0, 0, 1], [0, 0, 0]]
    for ops in ([INPUT, "identity", OUTPUT], [OUTPUT, CONV3X3, INPUT], [INPUT, INPUT, OUTPUT]):
        for _ in range(2):  # the second time the pruned cell's hash may come from the memo
            state = _native_init(chain, ops)
            assert state is not None and state["_checked"] == "" and state["ops"] == ops
            assert state["_digest"] is None  # outside the space: not hashed at construction
    # ... but hashed on request, as the original hashes any connected spec.
    swapped = ModelSpec(chain, [OUTPUT, CONV3X3, INPUT])
    assert swapped._digest is None and not is_valid(swapped)
    assert swapped.hash_spec() == "b49ac8c578b4561d79ac7087988f1c61" == swapped._digest
    assert swapped._matrix is spec_module._UNSET  # no array built for it
    inside = _native_init(chain, [INPUT, CONV3X3, OUTPUT])
    assert inside is not None and inside["_digest"] == "b49ac8c578b4561d79ac7087988f1c61"
    disconnected = _native_init([[0, 0], [0, 0]], [INPUT, OUTPUT])
    assert disconnected is not None and disconnected["valid_spec"] is False
    assert disconnected["ops"] is None and disconnected["_checked"] == ""


def test_native_digest_of_the_construction_state() -> None:
    # 0 -> 1 -> 3 plus a dead end 0 -> 2 (pruned): the pruned chain's hash, whatever vertex 2's op.
    entries = bytes([0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0])
    keys = spec_module._OP_KEYS
    chain = reference_hash([[0, 1, 0], [0, 0, 1], [0, 0, 0]], [-1, 0, -2])
    assert _native.nb101_spec_digest(entries, 0b1011, [INPUT, CONV3X3, OUTPUT], keys) == chain
    # First and last kept vertices are input / output whatever their op names, as hash_spec.
    assert _native.nb101_spec_digest(entries, 0b1011, [OUTPUT, CONV3X3, INPUT], keys) == chain
    assert _native.nb101_spec_digest(entries, 0b1011, [INPUT, "identity", OUTPUT], keys) is None
    for kept, ops in (
        (0b1111, [INPUT, CONV3X3, OUTPUT]),  # ops do not match the kept count
        (0b0111, [INPUT, CONV3X3, OUTPUT]),  # not what pruning these entries keeps
        (0, []),  # disconnected
        (0b1000_1011, [INPUT, CONV3X3, OUTPUT, OUTPUT]),  # beyond the 4 vertices
    ):
        assert _native.nb101_spec_digest(entries, kept, ops, keys) is None
    assert _native.nb101_spec_digest(entries[:-1], 0b1011, [INPUT, CONV3X3, OUTPUT], keys) is None


@pytest.mark.parametrize(
    ("given", "dtype"),
    [
        (INCEPTION, np.array(INCEPTION).dtype),
        ([[bool(x) for x in row] for row in INCEPTION], np.bool_),
        ([[x if x else False for x in row] for row in INCEPTION], np.array(INCEPTION).dtype),
        (np.array(INCEPTION, dtype=np.int8), np.int8),
        (np.array(INCEPTION, dtype=np.uint16), np.uint16),
        (np.array(INCEPTION, dtype=bool), np.bool_),
    ],
)
def test_lazy_arrays_have_the_dtype_of_np_array(given: Any, dtype: Any) -> None:
    spec = ModelSpec(given, INCEPTION_OPS)
    assert spec.hash_spec() == INCEPTION_HASH
    assert spec.original_matrix.dtype == np.dtype(dtype)
    assert spec.matrix is not None and spec.matrix.dtype == np.dtype(dtype)
    assert spec.original_matrix.tolist() == np.array(given).tolist()


def test_spec_keeps_a_copy_of_list_input() -> None:
    matrix = [row[:] for row in INCEPTION]
    ops = list(INCEPTION_OPS)
    spec = ModelSpec(matrix, ops)
    matrix[0][1] = 0
    ops[1] = CONV3X3
    assert spec.original_matrix.tolist() == INCEPTION
    assert spec.original_ops == INCEPTION_OPS
    assert spec.hash_spec() == INCEPTION_HASH


def test_changes_to_the_handed_out_matrix_and_ops_are_seen_as_in_the_original() -> None:
    spec = ModelSpec(INCEPTION, INCEPTION_OPS)
    assert spec.hash_spec() == INCEPTION_HASH
    assert spec.ops is not None
    spec.ops[1] = CONV3X3  # the original hashes self.ops as it is now
    changed = list(INCEPTION_OPS)
    changed[1] = CONV3X3
    assert spec.hash_spec() == reference_hash(INCEPTION, spec_labels(changed))
    spec.ops[1] = CONV1X1
    assert spec.hash_spec() == INCEPTION_HASH
    matrix = spec.matrix
    assert matrix is not None
    matrix[0, 5] = 0  # in place, as client code may do
    expected = [row[:] for row in INCEPTION]
    expected[0][5] = 0
    assert spec.hash_spec() == reference_hash(expected, spec_labels(INCEPTION_OPS))
    assert int(spec.matrix.sum()) == 8
    spec.matrix = np.array(INCEPTION)
    assert spec.hash_spec() == INCEPTION_HASH
    # Non-default canonical ops relabel, exactly as the general path does, in any sequence type.
    other = [MAXPOOL3X3, CONV3X3, CONV1X1]
    for canonical in (other, tuple(other), np.array(other)):
        assert ModelSpec(INCEPTION, INCEPTION_OPS).hash_spec(canonical) == reference_hash(
            INCEPTION, spec_labels(INCEPTION_OPS, other)
        )
    for canonical in (list(OPS), tuple(OPS), np.array(OPS)):
        assert ModelSpec(INCEPTION, INCEPTION_OPS).hash_spec(canonical) == INCEPTION_HASH
    replaced = ModelSpec(INCEPTION, INCEPTION_OPS)
    replaced.ops = np.array(changed)  # type: ignore[assignment]
    assert replaced.hash_spec() == reference_hash(INCEPTION, spec_labels(changed))


def test_copied_and_pickled_specs_keep_their_lazy_state() -> None:
    for given in (INCEPTION, np.array(INCEPTION, dtype=np.int32)):
        spec = ModelSpec(given, INCEPTION_OPS)
        for twin in (copy.copy(spec), copy.deepcopy(spec), pickle.loads(pickle.dumps(spec))):
            assert twin.hash_spec() == INCEPTION_HASH
            assert is_valid(twin)
            assert twin.matrix is not None and twin.matrix.tolist() == INCEPTION
            assert twin.original_matrix.dtype == np.array(given).dtype
        assert spec.matrix is not None and spec.matrix.tolist() == INCEPTION


def _generic_deepcopy(value: Any) -> Any:
    """``copy.deepcopy`` through the generic protocol (``ModelSpec.__deepcopy__`` bypassed)."""
    saved = ModelSpec.__deepcopy__
    del ModelSpec.__deepcopy__  # type: ignore[misc]
    try:
        return copy.deepcopy(value)
    finally:
        ModelSpec.__deepcopy__ = saved  # type: ignore[method-assign]


def _same_state(mine: ModelSpec, generic: ModelSpec) -> None:
    assert type(mine) is type(generic) is ModelSpec
    assert list(vars(mine)) == list(vars(generic))
    for name, value in vars(generic).items():
        ours = vars(mine)[name]
        assert type(ours) is type(value), name
        if isinstance(value, np.ndarray):
            assert ours.dtype == value.dtype and np.array_equal(ours, value), name
        else:
            assert ours == value, name


def test_deepcopy_of_a_spec_equals_the_generic_deep_copy() -> None:
    specs = [
        ModelSpec(INCEPTION, INCEPTION_OPS),
        ModelSpec(np.array(INCEPTION, dtype=np.int32), INCEPTION_OPS),
        ModelSpec([[0, 0], [0, 0]], [INPUT, OUTPUT]),  # invalid: matrix / ops None
        general_path(INCEPTION, INCEPTION_OPS),  # the numpy path: arrays already built
    ]
    read = ModelSpec(INCEPTION, INCEPTION_OPS)
    read.matrix  # noqa: B018 -- handed out: the copy must carry the array
    read.extra = {"note": [1, 2]}  # type: ignore[attr-defined]  # a caller's own attribute
    specs.append(read)
    for spec in specs:
        mine, generic = copy.deepcopy(spec), _generic_deepcopy(spec)
        _same_state(mine, generic)
        assert mine is not spec and mine.original_ops is not spec.original_ops
        if spec.valid_spec:
            assert mine.hash_spec() == spec.hash_spec() and is_valid(mine)
            assert np.array_equal(mine.original_matrix, spec.original_matrix)
            assert mine.original_matrix is not spec.original_matrix
            mine.original_matrix[0, 1] = 0  # the copy owns its arrays
            assert spec.original_matrix[0, 1] == 1
    assert read.extra is not copy.deepcopy(read).extra  # type: ignore[attr-defined]


def test_deepcopy_of_specs_keeps_shared_objects_shared() -> None:
    spec = ModelSpec(INCEPTION, INCEPTION_OPS)
    spec.ops = spec.original_ops  # one list under two names
    twins = copy.deepcopy([spec, spec, spec.original_ops])
    assert twins[0] is twins[1]
    assert twins[0].ops is twins[0].original_ops is twins[2]
    generic = _generic_deepcopy([spec, spec.original_ops])
    assert generic[0].ops is generic[0].original_ops is generic[1]


def test_check_spec_on_the_fast_path_reports_the_original_messages() -> None:
    too_many = [[int(y > x) for y in range(7)] for x in range(7)]  # 21 edges
    with pytest.raises(OutOfDomainError, match=r"^too many edges, got 21 \(max edges = 9\)$"):
        check_spec(ModelSpec(too_many, INCEPTION_OPS))
    with pytest.raises(OutOfDomainError, match=r"^first operation should be 'input'$"):
        check_spec(ModelSpec(INCEPTION, [CONV3X3, *INCEPTION_OPS[1:]]))
    with pytest.raises(OutOfDomainError, match=r"^invalid spec, provided graph is disconnected\.$"):
        check_spec(ModelSpec([[0, 0], [0, 0]], [INPUT, OUTPUT]))


def test_a_spec_its_checks_and_its_hash_do_not_import_numpy() -> None:
    code = (
        "import sys\n"
        "from nasbench_lite.nb101 import ModelSpec, is_valid\n"
        f"spec = ModelSpec({INCEPTION!r}, {INCEPTION_OPS!r})\n"
        "assert is_valid(spec)\n"
        "print(spec.hash_spec(), 'numpy' in sys.modules)\n"
        "spec.original_matrix\n"
        "print('numpy' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == [INCEPTION_HASH, "False", "True"]


def test_importing_nb101_imports_neither_numpy_nor_typing_nor_pathlib() -> None:
    code = (
        "import sys\n"
        "import nasbench_lite.nb101\n"
        "heavy = ('numpy', 'typing', 'pathlib', 're', 'inspect', 'dataclasses')\n"
        "print([name for name in heavy if name in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------------------------
# NASBench.query: per-object row cache


@pytest.fixture(scope="module")
def cells() -> list[tuple[str, Any, list[str]]]:
    return tfr.cells_from_rows(nb101.enumerate_cells(max_vertices=4).to_pylist())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, cells: Any) -> tuple[Path, Any]:
    directory = tmp_path_factory.mktemp("fastpath")
    source = directory / "nasbench_full.tfrecord"
    tfr.write_tfrecord(source, tfr.synthetic_dataset(cells, seed=3))
    build_nb101([source], directory / "nb101.sqlite")
    return directory / "nb101.sqlite", tfr.official_style_load(source)


def test_repeated_queries_return_fresh_correct_values(built: tuple[Path, Any], cells: Any) -> None:
    path, (fixed_stats, computed_stats, _) = built
    mirror = random.Random(5)
    with NASBench(path, seed=5) as nasbench:
        expected_time = 0.0
        for _ in range(3):
            for module_hash, matrix, ops in cells[:40]:
                for epochs in (108, 12):
                    data = nasbench.query(ModelSpec(matrix, ops), epochs=epochs)
                    run = computed_stats[module_hash][epochs][mirror.randint(0, 2)]
                    assert data["validation_accuracy"] == run["final_validation_accuracy"]
                    assert data["training_time"] == run["final_training_time"]
                    fixed = fixed_stats[module_hash]
                    assert np.array_equal(data["module_adjacency"], fixed["module_adjacency"])
                    assert data["module_adjacency"].dtype == np.int8
                    assert data["module_operations"] == fixed["module_operations"]
                    expected_time += run["final_training_time"]
                    # Callers own what they get: changing it changes no later answer.
                    data["module_adjacency"][:] = 9
                    data["module_operations"].append("changed")
        assert nasbench.get_budget_counters() == (pytest.approx(expected_time), 3 * 40 * 120)


def test_query_builds_the_adjacency_only_when_read(built: tuple[Path, Any], cells: Any) -> None:
    path, (fixed_stats, _, _) = built
    module_hash, matrix, ops = cells[7]
    expected = fixed_stats[module_hash]["module_adjacency"]
    with NASBench(path, seed=1) as nasbench:
        spec = ModelSpec(matrix, ops)
        plain = dict(nasbench.query(spec, repeat=0))
        assert type(plain) is dict and type(plain["module_adjacency"]) is np.ndarray
        reads = {
            "index": lambda r: r["module_adjacency"],
            "get": lambda r: r.get("module_adjacency"),
            "values": lambda r: list(r.values())[0],
            "items": lambda r: dict(r.items())["module_adjacency"],
            "dict()": lambda r: dict(r)["module_adjacency"],
            "unpack": lambda r: {**r}["module_adjacency"],
            "kwargs": lambda r: (lambda **kw: kw)(**r)["module_adjacency"],
            "update": lambda r: (lambda d: (d.update(r), d)[1])({})["module_adjacency"],
            "copy": lambda r: r.copy()["module_adjacency"],
            "deepcopy": lambda r: copy.deepcopy(r)["module_adjacency"],
            "pickle": lambda r: pickle.loads(pickle.dumps(r))["module_adjacency"],
            "pop": lambda r: r.pop("module_adjacency"),
            "or": lambda r: (r | {})["module_adjacency"],
            "ror": lambda r: ({} | r)["module_adjacency"],
        }
        for name, read in reads.items():
            data = nasbench.query(spec, repeat=0)
            assert isinstance(data, dict)
            assert list(data) == list(plain) and len(data) == 7 and "module_adjacency" in data
            array = read(data)
            assert type(array) is np.ndarray and array.dtype == np.int8, name
            assert np.array_equal(array, expected), name
        first, second = nasbench.query(spec, repeat=0), nasbench.query(spec, repeat=0)
        assert first["module_adjacency"] is not second["module_adjacency"]  # fresh per answer
        for twin in (copy.copy(first), copy.deepcopy(first), pickle.loads(pickle.dumps(first))):
            assert type(twin) is dict
        assert repr(second) == repr(plain) and str(second) == str(plain)
        third = nasbench.query(spec, repeat=0)
        assert third.pop("module_adjacency") is not None
        rest = {k: v for k, v in plain.items() if k != "module_adjacency"}
        assert third == rest and rest == third
        assert not third.__ne__(rest)
        other = nasbench.query(spec, repeat=0)
        other["module_adjacency"] = "replaced"  # a caller's own value is kept as given
        assert other["module_adjacency"] == "replaced"
        assert other.get("module_adjacency") == "replaced"


def test_a_native_cold_query_does_not_import_numpy(built: tuple[Path, Any], cells: Any) -> None:
    path, (fixed_stats, computed_stats, _) = built
    module_hash, matrix, ops = cells[11]
    code = (
        "import sys\n"
        "from nasbench_lite.nb101 import api\n"
        f"nasbench = api.NASBench({str(path)!r}, seed=0)\n"
        f"data = nasbench.query(api.ModelSpec({matrix!r}, {ops!r}), repeat=2)\n"
        "print(data['validation_accuracy'], data['test_accuracy'], 'numpy' in sys.modules)\n"
        "heavy = ('typing', 'pathlib', 're', 'inspect', 'dataclasses', 'threading',\n"
        "         'urllib.parse', 'importlib.resources')\n"
        "print([name for name in heavy if name in sys.modules])\n"
        "adjacency = data['module_adjacency']\n"
        "print(type(adjacency).__name__, adjacency.dtype, adjacency.tolist())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    run = computed_stats[module_hash][108][2]
    accuracies = f"{run['final_validation_accuracy']!r} {run['final_test_accuracy']!r}"
    assert out[0] == f"{accuracies} False"
    # The open path's imports (#16 cold-start target): keep these out of it.
    assert out[1] == "[]"
    expected = fixed_stats[module_hash]["module_adjacency"].tolist()
    assert out[2] == f"ndarray int8 {expected}"


def test_compat_query_returns_a_plain_dict(built: tuple[Path, Any], cells: Any) -> None:
    from nasbench_lite.compat.nasbench import api as compat_api

    path, (fixed_stats, _, _) = built
    module_hash, matrix, ops = cells[3]
    nasbench = compat_api.NASBench(str(path), seed=0)
    try:
        data = nasbench.query(compat_api.ModelSpec(matrix, ops))
    finally:
        nasbench.close()
    assert type(data) is dict and type(data["module_adjacency"]) is np.ndarray
    assert np.array_equal(data["module_adjacency"], fixed_stats[module_hash]["module_adjacency"])


def test_argument_errors_still_name_the_parameter(built: tuple[Path, Any]) -> None:
    """Annotations naming what modules import only for type checking (Callable, Any, TypeVars)
    still resolve when a call fails, so the typed error names the parameter."""
    from nasbench_lite.errors import InvalidInputError

    path, _ = built
    with NASBench(path, seed=0) as nasbench:
        with pytest.raises(InvalidInputError, match=r"query\(\): model_spec must be ModelSpec"):
            nasbench.query("not a spec")  # type: ignore[arg-type]
        with pytest.raises(InvalidInputError, match=r"draw\(\): sample must be Callable"):
            nasbench.draw(5)  # type: ignore[arg-type]


def test_unknown_hash_is_not_cached_as_found(built: tuple[Path, Any]) -> None:
    path, _ = built
    seven = ModelSpec(INCEPTION, INCEPTION_OPS)  # 7 vertices: not in a <= 4-vertex database
    with NASBench(path, seed=0) as nasbench:
        for _ in range(2):
            with pytest.raises(NotInDatabaseError):
                nasbench.query(seven)
        assert nasbench.get_budget_counters() == (0.0, 0)


# --------------------------------------------------------------------------------------------
# ndarray input: raw-buffer path, per-input memo, construction-time verdict


@pytest.mark.parametrize(
    "dtype", [np.int8, np.uint8, np.int16, np.uint16, np.int32, np.int64, np.uint64, np.bool_]
)
def test_array_input_of_any_native_dtype_matches_the_list_path(dtype: Any) -> None:
    rng = random.Random(11)
    for _ in range(150):
        matrix, ops = random_spec(rng)
        array = np.array(matrix, dtype=dtype)
        for given in (array, np.asfortranarray(array), array.T.copy().T):
            spec, listed = ModelSpec(given, ops), ModelSpec(matrix, ops)
            assert spec.valid_spec is listed.valid_spec
            assert spec.ops == listed.ops and spec.ops is not ops
            assert is_valid(spec) is is_valid(listed)
            assert spec.original_matrix.dtype == array.dtype
            assert spec.original_matrix.tolist() == array.tolist()
            if listed.valid_spec and is_valid(listed):
                assert spec.hash_spec() == listed.hash_spec()
                assert spec.matrix is not None and listed.matrix is not None
                assert spec.matrix.tolist() == listed.matrix.tolist()
                assert spec.matrix.dtype == array.dtype


def test_array_inputs_outside_the_raw_path_take_the_general_one() -> None:
    big_endian = np.array(INCEPTION, dtype=">i4")
    spec = ModelSpec(big_endian, INCEPTION_OPS)
    assert spec.hash_spec() == INCEPTION_HASH
    assert spec.original_matrix.dtype == np.dtype(">i4")
    with pytest.raises(ValueError, match="matrix must be square"):
        ModelSpec(np.array(INCEPTION).reshape(-1), INCEPTION_OPS)
    with pytest.raises(ValueError, match="length of ops must match"):
        ModelSpec(np.array(INCEPTION), INCEPTION_OPS[:-1])
    weighted = np.array(INCEPTION) * 2
    assert (
        ModelSpec(weighted, INCEPTION_OPS).hash_spec()
        == ModelSpec(weighted.tolist(), INCEPTION_OPS).hash_spec()
    )
    unhashable = [INPUT, [CONV3X3], OUTPUT]
    with pytest.raises(ValueError):  # the general path owns the message
        ModelSpec(np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]]), unhashable).hash_spec()


def test_native_init_reads_arrays_and_declines_what_the_general_path_owns() -> None:
    ops = [INPUT, CONV3X3, OUTPUT]
    chain = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]], dtype=np.int64)
    for given in (chain, chain.T.copy().T, np.asfortranarray(chain), chain[::1, ::1]):
        state = _native_init(given, ops)
        assert state is not None and state["_dtype"] is given.dtype
        assert state["_entries"] == bytes(chain.ravel().tolist())
        assert state["_digest"] == "b49ac8c578b4561d79ac7087988f1c61"
    padded = np.zeros((6, 6), dtype=np.int32)
    padded[::2, ::2] = chain
    strided = _native_init(padded[::2, ::2], ops)
    assert strided is not None and strided["_entries"] == bytes(chain.ravel().tolist())
    flipped = chain[::-1, ::-1].copy()[::-1, ::-1]  # negative strides
    assert flipped.strides[0] < 0
    assert _native_init(flipped, ops) == _native_init(chain, ops)
    for bad in (
        chain * 2,  # weighted entry
        chain.T,  # below the diagonal
        chain - 1,  # negative entries
        chain.astype(">i4"),  # byte order
        chain.astype(np.float64),  # float dtype
        chain.reshape(1, 3, 3),  # three dimensions
        chain[:2],  # not square
        np.ma.masked_array(chain),  # a subclass
    ):
        assert _native_init(bad, ops) is None


def test_specs_of_one_input_share_nothing_mutable() -> None:
    array = np.array(INCEPTION)
    first, second = ModelSpec(array, INCEPTION_OPS), ModelSpec(array.copy(), INCEPTION_OPS)
    assert first.ops is not second.ops and first.original_ops is not second.original_ops
    assert first.original_matrix is not second.original_matrix
    first.original_matrix[0, 1] = 0
    assert first.ops is not None
    first.ops[1] = MAXPOOL3X3
    assert second.original_matrix[0, 1] == 1 and second.ops == INCEPTION_OPS
    assert second.hash_spec() == INCEPTION_HASH and is_valid(second)
    third = ModelSpec(array, INCEPTION_OPS)
    assert third.ops == INCEPTION_OPS and third.original_matrix.tolist() == INCEPTION


class _SubSpec(ModelSpec):
    """A user's subclass: the fast path must give it the same state as ModelSpec."""


@pytest.mark.parametrize("seed", [3, 4])
def test_array_specs_hold_the_state_of_list_specs_and_subclasses(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(300):
        matrix, ops = random_spec(rng)
        given = ModelSpec(np.array(matrix), ops)
        again = ModelSpec(np.array(matrix), ops)  # from the memo of built inputs
        listed = ModelSpec(matrix, ops)
        derived = _SubSpec(np.array(matrix), ops)
        assert list(vars(given)) == list(vars(listed)) == list(vars(again))
        assert sorted(vars(derived)) == sorted(vars(given))
        for name, value in vars(given).items():
            for other in (again, listed, derived):
                assert vars(other)[name] == value, name
        assert given.original_ops is not again.original_ops
        assert given.ops is None or given.ops is not again.ops
        assert is_valid(given) == is_valid(derived) == is_valid(listed)
        if is_valid(given):
            assert given.hash_spec() == derived.hash_spec() == listed.hash_spec()


def test_original_matrix_changes_do_not_reach_the_pruned_matrix() -> None:
    # The original prunes at construction: self.matrix is fixed before anyone can touch
    # original_matrix, so changing it later changes neither matrix nor the hash.
    spec = ModelSpec(np.array(INCEPTION), INCEPTION_OPS)
    spec.original_matrix[0, :] = 0
    assert spec.matrix is not None and spec.matrix.tolist() == INCEPTION
    assert spec.hash_spec() == INCEPTION_HASH


def test_the_construction_verdict_follows_every_change() -> None:
    spec = ModelSpec(np.array(INCEPTION), INCEPTION_OPS)
    assert spec._fast_hash() == INCEPTION_HASH and is_valid(spec)
    spec.valid_spec = False
    assert not is_valid(spec)
    with pytest.raises(OutOfDomainError, match="disconnected"):
        check_spec(spec)
    spec.valid_spec = True
    assert is_valid(spec)
    assert spec.ops is not None
    spec.ops[1] = "identity"
    assert spec._fast_hash() is None and not is_valid(spec)
    with pytest.raises(OutOfDomainError, match="^unsupported op identity"):
        check_spec(spec)
    spec.ops[1] = CONV1X1
    assert is_valid(spec)
    matrix = spec.matrix
    assert matrix is not None and spec._fast_hash() is None  # handed out: general checks
    matrix[1, 2] = 1  # the 10th edge
    assert not is_valid(spec)
    with pytest.raises(OutOfDomainError, match=r"^too many edges, got 10"):
        check_spec(spec)
    too_many = np.triu(np.ones((7, 7), dtype=np.int64), 1)
    assert ModelSpec(too_many, INCEPTION_OPS)._fast_hash() == ""
    disconnected = ModelSpec(np.zeros((3, 3), dtype=np.int64), [INPUT, CONV3X3, OUTPUT])
    assert disconnected._fast_hash() == "" and not is_valid(disconnected)


def test_query_uses_the_verdict_and_honours_changes(built: tuple[Path, Any], cells: Any) -> None:
    path, (fixed_stats, computed_stats, _) = built
    module_hash, matrix, ops = cells[5]
    with NASBench(path, seed=0) as nasbench:
        spec = ModelSpec(np.array(matrix), ops)
        data = nasbench.query(spec, repeat=1)
        expected = computed_stats[module_hash][108][1]["final_test_accuracy"]
        assert data["test_accuracy"] == expected
        assert nasbench.is_valid(spec)
        spec.ops = [INPUT, *["identity"] * (len(ops) - 2), OUTPUT]
        if len(ops) > 2:
            assert not nasbench.is_valid(spec)
            with pytest.raises(OutOfDomainError, match="^unsupported op identity"):
                nasbench.query(spec)
        # Another op order in the config relabels the hash, as the original's hash_spec does.
        other = [MAXPOOL3X3, CONV3X3, CONV1X1]
        nasbench.config["available_ops"] = other
        fresh = ModelSpec(np.array(matrix), ops)
        relabelled = fresh.hash_spec(other)
        if relabelled in fixed_stats:
            got = nasbench.query(fresh, repeat=0)
            assert got["module_operations"] == fixed_stats[relabelled]["module_operations"]
        else:
            with pytest.raises(NotInDatabaseError):
                nasbench.query(fresh, repeat=0)


def test_drawn_repeats_outside_the_data_raise_typed_errors(
    built: tuple[Path, Any], cells: Any
) -> None:
    from nasbench_lite.errors import InvalidInputError

    path, (_, computed_stats, _) = built
    module_hash, matrix, ops = cells[9]
    with NASBench(path, seed=0) as nasbench:
        spec = ModelSpec(matrix, ops)
        with pytest.raises(InvalidInputError, match="repeat must be >= 0"):
            nasbench.query(spec, repeat=-1)
        for index in (3, 2**70):
            with pytest.raises(NotInDatabaseError, match="has 3 repeats at 108 epochs"):
                nasbench.query(spec, repeat=index)
        with pytest.raises(InvalidInputError, match="repeat must be an int"):
            nasbench.query(spec, repeat=True)
        for index in (np.int64(2), 2, 0):
            data = nasbench.query(spec, epochs=12, repeat=index)  # type: ignore[arg-type]
            run = computed_stats[module_hash][12][int(index)]
            assert data["validation_accuracy"] == run["final_validation_accuracy"]
        assert nasbench.get_budget_counters()[1] == 36


def test_hot_path_functions_translate_their_own_argument_errors() -> None:
    # ModelSpec.__init__, is_valid and check_spec run once or more per search step: they carry
    # no checking wrapper, yet wrong arguments still raise InvalidInputError naming the
    # parameter, as check_public's wrapper would.
    from nasbench_lite.errors import InvalidInputError, InvalidSpecError

    for function in (ModelSpec.__init__, is_valid, check_spec):
        assert not hasattr(function, "__wrapped__")
    with pytest.raises(InvalidInputError, match=r"^is_valid\(\): spec must be ModelSpec, got int"):
        is_valid(3)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"^check_spec\(\): spec must be ModelSpec"):
        check_spec("x")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"^ModelSpec.__init__\(\): ops must be Sequence"):
        ModelSpec([[0]], 3)  # type: ignore[arg-type]
    with pytest.raises(InvalidSpecError, match="^matrix must be square$"):  # ours: unchanged
        ModelSpec(None, [INPUT])
    with pytest.raises(OutOfDomainError, match="disconnected"):
        check_spec(ModelSpec([[0, 0], [0, 0]], [INPUT, OUTPUT]))


def _python_verdict(spec: Any) -> Any:
    """``ModelSpec._fast_hash`` as it was written in Python: the native verdict's oracle."""
    if type(spec) is not ModelSpec:
        return None
    checked = spec._checked
    if checked is None:
        return None
    if spec.valid_spec is False:
        return ""
    if spec.valid_spec is not True or spec.__dict__["_matrix"] is not spec_module._UNSET:
        return None
    if type(spec.ops) is not list or spec.ops != spec._hashed_ops:
        return None
    return checked


def test_native_verdict_follows_every_change_the_python_one_saw() -> None:
    chain = [[0, 1, 0], [0, 0, 1], [0, 0, 0]]
    ops = [INPUT, CONV3X3, OUTPUT]
    verdict = spec_module.spec_verdict

    class Derived(ModelSpec):
        pass

    changes: list[Any] = [
        lambda s: None,
        lambda s: s.ops.__setitem__(1, CONV1X1),  # in place: no longer the hashed ops
        lambda s: s.ops.__setitem__(1, CONV3X3),  # ... and back: equal again
        lambda s: setattr(s, "ops", tuple(s.ops)),
        lambda s: setattr(s, "ops", [INPUT, "identity", OUTPUT]),
        lambda s: setattr(s, "valid_spec", False),
        lambda s: setattr(s, "valid_spec", 1),
        lambda s: s.matrix,  # handed out
        lambda s: setattr(s, "_checked", None),
    ]
    for change in changes:
        for make in (ModelSpec, Derived):
            spec = make(chain, list(ops))
            change(spec)
            assert verdict(spec) == _python_verdict(spec), change
    assert verdict(ModelSpec(chain, [INPUT, CONV3X3, INPUT])) == ""  # outside the space
    assert verdict(ModelSpec([[0, 0], [0, 0]], [INPUT, OUTPUT])) == ""  # disconnected
    assert verdict(ModelSpec(np.array(chain, dtype=float), ops)) is None  # general path
    assert verdict("not a spec") is None
    spec = ModelSpec(chain, ops)
    del spec.ops
    assert verdict(spec) is None  # the general path raises what reading ops raises
    with pytest.raises(ValueError, match=r"^is_valid\(\): invalid argument \(AttributeError"):
        is_valid(spec)  # as when the verdict was read in Python
