"""Import of the NAR cell-information JSON files into one SQLite file (a ``BuildSession``).

Records are read and checked against our cost model by
:mod:`~nasbench_lite.benchmarks.nar.source` (streamed, never loaded whole) and encoded by
:mod:`~nasbench_lite.benchmarks.nar.layout`; differences go to the ``mismatches`` table and are
counted in ``meta``, never silently accepted. This module batches the rows into the session.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import apsw

from nasbench_lite._core.arguments import check_public
from nasbench_lite._core.building import BuildSession, BuildSummary
from nasbench_lite._core.schema import load_schema
from nasbench_lite.benchmarks.nar.layout import (
    INSERT_MISMATCH,
    insert_statement,
    mismatch_rows,
    record_row,
)
from nasbench_lite.benchmarks.nar.source import Dataset, NarFile
from nasbench_lite.errors import BuildError, CorruptSourceError

__all__ = ["build_nar"]

_BATCH = 2_000


def build_nar(
    sources: list[str | os.PathLike[str]],
    output: str | os.PathLike[str],
    *,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> BuildSummary:
    """Imports NAR JSON files (either or both) into one SQLite file, checking every record.

    Args:
        sources: NAR JSON files: the NB101 list and/or the NB201 object (detected by content).
        output: SQLite file to write.
        force: Replace an existing output.
        progress: Optional ``progress(bytes_done, bytes_total)``.

    Returns:
        A :class:`~nasbench_lite._core.building.BuildSummary` (``meta`` holds mismatch counts).

    Raises:
        CorruptSourceError: Malformed JSON or a record missing required fields.
        BuildError: Missing source or unwritable output.
        OutputExistsError: ``output`` exists and ``force`` is False.
    """
    paths = [Path(s) for s in sources]
    if not paths:
        raise BuildError("no source files given", output)
    for path in paths:
        if not path.is_file():
            raise BuildError(f"{path}: no such source file", output)
    total = sum(p.stat().st_size for p in paths)
    done = 0
    counts = {"nar101": 0, "nar201": 0}
    mismatched = {"nar101": 0, "nar201": 0}
    with BuildSession(output, load_schema("nar"), force=force, protect=paths) as session:
        for path in paths:
            # Fingerprinted while streaming (one pass over the 717 MB file, not two).
            session.sources.append(
                _import_file(session.connection, path, counts, mismatched, progress, done, total)
            )
            done += path.stat().st_size
        for table, count in counts.items():
            session.count(table, count)
        session.set_meta(
            {
                "source": "NAR cell-information JSON file(s)",
                "mismatched.nar101": mismatched["nar101"],
                "mismatched.nar201": mismatched["nar201"],
            }
        )
    summary = session.result()
    rows_out = dict(counts) | {f"mismatched.{k}": v for k, v in mismatched.items()}
    return BuildSummary(summary.path, summary.kind, rows_out, summary.meta)


def _import_file(
    connection: apsw.Connection,
    path: Path,
    counts: dict[str, int],
    mismatched: dict[str, int],
    progress: Callable[[int, int], None] | None,
    done: int,
    total: int,
) -> dict[str, Any]:
    """Streams one NAR file into its table; returns its provenance entry."""
    source = NarFile(path)
    rows: list[tuple[Any, ...]] = []
    problems: list[tuple[Any, ...]] = []
    for record in source.records():
        rows.append(record_row(record))
        problems.extend(mismatch_rows(record))
        mismatched[record.dataset] += bool(record.mismatches)
        counts[record.dataset] += 1
        if len(rows) >= _BATCH:
            _flush(connection, record.dataset, rows, problems)
            if progress is not None:
                progress(done + source.bytes_read, total)
    if source.dataset is not None:
        _flush(connection, source.dataset, rows, problems)
    return source.provenance()


def _flush(
    connection: apsw.Connection,
    table: Dataset,
    rows: list[tuple[Any, ...]],
    problems: list[tuple[Any, ...]],
) -> None:
    if rows:
        try:
            connection.executemany(insert_statement(table, len(rows[0])), rows)
        except apsw.ConstraintError as exc:
            raise CorruptSourceError(f"{table}: a record key appears twice ({exc})") from exc
    if problems:
        connection.executemany(INSERT_MISMATCH, problems)
    rows.clear()
    problems.clear()


check_public(globals())
