"""``nasbench-lite build nats-space``: both NATS search spaces in one SQLite file, no data needed.

See ``sql/nats_space.sql`` for the tables. Built atomically like every database here.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from nasbench_lite._core.arguments import check_public
from nasbench_lite._core.building import BuildSession, BuildSummary
from nasbench_lite._core.schema import load_schema
from nasbench_lite.spaces.nb201.cost import cost_many
from nasbench_lite.spaces.nb201.space import (
    isomorphism_classes,
    size_strings,
    topology_strings,
    unique_str,
)

__all__ = ["build_nats_space"]

#: Dataset configurations stored as cost columns (cifar10 and cifar10-valid cost the same).
_COST_DATASETS = (
    ("cifar10", "cifar10"),
    ("cifar100", "cifar100"),
    ("ImageNet16-120", "imagenet16_120"),
)


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
    archs = topology_strings()
    sizes = size_strings()
    total = len(archs) + len(sizes)
    with BuildSession(output, load_schema("nats_space"), force=force) as session:
        classes = isomorphism_classes(archs)
        costs = {name: cost_many(archs, dataset) for dataset, name in _COST_DATASETS}
        rows = zip(
            range(len(archs)),
            archs,
            [unique_str(a) for a in archs],
            classes.tolist(),
            *(
                costs[name][key].tolist()
                for _, name in _COST_DATASETS
                for key in ("total_params", "official_flops")
            ),
            strict=True,
        )
        connection = session.connection
        connection.executemany("INSERT INTO topologies VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        if progress is not None:
            progress(len(archs), total)
        connection.executemany("INSERT INTO sizes VALUES (?, ?)", list(enumerate(sizes)))
        session.after_load(
            "CREATE UNIQUE INDEX topologies_arch ON topologies(arch_str);"
            "CREATE INDEX topologies_class ON topologies(class_index);"
            "CREATE UNIQUE INDEX sizes_arch ON sizes(arch_str);"
        )
        session.count("topologies", len(archs))
        session.count("sizes", len(sizes))
        session.set_meta(
            {
                "source": "NATS-Bench search spaces (official index order), no training data",
                "topology_classes": len(set(classes.tolist())),
            }
        )
    if progress is not None:
        progress(total, total)
    return session.result()


check_public(globals())
