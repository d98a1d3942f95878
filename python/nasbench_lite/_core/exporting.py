"""The export streamer: a database to Parquet (zstd) or CSV, one sub-folder per table.

Layout: ``OUT/<table>/part-0.parquet`` (or ``.csv``), so ``pyarrow.dataset``, DuckDB
(``read_parquet('OUT/runs/*.parquet')``) and Spark read one table per folder. Parquet fields
carry the column's data-dictionary entry as field metadata (``unit``, ``split``,
``aggregation``, ``meaning``, ``type``) and the schema names its table and kind.

Each kind supplies streamers for its compact tables (blobs, codes) so the export is readable by
any engine without nasbench_lite; other tables are written as stored, with Arrow types from the
declared SQL types (so an empty table, or a chunk of NULLs, keeps its column types). Rows are
streamed in chunks, so memory stays flat whatever the database size.

``OUT/README.txt`` names the tables. It is also what keeps ``pyarrow.dataset('OUT')`` from
silently merging every table into one (pyarrow takes the first file's schema and reads the rest
as that table): discovery meets a file that is not Parquet and fails loudly, pointing readers
at ``OUT/<table>``.

The export is atomic: everything is written into a temporary sibling folder that replaces
``OUT`` only when every table is written, so a failed export leaves the old folder untouched
and never a mix of old and new files.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from nasbench_lite._core.database import Database, quote_identifier
from nasbench_lite._core.dictionary import DictionaryEntry, parse_dictionary, read_dictionary
from nasbench_lite._core.schema import Schema
from nasbench_lite._optional import import_pyarrow
from nasbench_lite.errors import InvalidInputError, OutputExistsError

__all__ = [
    "CHUNK_ROWS",
    "INDEX_NAME",
    "PART_NAME",
    "ROW_GROUP_ROWS",
    "Batches",
    "export_tables",
]

#: Rows per Parquet row group (and per streamed chunk): large groups scan fastest.
ROW_GROUP_ROWS = 1_000_000
#: Rows per streamed chunk.
CHUNK_ROWS = 200_000
#: File name (without extension) of the one data file in each table folder.
PART_NAME = "part-0"
#: The text file at the export root naming the tables (not Parquet, on purpose: see above).
INDEX_NAME = "README.txt"

Batches = Iterator[Any]  # of pyarrow.RecordBatch


def _arrow_type(declared: str) -> Any:
    """The Arrow type of a declared SQL type (SQLite affinity rules); None: infer."""
    pa = import_pyarrow()
    declared = declared.upper()
    if "INT" in declared:
        return pa.int64()
    if any(word in declared for word in ("CHAR", "CLOB", "TEXT")):
        return pa.string()
    if "BLOB" in declared:
        return pa.binary()
    if any(word in declared for word in ("REAL", "FLOA", "DOUB")):
        return pa.float64()
    return None


def _plain_table(db: Database, table: str) -> Batches:
    """Streams a table as stored, in rowid/primary-key order."""
    pa = import_pyarrow()

    sql = f"SELECT * FROM {quote_identifier(table)}"
    info = db.query(f"PRAGMA table_info({quote_identifier(table)})")
    names = [row[1] for row in info]
    types = [_arrow_type(str(row[2] or "")) for row in info]
    empty = True
    for rows in db.stream(sql, size=CHUNK_ROWS):
        empty = False
        columns = list(zip(*rows, strict=True))
        yield pa.record_batch(
            [pa.array(list(c), t) for c, t in zip(columns, types, strict=True)], names=names
        )
    if empty:  # keep the column names and types in the (empty) file
        yield pa.record_batch([pa.array([], t or pa.null()) for t in types], names=names)


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


def _annotate(
    schema: Any,
    table: str,
    kind: str,
    entries: Mapping[str, DictionaryEntry],
    exported: Sequence[DictionaryEntry] = (),
) -> Any:
    """The schema with each field's dictionary entry as metadata (``--@export`` lines first:
    they describe the expanded form the export writes)."""
    fields = []
    for field in schema:
        entry = next(
            (e for e in exported if fnmatch.fnmatchcase(field.name, e.column_name)),
            entries.get(field.name),
        )
        if entry is not None:
            field = field.with_metadata(
                {
                    key: value
                    for key, value in entry.as_dict().items()
                    if key not in ("table_name", "column_name")
                }
            )
        fields.append(field)
    return import_pyarrow().schema(fields, metadata={"table": table, "kind": kind})


def _write(
    batches: Batches,
    target: Path,
    fmt: str,
    annotate: Callable[[Any], Any] = lambda schema: schema,
) -> None:
    """Writes streamed batches; Parquet row groups are gathered up to ROW_GROUP_ROWS rows."""
    pa = import_pyarrow()
    pacsv = import_pyarrow("csv")
    pq = import_pyarrow("parquet")

    writer: Any = None
    schema: Any = None
    pending: list[Any] = []

    def flush() -> None:
        if pending:
            writer.write_table(
                pa.Table.from_batches(pending, schema), row_group_size=ROW_GROUP_ROWS
            )
            pending.clear()

    try:
        for batch in batches:
            if writer is None:
                schema = annotate(batch.schema)
                writer = (
                    pq.ParquetWriter(target, schema, compression="zstd")
                    if fmt == "parquet"
                    else pacsv.CSVWriter(target, batch.schema)
                )
            if fmt == "csv":
                writer.write_batch(batch)
                continue
            pending.append(pa.RecordBatch.from_arrays(batch.columns, schema=schema))
            if sum(b.num_rows for b in pending) >= ROW_GROUP_ROWS:
                flush()
        if writer is None:  # a streamer that yields nothing: still write a valid file
            if fmt == "parquet":
                pq.write_table(pa.table({}), target)
            else:
                target.write_bytes(b"")
            return
        flush()
    finally:
        if writer is not None:
            writer.close()


def _write_index(
    folder: Path, name: str, kind: str, source: Path, tables: Sequence[str], fmt: str
) -> None:
    """Writes the root README of export ``name`` into ``folder``: its tables, how to read one."""
    lines = [
        f"nasbench_lite export of {source.name} (kind {kind or '?'}), {fmt} files.",
        "One folder per table; read one table per folder, never this whole folder",
        "(pyarrow.dataset or Spark over it would mix unrelated tables):",
        "",
        *(f"  {table}/{PART_NAME}.{fmt}" for table in tables),
        "",
        f"  pyarrow: pyarrow.dataset.dataset('{name}/runs')"
        if "runs" in tables
        else f"  pyarrow: pyarrow.dataset.dataset('{name}/<table>')",
        f"  DuckDB:  SELECT * FROM '{name}/<table>/*.{fmt}'",
        "Column units, splits and meanings: the data_dictionary table"
        + (" and each Parquet field's metadata." if fmt == "parquet" else "."),
    ]
    (folder / INDEX_NAME).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _replace(temp: Path, out: Path, force: bool) -> None:
    """Moves the finished export into place (old folder removed only after the swap)."""
    if not out.exists():
        temp.rename(out)
        return
    if not out.is_dir():
        raise OutputExistsError(f"{out}: exists and is not a folder", out)
    if any(out.iterdir()) and not force:
        raise OutputExistsError(f"{out}: already exists (use --force to replace it)", out)
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    old.rmdir()
    out.rename(old)
    temp.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def export_tables(
    path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    fmt: Literal["parquet", "csv"] = "parquet",
    force: bool = False,
    progress: Callable[[str], None] | None = None,
    exporters: Mapping[str, Callable[[Database], Batches]] | None = None,
    schema: Schema | None = None,
) -> dict[str, Path]:
    """Writes every table of a database to ``out_dir/<table>/part-0.parquet`` (or ``.csv``).

    The kind decides how compact tables are expanded (``exporters``); use
    :func:`nasbench_lite.registry.export_database` to get the right ones for any database.

    Args:
        path: The database.
        out_dir: Output folder, created by the export (an existing non-empty one is replaced
            only with ``force``).
        fmt: ``'parquet'`` (zstd, large row groups) or ``'csv'``.
        force: Replace an existing output folder.
        progress: Called with each table name before it is written.
        exporters: Table -> batch streamer for the tables not written as stored.
        schema: The kind's schema (data dictionary of databases built without one).

    Returns:
        Table name -> data file written.

    Raises:
        InvalidInputError: Unknown format.
        DatabaseError: The database cannot be read.
        OutputExistsError: ``out_dir`` exists, is not empty and ``force`` is False.
    """
    if fmt not in ("parquet", "csv"):
        raise InvalidInputError(f"format must be 'parquet' or 'csv', got {fmt!r}")
    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not force)):
        raise OutputExistsError(f"{out}: already exists (use --force to replace it)", out)
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    written: dict[str, Path] = {}
    try:
        with Database(path) as db:
            kind = db.kind
            entries: dict[str, dict[str, DictionaryEntry]] = {}
            for entry in read_dictionary(db, schema):
                entries.setdefault(entry.table_name, {})[entry.column_name] = entry
            exported = parse_dictionary(schema.sql, export=True) if schema else []
            for table, stream in _tables(db, exporters or {}).items():
                if progress is not None:
                    progress(table)
                (temp / table).mkdir()
                name = f"{PART_NAME}.{fmt}"

                def annotate(arrow_schema: Any, table: str = table) -> Any:
                    return _annotate(
                        arrow_schema,
                        table,
                        kind,
                        entries.get(table, {}),
                        [e for e in exported if e.table_name == table],
                    )

                _write(stream(db), temp / table / name, fmt, annotate)
                written[table] = out / table / name
        _write_index(temp, out.name, kind, Path(path), list(written), fmt)
        _replace(temp, out, force)
    finally:
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(temp)
    return written
