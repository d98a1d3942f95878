"""NAS-HPO-Bench-II cell codes: digit -> operation, edges, canonical classes, enumeration.

A cell is the NAS-Bench-201 cell without the 1x1 convolution: 4 nodes (0 = input, 3 = output),
an operation on each of the 6 edges ``i -> j`` (``i < j``), node ``j`` = sum over ``i < j`` of
``op_ij(node i)``. The code ``'A|BC|DEF'`` writes one digit per edge, grouped by target node:

    A = 0->1 | B = 0->2, C = 1->2 | D = 0->3, E = 1->3, F = 2->3

Digits (established from the official training code, github.com/yoichii/nashpobench2):
``config/hydra/acml12.yaml`` selects ``operations: wo_conv1``, and
``config/hydra/operations/wo_conv1.yaml`` lists, in index order, ``ReLUConvBN`` (3x3, padding 1),
``Pooling`` (average, 3x3, stride 1), ``Identity`` and ``Zero``; ``nashpobench2/models/cells.py``
(``_cellcode2op``) turns each digit of the code, in string order, into that list entry and
``NormalCell.forward`` applies module ``(j-1)*j/2 + i`` to node ``i`` for node ``j``, which is the
edge order above. The docstring of ``NormalCell`` checks it: ``'2|22|222'`` maps ones to fours
(all skips: 1, 1+1, 1+1+2). The API README's picture (``imgs/cellcode.png``) shows the same.

Canonical class (ours; the official grouping is the cell hash in ``cellinfo.pkl``, which stays
the truth for queries): the cell is rewritten as a DAG of operation vertices, the way
NAS-Bench-101 draws cells -- every conv/pool edge becomes a vertex whose input is the sum of its
predecessors, zero edges are dropped, skip edges and the summing nodes are contracted (each
predecessor of a node feeds each successor) and vertices not on an input -> output path are
pruned. Two codes are in one class when these labelled DAGs are isomorphic; the class is
named by its smallest code. All 4,096 codes form 937 classes this way (a cell whose output is
cut off from the input is one class, ``'0|00|333'``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from nasbench_lite._core.arguments import check_public
from nasbench_lite._optional import import_pyarrow
from nasbench_lite.errors import OutOfDomainError

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "EDGES",
    "NUM_CELLCODES",
    "OPS",
    "all_cellcodes",
    "canonical_cellcode",
    "canonical_classes",
    "cellcode_from_ops",
    "check_cellcode",
    "enumerate_cellcodes",
    "ops_of",
]

#: Operation of each digit (see the module docstring for the source).
OPS = ("conv3x3", "avgpool3x3", "skip", "zero")
_CONV, _POOL, _SKIP, _ZERO = range(4)

#: The edge (from node, to node) of each digit position of ``'A|BC|DEF'``.
EDGES = ((0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3))

NUM_CELLCODES = 4**6
_CODE = re.compile(r"[0-3]\|[0-3]{2}\|[0-3]{3}")


def check_cellcode(cellcode: object) -> str:
    """Validates the ``'A|BC|DEF'`` syntax.

    Args:
        cellcode: The candidate code.

    Returns:
        The code.

    Raises:
        OutOfDomainError: Not a string of the form ``'d|dd|ddd'`` with digits 0-3.
    """
    if not isinstance(cellcode, str) or _CODE.fullmatch(cellcode) is None:
        raise OutOfDomainError(
            f"cell code {cellcode!r} is not of the form 'A|BC|DEF' with digits 0-3 "
            f"({', '.join(f'{d}={op}' for d, op in enumerate(OPS))})"
        )
    return cellcode


def _digits(cellcode: str) -> tuple[int, ...]:
    return tuple(int(c) for c in cellcode if c != "|")


def ops_of(cellcode: str) -> tuple[str, ...]:
    """The operation of each edge, in :data:`EDGES` order.

    Args:
        cellcode: A code like ``'0|10|210'``.

    Returns:
        Six names from :data:`OPS`.

    Raises:
        OutOfDomainError: Malformed code.
    """
    return tuple(OPS[d] for d in _digits(check_cellcode(cellcode)))


def cellcode_from_ops(ops: Sequence[str]) -> str:
    """The code of six edge operations given in :data:`EDGES` order.

    Args:
        ops: Six names from :data:`OPS`.

    Returns:
        The ``'A|BC|DEF'`` code.

    Raises:
        OutOfDomainError: Not six known operation names.
    """
    if len(ops) != len(EDGES) or any(op not in OPS for op in ops):
        raise OutOfDomainError(f"need six operations from {list(OPS)}, got {list(ops)!r}")
    d = "".join(str(OPS.index(op)) for op in ops)
    return f"{d[0]}|{d[1:3]}|{d[3:]}"


def all_cellcodes() -> list[str]:
    """All 4,096 codes in sorted order (the official ``cellcodes`` order)."""
    return [f"{a}|{b}{c}|{d}{e}{f}" for a, b, c, d, e, f in itertools.product("0123", repeat=6)]


def _operation_dag(digits: tuple[int, ...]) -> tuple[dict[int, int], set[tuple[int, int]]] | None:
    """Op-vertex DAG of a cell: ({op vertex: digit}, edges), pruned; None if cut off.

    Vertex ids: 0 input, 1 output, 2.. op vertices (conv/pool digits as labels).
    """
    # Cell node -> graph vertex: input 0, output 1; inner nodes 1/2 get summing vertices -1/-2
    # that are contracted below.
    vertex_of = {0: 0, 1: -1, 2: -2, 3: 1}
    labels: dict[int, int] = {}
    edges: set[tuple[int, int]] = set()
    for (i, j), digit in zip(EDGES, digits, strict=True):
        if digit == _ZERO:
            continue
        if digit == _SKIP:
            edges.add((vertex_of[i], vertex_of[j]))
            continue
        vertex = len(labels) + 2
        labels[vertex] = digit
        edges.add((vertex_of[i], vertex))
        edges.add((vertex, vertex_of[j]))
    for node in (-1, -2):  # contract the summing nodes: every input feeds every consumer
        sources = [a for a, b in edges if b == node]
        targets = [b for a, b in edges if a == node]
        edges = {(a, b) for a, b in edges if node not in (a, b)}
        edges |= {(a, b) for a in sources for b in targets}
    forward = _reach(edges, 0, 0)
    if 1 not in forward:
        return None
    keep = forward & _reach(edges, 1, 1)
    return (
        {v: d for v, d in labels.items() if v in keep},
        {(a, b) for a, b in edges if a in keep and b in keep},
    )


def _reach(edges: set[tuple[int, int]], start: int, direction: int) -> set[int]:
    """Vertices reachable from ``start`` (direction 0 forward, 1 backward)."""
    seen, stack = {start}, [start]
    while stack:
        vertex = stack.pop()
        for edge in edges:
            if edge[direction] == vertex and edge[1 - direction] not in seen:
                seen.add(edge[1 - direction])
                stack.append(edge[1 - direction])
    return seen


def _canonical_key(digits: tuple[int, ...]) -> tuple[Any, ...]:
    """An isomorphism-invariant key of the cell's op DAG (minimum over relabellings)."""
    dag = _operation_dag(digits)
    if dag is None:
        return ("cut-off",)
    labels, edges = dag
    # Only vertices with the same label can map onto each other: permute within label groups.
    convs = [v for v, d in labels.items() if d == _CONV]
    pools = [v for v, d in labels.items() if d == _POOL]
    keys = []
    for conv_order in itertools.permutations(convs):
        for pool_order in itertools.permutations(pools):
            position = {0: 0, 1: 1}
            for rank, vertex in enumerate((*conv_order, *pool_order)):
                position[vertex] = rank + 2
            keys.append(tuple(sorted((position[a], position[b]) for a, b in edges)))
    return (len(convs), len(pools), min(keys))


