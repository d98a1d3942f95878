"""Import of the NAR cell-information JSON files, streamed and checked against our cost model.

The NB101 file (717 MB) is a JSON list of records, the NB201 file (68 MB) a JSON object keyed by
architecture index; neither is loaded whole: records are decoded one at a time from a sliding
buffer. Every record's costs are compared with :func:`nasbench_lite.nb101.cell_costs` /
:func:`nasbench_lite.nats.cell_costs` (and NB101 hashes with ours); differences are stored in
the ``mismatches`` table and counted in ``meta``, never silently accepted.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import apsw

from nasbench_lite import __version__
from nasbench_lite._core.database import (
    SCHEMA_VERSIONS,
    atomic_output,
    fast_bulk_load,
    load_schema,
    quote_identifier,
    utc_now,
)
from nasbench_lite.benchmarks.nb101_space.build import BuildSummary
from nasbench_lite.errors import BuildError, CorruptSourceError, NasbenchLiteError

__all__ = ["build_nar", "iter_json_records"]

#: Bytes read per step (module attribute so tests can force records across chunk boundaries).
CHUNK_BYTES = 1 << 20
_BATCH = 2_000


class _HashingReader:
    """A binary source plus the SHA-256 and count of the bytes read from it so far."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.sha256 = hashlib.sha256()
        self.bytes_read = 0


def iter_json_records(reader: _HashingReader, path: Path) -> Iterator[tuple[str, Any]]:
    """Yields ``(key, value)`` of a top-level JSON list (key = position) or object.

    Only one record is decoded at a time; the buffer holds at most one record plus a chunk.
    Multi-byte UTF-8 sequences split across chunks are handled by decoding with an incremental
    decoder.

    Raises:
        CorruptSourceError: Not a JSON list/object, or a malformed record (byte offset given).
    """
    import codecs

    decoder = json.JSONDecoder()
    utf8 = codecs.getincrementaldecoder("utf-8")()
    buffer = ""
    consumed = 0  # characters dropped from the front of the buffer

    def more() -> bool:
        nonlocal buffer
        data = reader.handle.read(CHUNK_BYTES)
        reader.sha256.update(data)
        reader.bytes_read += len(data)
        if not data:
            buffer += utf8.decode(b"", final=True)
            return False
        buffer += utf8.decode(data)
        return True

    def skip_space(at: int) -> int:
        while True:
            while at < len(buffer) and buffer[at] in " \t\r\n":
                at += 1
            if at < len(buffer) or not more():
                return at

    def fail(message: str, at: int) -> CorruptSourceError:
        return CorruptSourceError(f"{path}: {message} (near character {consumed + at})", path)

    at = skip_space(0)
    if at >= len(buffer) or buffer[at] not in "[{":
        raise fail("expected a JSON list or object", at)
    is_list = buffer[at] == "["
    closing = "]" if is_list else "}"
    at += 1
    position = 0
    while True:
        at = skip_space(at)
        if at < len(buffer) and buffer[at] == closing and position == 0:
            return
        key = str(position)
        while True:
            try:
                if not is_list:
                    key, end = decoder.raw_decode(buffer, at)
                    end = skip_space(end)
                    if end >= len(buffer) or buffer[end] != ":":
                        raise fail("expected ':' after a key", end)
                    value_at = skip_space(end + 1)
                else:
                    value_at = at
                value, end = decoder.raw_decode(buffer, value_at)
                break
            except json.JSONDecodeError as exc:
                # Possibly a record cut by the chunk boundary: read more and retry.
                if not more():
                    raise fail(f"malformed record {position}: {exc.msg}", at) from exc
        yield key, value
        position += 1
        at = skip_space(end)
        if at >= len(buffer):
            raise fail("unexpected end of file", at)
        if buffer[at] == closing:
            return
        if buffer[at] != ",":
            raise fail(f"expected ',' or '{closing}' after record {position - 1}", at)
        at += 1
        # Drop what was consumed so memory stays bounded.
        if at > CHUNK_BYTES:
            consumed += at
            buffer = buffer[at:]
            at = 0


def _check101(record: dict[str, Any]) -> tuple[tuple[Any, ...], list[tuple[str, Any, Any]]]:
    from nasbench_lite import nb101

    spec = nb101.ModelSpec(record["module_adjacency"], record["module_operations"])
    computed = nb101.cell_costs(spec)
    computed["unique_hash"] = spec.hash_spec()
    problems = [
        (field, record.get(field), computed[field])
        for field in (
            "unique_hash",
            "trainable_parameters",
            "flops",
            "vertex_flops",
            "vertex_params",
        )
        if record.get(field) != computed[field]
    ]
    return computed["unique_hash"], problems


