"""ModelSpec, check_spec / is_valid and hash_spec against the original nasbench code.

Reference values (tests/data/reference_specs.jsonl) come from running the original
google-research/nasbench code; the pure-Python reference in nb101_reference.py is written
from shared/formats/nb101.md and checked against those values too.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import numpy as np
import pytest
from cells import INCEPTION
from hypothesis import given
from hypothesis import strategies as st
from nasbench_lite import errors
from nasbench_lite.errors import InvalidSpecError, OutOfDomainError
from nasbench_lite.nb101 import AVAILABLE_OPS, ModelSpec, check_spec, is_valid
from nb101_reference import (
    CONV1X1,
    CONV3X3,
    INPUT,
    MAXPOOL3X3,
    OPS,
    OUTPUT,
    expected_pruned,
    intended_error,
    load_reference_specs,
    permute,
    random_specs,
    reference_check,
    reference_hash,
    reference_prune,
    row_id,
    spec_labels,
)

REFERENCE = load_reference_specs()
REFERENCE_PARAMS = [pytest.param(row, id=row_id(i, row)) for i, row in enumerate(REFERENCE)]
#: Rows for which the original hash_spec() returned a hash.
HASHED_PARAMS = [
    pytest.param(row, id=row_id(i, row))
    for i, row in enumerate(REFERENCE)
    if row.get("hash") is not None
]

CHAIN = [[0, 1, 0], [0, 0, 1], [0, 0, 0]]
README_INCEPTION = INCEPTION
# Worked values of the original code (nb101.md §2 and the fixture README).
WORKED_HASHES = [
    pytest.param(
        [[0, 1], [0, 0]], [INPUT, OUTPUT], "043721b9c7fe8c5fad811d47d83132ec", id="2-vertex"
    ),
    pytest.param(
        CHAIN, [INPUT, CONV3X3, OUTPUT], "b49ac8c578b4561d79ac7087988f1c61", id="chain-conv3x3"
    ),
    pytest.param(*README_INCEPTION, "28cfc7874f6d200472e1a9dcd8650aa0", id="readme-inception"),
]


# --------------------------------------------------------------------------------------------
# The fixture file itself (guards against a truncated or swapped copy making tests vacuous)


def test_reference_file_covers_every_case(reference_specs: list[dict[str, Any]]) -> None:
    kinds = [row["kind"] for row in reference_specs]
    assert len(reference_specs) == 188
    assert kinds.count("enumerated") == 120
    assert kinds.count("needs_pruning") == 40
    assert kinds.count("invalid") == 25
    assert kinds.count("edge_case") == 3
    stages = [(row.get("stage"), row.get("error_type")) for row in reference_specs]
    assert stages.count(("ModelSpec", "ValueError")) == 4
    assert stages.count(("is_valid", "TypeError")) == 4
    assert stages.count(("is_valid", "OutOfDomainError")) == 21
    assert sum(row["valid"] for row in reference_specs) == 120 + 36 + 3


def test_error_classes_are_value_errors() -> None:
    for cls in (InvalidSpecError, OutOfDomainError, errors.InvalidInputError):
        assert issubclass(cls, ValueError)
        assert issubclass(cls, errors.NasbenchLiteError)
    assert not issubclass(InvalidSpecError, OutOfDomainError)
    assert not issubclass(OutOfDomainError, InvalidSpecError)


# --------------------------------------------------------------------------------------------
# Every reference row


@pytest.mark.parametrize("row", REFERENCE_PARAMS)
def test_reference_model_spec(row: dict[str, Any]) -> None:
    """Constructor errors, pruning and hash_spec equal the original's on every reference row."""
    if row.get("stage") == "ModelSpec":
        with pytest.raises(InvalidSpecError) as info:
            ModelSpec(row["matrix"], row["ops"])
        assert str(info.value) == row["error"]
        assert isinstance(info.value, ValueError)
        assert info.value.row is None
        return
    spec = ModelSpec(row["matrix"], row["ops"])
    pruned_matrix, pruned_ops = expected_pruned(row)
    assert spec.valid_spec is (pruned_matrix is not None)
    if pruned_matrix is None:
        assert spec.matrix is None
        assert spec.ops is None
    else:
        assert isinstance(spec.matrix, np.ndarray)
        assert spec.matrix.tolist() == pruned_matrix
        assert list(spec.ops) == pruned_ops
    assert spec.original_matrix.tolist() == row["matrix"]
    assert spec.original_ops == row["ops"]
    if row["hash"] is not None:
        assert spec.hash_spec() == row["hash"]
        assert spec.hash_spec(list(AVAILABLE_OPS)) == row["hash"]
    else:
        # null hash: disconnected or an interior op outside the official list.
        with pytest.raises(OutOfDomainError):
            spec.hash_spec()


