"""Import of the NAR cell-information JSON files, streamed and checked against our cost model.

The NB101 file (717 MB) is a JSON list of records, the NB201 file (68 MB) a JSON object keyed by
architecture index; neither is loaded whole: records are decoded one at a time from a sliding
buffer. Every record's costs are compared with :func:`nasbench_lite.nb101.cell_costs` /
:func:`nasbench_lite.nats.cell_costs` (and NB101 hashes with ours); differences are stored in
the ``mismatches`` table and counted in ``meta``, never silently accepted.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import apsw

from nasbench_lite._core.arguments import check_public
from nasbench_lite._core.building import BuildSession, BuildSummary
from nasbench_lite._core.database import quote_identifier
from nasbench_lite._core.formats.json_stream import HashingReader, iter_json_records
from nasbench_lite._core.schema import load_schema
from nasbench_lite.errors import BuildError, CorruptSourceError, NasbenchLiteError

__all__ = ["build_nar"]

_BATCH = 2_000


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
    rows: list[tuple[Any, ...]] = []
    problems: list[tuple[Any, ...]] = []
    table = None
    with open(path, "rb") as handle:
        reader = HashingReader(handle)
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


check_public(globals())
