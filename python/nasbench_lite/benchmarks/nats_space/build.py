"""``nasbench-lite build nats-space``: both NATS search spaces in one SQLite file, no data needed.

See ``sql/nats_space.sql`` for the tables. Built atomically like every database here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import apsw

from nasbench_lite import __version__
from nasbench_lite._core.database import (
    SCHEMA_VERSIONS,
    atomic_output,
    fast_bulk_load,
    load_schema,
    utc_now,
)
from nasbench_lite.benchmarks.nb101_space.build import BuildSummary
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
        A :class:`~nasbench_lite.benchmarks.nb101_space.build.BuildSummary`.

    Raises:
        OutputExistsError: ``output`` exists and ``force`` is False.
        BuildError: The output cannot be written.
    """
    kind = "nats_space"
    with atomic_output(output, force=force) as temp:
        archs = topology_strings()
        sizes = size_strings()
        total = len(archs) + len(sizes)
        classes = isomorphism_classes(archs)
        costs = {name: cost_many(archs, dataset) for dataset, name in _COST_DATASETS}
        connection = apsw.Connection(str(temp))
        try:
            fast_bulk_load(connection)
            with connection:
                connection.execute(load_schema(kind))
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
                connection.executemany(
                    "INSERT INTO topologies VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
                )
                if progress is not None:
                    progress(len(archs), total)
                connection.executemany("INSERT INTO sizes VALUES (?, ?)", list(enumerate(sizes)))
                connection.execute(
                    "CREATE UNIQUE INDEX topologies_arch ON topologies(arch_str);"
                    "CREATE INDEX topologies_class ON topologies(class_index);"
                    "CREATE UNIQUE INDEX sizes_arch ON sizes(arch_str);"
                )
                meta = {
                    "kind": kind,
                    "schema_version": str(SCHEMA_VERSIONS[kind]),
                    "builder_version": f"nasbench_lite {__version__}",
                    "created_at": utc_now(),
                    "source": "NATS-Bench search spaces (official index order), no training data",
                    "rows.topologies": str(len(archs)),
                    "rows.sizes": str(len(sizes)),
                    "topology_classes": str(len(set(classes.tolist()))),
                }
                connection.executemany(
                    "INSERT INTO meta(key, value) VALUES (?, ?)", sorted(meta.items())
                )
                if progress is not None:
                    progress(total, total)
        finally:
            connection.close()
    return BuildSummary(Path(output), kind, {"topologies": len(archs), "sizes": len(sizes)}, meta)
