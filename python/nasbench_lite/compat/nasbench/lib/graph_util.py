"""``nasbench.lib.graph_util``: edge bit masks, DAG checks, the module hash, permutations.

:func:`hash_module` gives the official string for every input the original accepts: any square
matrix (not only DAGs: cycles and self-loops too), any vertex count, weighted entries, and labels
of any type. Integer matrices with ``int`` labels are hashed by the native core; anything else
(float or object matrices, string or numpy-scalar labels, whose ``repr`` enters the hash) by a
pure-Python transcription of the algorithm, so the strings still match the original.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from nasbench_lite.errors import CompatAssertionError
from nasbench_lite.nb101 import hash_graph

__all__ = [
    "gen_is_edge_fn",
    "hash_module",
    "is_full_dag",
    "is_isomorphic",
    "num_edges",
    "permute_graph",
]

#: Native hashing sums degrees in int64: keep entries (and labels) well inside it.
_NATIVE_LIMIT = 2**31


def gen_is_edge_fn(bits: int) -> Callable[..., Any]:
    """A vectorised ``is_edge(x, y)`` reading edge ``x -> y`` from the bit mask ``bits``.

    The upper triangle is numbered column by column, from the least significant bit: edge
    ``(x, y)`` with ``x < y`` is bit ``x + y * (y - 1) // 2``, so ``(0,1), (0,2), (1,2), (0,3)``
    are bits 0..3 whatever the matrix size. Entries on or below the diagonal are 0. Use it as
    the original's callers do: ``np.fromfunction(gen_is_edge_fn(bits), (n, n), dtype=np.int8)``.

    Args:
        bits: The edge mask.

    Returns:
        A ``numpy.vectorize`` of ``is_edge``.
    """

    def is_edge(x: int, y: int) -> Any:
        if x >= y:
            return 0
        return (bits >> (x + y * (y - 1) // 2)) % 2 == 1

    return np.vectorize(is_edge)


def is_full_dag(matrix: Any) -> bool:
    """True when no vertex dangles: only the last row and only the first column may be all 0.

    For an upper-triangular matrix this means every vertex lies on a path from vertex 0 to
    vertex V-1 (nothing for ``ModelSpec`` to prune).

    Args:
        matrix: ``V x V`` adjacency matrix (ndarray).

    Returns:
        Whether the graph has no hanging vertex.
    """
    array = np.asarray(matrix)
    empty_row = np.all(array[: array.shape[0] - 1, :] == 0, axis=1)
    empty_col = np.all(array[:, 1:] == 0, axis=0)
    return not bool(np.any(empty_row)) and not bool(np.any(empty_col))


def num_edges(matrix: Any) -> Any:
    """The sum of all entries (the edge count of a 0/1 matrix), as ``numpy.sum`` returns it."""
    return np.sum(matrix)


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def _native_ok(array: npt.NDArray[Any], labeling: Sequence[Any]) -> bool:
    """Whether the native hash renders exactly what Python's ``str`` would for these inputs."""
    if array.dtype.kind not in "biu" or array.shape[0] == 0:
        return False
    # type() not isinstance(): bool and numpy integers render differently inside str(tuple).
    if not all(type(label) is int and -_NATIVE_LIMIT < label < _NATIVE_LIMIT for label in labeling):
        return False
    if array.dtype.kind == "b":
        return True
    return bool(np.abs(array.astype(np.int64, copy=False)).max() < _NATIVE_LIMIT) and (
        array.dtype != np.uint64 or int(array.max()) < _NATIVE_LIMIT
    )


def _hash_python(array: npt.NDArray[Any], labeling: Sequence[Any]) -> str:
    """The module hash computed the way the original does, for inputs native code cannot take.

    Degrees are numpy sums turned into Python scalars (so a float matrix renders ``1.0``) and
    every label enters through ``str`` of the ``(out, in, label)`` tuple, i.e. its ``repr``.
    """
    size = array.shape[0]
    in_degrees = np.sum(array, axis=0).tolist()
    out_degrees = np.sum(array, axis=1).tolist()
    hashes = [_md5(str(vertex)) for vertex in zip(out_degrees, in_degrees, labeling, strict=True)]
    edges = [[bool(array[v, w]) for w in range(size)] for v in range(size)]
    for _ in range(size):
        hashes = [
            _md5(
                "".join(sorted(hashes[w] for w in range(size) if edges[w][v]))
                + "|"
                + "".join(sorted(hashes[w] for w in range(size) if edges[v][w]))
                + "|"
                + hashes[v]
            )
            for v in range(size)
        ]
    return _md5(str(sorted(hashes)))


def hash_module(matrix: Any, labeling: Sequence[Any]) -> str:
    """The official isomorphism-invariant MD5 hash of a labelled directed graph.

    Args:
        matrix: Square adjacency matrix (ndarray or nested lists); non-zero entries are edges,
            degrees are the row and column sums.
        labeling: One label per vertex (the dataset uses -1 input, -2 output, 0/1/2 for the
            ops in ``config['available_ops']`` order).

    Returns:
        The 32-char lowercase hex hash, identical to the original's for the same inputs.

    Raises:
        CompatAssertionError: The matrix is not square or the label count differs (an
            ``AssertionError``, as the original's ``assert``).
    """
    array = np.asarray(matrix)
    labels = list(labeling)
    if array.ndim != 2 or array.shape[0] != array.shape[1] or array.shape[0] != len(labels):
        raise CompatAssertionError(
            f"hash_module needs a square matrix and one label per vertex, got a matrix of"
            f" shape {array.shape} and {len(labels)} labels"
        )
    if _native_ok(array, labels):
        return hash_graph(array.astype(np.int64), labels)
    return _hash_python(array, labels)