@pytest.mark.parametrize("row", REFERENCE_PARAMS)
def test_reference_validity(row: dict[str, Any]) -> None:
    """is_valid equals the original's; check_spec raises its exact message (intended for >7)."""
    if row.get("stage") == "ModelSpec":
        assert row["valid"] is False
        with pytest.raises(InvalidSpecError):  # no spec to check: rejected at construction
            ModelSpec(row["matrix"], row["ops"])
        return
    spec = ModelSpec(row["matrix"], row["ops"])
    assert is_valid(spec) is row["valid"]
    if row.get("stage") == "is_valid":
        with pytest.raises(OutOfDomainError) as info:
            check_spec(spec)
        assert str(info.value) == intended_error(row)
        assert isinstance(info.value, ValueError)
        assert info.value.row is None
    else:
        assert row["valid"] is True
        check_spec(spec)  # must not raise


def test_too_many_vertices_rows_use_the_intended_error(
    reference_specs: list[dict[str, Any]],
) -> None:
    rows = [r for r in reference_specs if r.get("error_type") == "TypeError"]
    assert {len(r["pruned_ops"]) for r in rows} == {8, 9}
    for row in rows:
        spec = ModelSpec(row["matrix"], row["ops"])
        assert is_valid(spec) is False  # the original raised TypeError here
        with pytest.raises(
            OutOfDomainError, match=r"^too many vertices, got [89] \(max vertices = 7\)$"
        ):
            check_spec(spec)


# --------------------------------------------------------------------------------------------
# Worked hashes and the NAR record


@pytest.mark.parametrize(("matrix", "ops", "expected"), WORKED_HASHES)
def test_worked_hashes(matrix: list[list[int]], ops: list[str], expected: str) -> None:
    spec = ModelSpec(matrix, ops)
    assert spec.hash_spec() == expected
    assert is_valid(spec)
    assert reference_hash(matrix, spec_labels(ops)) == expected


def test_nar_record_hashes_to_its_unique_hash(nar_record: dict[str, Any]) -> None:
    spec = ModelSpec(nar_record["module_adjacency"], nar_record["module_operations"])
    assert is_valid(spec)
    assert spec.hash_spec() == nar_record["unique_hash"] == "00005c142e6f48ac74fdcf73e3439874"
    # Already canonical (the dataset stores pruned cells): pruning changes nothing.
    assert spec.matrix.tolist() == nar_record["module_adjacency"]
    assert spec.ops == nar_record["module_operations"]


def test_hash_is_lowercase_hex_str() -> None:
    digest = ModelSpec(*README_INCEPTION).hash_spec()
    assert type(digest) is str
    assert len(digest) == 32
    assert digest == digest.lower()
    int(digest, 16)


# --------------------------------------------------------------------------------------------
# hash_spec options and errors


