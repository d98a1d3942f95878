"""Independent pure-Python reference for the NAS-Bench-101 algorithms, plus shared test helpers.

Everything here is written straight from ``shared/formats/nb101.md`` (the description of the
original google-research/nasbench code) and deliberately shares no code with
``nasbench_lite``: the module hash (§2), ``ModelSpec._prune`` (§3), ``api._check_spec`` (§6)
and ``generate_graphs.py`` (§4). Tests compare the library against these functions, and these
functions against the reference values produced by the original code (tests/data).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

DATA_DIR = Path(__file__).resolve().parent / "data"

INPUT, OUTPUT = "input", "output"
CONV3X3, CONV1X1, MAXPOOL3X3 = "conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"
#: The official op list; the position of an op is its hash label.
OPS = [CONV3X3, CONV1X1, MAXPOOL3X3]
LABEL_OF_NAME = {INPUT: -1, OUTPUT: -2, CONV3X3: 0, CONV1X1: 1, MAXPOOL3X3: 2}
MAX_VERTICES, MAX_EDGES = 7, 9


# --------------------------------------------------------------------------------------------
# Fixture files


def load_reference_specs() -> list[dict[str, Any]]:
    """The rows of tests/data/reference_specs.jsonl, in file order."""
    with open(DATA_DIR / "reference_specs.jsonl", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_nar_record() -> dict[str, Any]:
    """The single NAS-Bench-101 record of the NAR cell-information example."""
    with open(DATA_DIR / "nasbench101_vertice_example.json", encoding="utf-8") as handle:
        records = json.load(handle)
    assert len(records) == 1
    return records[0]


def row_id(index: int, row: dict[str, Any]) -> str:
    """A readable pytest id for a reference row."""
    detail = row.get("reason") or row.get("subkind") or row.get("name") or ""
    return f"{index:03d}-{row['kind']}" + (f"-{detail}" if detail else "")


def expected_pruned(row: dict[str, Any]) -> tuple[Any, Any]:
    """(pruned_matrix, pruned_ops) of a reference row; enumerated cells are already pruned."""
    if "pruned_matrix" in row:
        return row["pruned_matrix"], row["pruned_ops"]
    assert row["kind"] == "enumerated"
    return row["matrix"], row["ops"]


def intended_error(row: dict[str, Any]) -> str:
    """The OutOfDomainError message we must raise for an 'is_valid'-stage reference row.

    For the original's >7-vertex bug (error_type TypeError) that is the message the original
    meant to raise: 'too many vertices, got N (max vertices = 7)', N = pruned vertex count.
    """
    assert row["stage"] == "is_valid"
    if row["error_type"] == "TypeError":
        return f"too many vertices, got {len(row['pruned_ops'])} (max vertices = {MAX_VERTICES})"
    assert row["error_type"] == "OutOfDomainError"
    return row["error"]


# --------------------------------------------------------------------------------------------
# §2: the module hash


def md5_hex(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def reference_hash(matrix: Any, labels: Sequence[int]) -> str:
    """``graph_util.hash_module`` as described in nb101.md §2 (any square matrix).

    Entries are converted to Python ints first so that degrees are plain sums and labels
    render as ``-1`` etc. inside ``str(tuple)`` (never ``np.int64(-1)``).
    """
    m = [[int(x) for x in row] for row in matrix]
    n = len(m)
    assert all(len(row) == n for row in m) and len(labels) == n
    out_degree = [sum(m[v]) for v in range(n)]
    in_degree = [sum(m[w][v] for w in range(n)) for v in range(n)]
    hashes = [md5_hex(str((out_degree[v], in_degree[v], int(labels[v])))) for v in range(n)]
    for _ in range(n):
        hashes = [
            md5_hex(
                "".join(sorted(hashes[w] for w in range(n) if m[w][v]))
                + "|"
                + "".join(sorted(hashes[w] for w in range(n) if m[v][w]))
                + "|"
                + hashes[v]
            )
            for v in range(n)
        ]
    return md5_hex(str(sorted(hashes)))


def spec_labels(ops: Sequence[str], canonical_ops: Sequence[str] = tuple(OPS)) -> list[int]:
    """``hash_spec``'s labelling: -1, canonical_ops.index(op) for interior ops, -2."""
    canonical = list(canonical_ops)
    return [-1] + [canonical.index(op) for op in ops[1:-1]] + [-2]


