"""Builds the ``nb101_space`` database (inside a
:class:`~nasbench_lite._core.building.BuildSession`).

``build_nb101_space`` needs no download: the rows come from
:mod:`~nasbench_lite.benchmarks.nb101_space.source` (the space enumerated in Rust and checked
against the published hash list) and are encoded by
:mod:`~nasbench_lite.benchmarks.nb101_space.layout`; this module only orchestrates the session.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from nasbench_lite._core.arguments import check_public
from nasbench_lite._core.building import BuildSession, BuildSummary
from nasbench_lite._core.schema import load_schema
from nasbench_lite.benchmarks.nb101_space.layout import INSERT_CELL, cell_rows
from nasbench_lite.benchmarks.nb101_space.source import (
    NB101_SPACE_SHA256,
    SOURCE_DESCRIPTION,
    enumerate_space,
)
from nasbench_lite.errors import BuildError

if TYPE_CHECKING:
    from nasbench_lite.spaces.nb101.enumerate import SpaceChunk

__all__ = ["BuildSummary", "NB101_SPACE_SHA256", "build_nb101_space", "write_cells"]

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(done, total)`` in the units of the build's work."""


def build_nb101_space(
    output: str | os.PathLike[str],
    *,
    force: bool = False,
    progress: ProgressCallback | None = None,
) -> BuildSummary:
    """Builds the NAS-Bench-101 search-space database (423,624 cells, no training data).

    Args:
        output: Path of the SQLite file to write.
        force: Replace an existing file at ``output``.
        progress: Optional ``progress(done, total)`` in labelled graphs enumerated.

    Returns:
        A :class:`BuildSummary`.

    Raises:
        OutputExistsError: ``output`` exists and ``force`` is False.
        BuildError: The output cannot be written, or the enumeration does not reproduce the
            published hash list (nothing is written then).
    """
    from nasbench_lite.spaces.nb101.enumerate import count_labelled_graphs

    total = count_labelled_graphs()
    done = 0

    def step(visited: int) -> None:
        nonlocal done
        done += visited
        if progress is not None:
            progress(done, total)

    # The session first: an existing output is refused before the enumeration runs, and an
    # interrupted or failed enumeration leaves nothing behind.
    with BuildSession(output, load_schema("nb101_space"), force=force) as session:
        space = enumerate_space(progress=step)
        if not space.matches_published:
            raise BuildError(
                "enumeration does not reproduce the published space "
                f"(sha256 {space.hash_list_sha256})",
                output,
            )
        cell_id = write_cells(session, space.chunks)
        session.count("cells", cell_id)
        session.set_meta(
            {
                "source": SOURCE_DESCRIPTION,
                "labelled_graphs": space.labelled_graphs,
                "hash_list_sha256": space.hash_list_sha256,
                "hash_list_matches_published": "true",
            }
        )
    return session.result()


def write_cells(session: BuildSession, chunks: list[SpaceChunk]) -> int:
    """Writes enumerated cells (with exact costs) and queues the ``cells`` indexes.

    Args:
        session: An open ``nb101_space`` build session.
        chunks: :func:`~nasbench_lite.spaces.nb101.enumerate.space_chunks` output.

    Returns:
        The number of cells written.
    """
    from nasbench_lite.spaces.nb101.cost import cost_many

    cell_id = 0
    for chunk in chunks:
        costs = cost_many(chunk.adjacency().astype(np.uint8), chunk.labels)
        rows = cell_rows(chunk, cell_id, costs)
        session.connection.executemany(INSERT_CELL, rows)
        cell_id += len(rows)
    session.after_load(
        "CREATE UNIQUE INDEX cells_hash ON cells(hash);"
        "CREATE INDEX cells_shape ON cells(num_vertices, num_edges);"
    )
    return cell_id


check_public(globals())