def canonical_classes(cellcodes: Iterable[str]) -> dict[str, str]:
    """Canonical class of each code, named by the smallest code of the class among ``cellcodes``.

    Args:
        cellcodes: Codes to group (usually :func:`all_cellcodes`).

    Returns:
        ``{cellcode: representative}``.

    Raises:
        OutOfDomainError: A malformed code.
    """
    representative: dict[tuple[Any, ...], str] = {}
    keys = {}
    for code in sorted({check_cellcode(code) for code in cellcodes}):
        key = _canonical_key(_digits(code))
        keys[code] = key
        representative.setdefault(key, code)
    return {code: representative[key] for code, key in keys.items()}


def canonical_cellcode(cellcode: str) -> str:
    """The smallest code isomorphic to ``cellcode`` (its canonical class name).

    Args:
        cellcode: A code like ``'0|10|210'``.

    Returns:
        The class representative.

    Raises:
        OutOfDomainError: Malformed code.
    """
    key = _canonical_key(_digits(check_cellcode(cellcode)))
    for code in all_cellcodes():
        if code > cellcode:
            break
        if _canonical_key(_digits(code)) == key:
            return code
    return cellcode


def enumerate_cellcodes() -> pa.Table:
    """The whole space of 4,096 codes with their canonical classes (no data needed).

    Returns:
        ``pyarrow.Table`` in sorted-code order (the official ``cellcodes`` order) with
        ``cell_idx``, ``cellcode``, ``op_0_1`` ... ``op_2_3`` (operation per edge),
        ``canonical_cellcode`` (class representative) and ``canonical_class`` (0-based class
        number, classes numbered by their representative's order).
    """
    pa = import_pyarrow()

    codes = all_cellcodes()
    classes = canonical_classes(codes)
    numbers = {rep: n for n, rep in enumerate(sorted(set(classes.values())))}
    columns: dict[str, Any] = {
        "cell_idx": pa.array(range(len(codes)), pa.int32()),
        "cellcode": pa.array(codes, pa.string()),
    }
    ops = [ops_of(code) for code in codes]
    for position, (i, j) in enumerate(EDGES):
        columns[f"op_{i}_{j}"] = pa.array([row[position] for row in ops], pa.string())
    columns["canonical_cellcode"] = pa.array([classes[c] for c in codes], pa.string())
    columns["canonical_class"] = pa.array([numbers[classes[c]] for c in codes], pa.int32())
    return pa.table(columns)


check_public(globals())