# --------------------------------------------------------------------------------------------
# §3 / §6: pruning and the API's spec check


def reference_prune(
    matrix: Any, ops: Sequence[str]
) -> tuple[list[list[int]] | None, list[str] | None]:
    """``ModelSpec._prune``: (pruned matrix, pruned ops), or (None, None) when disconnected."""
    m = [[int(x) for x in row] for row in matrix]
    n = len(m)
    from_input, frontier = {0}, [0]
    while frontier:
        top = frontier.pop()
        for v in range(top + 1, n):
            if m[top][v] and v not in from_input:
                from_input.add(v)
                frontier.append(v)
    to_output, frontier = {n - 1}, [n - 1]
    while frontier:
        top = frontier.pop()
        for v in range(0, top):
            if m[v][top] and v not in to_output:
                to_output.add(v)
                frontier.append(v)
    extraneous = set(range(n)) - (from_input & to_output)
    if len(extraneous) > n - 2:
        return None, None
    keep = [v for v in range(n) if v not in extraneous]
    return [[m[i][j] for j in keep] for i in keep], [ops[v] for v in keep]


def reference_check(
    pruned_matrix: Any,
    pruned_ops: Sequence[str] | None,
    config: Mapping[str, Any] | None = None,
) -> str | None:
    """``api._check_spec`` on a pruned spec: the OutOfDomainError message, or None if valid.

    ``config`` is the object's ``self.config`` (its ``module_vertices``, ``max_edges`` and
    ``available_ops``, %-formatted into the messages as there); None means the official one.
    Uses the intended 'too many vertices' message where the original had its TypeError bug.
    """
    limits = config or {
        "module_vertices": MAX_VERTICES,
        "max_edges": MAX_EDGES,
        "available_ops": OPS,
    }
    if pruned_matrix is None or pruned_ops is None:
        return "invalid spec, provided graph is disconnected."
    if len(pruned_ops) > limits["module_vertices"]:
        return "too many vertices, got %d (max vertices = %d)" % (  # noqa: UP031
            len(pruned_ops),
            limits["module_vertices"],
        )
    edges = sum(int(x) for row in pruned_matrix for x in row)
    if edges > limits["max_edges"]:
        return "too many edges, got %d (max edges = %d)" % (edges, limits["max_edges"])  # noqa: UP031
    if pruned_ops[0] != INPUT:
        return "first operation should be 'input'"
    if pruned_ops[-1] != OUTPUT:
        return "last operation should be 'output'"
    for op in pruned_ops[1:-1]:
        if op not in limits["available_ops"]:
            return "unsupported op %s (available ops = %s)" % (op, limits["available_ops"])  # noqa: UP031
    return None


# --------------------------------------------------------------------------------------------
# §4: generate_graphs.py


def edge_bit(x: int, y: int) -> int:
    """Bit index of edge (x, y), x < y, in ``gen_is_edge_fn`` encoding."""
    return x + y * (y - 1) // 2


def matrix_from_bits(bits: int, n: int) -> list[list[int]]:
    return [
        [1 if x < y and (bits >> edge_bit(x, y)) & 1 else 0 for y in range(n)] for x in range(n)
    ]


def is_full_dag(m: Sequence[Sequence[int]]) -> bool:
    n = len(m)
    rows_bad = any(all(x == 0 for x in m[r]) for r in range(n - 1))
    cols_bad = any(all(m[r][c] == 0 for r in range(n)) for c in range(1, n))
    return not rows_bad and not cols_bad