def _row101(index: int, record: dict[str, Any], ok: bool) -> tuple[Any, ...]:
    return (
        record["unique_hash"],
        index,
        record["trainable_parameters"],
        record["flops"],
        record.get("avg_training_time"),
        record.get("avg_train_accuracy"),
        record.get("avg_validation_accuracy"),
        record.get("avg_test_accuracy"),
        int(ok),
    )


_NB201_FIELDS = (
    "cifar10_val_acc",
    "cifar10_test_acc",
    "cifar100_val_acc",
    "cifar100_test_acc",
    "imagenet16_val_acc",
    "imagenet16_test_acc",
    "cifar10_latency",
    "cifar100_latency",
    "imagenet16_latency",
)


def _check201(record: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    from nasbench_lite import nats

    computed = nats.cell_costs(record["arch_str"])
    return [(k, record.get(k), v) for k, v in computed.items() if record.get(k) != v]


def _row201(index: int, record: dict[str, Any], ok: bool) -> tuple[Any, ...]:
    totals = [
        record.get(f"{ds}_{kind}")
        for ds in ("cifar10-valid", "cifar100", "ImageNet16-120")
        for kind in ("total_flops", "total_params")
    ]
    return (index, record["arch_str"], *(record.get(f) for f in _NB201_FIELDS), *totals, int(ok))


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
        A :class:`~nasbench_lite.benchmarks.nb101_space.build.BuildSummary` (``meta`` holds mismatch counts).

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
    provenance = []
    with atomic_output(output, force=force) as temp:
        connection = apsw.Connection(str(temp))
        try:
            fast_bulk_load(connection)
            with connection:
                connection.execute(load_schema("nar"))
                for path in paths:
                    provenance.append(
                        _import_file(connection, path, counts, mismatched, progress, done, total)
                    )
                    done += path.stat().st_size
                meta = {
                    "kind": "nar",
                    "schema_version": str(SCHEMA_VERSIONS["nar"]),
                    "builder_version": f"nasbench_lite {__version__}",
                    "created_at": utc_now(),
                    "source": "NAR cell-information JSON file(s)",
                    "sources": json.dumps(provenance, sort_keys=True),
                    "rows.nar101": str(counts["nar101"]),
                    "rows.nar201": str(counts["nar201"]),
                    "mismatched.nar101": str(mismatched["nar101"]),
                    "mismatched.nar201": str(mismatched["nar201"]),
                }
                connection.executemany(
                    "INSERT INTO meta(key, value) VALUES (?, ?)", sorted(meta.items())
                )
        finally:
            connection.close()
    rows_out = dict(counts) | {f"mismatched.{k}": v for k, v in mismatched.items()}
    return BuildSummary(Path(output), "nar", rows_out, meta)


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
    rows: list[tuple[Any, ...]] = []
    problems: list[tuple[Any, ...]] = []
    table = None
    with open(path, "rb") as handle:
        reader = _HashingReader(handle)
        for key, record in iter_json_records(reader, path):
            try:
                if table is None:
                    # Both files start at key "0"; the record layout tells them apart.
                    table = "nar101" if "unique_hash" in record else "nar201"
                if table == "nar101":
                    _, found = _check101(record)
                    name = record["unique_hash"]
                    row = _row101(int(key), record, not found)
                else:
                    found = _check201(record)
                    name = key
                    row = _row201(int(key), record, not found)
            except (KeyError, TypeError, ValueError, NasbenchLiteError) as exc:
                raise CorruptSourceError(
                    f"{path}: record {key} does not fit the NAR layout ({exc})",
                    path,
                    record_index=int(key) if key.isdigit() else None,
                ) from exc
            rows.append(row)
            for field, file_value, computed_value in found:
                problems.append(
                    (table, str(name), field, json.dumps(file_value), json.dumps(computed_value))
                )
            mismatched[table] += bool(found)
            counts[table] += 1
            if len(rows) >= _BATCH:
                _flush(connection, table, rows, problems)
                if progress is not None:
                    progress(done + reader.bytes_read, total)
        if table is not None:
            _flush(connection, table, rows, problems)
    return {
        "name": path.name,
        "size": path.stat().st_size,
        "sha256": reader.sha256.hexdigest(),
        "dataset": table,
    }


def _flush(
    connection: apsw.Connection,
    table: str,
    rows: list[tuple[Any, ...]],
    problems: list[tuple[Any, ...]],
) -> None:
    if rows:
        marks = ", ".join("?" * len(rows[0]))
        try:
            connection.executemany(f"INSERT INTO {quote_identifier(table)} VALUES ({marks})", rows)
        except apsw.ConstraintError as exc:
            raise CorruptSourceError(f"{table}: a record key appears twice ({exc})") from exc
    if problems:
        connection.executemany("INSERT INTO mismatches VALUES (?, ?, ?, ?, ?)", problems)
    rows.clear()
    problems.clear()