def test_hash_spec_canonical_ops_define_the_labels() -> None:
    pool = ModelSpec(CHAIN, [INPUT, MAXPOOL3X3, OUTPUT])
    conv = ModelSpec(CHAIN, [INPUT, CONV3X3, OUTPUT])
    # maxpool has label 2 with the official list, label 0 with this one: hash of a conv3x3 chain.
    assert pool.hash_spec() != conv.hash_spec()
    assert pool.hash_spec([MAXPOOL3X3, CONV3X3, CONV1X1]) == conv.hash_spec()
    # Label 2 by position, whatever the other names are.
    assert conv.hash_spec(["x", "y", CONV3X3]) == pool.hash_spec()


def test_hash_spec_custom_op_names() -> None:
    spec = ModelSpec(CHAIN, [INPUT, "identity", OUTPUT])
    assert not is_valid(spec)  # identity is not in the space...
    # ... but hash_spec only needs it in canonical_ops: label 0 = the conv3x3 chain's hash.
    assert spec.hash_spec(["identity"]) == "b49ac8c578b4561d79ac7087988f1c61"
    assert (
        spec.hash_spec(("a", "identity")) == ModelSpec(CHAIN, [INPUT, CONV1X1, OUTPUT]).hash_spec()
    )


@pytest.mark.parametrize("row", HASHED_PARAMS)
def test_hash_spec_with_permuted_canonical_ops_matches_reference(row: dict[str, Any]) -> None:
    canonical = [MAXPOOL3X3, CONV3X3, CONV1X1]
    spec = ModelSpec(row["matrix"], row["ops"])
    assert spec.hash_spec(canonical) == reference_hash(
        spec.matrix, spec_labels(spec.ops, canonical)
    )


def test_hash_spec_input_output_labels_ignore_their_names() -> None:
    # hash_spec labels the first vertex -1 and the last -2 whatever their op names.
    spec = ModelSpec(CHAIN, ["not-input", CONV3X3, "not-output"])
    assert not is_valid(spec)
    assert spec.hash_spec() == "b49ac8c578b4561d79ac7087988f1c61"


@pytest.mark.parametrize(
    ("ops", "canonical", "bad"),
    [
        ([INPUT, "identity", OUTPUT], None, "identity"),
        ([INPUT, "conv3x3", OUTPUT], None, "conv3x3"),
        ([INPUT, INPUT, OUTPUT], None, "input"),
        ([INPUT, CONV3X3, OUTPUT], [CONV1X1, MAXPOOL3X3], CONV3X3),
        ([INPUT, CONV3X3, OUTPUT], [], CONV3X3),
    ],
)
def test_hash_spec_unknown_op(ops: list[str], canonical: list[str] | None, bad: str) -> None:
    spec = ModelSpec(CHAIN, ops)
    with pytest.raises(OutOfDomainError) as info:
        spec.hash_spec(canonical)
    assert isinstance(info.value, ValueError)
    assert f"unsupported op {bad} " in str(info.value)


def test_hash_spec_ignores_unknown_ops_on_pruned_vertices() -> None:
    matrix = [[0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]]  # vertex 2 is dangling
    spec = ModelSpec(matrix, [INPUT, CONV3X3, "no-such-op", OUTPUT])
    assert spec.ops == [INPUT, CONV3X3, OUTPUT]
    assert spec.hash_spec() == "b49ac8c578b4561d79ac7087988f1c61"


@pytest.mark.parametrize(
    ("matrix", "ops"),
    [
        ([[0, 0], [0, 0]], [INPUT, OUTPUT]),
        ([[0, 0, 0], [0, 0, 1], [0, 0, 0]], [INPUT, CONV3X3, OUTPUT]),
        ([[0]], [INPUT]),
    ],
)
def test_hash_spec_of_disconnected_spec(matrix: list[list[int]], ops: list[str]) -> None:
    spec = ModelSpec(matrix, ops)
    assert spec.valid_spec is False
    assert spec.matrix is None and spec.ops is None
    with pytest.raises(OutOfDomainError, match=r"^invalid spec, provided graph is disconnected\.$"):
        spec.hash_spec()
    assert is_valid(spec) is False


# --------------------------------------------------------------------------------------------
# MD5 sanity: an independent pure-Python hash (nb101.md §2) agrees with the original and us


