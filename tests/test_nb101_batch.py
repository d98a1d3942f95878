"""hash_many / check_many: batch hashing and checking, row by row equal to ModelSpec semantics."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from nasbench_lite.errors import InvalidInputError, InvalidSpecError, OutOfDomainError
from nasbench_lite.nb101 import (
    PAD_LABEL,
    BatchCheck,
    ModelSpec,
    check_many,
    check_spec,
    hash_many,
)
from nb101_reference import (
    CONV1X1,
    CONV3X3,
    INPUT,
    LABEL_OF_NAME,
    MAXPOOL3X3,
    OUTPUT,
    expected_pruned,
    full_dag_cells,
    intended_error,
    load_reference_specs,
    pad_cell,
    permute,
    random_specs,
    reference_hash,
    spec_labels,
    topological_relabelling,
)

REFERENCE = load_reference_specs()
UNKNOWN_LABEL = 7  # an integer label outside -3..2
CHAIN = [[0, 1, 0], [0, 0, 1], [0, 0, 0]]
CHAIN_OPS = [INPUT, CONV3X3, OUTPUT]
CHAIN_HASH = "b49ac8c578b4561d79ac7087988f1c61"
AVAILABLE = "(available ops = ['conv3x3-bn-relu', 'conv1x1-bn-relu', 'maxpool3x3'])"


def labels_of(ops: list[str]) -> list[int]:
    """Integer-label form of op names (unknown names -> a label outside the space)."""
    return [LABEL_OF_NAME.get(op, UNKNOWN_LABEL) for op in ops]


def batch(
    cells: list[tuple[Any, list[Any]]], width: int = 7, pad: Any = ""
) -> tuple[np.ndarray, list[list[Any]]]:
    """(N, W, W) int array and padded ops lists for a list of (matrix, ops) cells."""
    matrices, ops = [], []
    for matrix, names in cells:
        m, o = pad_cell(matrix, names, width, pad)
        matrices.append(m)
        ops.append(o)
    return np.array(matrices, dtype=np.int64).reshape(len(cells), width, width), ops


def valid_reference_cells() -> list[tuple[list[list[int]], list[str], str]]:
    """Valid reference specs as (matrix, ops, hash) fitting in 7 vertices: the spec as given
    when it has at most 7 vertices (hash_many must prune it), else its pruned form."""
    cells = []
    for row in REFERENCE:
        if not row["valid"]:
            continue
        if len(row["matrix"]) <= 7:
            cells.append((row["matrix"], row["ops"], row["hash"]))
        else:
            pruned_matrix, pruned_ops = expected_pruned(row)
            cells.append((pruned_matrix, pruned_ops, row["hash"]))
    return cells


VALID_CELLS = valid_reference_cells()


def expected_row(matrix: Any, ops: list[str]) -> tuple[bool, str, str, int, int]:
    """(valid, hash, reason, num_vertices, num_edges) from ModelSpec + check_spec + hash_spec."""
    try:
        spec = ModelSpec(matrix, ops)
    except InvalidSpecError as exc:
        return False, "", str(exc), 0, 0
    sizes = (0, 0) if spec.matrix is None else (len(spec.ops), int(spec.matrix.sum()))
    try:
        check_spec(spec)
    except OutOfDomainError as exc:
        return False, "", str(exc), *sizes
    return True, spec.hash_spec(), "", *sizes


# --------------------------------------------------------------------------------------------
# Reference specs


def test_valid_reference_cells_cover_all_sizes() -> None:
    assert len(VALID_CELLS) == 159
    assert {len(m) for m, _, _ in VALID_CELLS} == {2, 4, 5, 6, 7}
    pruned_sizes = [ModelSpec(m, o).matrix.shape[0] for m, o, _ in VALID_CELLS]
    assert set(pruned_sizes) == {2, 3, 4, 5, 6, 7}
    # Some need pruning inside hash_many (junk ops / dangling vertices / > 9 unpruned edges).
    assert sum(p < len(m) for p, (m, _, _) in zip(pruned_sizes, VALID_CELLS, strict=True)) >= 30


def test_hash_many_reference_names() -> None:
    matrices, ops = batch([(m, o) for m, o, _ in VALID_CELLS])
    hashes = hash_many(matrices, np.array(ops))
    assert hashes.dtype == np.dtype("<U32")
    assert hashes.shape == (len(VALID_CELLS),)
    assert hashes.tolist() == [h for _, _, h in VALID_CELLS]


def test_hash_many_reference_integer_labels() -> None:
    matrices, _ = batch([(m, o) for m, o, _ in VALID_CELLS])
    labels = np.array(
        [pad_cell(m, labels_of(o), 7, PAD_LABEL)[1] for m, o, _ in VALID_CELLS], dtype=np.int64
    )
    assert (labels == UNKNOWN_LABEL).any()  # junk ops on pruned vertices are exercised
    expected = [h for _, _, h in VALID_CELLS]
    assert hash_many(matrices, labels).tolist() == expected
    for dtype in (np.int8, np.int16, np.int32):
        assert hash_many(matrices, labels.astype(dtype)).tolist() == expected


def test_hash_many_reference_ragged_ops() -> None:
    matrices, _ = batch([(m, o) for m, o, _ in VALID_CELLS])
    ragged = [list(o) for _, o, _ in VALID_CELLS]
    assert len({len(o) for o in ragged}) > 1
    assert hash_many(matrices, ragged).tolist() == [h for _, _, h in VALID_CELLS]
    # Tuples and numpy rows are sequences too.
    assert hash_many(matrices, [tuple(o) for o in ragged]).tolist() == [
        h for _, _, h in VALID_CELLS
    ]


@pytest.mark.parametrize("width", [2, 3, 4, 5, 6, 7])
def test_hash_many_reference_narrow_widths(width: int) -> None:
    cells = [(m, o, h) for m, o, h in VALID_CELLS if len(m) <= width]
    assert cells
    matrices, ops = batch([(m, o) for m, o, _ in cells], width)
    assert matrices.shape[1:] == (width, width)
    assert hash_many(matrices, ops).tolist() == [h for _, _, h in cells]


def test_hash_many_matrix_dtypes_and_layouts() -> None:
    matrices, ops = batch([(m, o) for m, o, _ in VALID_CELLS])
    expected = [h for _, _, h in VALID_CELLS]
    for dtype in (bool, np.uint8, np.int8, np.int32, np.float32, np.float64):
        assert hash_many(matrices.astype(dtype), ops).tolist() == expected, dtype
    assert hash_many(np.asfortranarray(matrices), ops).tolist() == expected
    assert hash_many(matrices[::-1], ops[::-1]).tolist() == expected[::-1]
    assert hash_many(matrices[::2], ops[::2]).tolist() == expected[::2]
    assert hash_many(matrices.tolist(), ops).tolist() == expected
    before = matrices.copy()
    hash_many(matrices, ops)
    assert np.array_equal(matrices, before)  # input not modified


def test_hash_many_ops_array_kinds() -> None:
    matrices, ops = batch([(m, o) for m, o, _ in VALID_CELLS])
    expected = [h for _, _, h in VALID_CELLS]
    assert hash_many(matrices, np.array(ops, dtype=object)).tolist() == expected
    assert hash_many(matrices, np.array(ops, dtype="<U20")).tolist() == expected


def reference_rows_fitting_batches() -> list[pytest.param]:
    params = []
    for i, row in enumerate(REFERENCE):
        matrix = row["matrix"]
        if len(matrix) > 7 or any(len(r) != len(matrix) for r in matrix):
            continue
        if len(row["ops"]) != len(matrix):
            continue  # ops-length mismatch: see test_hash_many_rejects_constructor_errors
        params.append(
            pytest.param(
                row, id=f"{i:03d}-{row['kind']}-{row.get('reason') or row.get('subkind') or ''}"
            )
        )
    return params


@pytest.mark.parametrize("row", reference_rows_fitting_batches())
def test_check_many_reference_row(row: dict[str, Any]) -> None:
    """check_many (alone and inside a batch) gives the original's verdict and message."""
    other = (CHAIN, CHAIN_OPS)
    matrices, ops = batch([other, (row["matrix"], row["ops"]), other])
    result = check_many(matrices, ops)
    assert isinstance(result, BatchCheck)
    assert result.valid.tolist() == [True, row["valid"], True]
    if row["valid"]:
        assert result.reason[1] == ""
        assert result.hash[1] == row["hash"]
        assert result.first_error() is None
        pruned_matrix, pruned_ops = expected_pruned(row)
        assert int(result.num_vertices[1]) == len(pruned_ops)
        assert int(result.num_edges[1]) == sum(map(sum, pruned_matrix))
    else:
        expected = row["error"] if row.get("stage") == "ModelSpec" else intended_error(row)
        assert result.reason[1] == expected
        assert result.hash[1] == ""
        assert result.first_error() == 1
    assert result.hash[0] == result.hash[2] == CHAIN_HASH


