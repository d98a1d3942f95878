"""Builds the ``nb101_space`` database (inside a
:class:`~nasbench_lite._core.building.BuildSession`).

``build_nb101_space`` needs no download: it enumerates the NAS-Bench-101 space in Rust and
stores every unique cell with the representative the original enumeration chose.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from nasbench_lite._core.arguments import check_public
from nasbench_lite._core.building import BuildSession, BuildSummary
from nasbench_lite._core.schema import load_schema
from nasbench_lite.errors import BuildError

if TYPE_CHECKING:
    from nasbench_lite.spaces.nb101.enumerate import SpaceChunk

__all__ = ["BuildSummary", "NB101_SPACE_SHA256", "build_nb101_space", "write_cells"]

#: SHA-256 of the 423,624 sorted hashes joined by "\n", as published for the original space.
NB101_SPACE_SHA256 = "a7f10bf770c1b5b8a221e37824e42b3b1a237a5d21ccf545bbe8e23abd933403"

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
    from nasbench_lite.spaces.nb101.enumerate import count_labelled_graphs, space_chunks

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
        chunks = space_chunks(progress=step)
        hashes = sorted(h for chunk in chunks for h in chunk.hashes.tolist())
        digest = hashlib.sha256("\n".join(hashes).encode()).hexdigest()
        if digest != NB101_SPACE_SHA256 or len(set(hashes)) != len(hashes):
            raise BuildError(
                f"enumeration does not reproduce the published space (sha256 {digest})", output
            )
        cell_id = write_cells(session, chunks)
        session.count("cells", cell_id)
        session.set_meta(
            {
                "source": (
                    "enumerated by nasbench_lite with the semantics of the original "
                    "generate_graphs.py (max_vertices=7, max_edges=9, num_ops=3)"
                ),
                "labelled_graphs": total,
                "hash_list_sha256": digest,
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
        rows = list(
            zip(
                range(cell_id, cell_id + len(chunk.hashes)),
                chunk.hashes.tolist(),
                [chunk.num_vertices] * len(chunk.hashes),
                chunk.num_edges.tolist(),
                chunk.edge_bits.tolist(),
                chunk.adjacency_strings().tolist(),
                chunk.ops_strings().tolist(),
                costs["trainable_parameters"].tolist(),
                costs["flops"].tolist(),
                strict=True,
            )
        )
        session.connection.executemany(
            "INSERT INTO cells(cell_id, hash, num_vertices, num_edges, edge_bits,"
            " adjacency, ops, trainable_parameters, flops)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        cell_id += len(rows)
    session.after_load(
        "CREATE UNIQUE INDEX cells_hash ON cells(hash);"
        "CREATE INDEX cells_shape ON cells(num_vertices, num_edges);"
    )
    return cell_id


check_public(globals())
