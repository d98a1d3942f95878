"""NATS-Bench search spaces without data: every architecture in official index order, and the
isomorphism classes of the topology space.

* Topology space (``tss``, = NAS-Bench-201): 5^6 = 15,625 cells. The official index order is a
  fixed permutation chosen by the benchmark's authors, not a formula, so it ships with the
  package (``tss_official_order.u16``: each cell's six edge ops as a base-5 number, first edge
  most significant, in official index order; taken from the official
  ``NATS-tss-v1_0-3ffb9-simple/meta.pickle.pbz2`` ``meta_archs`` list and checked against it
  by the tests).
* Size space (``sss``): 8^5 = 32,768 channel configurations ``c1:c2:c3:c4:c5`` with
  ``c in {8, 16, ..., 64}``, official order = lexicographic with the last layer varying fastest.
* :func:`unique_str` reproduces the official ``get_unique_str`` (``to_unique_str`` with
  ``consider_zero=True``): ``skip_connect`` forwards its input, ``none`` (or a zero input)
  gives ``#``, other ops wrap their input; inputs of a node are sorted and joined with ``+``.
  Cells with equal strings compute the same function: 6,466 classes among 15,625.
"""

from __future__ import annotations

import itertools
from importlib import resources
from typing import Any

import numpy as np

from nasbench_lite._core.arguments import check_public
from nasbench_lite.errors import InvalidInputError
from nasbench_lite.spaces.nb201.arch import OPS, str2lists

__all__ = [
    "NUM_SIZES",
    "NUM_TOPOLOGIES",
    "SIZE_CHOICES",
    "isomorphism_classes",
    "size_strings",
    "topology_strings",
    "unique_str",
]

NUM_TOPOLOGIES = 15_625
NUM_SIZES = 32_768
#: Channel choices of every layer of the size space.
SIZE_CHOICES = tuple(range(8, 65, 8))


def _arch_from_code(code: int) -> str:
    ops = []
    for _ in range(6):
        ops.append(OPS[code % 5])
        code //= 5
    a, b, c, d, e, f = reversed(ops)
    return f"|{a}~0|+|{b}~0|{c}~1|+|{d}~0|{e}~1|{f}~2|"


def topology_strings() -> list[str]:
    """The 15,625 topology arch strings; list position = official NATS/NAS-Bench-201 index."""
    data = (
        resources.files("nasbench_lite.spaces.nb201")
        .joinpath("tss_official_order.u16")
        .read_bytes()
    )
    codes = np.frombuffer(data, dtype="<u2")
    return [_arch_from_code(int(code)) for code in codes]


def size_strings() -> list[str]:
    """The 32,768 size-space strings (``'8:8:8:8:8'`` ...) in official index order."""
    return [
        ":".join(str(c) for c in channels) for channels in itertools.product(SIZE_CHOICES, repeat=5)
    ]


def unique_str(arch_str: str) -> str:
    """The official ``get_unique_str`` of a topology arch string (isomorphism-canonical).

    Args:
        arch_str: A topology arch string.

    Returns:
        The canonical string; two cells share it exactly when the official API says they are
        the same architecture.

    Raises:
        InvalidInputError: Malformed arch string.
    """
    nodes = {0: "0"}
    for i_node, node in enumerate(str2lists(arch_str)):
        parts = []
        for op, source in node:
            if source not in nodes:  # an input from a later node: no cell (fuzzed meta files)
                raise InvalidInputError(
                    f"malformed arch string {arch_str[:200]!r}: node {i_node + 1} reads node "
                    f"{source}, which does not come before it"
                )
            if op == "none" or nodes[source] == "#":
                parts.append("#")
            elif op == "skip_connect":
                parts.append(nodes[source])
            else:
                parts.append(f"({nodes[source]})@{op}")
        nodes[i_node + 1] = "+".join(sorted(parts))
    return nodes[len(nodes) - 1]


def isomorphism_classes(arch_strs: list[str] | None = None) -> Any:
    """Class id of every topology: the official index of the first cell with its unique string.

    Args:
        arch_strs: Arch strings (default: the whole space in official order).

    Returns:
        ``(N,)`` int64 array; ``len(np.unique(...))`` is 6,466 for the whole space.
    """
    archs = topology_strings() if arch_strs is None else arch_strs
    first: dict[str, int] = {}
    classes = np.empty(len(archs), dtype=np.int64)
    for index, arch in enumerate(archs):
        classes[index] = first.setdefault(unique_str(arch), index)
    return classes


check_public(globals())