def test_check_many_reference_invalid_rows_are_covered() -> None:
    rows = [p.values[0] for p in reference_rows_fitting_batches()]
    reasons = {r.get("reason") or r.get("subkind") for r in rows if not r["valid"]}
    assert {
        "disconnected",
        "too_many_edges",
        "first_op_not_input",
        "last_op_not_output",
        "unsupported_op",
        "not_upper_triangular",
    } <= reasons


def test_hash_many_rejects_constructor_errors() -> None:
    """Rows ModelSpec rejects raise InvalidSpecError (not OutOfDomainError) with .row set."""
    rows = [
        r
        for r in REFERENCE
        if r.get("stage") == "ModelSpec"
        and len(r["matrix"]) <= 7
        and all(len(x) == len(r["matrix"]) for x in r["matrix"])
    ]
    assert len(rows) == 3  # 1 not upper triangular, 2 with 6 ops for 7 vertices
    for row in rows:
        matrices = np.array([pad_cell(CHAIN, CHAIN_OPS)[0]] * 2 + [row["matrix"]])
        ops = [CHAIN_OPS, CHAIN_OPS, row["ops"]]
        with pytest.raises(InvalidSpecError) as info:
            hash_many(matrices, ops)
        assert info.value.row == 2
        assert isinstance(info.value, ValueError)
        assert not isinstance(info.value, OutOfDomainError)
        assert hash_many(matrices, ops, errors="ignore").tolist() == [CHAIN_HASH, CHAIN_HASH, ""]
        assert not check_many(matrices, ops).valid[2]


