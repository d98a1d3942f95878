"""The export streamer: a database to Parquet (zstd) or CSV, one file per table.

Each kind supplies streamers for its compact tables (blobs, codes) so the export is readable by
any engine (DuckDB, Spark, polars, pandas) without nasbench_lite; other tables are written as
stored. Rows are streamed in chunks, so memory stays flat whatever the database size.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

from nasbench_lite._core.building import atomic_output
from nasbench_lite._core.database import Database, quote_identifier
from nasbench_lite._optional import import_pyarrow
from nasbench_lite.errors import InvalidInputError

__all__ = ["CHUNK_ROWS", "ROW_GROUP_ROWS", "Batches", "export_tables"]

#: Rows per Parquet row group (and per streamed chunk): large groups scan fastest.
ROW_GROUP_ROWS = 1_000_000
#: Rows per streamed chunk.
CHUNK_ROWS = 200_000

Batches = Iterator[Any]  # of pyarrow.RecordBatch


def _plain_table(db: Database, table: str) -> Batches:
    """Streams a table as stored, in rowid/primary-key order."""
    pa = import_pyarrow()

    sql = f"SELECT * FROM {quote_identifier(table)}"
    names = [row[1] for row in db.query(f"PRAGMA table_info({quote_identifier(table)})")]
    empty = True
    for rows in db.stream(sql, size=CHUNK_ROWS):
        empty = False
        columns = list(zip(*rows, strict=True))
        yield pa.record_batch([pa.array(list(c)) for c in columns], names=names)
    if empty:  # keep the column names in the (empty) file
        yield pa.record_batch([pa.array([], pa.null()) for _ in names], names=names)


def _tables(
    db: Database, special: Mapping[str, Callable[[Database], Batches]]
) -> dict[str, Callable[[Database], Batches]]:
    names = [
        row[0]
        for row in db.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
    ]
    return {
        name: special.get(name, lambda d, n=name: _plain_table(d, n))  # type: ignore[misc]
        for name in names
    }


def _write(batches: Batches, temp: Path, fmt: str) -> None:
    """Writes streamed batches; Parquet row groups are gathered up to ROW_GROUP_ROWS rows."""
    pa = import_pyarrow()
    pacsv = import_pyarrow("csv")
    pq = import_pyarrow("parquet")

    writer: Any = None
    pending: list[Any] = []

    def flush() -> None:
        if pending:
            writer.write_table(pa.Table.from_batches(pending), row_group_size=ROW_GROUP_ROWS)
            pending.clear()

    try:
        for batch in batches:
            if writer is None:
                writer = (
                    pq.ParquetWriter(temp, batch.schema, compression="zstd")
                    if fmt == "parquet"
                    else pacsv.CSVWriter(temp, batch.schema)
                )
            if fmt == "csv":
                writer.write_batch(batch)
                continue
            pending.append(batch)
            if sum(b.num_rows for b in pending) >= ROW_GROUP_ROWS:
                flush()
        if writer is None:  # empty table: still write a valid (empty) file
            if fmt == "parquet":
                pq.write_table(pa.table({}), temp)
            return
        flush()
    finally:
        if writer is not None:
            writer.close()


def export_tables(
    path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    fmt: Literal["parquet", "csv"] = "parquet",
    force: bool = False,
    progress: Callable[[str], None] | None = None,
    exporters: Mapping[str, Callable[[Database], Batches]] | None = None,
) -> dict[str, Path]:
    """Writes every table of a database to ``out_dir/<table>.parquet`` (or ``.csv``).

    The kind decides how compact tables are expanded (``exporters``); use
    :func:`nasbench_lite.registry.export_database` to get the right ones for any database.

    Args:
        path: The database.
        out_dir: Output folder (created if missing).
        fmt: ``'parquet'`` (zstd, large row groups) or ``'csv'``.
        force: Replace existing output files.
        progress: Called with each table name before it is written.
        exporters: Table -> batch streamer for the tables not written as stored.

    Returns:
        Table name -> file written.

    Raises:
        InvalidInputError: Unknown format.
        DatabaseError: The database cannot be read.
        OutputExistsError: An output file exists and ``force`` is False.
    """
    if fmt not in ("parquet", "csv"):
        raise InvalidInputError(f"format must be 'parquet' or 'csv', got {fmt!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    with Database(path) as db:
        for table, stream in _tables(db, exporters or {}).items():
            if progress is not None:
                progress(table)
            target = out / f"{table}.{fmt}"
            with atomic_output(target, force=force) as temp:
                _write(stream(db), temp, fmt)
            written[table] = target
    return written
