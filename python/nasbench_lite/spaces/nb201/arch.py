"""NAS-Bench-201 / NATS-Bench topology cells: arch strings and their edge lists.

An arch string lists, node by node, the op on each incoming edge with its source node:
``|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`` (node 1 <- 0; node 2 <- 0, 1; node 3 <- 0, 1, 2).
The six edges in that order are (0->1, 0->2, 1->2, 0->3, 1->3, 2->3), the order NAR uses too.
"""

from __future__ import annotations

from typing import Any

from nasbench_lite._core.arguments import check_public
from nasbench_lite.errors import InvalidInputError

__all__ = ["EDGES", "OPS", "parse_arch", "str2lists", "str2matrix"]

#: The five NAS-Bench-201 edge ops.
OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
#: (source, target) of the six edges in arch-string order.
EDGES = ((0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3))


def str2lists(arch_str: str) -> list[tuple[tuple[str, int], ...]]:
    """The official ``str2lists``: per node, the ``(op, source)`` pairs of its inputs.

    Args:
        arch_str: An arch string.

    Returns:
        One tuple of ``(op, source)`` per node after the input.

    Raises:
        InvalidInputError: Malformed string.
    """
    if not isinstance(arch_str, str):
        raise InvalidInputError(f"arch string must be a str, got {type(arch_str).__name__}")
    nodes = []
    for node in arch_str.split("+"):
        parts = [p for p in node.split("|") if p]
        pairs = []
        for part in parts:
            op, sep, source = part.partition("~")
            if not sep or not source.isdigit():
                raise InvalidInputError(f"malformed arch string {arch_str!r}: bad entry {part!r}")
            pairs.append((op, int(source)))
        nodes.append(tuple(pairs))
    return nodes


def parse_arch(arch_str: str) -> tuple[str, ...]:
    """The six edge ops of a NAS-Bench-201 cell, in :data:`EDGES` order.

    Args:
        arch_str: An arch string of the topology space.

    Returns:
        Six op names.

    Raises:
        InvalidInputError: Not a 4-node cell over the five NAS-Bench-201 ops.
    """
    nodes = str2lists(arch_str)
    shape = [[source for _, source in node] for node in nodes]
    if shape != [[0], [0, 1], [0, 1, 2]]:
        raise InvalidInputError(
            f"{arch_str!r} is not a NAS-Bench-201 cell (want |op~0|+|op~0|op~1|+|op~0|op~1|op~2|)"
        )
    ops = tuple(op for node in nodes for op, _ in node)
    unknown = [op for op in ops if op not in OPS]
    if unknown:
        raise InvalidInputError(f"unknown op {unknown[0]!r} in {arch_str!r} (ops: {list(OPS)})")
    return ops


def str2matrix(arch_str: str, search_space: tuple[str, ...] = OPS) -> Any:
    """The official ``str2matrix``: float matrix with ``[node, input] = op index``.

    Args:
        arch_str: An arch string.
        search_space: The op names, indexed as in the matrix.

    Returns:
        A ``(nodes, nodes)`` float64 NumPy array (NumPy is imported here, on first use).

    Raises:
        InvalidInputError: An op outside ``search_space`` or a malformed string.
    """
    import numpy as np

    nodes = str2lists(arch_str)
    matrix = np.zeros((len(nodes) + 1, len(nodes) + 1))
    for i, node in enumerate(nodes):
        for op, source in node:
            if op not in search_space:
                raise InvalidInputError(f"this op ({op}) is not in {list(search_space)}")
            matrix[i + 1, source] = search_space.index(op)
    return matrix


check_public(globals())
