"""The stored encoding of the ``nats_space`` tables, both ways (see ``sql/nats_space.sql``).

``topologies`` rows are the generated cell values then two cost columns per dataset network
(``<prefix>_params``, ``<prefix>_flops``, the prefixes of :data:`COST_COLUMN_PREFIX`);
``sizes`` rows are ``(arch_index, arch_str)``. Reads map a space name to its table and an
architecture key to its column (:func:`lookup`); rows come back as plain ``column -> value``
dicts, no value needs decoding.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the reader imports this module: no cost model at run time
    from nasbench_lite.benchmarks.nats_space.source import TopologySpace

__all__ = [
    "COST_COLUMN_PREFIX",
    "COST_DATASETS",
    "INSERT_SIZE",
    "INSERT_TOPOLOGY",
    "SIZE_COLUMNS",
    "TABLES",
    "TOPOLOGY_COLUMNS",
    "lookup",
    "size_rows",
    "topology_rows",
]

#: Column prefix of each dataset network's costs (cifar10 and cifar10-valid cost the same).
COST_COLUMN_PREFIX = {
    "cifar10": "cifar10",
    "cifar100": "cifar100",
    "ImageNet16-120": "imagenet16_120",
}
#: Dataset networks with cost columns, in column order.
COST_DATASETS = tuple(COST_COLUMN_PREFIX)
#: ``cost_many`` field stored in each cost column, by column suffix.
_COST_FIELDS = (("params", "total_params"), ("flops", "official_flops"))

TOPOLOGY_COLUMNS = (
    "arch_index",
    "arch_str",
    "unique_str",
    "class_index",
    *(
        f"{COST_COLUMN_PREFIX[dataset]}_{suffix}"
        for dataset in COST_DATASETS
        for suffix, _ in _COST_FIELDS
    ),
)
SIZE_COLUMNS = ("arch_index", "arch_str")


def _insert(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table}({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


INSERT_TOPOLOGY = _insert("topologies", TOPOLOGY_COLUMNS)
INSERT_SIZE = _insert("sizes", SIZE_COLUMNS)

#: Table of each space.
TABLES = {"tss": "topologies", "sss": "sizes"}


def topology_rows(space: TopologySpace) -> Iterator[tuple[Any, ...]]:
    """Encodes the topology space as ``topologies`` rows (:data:`TOPOLOGY_COLUMNS` order).

    Args:
        space: :func:`~nasbench_lite.benchmarks.nats_space.source.topology_space` output.

    Returns:
        One tuple per cell, in official index order.
    """
    return zip(
        range(len(space.archs)),
        space.archs,
        space.unique_strs,
        space.classes,
        *(
            space.costs[dataset][field].tolist()
            for dataset in COST_DATASETS
            for _, field in _COST_FIELDS
        ),
        strict=True,
    )


def size_rows(sizes: list[str]) -> list[tuple[int, str]]:
    """Encodes the size space as ``sizes`` rows (:data:`SIZE_COLUMNS` order).

    Args:
        sizes: Channel configurations in official index order.

    Returns:
        ``(arch_index, arch_str)`` tuples.
    """
    return list(enumerate(sizes))


def lookup(space: str, arch: int | str) -> tuple[str, str] | None:
    """The table and key column holding ``arch`` of ``space``.

    Args:
        space: ``'tss'`` or ``'sss'``.
        arch: An official index (int) or an architecture string.

    Returns:
        ``(table, column)``, or None for an unknown space.
    """
    table = TABLES.get(space)
    if table is None:
        return None
    return table, "arch_index" if isinstance(arch, int) else "arch_str"