# --------------------------------------------------------------------------------------------
# errors='raise' / 'ignore'

DISCONNECTED = ([[0, 0, 0], [0, 0, 1], [0, 0, 0]], CHAIN_OPS)
LOWER = ([[0, 1, 0], [0, 0, 1], [1, 0, 0]], CHAIN_OPS)
UNKNOWN_OP = (CHAIN, [INPUT, "conv3x3", OUTPUT])
TOO_MANY_EDGES = (
    np.triu(np.ones((6, 6), dtype=int), 1).tolist(),
    [INPUT, CONV3X3, CONV1X1, MAXPOOL3X3, CONV3X3, OUTPUT],
)


@pytest.mark.parametrize(
    ("cells", "error", "row", "message"),
    [
        (
            [(CHAIN, CHAIN_OPS), DISCONNECTED, LOWER],
            OutOfDomainError,
            1,
            "row 1: invalid spec, provided graph is disconnected.",
        ),
        (
            [(CHAIN, CHAIN_OPS), LOWER, DISCONNECTED],
            InvalidSpecError,
            1,
            "row 1: matrix must be upper triangular",
        ),
        (
            [(CHAIN, CHAIN_OPS)] * 3 + [UNKNOWN_OP],
            OutOfDomainError,
            3,
            f"row 3: unsupported op conv3x3 {AVAILABLE}",
        ),
        (
            [TOO_MANY_EDGES, (CHAIN, CHAIN_OPS)],
            OutOfDomainError,
            0,
            "row 0: too many edges, got 15 (max edges = 9)",
        ),
        ([LOWER], InvalidSpecError, 0, "row 0: matrix must be upper triangular"),
    ],
)
def test_errors_raise_reports_first_bad_row(
    cells: list[Any], error: type[Exception], row: int, message: str
) -> None:
    matrices, ops = batch(cells)
    with pytest.raises(error) as info:
        hash_many(matrices, ops)
    assert info.value.row == row
    assert str(info.value) == message
    with pytest.raises(error):
        hash_many(matrices, ops, errors="raise")
    ignored = hash_many(matrices, ops, errors="ignore")
    checked = check_many(matrices, ops)
    assert ignored.tolist() == [CHAIN_HASH if v else "" for v in checked.valid.tolist()]
    assert checked.first_error() == row
    assert ignored[row] == ""


