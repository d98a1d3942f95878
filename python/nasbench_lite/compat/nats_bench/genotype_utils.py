"""``nats_bench.genotype_utils``: the topology-cell object of NATS-Bench (same names/results).

A cell is a tuple of nodes after the input; each node is a tuple of ``(op, input node)`` edges.
:class:`TopologyStructure` parses and prints arch strings, checks that a cell computes
something (``check_valid``) and gives the isomorphism-identifying string ``to_unique_str``
with the exact text of ``nats_bench`` 1.8. Malformed input raises
:class:`~nasbench_lite.errors.InvalidInputError` (a ``ValueError``) where the official code
fails an ``assert``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any

from nasbench_lite.errors import InvalidInputError

__all__ = ["TopologyStructure", "topology_str2structure"]

Node = tuple[tuple[str, int], ...]


def topology_str2structure(xstr: str | TopologyStructure) -> TopologyStructure:
    """Parses an arch string (an existing structure is returned as is)."""
    return TopologyStructure.str2structure(xstr)


def _parse_nodes(xstr: Any) -> list[list[tuple[str, int]]]:
    if not isinstance(xstr, str):
        raise InvalidInputError(f"must take string (not {type(xstr)}) as input")
    nodes = []
    for node_str in xstr.split("+"):
        edges = []
        for item in (part for part in node_str.split("|") if part):
            fields = item.split("~")
            if len(fields) != 2:
                raise InvalidInputError(f"invalid input length : {item}")
            try:
                edges.append((fields[0], int(fields[1])))
            except ValueError:
                raise InvalidInputError(f"invalid input node in {item!r}") from None
        nodes.append(edges)
    return nodes


class TopologyStructure:
    """A NATS-Bench topology cell (the official class of the same name).

    Attributes:
        node_num: Number of nodes including the input node.
        nodes: Per node after the input, its ``(op, input node)`` edges.
        node_N: Per node after the input, its number of edges.
    """

    def __init__(self, genotype: Sequence[Sequence[Sequence[Any]]]) -> None:
        """Builds a cell from per-node edge lists.

        Raises:
            InvalidInputError: Not a list/tuple of non-empty node lists of ``(op, j)`` pairs
                with ``j`` at most the node's own position.
        """
        if not isinstance(genotype, list | tuple):
            raise InvalidInputError(f"invalid class of genotype : {type(genotype)}")
        self.node_num = len(genotype) + 1
        self.nodes: list[Node] = []
        self.node_N: list[int] = []  # noqa: N815 -- the official attribute name
        for idx, node_info in enumerate(genotype):
            if not isinstance(node_info, list | tuple):
                raise InvalidInputError(f"invalid class of node_info : {type(node_info)}")
            if len(node_info) < 1:
                raise InvalidInputError(f"invalid length : {len(node_info)}")
            for node_in in node_info:
                if not isinstance(node_in, list | tuple):
                    raise InvalidInputError(f"invalid class of in-node : {type(node_in)}")
                if len(node_in) != 2 or not node_in[1] <= idx:
                    raise InvalidInputError(f"invalid in-node : {node_in}")
            self.node_N.append(len(node_info))
            self.nodes.append(
                tuple(tuple(edge) if isinstance(edge, list) else edge for edge in node_info)
            )

    def tolist(self, remove_str: str) -> tuple[list[Node] | None, bool]:
        """Edges per node sorted by (input, op) without ops named ``remove_str``.

        Returns:
            ``(nodes, True)``, or ``(None, False)`` when a node loses every edge.
        """
        genotypes = []
        for node_info in self.nodes:
            kept = tuple(
                e for e in sorted(node_info, key=lambda x: (x[1], x[0])) if e[0] != remove_str
            )
            if not kept:
                return None, False
            genotypes.append(kept)
        return genotypes, True

    def node(self, index: int) -> Node:
        """The edges of node ``index`` (as the official, the list position ``index``).

        Raises:
            InvalidInputError: ``index`` outside ``(0, len]``.
        """
        if not 0 < index <= len(self):
            raise InvalidInputError(f"invalid index={index} < {len(self)}")
        return self.nodes[index]

    def tostr(self) -> str:
        """The arch string, e.g. ``|nor_conv_3x3~0|+|none~0|skip_connect~1|+...``."""
        return "+".join(
            "|" + "|".join(f"{op}~{source}" for op, source in node) + "|" for node in self.nodes
        )

    def check_valid(self) -> bool:
        """Whether the output node is reached from the input through non-``none`` edges."""
        reached = {0: True}
        for i, node_info in enumerate(self.nodes):
            reached[i + 1] = any(op != "none" and reached[source] for op, source in node_info)
        return reached[len(self.nodes)]

    def to_unique_str(self, consider_zero: bool | None = False) -> str:
        """A string equal for isomorphic cells (the official text).

        Args:
            consider_zero: True: ``none`` edges are zero and skip connections are identities
                (the NATS-Bench isomorphism classes); False: only skips are identities;
                None: every op is kept.
        """
        terms = {0: "0"}
        for i, node_info in enumerate(self.nodes):
            parts = []
            for op, source in node_info:
                if consider_zero is None:
                    parts.append(f"({terms[source]})@{op}")
                elif consider_zero and (op == "none" or terms[source] == "#"):
                    parts.append("#")
                elif op == "skip_connect":
                    parts.append(terms[source])
                else:
                    parts.append(f"({terms[source]})@{op}")
            terms[i + 1] = "+".join(sorted(parts))
        return terms[len(self.nodes)]

    def check_valid_op(self, op_names: Sequence[str]) -> bool:
        """Whether every edge's op is one of ``op_names``."""
        return all(op in op_names for node in self.nodes for op, _ in node)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.node_num} nodes with {self.tostr()})"

    def __len__(self) -> int:
        return len(self.nodes) + 1

    def __getitem__(self, index: int) -> Node:
        return self.nodes[index]

    def __iter__(self) -> Iterator[Node]:
        return iter(self.nodes)

    @staticmethod
    def str2structure(xstr: str | TopologyStructure) -> TopologyStructure:
        """Parses an arch string.

        Raises:
            InvalidInputError: Not a string, or a malformed one.
        """
        if isinstance(xstr, TopologyStructure):
            return xstr
        return TopologyStructure([tuple(node) for node in _parse_nodes(xstr)])

    @staticmethod
    def str2fullstructure(xstr: str, default_name: str = "none") -> TopologyStructure:
        """Parses an arch string, adding ``default_name`` edges from every missing input.

        Raises:
            InvalidInputError: Not a string, or a malformed one.
        """
        genotypes = []
        for i, edges in enumerate(_parse_nodes(xstr)):
            sources = {source for _, source in edges}
            edges += [(default_name, j) for j in range(i) if j not in sources]
            genotypes.append(tuple(sorted(edges, key=lambda x: (x[1], x[0]))))
        return TopologyStructure(genotypes)

    @staticmethod
    def gen_all(
        search_space: Sequence[str], num: int, return_ori: bool
    ) -> list[list[Node]] | list[TopologyStructure]:
        """Every cell with ``num`` nodes whose edges take ops from ``search_space``.

        (The official method calls an undefined ``get_combination`` and raises NameError.)

        Raises:
            InvalidInputError: ``search_space`` not a list/tuple, or ``num`` below 2.
        """
        if not isinstance(search_space, list | tuple):
            raise InvalidInputError(f"invalid class of search-space : {type(search_space)}")
        if num < 2:
            raise InvalidInputError(
                f"There should be at least two nodes in a neural cell instead of {num}"
            )
        per_node = [
            [
                tuple((op, j) for j, op in enumerate(ops))
                for ops in itertools.product(search_space, repeat=inode)
            ]
            for inode in range(1, num)
        ]
        archs: list[list[Node]] = [list(combo) for combo in itertools.product(*per_node)]
        if return_ori:
            return archs
        return [TopologyStructure(arch) for arch in archs]
