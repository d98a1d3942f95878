"""Builds the NAS-Bench-101 training-data database from the official TFRecord file(s).

:mod:`.source` reads and checks the files (the Rust stream ``_native.Nb101Stream`` verifies
every record and hands back batches of new cells and runs). This module turns them into rows:
runs are staged per repeat in a scratch SQLite file beside the output (so repeats read far
apart in the file end up next to each other and overlapping sources can be compared), then
copied in key order into ``runs``, one row per (cell, epochs, repeat) with the eight metrics
as REAL columns; the bits SQLite cannot keep in a REAL column (NaN, -0.0) go to
``special_values`` (see ``sql/nb101.sql``). Memory stays bounded whatever the file size.
Everything is written inside a :class:`~nasbench_lite._core.building.BuildSession`, to a
temporary file that replaces the output only when the whole build succeeded.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import apsw
import numpy as np

from nasbench_lite._core.arguments import check_public
from nasbench_lite._core.building import BuildSession, BuildSummary
from nasbench_lite._core.schema import load_schema
from nasbench_lite.benchmarks.nb101.layout import METRIC_COLUMNS, METRIC_FIELDS
from nasbench_lite.benchmarks.nb101.source import (
    BATCH_RECORDS,
    OFFICIAL_SHA256,
    Nb101Source,
    check_sources,
)
from nasbench_lite.errors import (
    BuildError,
    CorruptSourceError,
    InternalError,
    OverlappingSourcesError,
)
from nasbench_lite.spaces.nb101.codes import edge_bits_of, op_codes_of

__all__ = ["OFFICIAL_SHA256", "OVERLAP_POLICIES", "build_nb101"]

#: What ``build_nb101(on_overlap=...)`` does with sources holding the same runs (a run of a
#: later file equal to one of an earlier file: same cell, epochs and metrics): refuse
#: (default), store each such run once, or store every copy (repeats continue).
OVERLAP_POLICIES = ("refuse", "skip-duplicates", "keep-all")
OverlapPolicy = Literal["refuse", "skip-duplicates", "keep-all"]
#: SQLite page size of the database (``sql/nb101.sql``: first-sight lookups read ~two leaves).
PAGE_SIZE = 4096


def _insert_cells(connection: apsw.Connection, first_id: int, cells: tuple[Any, ...]) -> int:
    hashes, num_vertices, adjacency, ops, params = cells
    count = len(num_vertices)
    if count == 0:
        return 0
    hex_hashes = hashes.view("S32").reshape(-1).astype("U32").tolist()
    num_edges = adjacency.sum(axis=1, dtype=np.int64)
    connection.executemany(
        "INSERT INTO cells(cell_id, hash, num_vertices, num_edges, edge_bits, op_codes,"
        " trainable_parameters) VALUES (?, ?, ?, ?, ?, ?, ?)",
        zip(
            range(first_id, first_id + count),
            hex_hashes,
            num_vertices.tolist(),
            num_edges.tolist(),
            edge_bits_of(adjacency, num_vertices).tolist(),
            op_codes_of(ops, num_vertices).tolist(),
            params.tolist(),
            strict=True,
        ),
    )
    return count


def _stage_runs(connection: apsw.Connection, runs: tuple[Any, ...], source: int) -> int:
    cell, epochs, repeat, values = runs
    values = np.ascontiguousarray(values, dtype=np.float64)
    count = len(values)
    # A NaN binds as NULL and -0.0 reads back from a REAL column as 0.0: keep their bits.
    special = np.isnan(values) | ((values == 0.0) & np.signbit(values))
    if special.any():
        rows, fields = np.nonzero(special)
        connection.executemany(
            "INSERT INTO stage.special(cell_id, epochs, repeat, source, metric, bits)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            zip(
                cell[rows].tolist(),
                epochs[rows].tolist(),
                repeat[rows].tolist(),
                [source] * len(rows),
                [METRIC_FIELDS[f] for f in fields.tolist()],
                values.view(np.int64)[rows, fields].tolist(),
                strict=True,
            ),
        )
    connection.executemany(
        f"INSERT INTO stage.runs(cell_id, epochs, repeat, source, {METRIC_COLUMNS})"
        f" VALUES ({', '.join('?' * (4 + len(METRIC_FIELDS)))})",
        zip(
            cell.tolist(),
            epochs.tolist(),
            repeat.tolist(),
            [source] * count,
            *values.T.tolist(),
            strict=True,
        ),
    )
    return count


def _earlier_copy(alias: str) -> str:
    """SQL: the staged run ``alias`` repeats a run of an earlier source (same cell, epochs and
    stored values; files split into shards share no run)."""
    same = " AND ".join(f"s.{m} IS {alias}.{m}" for m in METRIC_FIELDS)
    return (
        f"SELECT 1 FROM stage.runs AS s WHERE s.cell_id = {alias}.cell_id"
        f" AND s.epochs = {alias}.epochs AND s.source < {alias}.source AND {same}"
    )


def _duplicate_runs(connection: apsw.Connection) -> tuple[int, int, int]:
    """(number of staged runs that repeat a run of an earlier file, first such file pair)."""
    same = " AND ".join(f"s.{m} IS r.{m}" for m in METRIC_FIELDS)
    row: Any = connection.execute(
        "SELECT count(*), min(s.source), min(r.source) FROM stage.runs AS r"
        " JOIN stage.runs AS s ON s.cell_id = r.cell_id AND s.epochs = r.epochs"
        f" AND s.source < r.source AND {same}"
    ).fetchone()
    count, first, second = row
    return int(count), int(first or 0), int(second or 0)


def _pack_runs(connection: apsw.Connection, skip_duplicates: bool = False) -> tuple[int, int]:
    """Copies the staged runs into ``runs`` in key order, repeats renumbered 0, 1, 2... in file
    order, and their special values into ``special_values``.

    With ``skip_duplicates``, a run equal to one of an earlier file is left out.

    Returns:
        ``(runs rows, special_values rows)`` written.
    """
    kept = f" WHERE NOT EXISTS ({_earlier_copy('r')})" if skip_duplicates else ""
    connection.execute(
        f"INSERT INTO runs(cell_id, epochs, repeat, {METRIC_COLUMNS})"
        " SELECT cell_id, epochs,"
        " row_number() OVER (PARTITION BY cell_id, epochs ORDER BY repeat) - 1,"
        f" {METRIC_COLUMNS} FROM stage.runs AS r{kept} ORDER BY cell_id, epochs, repeat"
    )
    runs: Any = connection.execute("SELECT changes()").fetchone()
    # The repeat a kept staged run got: the kept runs before it at the same (cell, epochs).
    before = (
        "SELECT count(*) FROM stage.runs AS b WHERE b.cell_id = x.cell_id"
        " AND b.epochs = x.epochs AND b.repeat < x.repeat"
        + (f" AND NOT EXISTS ({_earlier_copy('b')})" if skip_duplicates else "")
    )
    kept_special = (
        " WHERE NOT EXISTS (SELECT 1 FROM stage.runs AS r WHERE r.cell_id = x.cell_id"
        f" AND r.epochs = x.epochs AND r.repeat = x.repeat AND EXISTS ({_earlier_copy('r')}))"
        if skip_duplicates
        else ""
    )
    connection.execute(
        "INSERT INTO special_values(cell_id, epochs, repeat, metric, bits)"
        f" SELECT x.cell_id, x.epochs, ({before}), x.metric, x.bits FROM stage.special AS x"
        f"{kept_special} ORDER BY 1, 2, 3, 4"
    )
    special: Any = connection.execute("SELECT changes()").fetchone()
    return int(runs[0]), int(special[0])


def _index_hashes(connection: apsw.Connection) -> None:
    """Creates the covering hash index of ``cells`` (``sql/nb101.sql``) and checks that every
    hash occurs once (the index is unique over all its columns, not over ``hash`` alone).

    Raises:
        InternalError: A hash was stored twice (the native stream hands out each cell once).
    """
    connection.execute(
        "CREATE UNIQUE INDEX cells_hash"
        " ON cells(hash, num_vertices, edge_bits, op_codes, trainable_parameters)"
    )
    twice = connection.execute(
        "SELECT hash FROM cells INDEXED BY cells_hash GROUP BY hash HAVING count(*) > 1 LIMIT 1"
    ).fetchall()
    if twice:
        raise InternalError(f"cell {twice[0][0]} was stored twice")


def build_nb101(
    sources: Sequence[str | os.PathLike[str]],
    output: str | os.PathLike[str],
    *,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
    batch_records: int = BATCH_RECORDS,
    on_overlap: OverlapPolicy = "refuse",
) -> BuildSummary:
    """Builds a NAS-Bench-101 database from official TFRecord files (no TensorFlow).

    Args:
        sources: ``nasbench_full.tfrecord`` and/or ``nasbench_only108.tfrecord`` (or files in
            the same format); read in order, cells and repeats continue across files.
        output: SQLite file to write.
        force: Replace an existing output.
        progress: Optional ``progress(bytes_done, bytes_total)``.
        batch_records: Records per native batch.
        on_overlap: When sources hold the same runs (the same file twice, ``nasbench_full``
            + ``nasbench_only108``): ``"refuse"`` (default), ``"skip-duplicates"`` (a run equal
            to one of an earlier file, same cell, epochs and metrics, is stored once) or
            ``"keep-all"`` (repeats continue: 6 per 108-epoch cell for full + 108-only). Files
            split into shards share no run and are never refused.

    Returns:
        A :class:`~nasbench_lite._core.building.BuildSummary`.

    Raises:
        OutputExistsError: ``output`` exists and ``force`` is False.
        CorruptSourceError: A source is not in the official format (record index and byte
            offset attached); nothing is written.
        OverlappingSourcesError: Sources that overlap, with ``on_overlap="refuse"``; the same
            file twice and official files known to overlap are refused before any work.
        BuildError: No sources, a missing source, or an unwritable output.
    """
    paths = [Path(s) for s in sources]
    if not paths:
        raise BuildError("no source files given", output)
    if on_overlap not in OVERLAP_POLICIES:
        raise BuildError(f"on_overlap must be one of {OVERLAP_POLICIES}, got {on_overlap!r}")
    check_sources(paths, output, refuse_overlaps=on_overlap == "refuse")
    sizes = [path.stat().st_size for path in paths]
    total_bytes, done_bytes = sum(sizes), 0
    session = BuildSession(
        output,
        load_schema("nb101"),
        force=force,
        page_size=PAGE_SIZE,
        vacuum=True,
        scratch="stage",
        protect=paths,
    )
    # VACUUM: index B-trees (WITHOUT ROWID runs, the hash index) are left with half-empty
    # pages by the bulk load; a final VACUUM packs them (~10% smaller, a few seconds).
    with session:
        connection = session.connection
        connection.execute(
            "CREATE TABLE stage.runs(cell_id INTEGER, epochs INTEGER, repeat INTEGER,"
            f" source INTEGER, {', '.join(f'{m} REAL' for m in METRIC_FIELDS)},"
            " PRIMARY KEY (cell_id, epochs, repeat)) WITHOUT ROWID"
        )
        connection.execute(
            "CREATE TABLE stage.special(cell_id INTEGER, epochs INTEGER, repeat INTEGER,"
            " source INTEGER, metric TEXT, bits INTEGER)"
        )
        source = Nb101Source(output, batch_records)
        num_cells = num_records = 0
        epochs_seen: set[int] = set()
        for index, (path, size) in enumerate(zip(paths, sizes, strict=True)):
            for new_cells, runs in source.batches(path):
                num_cells += _insert_cells(connection, num_cells, new_cells)
                num_records += _stage_runs(connection, runs, index)
                epochs_seen.update(np.unique(runs[1]).tolist())
                if progress is not None:
                    progress(done_bytes + source.bytes_read(), total_bytes)
            done_bytes += size
            session.sources.append(source.fingerprint(path, size))
        if num_records == 0:
            raise CorruptSourceError(f"{paths[0]}: no records in the source file(s)", paths[0])
        overlaps, first, second = _duplicate_runs(connection) if len(paths) > 1 else (0, 0, 0)
        if overlaps and on_overlap == "refuse":
            raise OverlappingSourcesError(
                f"{paths[first]} and {paths[second]} hold the same runs ({overlaps:,} "
                "runs of a later file repeat an earlier one): give one of them, or pass "
                "--on-overlap skip-duplicates/keep-all",
                output,
                (paths[first], paths[second]),
            )
        num_runs, num_special = _pack_runs(
            connection, skip_duplicates=on_overlap == "skip-duplicates"
        )
        _index_hashes(connection)
        session.count("cells", num_cells)
        session.count("runs", num_runs)
        session.count("special_values", num_special)
        session.set_meta(
            {
                "source": "official NAS-Bench-101 TFRecord file(s)",
                "sources_official": str(
                    all(p["official"] is not None for p in session.sources)
                ).lower(),
                "records": num_records,
                "valid_epochs": ",".join(str(e) for e in sorted(epochs_seen)),
                "sources_duplicate_runs": f"{overlaps} ({on_overlap})",
            }
        )
    summary = session.result()
    return BuildSummary(
        summary.path, summary.kind, {**summary.rows, "records": num_records}, summary.meta
    )


check_public(globals())
