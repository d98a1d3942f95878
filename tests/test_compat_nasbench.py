"""``nasbench_lite.compat.nasbench.lib``: graph_util, model_spec and config.

The properties checked are those the official ``graph_util_test.py`` / ``model_spec_test.py``
establish (edge bit masks, full-DAG test, hash invariance and discrimination, permutation,
isomorphism, pruning, upper-triangularity), on our own examples; hashes are compared with the
values the original code produced (tests/data/reference_specs.jsonl, nb101.md) and with the
independent transcription in ``nb101_reference``.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from typing import Any

import numpy as np
import pytest
from nasbench_lite import nb101
from nasbench_lite.compat.nasbench import api
from nasbench_lite.compat.nasbench.lib import config, graph_util, model_spec
from nasbench_lite.errors import CompatAssertionError, InvalidSpecError, NasbenchLiteError
from nb101_reference import (
    CONV1X1,
    CONV3X3,
    MAXPOOL3X3,
    is_full_dag,
    matrix_from_bits,
    reference_hash,
    spec_labels,
)

# --------------------------------------------------------------------------------------------
# gen_is_edge_fn / is_full_dag / num_edges


@pytest.mark.parametrize("size", [2, 3, 4, 5, 7])
def test_gen_is_edge_fn_fills_the_upper_triangle_column_by_column(size: int) -> None:
    for bits in [0, 1, 2, 6, 9, 21, 44, 63, 2 ** (size * (size - 1) // 2) - 1]:
        made = np.fromfunction(graph_util.gen_is_edge_fn(bits), (size, size), dtype=np.int8)
        expected = np.array(matrix_from_bits(bits, size))
        assert np.array_equal(made, expected), (bits, size)


def test_gen_is_edge_fn_is_dimension_agnostic() -> None:
    # bits 0b1010 = edges (0, 2) and (0, 3): the same in a 4x4 and (zero padded) a 6x6 matrix.
    small = np.fromfunction(graph_util.gen_is_edge_fn(0b1010), (4, 4), dtype=np.int8)
    large = np.fromfunction(graph_util.gen_is_edge_fn(0b1010), (6, 6), dtype=np.int8)
    assert small.tolist() == [[0, 0, 1, 1], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]
    assert np.array_equal(large[:4, :4], small) and not large[4:].any() and not large[:, 4:].any()
    fn = graph_util.gen_is_edge_fn(0b111)
    assert fn(2, 1) == 0 and fn(1, 1) == 0 and fn(0, 1)


def test_is_full_dag_on_every_five_vertex_upper_triangle() -> None:
    for bits in range(2**10):
        matrix = np.array(matrix_from_bits(bits, 5))
        assert graph_util.is_full_dag(matrix) == is_full_dag(matrix.tolist()), bits


@pytest.mark.parametrize(
    ("matrix", "full"),
    [
        ([[0, 1], [0, 0]], True),
        ([[0, 1, 1, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]], True),
        # vertex 2 has no way in
        ([[0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]], False),
        # vertex 1 leads nowhere
        ([[0, 1, 1], [0, 0, 0], [0, 0, 0]], False),
        # input and output never meet: 0 -> 1, 2 -> 3
        ([[0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0]], False),
    ],
)
def test_is_full_dag_examples(matrix: list[list[int]], full: bool) -> None:
    assert graph_util.is_full_dag(np.array(matrix)) is full


def test_num_edges_is_the_plain_sum() -> None:
    assert graph_util.num_edges(np.array([[0, 1, 1], [0, 0, 2], [0, 0, 0]])) == 4
    assert graph_util.num_edges(np.zeros((3, 3), dtype=bool)) == 0


# --------------------------------------------------------------------------------------------
# hash_module

README_CELL = (
    [
        [0, 1, 1, 1, 0, 1, 0],
        [0, 0, 0, 0, 0, 0, 1],
        [0, 0, 0, 0, 0, 0, 1],
        [0, 0, 0, 0, 1, 0, 0],
        [0, 0, 0, 0, 0, 0, 1],
        [0, 0, 0, 0, 0, 0, 1],
        [0, 0, 0, 0, 0, 0, 0],
    ],
    [-1, 1, 0, 0, 0, 2, -2],
)


def test_hash_module_worked_values_of_the_original() -> None:
    assert graph_util.hash_module(np.array([[0, 1], [0, 0]]), [-1, -2]) == (
        "043721b9c7fe8c5fad811d47d83132ec"
    )
    chain = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    assert graph_util.hash_module(chain, [-1, 0, -2]) == "b49ac8c578b4561d79ac7087988f1c61"
    assert graph_util.hash_module(np.array(README_CELL[0]), README_CELL[1]) == (
        "28cfc7874f6d200472e1a9dcd8650aa0"
    )


def test_hash_module_matches_the_original_on_the_reference_specs(
    reference_specs: list[dict[str, Any]],
) -> None:
    checked = 0
    for row in reference_specs:
        if not row.get("valid") or not row.get("hash"):
            continue
        matrix = row.get("pruned_matrix", row["matrix"])
        ops = row.get("pruned_ops", row["ops"])
        labels = spec_labels(ops)
        assert graph_util.hash_module(np.array(matrix), labels) == row["hash"]
        checked += 1
    assert checked > 100


def test_hash_module_ignores_label_order_within_symmetric_positions() -> None:
    diamond = np.array([[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]])
    assert graph_util.hash_module(diamond, [-1, 0, 2, -2]) == graph_util.hash_module(
        diamond, [-1, 2, 0, -2]
    )


def test_hash_module_is_invariant_under_relabelling_of_vertices() -> None:
    rng = random.Random(11)
    matrix, labels = np.array(README_CELL[0]), README_CELL[1]
    expected = graph_util.hash_module(matrix, labels)
    for _ in range(20):
        perm = list(range(7))
        rng.shuffle(perm)
        permuted, plabels = graph_util.permute_graph(matrix, labels, perm)
        assert graph_util.hash_module(permuted.astype(int), plabels) == expected


def test_hash_module_tells_apart_graphs_a_weaker_hash_would_merge() -> None:
    # Same multiset of labels on a chain: only the vertex's own history separates them.
    chain = np.eye(5, k=1, dtype=int)
    assert graph_util.hash_module(chain, [-1, 0, 1, 1, -2]) != graph_util.hash_module(
        chain, [-1, 1, 1, 0, -2]
    )
    # Edge direction matters: 0 -> 1 -> 2 -> 3 plus a skip 0 -> 3, labels swapped in the middle.
    skip = np.array([[0, 1, 0, 1], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]])
    assert graph_util.hash_module(skip, [-1, 2, 1, -2]) != graph_util.hash_module(
        skip, [-1, 1, 2, -2]
    )
    # Changing one interior op changes the hash.
    matrix = np.array(README_CELL[0])
    assert graph_util.hash_module(matrix, [-1, 1, 0, 0, 0, 2, -2]) != graph_util.hash_module(
        matrix, [-1, 1, 0, 0, 1, 2, -2]
    )


def test_hash_module_on_random_directed_graphs_any_size() -> None:
    # Not DAGs: cycles, self-loops and weights; 1 to 20 vertices, labels 0..10.
    rng = np.random.default_rng(5)
    py_rng = random.Random(5)
    for _ in range(300):
        size = int(rng.integers(1, 21))
        matrix = rng.integers(0, 2, (size, size))
        if rng.random() < 0.2:
            matrix = matrix * rng.integers(1, 4, (size, size))  # weighted entries
        labels = [py_rng.randint(0, 10) for _ in range(size)]
        expected = reference_hash(matrix.tolist(), labels)
        assert graph_util.hash_module(matrix, labels) == expected
        assert graph_util._hash_python(matrix, labels) == expected  # fallback agrees
        perm = list(range(size))
        py_rng.shuffle(perm)
        if not np.any(matrix > 1):  # permute_graph keeps entries equal to 1 only
            permuted, plabels = graph_util.permute_graph(matrix, labels, perm)
            assert graph_util.hash_module(permuted, plabels) == expected


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def test_hash_module_renders_inputs_as_the_original_str_does() -> None:
    """Float matrices and non-int labels enter the hash through their repr, as in the
    original: the pure-Python path reproduces those strings."""
    matrix = [[0.0, 1.0], [0.0, 0.0]]
    first = [_md5("(1.0, 0.0, 'in')"), _md5("(0.0, 1.0, 'out')")]
    second = [_md5("|" + first[1] + "|" + first[0]), _md5(first[0] + "||" + first[1])]
    third = [_md5("|" + second[1] + "|" + second[0]), _md5(second[0] + "||" + second[1])]
    assert graph_util.hash_module(np.array(matrix), ["in", "out"]) == _md5(str(sorted(third)))
    # A float matrix hashes differently from the same int matrix, as in the original.
    assert graph_util.hash_module(np.array(matrix), [-1, -2]) != graph_util.hash_module(
        np.array([[0, 1], [0, 0]]), [-1, -2]
    )
    # Bool matrices hash like 0/1 ints; bool labels render as True/False, not 1/0.
    as_bool = np.array([[False, True], [False, False]])
    assert graph_util.hash_module(as_bool, [-1, -2]) == "043721b9c7fe8c5fad811d47d83132ec"
    assert graph_util.hash_module(as_bool, [True, False]) != graph_util.hash_module(as_bool, [1, 0])
    # numpy integer labels render as np.int64(...) under numpy 2 (the original's pitfall).
    numpy_label = graph_util.hash_module(as_bool, [np.int64(-1), np.int64(-2)])
    assert (numpy_label == "043721b9c7fe8c5fad811d47d83132ec") == (repr(np.int64(-1)) == "-1")
    # Nested lists are accepted (converted to an array) and the empty graph hashes "[]".
    assert graph_util.hash_module([[0, 1], [0, 0]], [-1, -2]) == (
        "043721b9c7fe8c5fad811d47d83132ec"
    )
    assert graph_util.hash_module(np.zeros((0, 0)), []) == _md5("[]")


def test_hash_module_rejects_mismatched_shapes() -> None:
    with pytest.raises(CompatAssertionError, match="square matrix"):
        graph_util.hash_module(np.zeros((2, 3)), [0, 1])
    with pytest.raises(CompatAssertionError, match="one label per vertex"):
        graph_util.hash_module(np.zeros((3, 3)), [0, 1])
    with pytest.raises(AssertionError):  # what the original's assert raises
        graph_util.hash_module(np.zeros(4), [0, 1, 2, 3])


# --------------------------------------------------------------------------------------------
# permute_graph / is_isomorphic


def test_permute_graph_moves_vertex_v_to_perm_v() -> None:
    # Not a DAG: self-loop on 0, cycle 0 -> 1 -> 2 -> 0.
    graph = np.array([[1, 1, 0], [0, 0, 1], [1, 0, 0]])
    labels = ["x", "y", "z"]
    perm = [1, 2, 0]
    new, new_labels = graph_util.permute_graph(graph, labels, perm)
    assert new.dtype == np.bool_
    for i, j in itertools.product(range(3), repeat=2):
        assert new[perm[i], perm[j]] == (graph[i, j] == 1)
    assert [new_labels[perm[v]] for v in range(3)] == labels
    assert new_labels == ["z", "x", "y"]
    identity, same = graph_util.permute_graph(graph, labels, [0, 1, 2])
    assert np.array_equal(identity, graph) and same == labels


def test_is_isomorphic_examples() -> None:
    diamond = np.array([[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]])
    assert graph_util.is_isomorphic((diamond, [-1, 0, 2, -2]), (diamond, [-1, 2, 0, -2]))
    assert not graph_util.is_isomorphic((diamond, [-1, 0, 2, -2]), (diamond, [-1, 0, 0, -2]))
    chain = np.eye(4, k=1, dtype=int)
    assert not graph_util.is_isomorphic((chain, [-1, 0, 1, -2]), (diamond, [-1, 0, 1, -2]))
    matrix, labels = np.array(README_CELL[0]), README_CELL[1]
    permuted, plabels = graph_util.permute_graph(matrix, labels, [6, 2, 0, 4, 1, 3, 5])
    assert graph_util.is_isomorphic((matrix, labels), (permuted, plabels))
    # Same hash family but one edge moved: not isomorphic.
    moved = matrix.copy()
    moved[0, 5], moved[0, 4] = 0, 1
    assert not graph_util.is_isomorphic((matrix, labels), (moved, labels))
    # 10 vertices (3.6 million permutations for brute force): a shuffled cycle with a chord.
    ring = np.roll(np.eye(10, dtype=int), 1, axis=1)
    ring[0, 5] = 1
    perm = [3, 7, 1, 0, 9, 2, 8, 5, 4, 6]
    shuffled, slabels = graph_util.permute_graph(ring, list(range(10)), perm)
    assert graph_util.is_isomorphic((ring, list(range(10))), (shuffled, slabels))
    assert graph_util.is_isomorphic((ring, [0] * 10), (shuffled, [0] * 10))
    ring2 = ring.copy()
    ring2[0, 5], ring2[0, 4] = 0, 1
    assert not graph_util.is_isomorphic((ring, [0] * 10), (ring2, [0] * 10))


def test_is_isomorphic_agrees_with_exhaustive_search() -> None:
    rng = np.random.default_rng(3)
    for _ in range(150):
        size = int(rng.integers(1, 6))
        first = rng.integers(0, 2, (size, size))
        labels1 = [int(x) for x in rng.integers(0, 2, size)]
        perm = [int(x) for x in rng.permutation(size)]
        second, labels2 = graph_util.permute_graph(first, labels1, perm)
        second = second.astype(int)
        if rng.random() < 0.5:  # perturb one entry or one label
            i, j = (int(x) for x in rng.integers(0, size, 2))
            second[i, j] = 1 - second[i, j]
            if rng.random() < 0.3:
                labels2[i] = 1 - labels2[i]
        expected = graph_util._is_isomorphic_exhaustive(first, labels1, second, labels2)
        assert graph_util.is_isomorphic((first, labels1), (second, labels2)) == expected
    # Entries other than 0/1 in the second graph never equal a permuted (bool) graph.
    assert not graph_util.is_isomorphic(
        (np.array([[0, 1], [0, 0]]), [0, 1]), (np.array([[0, 2], [0, 0]]), [0, 1])
    )


def test_is_isomorphic_rejects_graphs_of_different_sizes() -> None:
    with pytest.raises(AssertionError):
        graph_util.is_isomorphic((np.zeros((2, 2)), [0, 1]), (np.zeros((3, 3)), [0, 1, 2]))


# --------------------------------------------------------------------------------------------
# model_spec


def test_model_spec_is_the_native_class_everywhere() -> None:
    assert model_spec.ModelSpec is api.ModelSpec is nb101.ModelSpec


def test_model_spec_keeps_full_graphs_untouched() -> None:
    for matrix in (
        [[0, 1], [0, 0]],
        [[0, 1, 1], [0, 0, 1], [0, 0, 0]],
        [[0, 1, 0, 1], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]],
    ):
        ops = list(range(len(matrix)))  # op values are not checked by the constructor
        spec = model_spec.ModelSpec(np.array(matrix), ops)
        assert spec.valid_spec
        assert np.array_equal(spec.matrix, spec.original_matrix)
        assert spec.ops == spec.original_ops == ops


@pytest.mark.parametrize(
    ("matrix", "kept", "pruned"),
    [
        # an island 2 -> 3 beside the path 0 -> 1 -> 4
        (
            [[0, 1, 0, 0, 0], [0, 0, 0, 0, 1], [0, 0, 0, 1, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]],
            [0, 1, 4],
            [[0, 1, 0], [0, 0, 1], [0, 0, 0]],
        ),
        # vertex 1 is fed by the input but feeds nothing
        (
            [[0, 1, 1, 0], [0, 0, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0]],
            [0, 2, 3],
            [[0, 1, 0], [0, 0, 1], [0, 0, 0]],
        ),
        # vertex 1 feeds the output but nothing reaches it
        (
            [[0, 0, 1, 1], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]],
            [0, 2, 3],
            [[0, 1, 1], [0, 0, 1], [0, 0, 0]],
        ),
    ],
)
def test_model_spec_prunes_dangling_vertices(
    matrix: list[list[int]], kept: list[int], pruned: list[list[int]]
) -> None:
    ops = ["v%d" % v for v in range(len(matrix))]  # noqa: UP031
    spec = model_spec.ModelSpec(np.array(matrix), ops)
    assert spec.valid_spec
    assert np.array_equal(spec.matrix, np.array(pruned))
    assert spec.ops == [ops[v] for v in kept]
    assert np.array_equal(spec.original_matrix, np.array(matrix)) and spec.original_ops == ops


@pytest.mark.parametrize(
    "matrix",
    [
        [[0, 0], [0, 0]],
        [[0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0]],  # 0 -> 1 and 2 -> 3 only
        [[0, 0, 0], [0, 0, 1], [0, 0, 0]],  # 1 -> 2, nothing leaves the input
        [[0]],
    ],
)
def test_model_spec_marks_disconnected_specs_invalid(matrix: list[list[int]]) -> None:
    spec = model_spec.ModelSpec(np.array(matrix), ["op"] * len(matrix))
    assert not spec.valid_spec and spec.matrix is None and spec.ops is None


def test_model_spec_constructor_errors_in_the_original_order() -> None:
    with pytest.raises(ValueError, match="^matrix must be square$"):
        model_spec.ModelSpec([[0, 1, 0], [0, 0, 1]], ["a", "b", "c"])
    with pytest.raises(ValueError, match="^length of ops must match matrix dimensions$"):
        model_spec.ModelSpec([[0, 1], [0, 0]], ["a"])
    with pytest.raises(InvalidSpecError, match="^matrix must be upper triangular$"):
        model_spec.ModelSpec([[0, 1], [1, 0]], ["a", "b"])


def test_model_spec_hash_spec_uses_the_canonical_op_order() -> None:
    matrix, labels = README_CELL
    names = [CONV3X3, CONV1X1, MAXPOOL3X3]
    ops = ["input"] + [names[label] for label in labels[1:-1]] + ["output"]
    spec = model_spec.ModelSpec(matrix, ops)
    assert spec.hash_spec(names) == "28cfc7874f6d200472e1a9dcd8650aa0"
    assert spec.hash_spec(list(reversed(names))) != spec.hash_spec(names)


@pytest.mark.parametrize(
    ("matrix", "upper"),
    [
        (np.zeros((4, 4), dtype=int), True),
        (np.triu(np.ones((4, 4), dtype=int), 1), True),
        (np.triu(np.ones((4, 4), dtype=int), 0), False),  # diagonal
        (np.array([[0, 0, 0], [0, 0, 0], [0, 1, 0]]), False),  # below
        (np.array([[0]]), True),
        (np.array([[1]]), False),
    ],
)
def test_is_upper_triangular(matrix: Any, upper: bool) -> None:
    assert model_spec.is_upper_triangular(matrix) is upper


def test_visualize_draws_the_pruned_cell_or_says_graphviz_is_missing() -> None:
    spec = model_spec.ModelSpec([[0, 1, 1], [0, 0, 1], [0, 0, 0]], ["input", CONV1X1, "output"])
    try:
        import graphviz  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError):
            spec.visualize()
        return
    source = spec.visualize().source  # pragma: no cover - graphviz is optional
    assert "0 -> 1" in source and CONV1X1 in source  # pragma: no cover


# --------------------------------------------------------------------------------------------
# config


def test_build_config_returns_the_official_defaults() -> None:
    built = config.build_config()
    assert built["module_vertices"] == 7 and built["max_edges"] == 9
    assert built["available_ops"] == [CONV3X3, CONV1X1, MAXPOOL3X3]
    assert built["num_repeats"] == 3 and built["train_epochs"] == 108
    assert built["intermediate_evaluations"] == ["0.5"]  # absl list flags hold strings
    assert (built["stem_filter_size"], built["num_stacks"], built["num_modules_per_stack"]) == (
        128,
        3,
        3,
    )
    assert (built["batch_size"], built["learning_rate"], built["momentum"]) == (256, 0.1, 0.9)
    assert built["weight_decay"] == 1e-4 and built["train_seconds"] == 14400.0
    assert built["lr_decay_method"] == "COSINE_BY_STEP" and built["data_format"] == "channels_last"
    assert built["use_tpu"] is True and built["tpu_num_shards"] == 2
    assert list(built)[:6] == [
        "train_data_files",
        "valid_data_file",
        "test_data_file",
        "sample_data_file",
        "data_format",
        "num_labels",
    ]
    assert len(built) == 25
    built["available_ops"].append("identity")  # a fresh dict (and list) per call
    assert config.build_config()["available_ops"] == [CONV3X3, CONV1X1, MAXPOOL3X3]


def test_training_not_offered_error_is_typed() -> None:
    assert issubclass(api.TrainingNotOfferedError, NasbenchLiteError)
    assert issubclass(api.TrainingNotOfferedError, NotImplementedError)
    assert api.OutOfDomainError is nb101.OutOfDomainError


# --------------------------------------------------------------------------------------------
# model_builder / evaluate / base_ops


def test_compute_vertex_channels_examples() -> None:
    from nasbench_lite.compat.nasbench.lib import model_builder

    chain = np.eye(3, k=1, dtype=int)
    assert model_builder.compute_vertex_channels(64, 128, chain) == [64, 128, 128]
    assert model_builder.compute_vertex_channels(64, 128, np.array([[0, 1], [0, 0]])) == [64, 128]
    cell = nb101.ModelSpec(README_CELL[0], ["input"] + [CONV3X3] * 5 + ["output"]).matrix
    # Feeders 1, 2, 4, 5 share the output; 3 (feeding 4 only) copies 4.
    assert model_builder.compute_vertex_channels(128, 128, cell) == [128, 32, 32, 32, 32, 32, 128]
    assert model_builder.compute_vertex_channels(128, 130, cell) == [128, 33, 33, 32, 32, 32, 130]
    with pytest.raises(CompatAssertionError):
        model_builder.compute_vertex_channels(8, 8, np.array([[0, 0, 1], [0, 0, 0], [0, 0, 0]]))


def _network_parameters(spec: Any) -> int:
    """nb101.md §7: stem, 3 stacks x 3 modules at 128/256/512 channels, dense head."""
    from nasbench_lite.compat.nasbench.lib import model_builder

    matrix, ops = spec.matrix, spec.ops
    size = len(ops)
    total = 3 * 3 * 3 * 128 + 2 * 128
    in_channels = 128
    for out_channels in (128, 128, 128, 256, 256, 256, 512, 512, 512):
        channels = model_builder.compute_vertex_channels(in_channels, out_channels, matrix)
        for t in range(1, size - 1):
            c = channels[t]
            if matrix[0, t]:
                total += in_channels * c + 2 * c
            total += {CONV3X3: 9 * c * c + 2 * c, CONV1X1: c * c + 2 * c, MAXPOOL3X3: 0}[ops[t]]
        if matrix[0, size - 1]:
            total += in_channels * out_channels + 2 * out_channels
        in_channels = out_channels
    return total + 512 * 10 + 10


def test_compute_vertex_channels_gives_the_dataset_parameter_counts(
    reference_specs: list[dict[str, Any]],
) -> None:
    specs = [row for row in reference_specs if row["kind"] == "enumerated"][:60]
    readme_ops = ["input", CONV1X1, CONV3X3, CONV3X3, CONV3X3, MAXPOOL3X3, "output"]
    readme = nb101.ModelSpec(README_CELL[0], readme_ops)
    assert _network_parameters(readme) == 2_694_282  # the notebook's value
    for row in specs:
        spec = nb101.ModelSpec(row["matrix"], row["ops"])
        assert _network_parameters(spec) == nb101.trainable_parameters(spec)


def test_training_entry_points_raise_the_typed_error() -> None:
    from nasbench_lite.compat.nasbench.lib import base_ops, evaluate, model_builder

    for call in (
        lambda: evaluate.train_and_evaluate(None, config.build_config(), "/tmp/x"),
        lambda: evaluate.augment_and_evaluate(None, config.build_config(), "/tmp/x"),
        lambda: model_builder.build_model_fn(None, config.build_config(), 40_000),
        lambda: model_builder.build_module(None, None, [1], True),
        lambda: model_builder.projection(None, 1, True, "channels_last"),
        lambda: model_builder.truncate(None, 1, "channels_last"),
    ):
        with pytest.raises(api.TrainingNotOfferedError, match="TensorFlow"):
            call()
    assert issubclass(evaluate.AbortError, Exception)
    assert base_ops.BN_MOMENTUM == 0.997 and base_ops.BN_EPSILON == 1e-5
    assert base_ops.MIN_FILTERS == 8 and "channels_first" in base_ops.VALID_DATA_FORMATS
    assert set(config.build_config()["available_ops"]) < set(base_ops.OP_NAMES)


def _layered(wiring: dict[int, tuple[int, int]]) -> Any:
    """10 vertices: input -> 1..4 -> (wiring) -> 5..8 -> output."""
    matrix = np.zeros((10, 10), dtype=int)
    matrix[0, 1:5] = 1
    matrix[5:9, 9] = 1
    for src, dsts in wiring.items():
        matrix[src, list(dsts)] = 1
    return matrix


def test_hash_is_not_canonical_but_is_isomorphic_tells_the_truth() -> None:
    # Between the two layers: two disjoint 4-cycles versus one 8-cycle. Every vertex has the
    # same neighbourhood degrees in both, so the hash cannot separate them.
    two_squares = _layered({1: (5, 7), 3: (5, 7), 2: (6, 8), 4: (6, 8)})
    one_octagon = _layered({1: (5, 6), 2: (6, 7), 3: (7, 8), 4: (8, 5)})
    labels = [-1, 0, 0, 0, 0, 2, 2, 2, 2, -2]
    assert graph_util.hash_module(two_squares, labels) == graph_util.hash_module(
        one_octagon, labels
    )
    assert not graph_util.is_isomorphic((two_squares, labels), (one_octagon, labels))
    shuffled, slabels = graph_util.permute_graph(
        one_octagon, labels, [0, 4, 2, 1, 3, 8, 5, 7, 6, 9]
    )
    assert graph_util.is_isomorphic((one_octagon, labels), (shuffled, slabels))