@pytest.mark.parametrize("row", HASHED_PARAMS)
def test_pure_python_hash_matches_reference_and_library(row: dict[str, Any]) -> None:
    pruned_matrix, pruned_ops = expected_pruned(row)
    expected = reference_hash(pruned_matrix, spec_labels(pruned_ops))
    assert expected == row["hash"]
    if "labels" in row:  # enumerated rows: the labelling the original enumeration hashed
        assert row["labels"] == spec_labels(row["ops"])
        assert reference_hash(row["matrix"], row["labels"]) == row["hash"]
    assert ModelSpec(row["matrix"], row["ops"]).hash_spec() == expected


def test_pure_python_hash_numpy_label_pitfall() -> None:
    # The label enters via str(tuple); numpy scalars would render as np.int64(...) and change
    # the hash. Guard that our reference (and the library) use Python ints.
    matrix = np.array(CHAIN)
    assert reference_hash(matrix, np.array([-1, 0, -2])) == "b49ac8c578b4561d79ac7087988f1c61"
    assert (
        ModelSpec(matrix, [INPUT, CONV3X3, OUTPUT]).hash_spec()
        == "b49ac8c578b4561d79ac7087988f1c61"
    )


@given(random_specs(min_vertices=2, max_vertices=10, in_domain=True))
def test_hash_spec_matches_pure_python_on_random_specs(
    spec_in: tuple[list[list[int]], list[str]],
) -> None:
    matrix, ops = spec_in
    spec = ModelSpec(matrix, ops)
    pruned_matrix, pruned_ops = reference_prune(matrix, ops)
    if pruned_matrix is None:
        with pytest.raises(OutOfDomainError):
            spec.hash_spec()
    else:
        assert spec.hash_spec() == reference_hash(pruned_matrix, spec_labels(pruned_ops))


@given(random_specs(min_vertices=2, max_vertices=8, in_domain=True), st.permutations(range(10)))
def test_pure_python_hash_is_invariant_under_any_relabelling(
    spec_in: tuple[list[list[int]], list[str]], order: list[int]
) -> None:
    """The library hash equals the WL hash of ANY vertex relabelling (also of input/output)."""
    matrix, ops = spec_in
    spec = ModelSpec(matrix, ops)
    if not spec.valid_spec:
        return
    n = len(spec.ops)
    perm = [p for p in order if p < n]  # a permutation of range(n)
    labels = spec_labels(spec.ops)
    new_matrix, new_labels = permute(spec.matrix.tolist(), labels, perm)
    assert reference_hash(new_matrix, new_labels) == spec.hash_spec()


@given(random_specs(min_vertices=2, max_vertices=7, in_domain=True, values=(1, 2, 3)))
def test_multi_valued_entries_hash_like_the_original(
    spec_in: tuple[list[list[int]], list[str]],
) -> None:
    """The original accepts entries > 1: they count as several edges in degrees and edge count."""
    matrix, ops = spec_in
    spec = ModelSpec(matrix, ops)
    pruned_matrix, pruned_ops = reference_prune(matrix, ops)
    if pruned_matrix is None:
        assert not spec.valid_spec
        return
    assert spec.matrix.tolist() == pruned_matrix
    assert spec.hash_spec() == reference_hash(pruned_matrix, spec_labels(pruned_ops))
    expected = reference_check(pruned_matrix, pruned_ops)
    assert is_valid(spec) is (expected is None)


def test_two_valued_entry_counts_twice() -> None:
    spec = ModelSpec([[0, 2], [0, 0]], [INPUT, OUTPUT])
    assert spec.hash_spec() == reference_hash([[0, 2], [0, 0]], [-1, -2])
    assert spec.hash_spec() != "043721b9c7fe8c5fad811d47d83132ec"
    heavy = ModelSpec([[0, 9, 0], [0, 0, 1], [0, 0, 0]], [INPUT, CONV3X3, OUTPUT])
    with pytest.raises(OutOfDomainError, match=r"^too many edges, got 10 \(max edges = 9\)$"):
        check_spec(heavy)


