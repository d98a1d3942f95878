"""Database builders. Each writes one SQLite file atomically (see :func:`db.atomic_output`).

``build_nb101_space`` needs no download: it enumerates the NAS-Bench-101 space in Rust and
stores every unique cell with the representative the original enumeration chose.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import apsw
import numpy as np

from nasbench_lite import __version__
from nasbench_lite._core.database import (
    SCHEMA_VERSIONS,
    atomic_output,
    fast_bulk_load,
    load_schema,
    utc_now,
)
from nasbench_lite.errors import BuildError

__all__ = ["BuildSummary", "NB101_SPACE_SHA256", "build_nb101_space", "file_sha256"]

#: SHA-256 of the 423,624 sorted hashes joined by "\n", as published for the original space.
NB101_SPACE_SHA256 = "a7f10bf770c1b5b8a221e37824e42b3b1a237a5d21ccf545bbe8e23abd933403"

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(done, total)`` in the units of the build's work."""


@dataclass(frozen=True)
class BuildSummary:
    """What a build wrote.

    Attributes:
        path: The database written.
        kind: Its ``meta.kind``.
        rows: Row counts per table.
        meta: Every ``meta`` entry written.
    """

    path: Path
    kind: str
    rows: dict[str, int] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)


def file_sha256(path: Path) -> str:
    """SHA-256 of a source file, read in 1 MiB blocks (for ``meta`` provenance).

    Args:
        path: The file.

    Returns:
        The hex digest.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_meta(connection: apsw.Connection, meta: dict[str, str]) -> None:
    connection.executemany(
        "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", sorted(meta.items())
    )


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
    from nasbench_lite.spaces.nb101.cost import cost_many
    from nasbench_lite.spaces.nb101.enumerate import count_labelled_graphs, space_chunks

    kind = "nb101_space"
    total = count_labelled_graphs()
    done = 0

    def step(visited: int) -> None:
        nonlocal done
        done += visited
        if progress is not None:
            progress(done, total)

    with atomic_output(output, force=force) as temp:
        chunks = space_chunks(progress=step)
        hashes = sorted(h for chunk in chunks for h in chunk.hashes.tolist())
        digest = hashlib.sha256("\n".join(hashes).encode()).hexdigest()
        if digest != NB101_SPACE_SHA256 or len(set(hashes)) != len(hashes):
            raise BuildError(
                f"enumeration does not reproduce the published space (sha256 {digest})", output
            )
        connection = apsw.Connection(str(temp))
        try:
            # The file is private until the rename, so durability per statement is not needed.
            fast_bulk_load(connection)
            with connection:
                connection.execute(load_schema(kind))
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
                    connection.executemany(
                        "INSERT INTO cells(cell_id, hash, num_vertices, num_edges, edge_bits,"
                        " adjacency, ops, trainable_parameters, flops)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        rows,
                    )
                    cell_id += len(rows)
                connection.execute(
                    "CREATE UNIQUE INDEX cells_hash ON cells(hash);"
                    "CREATE INDEX cells_shape ON cells(num_vertices, num_edges);"
                )
                meta = {
                    "kind": kind,
                    "schema_version": str(SCHEMA_VERSIONS[kind]),
                    "builder_version": f"nasbench_lite {__version__}",
                    "created_at": utc_now(),
                    "source": (
                        "enumerated by nasbench_lite with the semantics of the original "
                        "generate_graphs.py (max_vertices=7, max_edges=9, num_ops=3)"
                    ),
                    "rows.cells": str(cell_id),
                    "labelled_graphs": str(total),
                    "hash_list_sha256": digest,
                    "hash_list_matches_published": "true",
                }
                _write_meta(connection, meta)
            connection.execute("ANALYZE")
        finally:
            connection.close()
    return BuildSummary(Path(output), kind, {"cells": cell_id}, meta)