def test_errors_ignore_keeps_valid_hashes() -> None:
    cells = [
        (CHAIN, CHAIN_OPS),
        LOWER,
        UNKNOWN_OP,
        (CHAIN, [INPUT, MAXPOOL3X3, OUTPUT]),
        DISCONNECTED,
    ]
    matrices, ops = batch(cells)
    assert hash_many(matrices, ops, errors="ignore").tolist() == [
        CHAIN_HASH,
        "",
        "",
        ModelSpec(CHAIN, [INPUT, MAXPOOL3X3, OUTPUT]).hash_spec(),
        "",
    ]


@pytest.mark.parametrize("errors", ["coerce", "strict", None, ""])
def test_errors_argument_is_checked(errors: Any) -> None:
    matrices, ops = batch([(CHAIN, CHAIN_OPS)])
    with pytest.raises(InvalidInputError):
        hash_many(matrices, ops, errors=errors)


# --------------------------------------------------------------------------------------------
# Padding conventions


def test_padding_rules() -> None:
    m4 = pad_cell(CHAIN, CHAIN_OPS, 4)[0]
    # Padding must come last.
    result = check_many(np.array([m4]), [[INPUT, "", CONV3X3, OUTPUT]])
    assert not result.valid[0]
    with pytest.raises(InvalidSpecError) as info:
        hash_many(np.array([m4]), [[INPUT, "", CONV3X3, OUTPUT]])
    assert info.value.row == 0
    # Padded vertices must have no edges (in, out, or on the diagonal).
    for edge in [(2, 3), (0, 3), (3, 3)]:
        m = np.array(m4)
        m[edge] = 1
        assert not check_many(m[None], [CHAIN_OPS + [""]]).valid[0]
        with pytest.raises(InvalidSpecError) as info:
            hash_many(m[None], [CHAIN_OPS + [""]])
        assert info.value.row == 0
    # Proper padding: same hash as the unpadded cell.
    assert hash_many(np.array([m4]), [CHAIN_OPS + [""]]).tolist() == [CHAIN_HASH]
    assert hash_many(np.array([m4]), np.array([[-1, 0, -2, PAD_LABEL]])).tolist() == [CHAIN_HASH]


def test_one_vertex_and_all_padding_rows_are_invalid() -> None:
    result = check_many(
        np.zeros((3, 3, 3), dtype=int), [[INPUT, "", ""], [OUTPUT, "", ""], ["", "", ""]]
    )
    assert result.valid.tolist() == [False, False, False]
    assert result.reason[0] == "invalid spec, provided graph is disconnected."
    assert result.reason[1] == "invalid spec, provided graph is disconnected."
    assert result.reason[2] != ""
    single = check_many(np.zeros((1, 1, 1), dtype=int), [[INPUT]])
    assert single.reason.tolist() == ["invalid spec, provided graph is disconnected."]
    assert (
        hash_many(np.zeros((3, 3, 3)), [[INPUT, "", ""]] * 3, errors="ignore").tolist() == [""] * 3
    )


def test_integer_label_reasons() -> None:
    matrices = np.array([CHAIN] * 4)
    labels = np.array([[-1, -1, -2], [0, 0, -2], [-1, 0, -1], [-1, -2, -2]])
    result = check_many(matrices, labels)
    assert result.valid.tolist() == [False] * 4
    assert result.reason.tolist() == [
        f"unsupported op input {AVAILABLE}",
        "first operation should be 'input'",
        "last operation should be 'output'",
        f"unsupported op output {AVAILABLE}",
    ]