def reference_enumerate(
    max_vertices: int, max_edges: int = MAX_EDGES, num_ops: int = 3
) -> tuple[dict[str, tuple[int, int, list[list[int]], list[int]]], int]:
    """``generate_graphs.py`` without isomorphism verification.

    Returns ({hash: (num_vertices, edge_bits, matrix, labels)} in first-seen order,
    number of labelled graphs visited).
    """
    buckets: dict[str, tuple[int, int, list[list[int]], list[int]]] = {}
    visited = 0
    for n in range(2, max_vertices + 1):
        for bits in range(2 ** (n * (n - 1) // 2)):
            matrix = matrix_from_bits(bits, n)
            if not is_full_dag(matrix) or sum(map(sum, matrix)) > max_edges:
                continue
            for labeling in itertools.product(range(num_ops), repeat=n - 2):
                visited += 1
                labels = [-1, *labeling, -2]
                fingerprint = reference_hash(matrix, labels)
                if fingerprint not in buckets:
                    buckets[fingerprint] = (n, bits, matrix, labels)
    return buckets, visited


# --------------------------------------------------------------------------------------------
# Batch helpers


def pad_cell(
    matrix: Any, ops: Sequence[Any], width: int = MAX_VERTICES, pad: Any = ""
) -> tuple[list[list[int]], list[Any]]:
    """Zero-pads a cell's matrix to ``width`` and pads its ops with ``pad``."""
    n = len(matrix)
    assert n <= width and len(ops) == n
    padded = [
        [int(matrix[i][j]) if i < n and j < n else 0 for j in range(width)] for i in range(width)
    ]
    return padded, list(ops) + [pad] * (width - n)


def upper_bits_count(n: int) -> int:
    return n * (n - 1) // 2


def topological_relabelling(matrix: Sequence[Sequence[int]], choices: Sequence[int]) -> list[int]:
    """A permutation ``perm`` (old vertex v -> new index perm[v]) that keeps the matrix upper
    triangular, keeps vertex 0 first and vertex n-1 last. ``choices`` picks, at each step, which
    of the currently available vertices comes next (taken modulo the number available)."""
    n = len(matrix)
    placed: list[int] = [0]
    remaining = set(range(1, n - 1))
    step = 0
    while remaining:
        ready = sorted(
            v for v in remaining if all(not matrix[u][v] or u in placed for u in range(n))
        )
        pick = ready[choices[step % len(choices)] % len(ready)] if choices else ready[0]
        step += 1
        placed.append(pick)
        remaining.remove(pick)
    if n > 1:
        placed.append(n - 1)
    perm = [0] * n
    for new_index, old in enumerate(placed):
        perm[old] = new_index
    return perm


def permute(
    matrix: Sequence[Sequence[int]], ops: Sequence[Any], perm: Sequence[int]
) -> tuple[list[list[int]], list[Any]]:
    """Relabels vertex v as perm[v] (graph_util.permute_graph semantics)."""
    n = len(matrix)
    new = [[0] * n for _ in range(n)]
    new_ops: list[Any] = [None] * n
    for i in range(n):
        new_ops[perm[i]] = ops[i]
        for j in range(n):
            new[perm[i]][perm[j]] = int(matrix[i][j])
    return new, new_ops


# --------------------------------------------------------------------------------------------
# Hypothesis strategies

#: Ops for the first / interior / last vertex of random specs: mostly in-domain, plus names the
#: original rejects (wrong case, misplaced input/output, ops outside the space).
FIRST_OPS = [INPUT] * 6 + [CONV3X3, "Input"]
INTERIOR_OPS = OPS * 4 + ["identity", INPUT, OUTPUT, "CONV3X3-BN-RELU"]
LAST_OPS = [OUTPUT] * 6 + [MAXPOOL3X3, "Output"]


@st.composite
def upper_triangular(
    draw: Any, n: int, max_edges: int | None = None, values: Sequence[int] = (1,)
) -> list[list[int]]:
    """A random n x n strictly upper-triangular matrix (entries 0 or drawn from ``values``)."""
    k = upper_bits_count(n)
    positions = [(x, y) for y in range(n) for x in range(y)]
    chosen = (
        draw(
            st.sets(
                st.integers(0, max(k - 1, 0)),
                max_size=k if max_edges is None else min(k, max_edges),
            )
        )
        if k
        else set()
    )
    m = [[0] * n for _ in range(n)]
    for index in chosen:
        x, y = positions[index]
        m[x][y] = draw(st.sampled_from(list(values)))
    return m


@st.composite
def random_ops(draw: Any, n: int, in_domain: bool = False) -> list[str]:
    """Op names for an n-vertex spec (in_domain: always input / official ops / output)."""
    if in_domain:
        return [INPUT] + [draw(st.sampled_from(OPS)) for _ in range(n - 2)] + [OUTPUT][: n - 1]
    if n == 1:
        return [draw(st.sampled_from(FIRST_OPS + LAST_OPS))]
    interior = [draw(st.sampled_from(INTERIOR_OPS)) for _ in range(n - 2)]
    return [draw(st.sampled_from(FIRST_OPS)), *interior, draw(st.sampled_from(LAST_OPS))]


@st.composite
def random_specs(
    draw: Any,
    min_vertices: int = 1,
    max_vertices: int = 7,
    in_domain: bool = False,
    max_edges: int | None = None,
    values: Sequence[int] = (1,),
    lower_entry_chance: bool = False,
    connect: bool | None = None,
) -> tuple[list[list[int]], list[str]]:
    """A random (matrix, ops) spec; may be disconnected, need pruning or be out of the space.

    connect: add a path input -> (some interior vertices) -> output (None: 3 times in 4).
    lower_entry_chance: sometimes (~1 in 8) sets one entry on/below the diagonal.
    """
    n = draw(st.integers(min_vertices, max_vertices))
    m = draw(upper_triangular(n, max_edges=max_edges, values=values))
    if n >= 2 and (connect if connect is not None else draw(st.integers(0, 3)) > 0):
        inner = sorted(draw(st.sets(st.integers(1, n - 2), max_size=3))) if n > 2 else []
        path = [0, *inner, n - 1]
        for a, b in zip(path, path[1:], strict=False):
            m[a][b] = m[a][b] or 1
    if lower_entry_chance and draw(st.integers(0, 7)) == 0:
        i = draw(st.integers(0, n - 1))
        j = draw(st.integers(0, i))
        m[i][j] = 1
    return m, draw(random_ops(n, in_domain=in_domain))


@st.composite
def full_dag_cells(
    draw: Any, min_vertices: int = 2, max_vertices: int = 7, max_edges: int = MAX_EDGES
) -> tuple[list[list[int]], list[str]]:
    """A random in-domain cell that needs no pruning (every interior vertex has an in-edge
    from below and an out-edge to above) with at most ``max_edges`` edges: always valid."""
    n = draw(st.integers(min_vertices, max_vertices))
    m = [[0] * n for _ in range(n)]
    if n == 2:
        m[0][1] = 1
    for v in range(1, n - 1):
        m[draw(st.integers(0, v - 1))][v] = 1
        m[v][draw(st.integers(v + 1, n - 1))] = 1
    if sum(map(sum, m)) > max_edges:  # fall back to a chain (n - 1 <= 6 edges)
        m = [[1 if y == x + 1 else 0 for y in range(n)] for x in range(n)]
    positions = [(x, y) for y in range(n) for x in range(y)]
    extra = draw(st.lists(st.sampled_from(positions), max_size=max_edges))
    for x, y in extra:
        if sum(map(sum, m)) < max_edges:
            m[x][y] = 1
    ops = [INPUT] + [draw(st.sampled_from(OPS)) for _ in range(n - 2)] + [OUTPUT]
    return m, ops