def permute_graph(
    graph: Any, label: Sequence[Any], permutation: Sequence[int]
) -> tuple[npt.NDArray[np.bool_], list[Any]]:
    """Relabels the vertices: vertex ``v`` of the old graph becomes vertex ``permutation[v]``.

    Args:
        graph: Square adjacency matrix (need not be a DAG).
        label: One label per vertex; its length sets the size of the result.
        permutation: The new index of each old vertex.

    Returns:
        ``(matrix, labels)``: a bool matrix whose entry ``[i, j]`` is True where the old
        matrix holds exactly 1 between the preimages of ``i`` and ``j``, and the labels in the
        new order.
    """
    array = np.asarray(graph)
    size = len(label)
    # old index of each new vertex (sorting the (new, old) pairs inverts the permutation)
    inverse = [old for _, old in sorted(zip(permutation, range(len(permutation)), strict=True))]
    order = [inverse[i] for i in range(size)]
    new_matrix = np.zeros((size, size), dtype=np.bool_)
    if size:
        new_matrix = np.asarray(array[np.ix_(order, order)] == 1, dtype=np.bool_)
    return new_matrix, [label[order[i]] for i in range(size)]


def _edges_equal_as_in_original(matrix: npt.NDArray[Any]) -> npt.NDArray[np.bool_] | None:
    """``matrix`` as the bool matrix a permuted graph must equal, or None if none can.

    A permuted graph is a bool matrix, equal to ``matrix`` only where ``matrix`` holds 0 or 1.
    """
    if not bool(np.all((matrix == 0) | (matrix == 1))):
        return None
    return np.asarray(matrix == 1, dtype=np.bool_)


def is_isomorphic(graph1: Sequence[Any], graph2: Sequence[Any]) -> bool:
    """True when some vertex permutation maps ``graph1`` onto ``graph2``, labels included.

    The answer is the original's exhaustive test over all ``V!`` permutations of ``graph1``
    (input and output are not pinned; edges are entries equal to 1 in ``graph1``, compared
    with ``graph2`` entry for entry), found by a backtracking search that pairs vertices with
    equal labels and degrees, so it stays fast beyond 7 vertices.

    Args:
        graph1: ``(matrix, labels)``.
        graph2: ``(matrix, labels)`` of the same size.

    Returns:
        Whether the two labelled graphs are isomorphic.

    Raises:
        CompatAssertionError: The matrices or label lists differ in size (an
            ``AssertionError``, as the original's ``assert``).
    """
    matrix1, label1 = np.array(graph1[0]), graph1[1]
    matrix2, label2 = np.array(graph2[0]), graph2[1]
    if np.shape(matrix1) != np.shape(matrix2) or len(label1) != len(label2):
        raise CompatAssertionError(
            f"is_isomorphic needs graphs of one size, got {np.shape(matrix1)} with"
            f" {len(label1)} labels and {np.shape(matrix2)} with {len(label2)} labels"
        )
    if not isinstance(label2, list) or matrix1.ndim != 2 or matrix1.shape[0] != len(label1):
        # Unusual inputs: the original's permutation loop itself decides.
        return _is_isomorphic_exhaustive(matrix1, label1, matrix2, label2)
    target = _edges_equal_as_in_original(matrix2)
    if target is None:
        return False
    source = np.asarray(matrix1 == 1, dtype=np.bool_)
    return _search(source.tolist(), list(label1), target.tolist(), label2)


def _is_isomorphic_exhaustive(
    matrix1: npt.NDArray[Any], label1: Sequence[Any], matrix2: Any, label2: Any
) -> bool:
    for perm in itertools.permutations(range(np.shape(matrix1)[0])):
        permuted, labels = permute_graph(matrix1, label1, perm)
        if np.array_equal(permuted, matrix2) and labels == label2:
            return True
    return False


def _search(
    source: list[list[bool]], label1: list[Any], target: list[list[bool]], label2: list[Any]
) -> bool:
    """Backtracking: map source vertex ``v`` to an unused target vertex, keeping every edge
    (and non-edge) between mapped vertices, labels and degrees equal."""
    size = len(source)

    def signature(m: list[list[bool]], v: int) -> tuple[int, int, bool]:
        return sum(m[v]), sum(row[v] for row in m), m[v][v]

    sig1 = [signature(source, v) for v in range(size)]
    sig2 = [signature(target, w) for w in range(size)]
    candidates = [
        [w for w in range(size) if sig1[v] == sig2[w] and bool(label1[v] == label2[w])]
        for v in range(size)
    ]
    mapping: list[int] = []
    used = [False] * size

    def extend(v: int) -> bool:
        if v == size:
            return True
        for w in candidates[v]:
            if used[w]:
                continue
            if all(
                source[v][u] == target[w][mapping[u]] and source[u][v] == target[mapping[u]][w]
                for u in range(v)
            ):
                used[w] = True
                mapping.append(w)
                if extend(v + 1):
                    return True
                mapping.pop()
                used[w] = False
        return False

    return extend(0)
