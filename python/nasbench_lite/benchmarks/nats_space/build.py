"""``nasbench-lite build nats-space``: both NATS search spaces in one SQLite file, no data needed.

The rows come from :mod:`~nasbench_lite.benchmarks.nats_space.source` (generated from the cell
algebra) and are encoded by :mod:`~nasbench_lite.benchmarks.nats_space.layout`; see
``sql/nats_space.sql`` for the tables. Built atomically like every database here.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from nasbench_lite._core.arguments import check_public
from nasbench_lite._core.building import BuildSession, BuildSummary
from nasbench_lite._core.schema import load_schema
from nasbench_lite.benchmarks.nats_space.layout import (
    INSERT_SIZE,
    INSERT_TOPOLOGY,
    size_rows,
    topology_rows,
)
from nasbench_lite.benchmarks.nats_space.source import (
    SOURCE_DESCRIPTION,
    size_space,
    topology_space,
)

__all__ = ["build_nats_space"]


def build_nats_space(
    output: str | os.PathLike[str],
    *,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> BuildSummary:
    """Writes the topology (15,625) and size (32,768) spaces with classes and exact costs.

    Args:
        output: SQLite file to write.
        force: Replace an existing output.
        progress: Optional ``progress(done, total)`` in architectures.

    Returns:
        A :class:`~nasbench_lite._core.building.BuildSummary`.

    Raises:
        OutputExistsError: ``output`` exists and ``force`` is False.
        BuildError: The output cannot be written.
    """
    with BuildSession(output, load_schema("nats_space"), force=force) as session:
        topologies = topology_space()
        sizes = size_space()
        total = len(topologies.archs) + len(sizes)
        connection = session.connection
        connection.executemany(INSERT_TOPOLOGY, topology_rows(topologies))
        if progress is not None:
            progress(len(topologies.archs), total)
        connection.executemany(INSERT_SIZE, size_rows(sizes))
        session.after_load(
            "CREATE UNIQUE INDEX topologies_arch ON topologies(arch_str);"
            "CREATE INDEX topologies_class ON topologies(class_index);"
            "CREATE UNIQUE INDEX sizes_arch ON sizes(arch_str);"
        )
        session.count("topologies", len(topologies.archs))
        session.count("sizes", len(sizes))
        session.set_meta(
            {
                "source": SOURCE_DESCRIPTION,
                "topology_classes": len(set(topologies.classes)),
            }
        )
    if progress is not None:
        progress(total, total)
    return session.result()


check_public(globals())