@pytest.mark.parametrize("label", [3, 7, -4, 100])
def test_unknown_integer_label_is_named_in_the_reason(label: int) -> None:
    """An out-of-range integer label is out of domain, and the reason names the label given."""
    labels = np.array([[-1, label, -2]])
    result = check_many(np.array([CHAIN]), labels)
    assert not result.valid[0]
    assert result.reason[0] == f"unsupported op {label} {AVAILABLE}"
    with pytest.raises(OutOfDomainError) as info:
        hash_many(np.array([CHAIN]), labels)
    assert info.value.row == 0


# --------------------------------------------------------------------------------------------
# Property tests


@st.composite
def valid_cells(draw: Any) -> tuple[list[list[int]], list[str]]:
    """A random cell inside the space that needs no pruning (2 to 7 vertices)."""
    matrix, ops = draw(full_dag_cells())
    spec = ModelSpec(matrix, ops)
    check_spec(spec)
    assert spec.matrix.tolist() == matrix
    return matrix, ops


@given(valid_cells(), st.lists(st.integers(0, 6), min_size=1, max_size=8))
def test_hash_invariant_under_topological_relabelling(
    cell: tuple[list[list[int]], list[str]], choices: list[int]
) -> None:
    """Interior vertices relabelled along another topological order hash the same."""
    matrix, ops = cell
    perm = topological_relabelling(matrix, choices)
    new_matrix, new_ops = permute(matrix, ops, perm)
    assert all(new_matrix[i][j] == 0 for i in range(len(matrix)) for j in range(i + 1))
    assert new_ops[0] == INPUT and new_ops[-1] == OUTPUT
    matrices, padded = batch([(matrix, ops), (new_matrix, new_ops)])
    hashes = hash_many(matrices, padded)
    assert hashes[0] == hashes[1] == ModelSpec(matrix, ops).hash_spec()
    assert hashes[0] == reference_hash(matrix, spec_labels(ops))


@given(valid_cells(), st.permutations(range(7)))
def test_hash_invariant_under_any_relabelling_pure_python(
    cell: tuple[list[list[int]], list[str]], order: list[int]
) -> None:
    """hash_many equals the pure-Python hash of any relabelling (not upper triangular)."""
    matrix, ops = cell
    perm = [p for p in order if p < len(ops)]
    new_matrix, new_labels = permute(matrix, spec_labels(ops), perm)
    matrices, padded = batch([(matrix, ops)])
    assert hash_many(matrices, padded)[0] == reference_hash(new_matrix, new_labels)


@st.composite
def spec_batches(draw: Any) -> tuple[int, list[tuple[list[list[int]], list[str]]]]:
    width = draw(st.integers(1, 7))
    cells = draw(
        st.lists(
            random_specs(min_vertices=1, max_vertices=width, lower_entry_chance=True),
            min_size=1,
            max_size=12,
        )
    )
    return width, cells


@given(spec_batches())
def test_check_many_equals_model_spec_row_by_row(data: tuple[int, list[Any]]) -> None:
    width, cells = data
    matrices, ops = batch(cells, width)
    expected = [expected_row(m, o) for m, o in cells]
    result = check_many(matrices, ops)
    assert result.valid.tolist() == [e[0] for e in expected]
    assert result.hash.tolist() == [e[1] for e in expected]
    assert result.reason.tolist() == [e[2] for e in expected]
    assert result.num_vertices.tolist() == [e[3] for e in expected]
    assert result.num_edges.tolist() == [e[4] for e in expected]
    # hash_many: same hashes; raise mode raises for the first invalid row with the right class.
    assert hash_many(matrices, ops, errors="ignore").tolist() == [e[1] for e in expected]
    ragged = [list(o) for _, o in cells]
    assert hash_many(matrices, ragged, errors="ignore").tolist() == [e[1] for e in expected]
    bad = [i for i, e in enumerate(expected) if not e[0]]
    if not bad:
        assert hash_many(matrices, ops).tolist() == [e[1] for e in expected]
        return
    first = bad[0]
    try:
        ModelSpec(*cells[first])
    except InvalidSpecError:
        error: type[Exception] = InvalidSpecError
    else:
        error = OutOfDomainError
    with pytest.raises(error) as info:
        hash_many(matrices, ops)
    assert info.value.row == first
    assert str(info.value) == f"row {first}: {expected[first][2]}"