# --------------------------------------------------------------------------------------------
# Pruning and validity on random specs vs the pure-Python port of _prune / _check_spec


@given(random_specs(min_vertices=1, max_vertices=10))
def test_pruning_and_checks_match_reference_on_random_specs(
    spec_in: tuple[list[list[int]], list[str]],
) -> None:
    matrix, ops = spec_in
    spec = ModelSpec(matrix, ops)
    pruned_matrix, pruned_ops = reference_prune(matrix, ops)
    assert spec.valid_spec is (pruned_matrix is not None)
    if pruned_matrix is None:
        assert spec.matrix is None and spec.ops is None
    else:
        assert spec.matrix.tolist() == pruned_matrix
        assert spec.ops == pruned_ops
    expected = reference_check(pruned_matrix, pruned_ops)
    assert is_valid(spec) is (expected is None)
    if expected is None:
        check_spec(spec)
        assert spec.hash_spec() == reference_hash(pruned_matrix, spec_labels(pruned_ops))
    else:
        with pytest.raises(OutOfDomainError) as info:
            check_spec(spec)
        assert str(info.value) == expected


def test_pruning_renumbers_in_original_order() -> None:
    matrix = [
        [0, 0, 1, 0, 1],
        [0, 0, 0, 1, 0],  # vertex 1: unreachable from the input
        [0, 0, 0, 0, 1],
        [0, 0, 0, 0, 1],
        [0, 0, 0, 0, 0],
    ]
    spec = ModelSpec(matrix, [INPUT, CONV1X1, MAXPOOL3X3, CONV3X3, OUTPUT])
    # Vertex 3 is only reachable from the dangling vertex 1, so both go.
    assert spec.matrix.tolist() == [[0, 1, 1], [0, 0, 1], [0, 0, 0]]
    assert spec.ops == [INPUT, MAXPOOL3X3, OUTPUT]


def test_model_spec_keeps_copies_of_its_inputs() -> None:
    matrix = [[0, 1, 0], [0, 0, 1], [0, 0, 0]]
    ops = [INPUT, CONV3X3, OUTPUT]
    array = np.array(matrix)
    spec = ModelSpec(array, ops)
    saved = copy.deepcopy((matrix, ops))
    array[0, 1] = 0
    ops[1] = MAXPOOL3X3
    assert spec.original_matrix.tolist() == saved[0]
    assert spec.original_ops == saved[1]
    assert spec.matrix.tolist() == saved[0]
    assert spec.ops == saved[1]
    assert spec.hash_spec() == "b49ac8c578b4561d79ac7087988f1c61"


def test_ops_may_be_a_tuple() -> None:
    spec = ModelSpec(CHAIN, (INPUT, CONV3X3, OUTPUT))
    assert spec.hash_spec() == "b49ac8c578b4561d79ac7087988f1c61"
    assert is_valid(spec)


# --------------------------------------------------------------------------------------------
# Matrix types and constructor errors


@pytest.mark.parametrize(
    "dtype", [bool, np.int8, np.uint8, np.int32, np.int64, np.float32, np.float64]
)
def test_matrix_dtypes_hash_like_ints(dtype: Any) -> None:
    matrix, ops = README_INCEPTION
    spec = ModelSpec(np.array(matrix).astype(dtype), ops)
    assert spec.hash_spec() == "28cfc7874f6d200472e1a9dcd8650aa0"
    assert is_valid(spec)


