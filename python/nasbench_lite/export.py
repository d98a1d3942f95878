"""Export a nasbench_lite database to Parquet (zstd) or CSV: one file per table.

Compact encodings are expanded so the export is readable by any engine (DuckDB, Spark,
polars, pandas) without nasbench_lite: NAS-Bench-101 ``runs`` blobs become one row per
(cell, epochs, repeat) with the eight metric columns, and ``cells`` get ``adjacency`` ('0'/'1'
digits) and ``ops`` (comma-joined names) next to their compact codes. Other tables are written
as stored. Rows are streamed in chunks, so memory stays flat whatever the database size.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import numpy as np

from nasbench_lite._optional import import_pyarrow
from nasbench_lite.db import Database, atomic_output, chunked, quote_identifier
from nasbench_lite.errors import InvalidInputError

__all__ = ["export_database", "ROW_GROUP_ROWS"]

#: Rows per Parquet row group (and per streamed chunk): large groups scan fastest.
ROW_GROUP_ROWS = 1_000_000
_CHUNK_ROWS = 200_000

Batches = Iterator[Any]  # of pyarrow.RecordBatch


def _plain_table(db: Database, table: str) -> Batches:
    """Streams a table as stored, in rowid/primary-key order."""
    pa = import_pyarrow()

    cursor = db.connection.execute(f"SELECT * FROM {quote_identifier(table)}")
    names = [d[0] for d in cursor.getdescription()]
    for rows in chunked(cursor, _CHUNK_ROWS):
        columns = list(zip(*rows, strict=True))
        yield pa.record_batch([pa.array(list(c)) for c in columns], names=names)


def _nb101_cells(db: Database) -> Batches:
    pa = import_pyarrow()

    from nasbench_lite.nb101.api import decode_cell

    cursor = db.connection.execute(
        "SELECT cell_id, hash, num_vertices, num_edges, edge_bits, op_codes,"
        " trainable_parameters FROM cells ORDER BY cell_id"
    )
    for rows in chunked(cursor, _CHUNK_ROWS):
        cell_id, hashes, vertices, edges, bits, codes, params = zip(*rows, strict=True)
        adjacency, ops = [], []
        for n, b, c in zip(vertices, bits, codes, strict=True):
            matrix, names = decode_cell(n, b, c)
            adjacency.append("".join(map(str, matrix.reshape(-1).tolist())))
            ops.append(",".join(names))
        yield pa.record_batch(
            [
                pa.array(cell_id, pa.int64()),
                pa.array(hashes, pa.string()),
                pa.array(vertices, pa.int8()),
                pa.array(edges, pa.int8()),
                pa.array(bits, pa.int64()),
                pa.array(codes, pa.int64()),
                pa.array(params, pa.int64()),
                pa.array(adjacency, pa.string()),
                pa.array(ops, pa.string()),
            ],
            names=[
                "cell_id",
                "hash",
                "num_vertices",
                "num_edges",
                "edge_bits",
                "op_codes",
                "trainable_parameters",
                "adjacency",
                "ops",
            ],
        )


def _nb101_runs(db: Database) -> Batches:
    pa = import_pyarrow()

    from nasbench_lite.nb101.api import METRIC_FIELDS

    cursor = db.connection.execute(
        "SELECT cell_id, epochs, repeats, metrics FROM runs ORDER BY cell_id, epochs"
    )
    for rows in chunked(cursor, _CHUNK_ROWS // 3):
        cell_id, epochs, repeats, blobs = zip(*rows, strict=True)
        counts = np.asarray(repeats, dtype=np.int64)
        values = np.frombuffer(b"".join(blobs), dtype="<f8").reshape(-1, len(METRIC_FIELDS))
        repeat = np.concatenate([np.arange(k) for k in counts.tolist()])
        arrays = [
            pa.array(np.repeat(np.asarray(cell_id, dtype=np.int64), counts)),
            pa.array(np.repeat(np.asarray(epochs, dtype=np.int32), counts)),
            pa.array(repeat.astype(np.int8)),
            *(pa.array(values[:, i]) for i in range(len(METRIC_FIELDS))),
        ]
        yield pa.record_batch(arrays, names=["cell_id", "epochs", "repeat", *METRIC_FIELDS])


def _nashpobench2_runs(db: Database) -> Batches:
    from nasbench_lite.nashpobench2.exporting import runs_batches

    return runs_batches(db)


def _nats_runs(db: Database) -> Batches:
    from nasbench_lite.nats.exporting import runs_batches

    return runs_batches(db)


def _nats_curves(db: Database) -> Batches:
    from nasbench_lite.nats.exporting import curves_batches

    return curves_batches(db)


#: Per database kind, the tables to export and how to stream each.
_EXPORTERS: dict[str, dict[str, Callable[[Database], Batches]]] = {
    "nb101": {"cells": _nb101_cells, "runs": _nb101_runs},
    "nashpobench2": {"runs": _nashpobench2_runs},
    "nats": {"runs": _nats_runs, "curves": _nats_curves},
}


def _tables(db: Database) -> dict[str, Callable[[Database], Batches]]:
    special = _EXPORTERS.get(db.kind, {})
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


def export_database(
    path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    fmt: Literal["parquet", "csv"] = "parquet",
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Path]:
    """Writes every table of a database to ``out_dir/<table>.parquet`` (or ``.csv``).

    Args:
        path: The database.
        out_dir: Output folder (created if missing).
        fmt: ``'parquet'`` (zstd, large row groups) or ``'csv'``.
        force: Replace existing output files.
        progress: Called with each table name before it is written.

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
        for table, stream in _tables(db).items():
            if progress is not None:
                progress(table)
            target = out / f"{table}.{fmt}"
            with atomic_output(target, force=force) as temp:
                _write(stream(db), temp, fmt)
            written[table] = target
    return written