@given(spec_batches())
def test_integer_labels_equal_names(data: tuple[int, list[Any]]) -> None:
    width, cells = data
    matrices, ops = batch(cells, width)
    labels = np.array(
        [pad_cell(m, labels_of(o), width, PAD_LABEL)[1] for m, o in cells], dtype=np.int64
    ).reshape(len(cells), width)
    by_name = check_many(matrices, ops)
    by_label = check_many(matrices, labels)
    assert by_label.valid.tolist() == by_name.valid.tolist()
    assert by_label.hash.tolist() == by_name.hash.tolist()
    assert by_label.num_vertices.tolist() == by_name.num_vertices.tolist()
    assert by_label.num_edges.tolist() == by_name.num_edges.tolist()
    # Reasons agree except where they name an op (names are not known in label form).
    for a, b in zip(by_label.reason.tolist(), by_name.reason.tolist(), strict=True):
        if not b.startswith("unsupported op"):
            assert a == b
        else:
            assert a.startswith("unsupported op")


# --------------------------------------------------------------------------------------------
# Malformed input: typed errors, never a crash

GOOD = np.array([pad_cell(CHAIN, CHAIN_OPS)[0]])
GOOD_OPS = [pad_cell(CHAIN, CHAIN_OPS)[1]]


def with_entry(value: Any, dtype: Any = np.float64, row: int = 0, rows: int = 1) -> np.ndarray:
    m = np.repeat(GOOD.astype(dtype), rows, axis=0)
    m[row, 0, 2] = value
    return m


BAD_INPUTS = [
    pytest.param(np.array(CHAIN), [CHAIN_OPS], id="ndim-2"),
    pytest.param(np.zeros((1, 1, 3, 3)), [CHAIN_OPS], id="ndim-4"),
    pytest.param(np.zeros(3), [CHAIN_OPS], id="ndim-1"),
    pytest.param(np.int64(1), [CHAIN_OPS], id="ndim-0"),
    pytest.param(None, [CHAIN_OPS], id="matrices-none"),
    pytest.param("abc", [CHAIN_OPS], id="matrices-str"),
    pytest.param(np.zeros((1, 3, 4)), [CHAIN_OPS], id="non-square"),
    pytest.param(np.zeros((1, 8, 8)), [[INPUT] + [""] * 6 + [OUTPUT]], id="width-8"),
    pytest.param(np.zeros((1, 0, 0)), [[]], id="width-0"),
    pytest.param([[[0, 1], [0]]], [[INPUT, OUTPUT]], id="ragged-matrix"),
    pytest.param(GOOD.astype(object), GOOD_OPS, id="object-dtype"),
    pytest.param(GOOD.astype(str), GOOD_OPS, id="string-dtype"),
    pytest.param(GOOD.astype(complex), GOOD_OPS, id="complex-dtype"),
    pytest.param(with_entry(np.nan), GOOD_OPS, id="nan"),
    pytest.param(with_entry(np.inf), GOOD_OPS, id="inf"),
    pytest.param(with_entry(-1, np.int64), GOOD_OPS, id="negative"),
    pytest.param(with_entry(2, np.int64), GOOD_OPS, id="two"),
    pytest.param(with_entry(255, np.uint8), GOOD_OPS, id="uint8-255"),
    pytest.param(with_entry(0.5), GOOD_OPS, id="fractional"),
    pytest.param(GOOD, np.array([GOOD_OPS[0]] * 2), id="ops-too-many-rows"),
    pytest.param(GOOD, [GOOD_OPS[0]] * 2, id="ops-list-too-many-rows"),
    pytest.param(GOOD, np.array([GOOD_OPS[0][:6]]), id="ops-array-too-narrow"),
    pytest.param(GOOD, [GOOD_OPS[0] + [""]], id="ops-list-too-wide"),
    pytest.param(GOOD, np.array([[GOOD_OPS[0]]]), id="ops-3d"),
    pytest.param(GOOD, np.array(GOOD_OPS[0]), id="ops-1d"),
    pytest.param(GOOD, np.full((1, 7), 1.0), id="ops-float"),
    pytest.param(GOOD, np.zeros((1, 7), dtype=bool), id="ops-bool"),
    pytest.param(GOOD, np.array(GOOD_OPS).astype("S"), id="ops-bytes"),
    pytest.param(GOOD, [[INPUT, 1, OUTPUT]], id="ops-int-item"),
    pytest.param(GOOD, [[INPUT, None, OUTPUT]], id="ops-none-item"),
    pytest.param(GOOD, [[INPUT, b"conv3x3-bn-relu", OUTPUT]], id="ops-bytes-item"),
    pytest.param(
        GOOD, np.array([[INPUT, 1, OUTPUT, "", "", "", ""]], dtype=object), id="ops-object-int"
    ),
    pytest.param(GOOD, None, id="ops-none"),
    pytest.param(GOOD, "input", id="ops-str"),
    pytest.param(GOOD, ["input,conv3x3-bn-relu,output"], id="ops-row-str"),
    pytest.param(GOOD, [5], id="ops-row-int"),
    pytest.param(GOOD, 5, id="ops-int"),
]