def test_bool_lists_hash_like_ints() -> None:
    matrix, ops = README_INCEPTION
    as_bools = [[bool(x) for x in row] for row in matrix]
    spec = ModelSpec(as_bools, ops)
    assert spec.hash_spec() == "28cfc7874f6d200472e1a9dcd8650aa0"
    assert spec.matrix.tolist() == as_bools


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(float("nan"), id="nan"),
        pytest.param(float("inf"), id="inf"),
        pytest.param(-1, id="negative"),
        pytest.param(-1.0, id="negative-float"),
        pytest.param(0.5, id="fractional"),
        pytest.param(1.0000001, id="almost-one"),
    ],
)
def test_model_spec_rejects_non_integer_entries(bad: float) -> None:
    matrix: list[list[Any]] = [[0, 1, 0], [0, 0, 1], [0, 0, 0]]
    matrix[0][1] = bad
    with pytest.raises(InvalidSpecError) as info:
        ModelSpec(matrix, [INPUT, CONV3X3, OUTPUT])
    assert isinstance(info.value, ValueError)
    assert not isinstance(info.value, OutOfDomainError)


def test_model_spec_rejects_negative_entry_below_diagonal() -> None:
    with pytest.raises(InvalidSpecError):
        ModelSpec([[0, 1], [-1, 0]], [INPUT, OUTPUT])


@pytest.mark.parametrize(
    "matrix",
    [
        pytest.param([["0", "1"], ["0", "0"]], id="strings"),
        pytest.param(np.array([[0, 1], [0, 0]], dtype=object), id="object"),
        pytest.param([[0, None], [0, 0]], id="none"),
        pytest.param(np.array([[0, 1j], [0, 0]]), id="complex"),
    ],
)
def test_model_spec_rejects_non_numeric_matrices(matrix: Any) -> None:
    with pytest.raises(InvalidSpecError):
        ModelSpec(matrix, [INPUT, OUTPUT])


@pytest.mark.parametrize(
    ("matrix", "ops"),
    [
        pytest.param([[0, 1], [0]], [INPUT, OUTPUT], id="ragged"),
        pytest.param([[0, 1, 0], [0, 0], [0]], [INPUT, CONV3X3, OUTPUT], id="ragged-3"),
        pytest.param([0, 1], [INPUT, OUTPUT], id="1-d"),
        pytest.param([[[0]]], [INPUT], id="3-d"),
        pytest.param([[0, 1, 0], [0, 0, 1]], [INPUT, OUTPUT], id="2x3"),
        pytest.param([], [], id="empty-list"),
        pytest.param(5, [INPUT], id="scalar"),
        # Squareness is checked before the ops length.
        pytest.param([[0, 1, 0], [0, 0, 1]], [INPUT], id="2x3-and-wrong-ops"),
    ],
)
def test_model_spec_matrix_must_be_square(matrix: Any, ops: list[str]) -> None:
    with pytest.raises(InvalidSpecError, match=r"^matrix must be square$"):
        ModelSpec(matrix, ops)


@pytest.mark.parametrize(
    ("matrix", "ops"),
    [
        pytest.param(CHAIN, [INPUT, OUTPUT], id="too-few-ops"),
        pytest.param(CHAIN, [INPUT, CONV3X3, CONV3X3, OUTPUT], id="too-many-ops"),
        # The ops length is checked before triangularity.
        pytest.param([[0, 1], [1, 0]], [INPUT], id="lower-and-wrong-ops"),
    ],
)
def test_model_spec_ops_length(matrix: Any, ops: list[str]) -> None:
    with pytest.raises(InvalidSpecError, match=r"^length of ops must match matrix dimensions$"):
        ModelSpec(matrix, ops)


@pytest.mark.parametrize(
    "matrix",
    [
        pytest.param([[1, 0], [0, 0]], id="diagonal"),
        pytest.param([[0, 1], [1, 0]], id="below"),
        pytest.param([[0, 1, 0], [0, 0, 1], [0, 0, 1]], id="last-diagonal"),
        pytest.param(np.array([[False, True], [True, False]]), id="bool"),
    ],
)
def test_model_spec_matrix_must_be_upper_triangular(matrix: Any) -> None:
    ops = [INPUT] + [CONV3X3] * (len(matrix) - 2) + [OUTPUT]
    with pytest.raises(InvalidSpecError, match=r"^matrix must be upper triangular$"):
        ModelSpec(matrix, ops)


