"""The rows' origin for ``nats_space``: both NATS-Bench spaces generated from the cell algebra.

This kind reads no downloaded file. Its "source" is the space definition in
:mod:`nasbench_lite.spaces.nb201`: the topology space (``tss``, 15,625 cells, official index
order), each cell's official ``get_unique_str`` and isomorphism class, exact parameter/FLOP
counts per dataset network (:mod:`nasbench_lite.spaces.nb201.cost`), and the size space
(``sss``, 32,768 channel configurations). How these values are stored is
:mod:`~nasbench_lite.benchmarks.nats_space.layout`'s business.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nasbench_lite.benchmarks.nats_space.layout import COST_DATASETS
from nasbench_lite.spaces.nb201.cost import cost_many
from nasbench_lite.spaces.nb201.space import (
    isomorphism_classes,
    size_strings,
    topology_strings,
    unique_str,
)

__all__ = ["SOURCE_DESCRIPTION", "TopologySpace", "size_space", "topology_space"]

#: ``meta.source`` of the databases built from this module.
SOURCE_DESCRIPTION = "NATS-Bench search spaces (official index order), no training data"


@dataclass(frozen=True)
class TopologySpace:
    """The topology space, one entry per cell in official index order.

    Attributes:
        archs: Official architecture strings.
        unique_strs: Official ``get_unique_str`` of each cell.
        classes: Official index of the first cell with the same ``unique_str``.
        costs: Per dataset network the layout stores costs of
            (:data:`~nasbench_lite.benchmarks.nats_space.layout.COST_DATASETS`), the
            :func:`~nasbench_lite.spaces.nb201.cost.cost_many` arrays (``total_params``,
            ``official_flops``, ...); cifar10-valid trains the cifar10 network.
    """

    archs: list[str]
    unique_strs: list[str]
    classes: list[int]
    costs: dict[str, dict[str, Any]]


def topology_space() -> TopologySpace:
    """Generates the topology space with its isomorphism classes and exact costs.

    Returns:
        A :class:`TopologySpace`.
    """
    archs = topology_strings()
    return TopologySpace(
        archs=archs,
        unique_strs=[unique_str(a) for a in archs],
        classes=isomorphism_classes(archs).tolist(),
        costs={dataset: cost_many(archs, dataset) for dataset in COST_DATASETS},
    )


def size_space() -> list[str]:
    """The size space's channel configurations in official index order.

    Returns:
        32,768 strings such as ``'8:16:24:32:64'``.
    """
    return size_strings()