@pytest.mark.parametrize(("matrices", "ops"), BAD_INPUTS)
def test_malformed_input_raises_invalid_input_error(matrices: Any, ops: Any) -> None:
    for call in (hash_many, check_many):
        with pytest.raises(InvalidInputError) as info:
            call(matrices, ops)
        assert isinstance(info.value, ValueError)
    with pytest.raises(InvalidInputError):
        hash_many(matrices, ops, errors="ignore")


@pytest.mark.parametrize("value", [np.nan, -1.0, 2.0, 0.25])
def test_bad_entry_names_its_row(value: float) -> None:
    matrices = with_entry(value, row=3, rows=5)
    with pytest.raises(InvalidInputError) as info:
        hash_many(matrices, GOOD_OPS * 5)
    assert info.value.row == 3


def test_ops_row_errors_name_their_row() -> None:
    matrices = np.repeat(GOOD, 3, axis=0)
    ops = [GOOD_OPS[0], GOOD_OPS[0], [INPUT, 3, OUTPUT]]
    with pytest.raises(InvalidInputError) as info:
        hash_many(matrices, ops)
    assert info.value.row == 2


def test_lower_triangular_and_unknown_ops_are_typed() -> None:
    lower = np.array([pad_cell(*LOWER)[0]])
    with pytest.raises(InvalidSpecError, match="upper triangular"):
        hash_many(lower, GOOD_OPS)
    assert check_many(lower, GOOD_OPS).reason.tolist() == ["matrix must be upper triangular"]
    diagonal = GOOD.copy()
    diagonal[0, 1, 1] = 1
    with pytest.raises(InvalidSpecError, match="upper triangular"):
        hash_many(diagonal, GOOD_OPS)
    with pytest.raises(OutOfDomainError, match="unsupported op avgpool3x3"):
        hash_many(GOOD, [[INPUT, "avgpool3x3", OUTPUT]])


@pytest.mark.parametrize(
    "ops",
    [
        pytest.param(np.zeros((0, 7), dtype=str), id="str-array"),
        pytest.param(np.zeros((0, 7), dtype=np.int64), id="label-array"),
        pytest.param(np.zeros((0, 7), dtype=object), id="object-array"),
    ],
)
def test_empty_batch(ops: Any) -> None:
    hashes = hash_many(np.zeros((0, 7, 7)), ops)
    assert hashes.shape == (0,)
    assert hashes.dtype == np.dtype("<U32")
    result = check_many(np.zeros((0, 7, 7), dtype=np.uint8), ops)
    assert result.valid.shape == result.hash.shape == result.reason.shape == (0,)
    assert result.first_error() is None


def test_empty_batch_with_empty_ops_list() -> None:
    """A list of zero op lists is a valid (ragged) ops argument for zero rows."""
    hashes = hash_many(np.zeros((0, 7, 7)), [])
    assert hashes.shape == (0,)