def test_model_spec_does_not_check_op_names_or_size() -> None:
    # Like the original, the constructor accepts anything square; the API check rejects it.
    n = 12
    matrix = np.triu(np.ones((n, n), dtype=int), 1)
    spec = ModelSpec(matrix, [INPUT] + [MAXPOOL3X3] * (n - 2) + [OUTPUT])
    assert spec.valid_spec
    assert spec.hash_spec() == reference_hash(matrix, [-1] + [2] * (n - 2) + [-2])
    with pytest.raises(OutOfDomainError, match=r"^too many vertices, got 12 \(max vertices = 7\)$"):
        check_spec(spec)
    odd = ModelSpec(CHAIN, ["whatever", "conv", "else"])
    assert odd.valid_spec
    with pytest.raises(OutOfDomainError, match=r"^first operation should be 'input'$"):
        check_spec(odd)


def test_one_vertex_spec_is_disconnected() -> None:
    spec = ModelSpec([[0]], [INPUT])
    assert spec.valid_spec is False
    with pytest.raises(OutOfDomainError, match=r"^invalid spec, provided graph is disconnected\.$"):
        check_spec(spec)


def test_zero_vertex_spec_is_a_typed_outcome() -> None:
    """A 0x0 matrix is square and matches 0 ops. The original's _prune then finds
    len(extraneous)=0 > V-2=-2 and marks the spec invalid (valid_spec False, no exception).
    Either that or an InvalidSpecError is acceptable; an untyped crash is not."""
    try:
        spec = ModelSpec(np.zeros((0, 0), dtype=int), [])
    except InvalidSpecError:
        return
    assert spec.valid_spec is False
    assert spec.matrix is None and spec.ops is None
    assert is_valid(spec) is False


def test_check_spec_order_of_checks() -> None:
    # Disconnected beats everything else.
    with pytest.raises(OutOfDomainError, match="disconnected"):
        check_spec(ModelSpec([[0, 0], [0, 0]], ["bad", "bad"]))
    # Too many edges is checked before op names.
    full = np.triu(np.ones((6, 6), dtype=int), 1)  # 15 edges
    with pytest.raises(OutOfDomainError, match=r"^too many edges, got 15 \(max edges = 9\)$"):
        check_spec(ModelSpec(full, ["x"] * 6))
    # First op before last op before interior ops.
    with pytest.raises(OutOfDomainError, match=r"^first operation should be 'input'$"):
        check_spec(ModelSpec(CHAIN, ["x", "y", "z"]))
    with pytest.raises(OutOfDomainError, match=r"^last operation should be 'output'$"):
        check_spec(ModelSpec(CHAIN, [INPUT, "y", "z"]))
    message = f"unsupported op y (available ops = {OPS})"
    with pytest.raises(OutOfDomainError, match=f"^{re.escape(message)}$"):
        check_spec(ModelSpec(CHAIN, [INPUT, "y", OUTPUT]))


def test_available_ops_constant() -> None:
    assert list(AVAILABLE_OPS) == OPS


@pytest.mark.parametrize(
    "matrix",
    [
        pytest.param(np.array([[0, 2**64 - 1], [0, 0]], dtype=np.uint64), id="uint64-max"),
        pytest.param(np.array([[0, 1e300], [0, 0]]), id="float-1e300"),
    ],
)
def test_entries_beyond_int64_are_rejected_or_hashed_exactly(matrix: np.ndarray) -> None:
    """Huge non-negative integer entries: ModelSpec must either reject them (InvalidSpecError)
    or hash them like the original does with Python ints; never wrap around silently."""
    try:
        spec = ModelSpec(matrix, [INPUT, OUTPUT])
    except InvalidSpecError:
        return
    expected = reference_hash([[0, int(matrix[0, 1])], [0, 0]], [-1, -2])
    assert spec.hash_spec() == expected
