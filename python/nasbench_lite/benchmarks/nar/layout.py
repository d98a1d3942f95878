"""The stored encoding of NAR records, both ways (see ``sql/nar.sql``).

``nar101`` rows key a record by module hash, ``nar201`` rows by architecture index; both end
with ``matches_computed`` (1 when the record has no mismatch). The per-vertex / per-edge cost
lists are not stored (recomputable bit for bit). Each mismatch is one ``mismatches`` row with
the two values as JSON text; :func:`mismatch_from_row` decodes it for the reader.
"""

from __future__ import annotations

import json
from typing import Any

from nasbench_lite._core.database import quote_identifier
from nasbench_lite.benchmarks.nar.source import Dataset, NarRecord

__all__ = [
    "INSERT_MISMATCH",
    "NB201_FIELDS",
    "NB201_TOTALS",
    "SELECT_MISMATCHES",
    "TABLE_KEYS",
    "insert_statement",
    "mismatch_from_row",
    "mismatch_rows",
    "record_row",
]

#: NB201 record fields stored as their own ``nar201`` columns, in column order.
NB201_FIELDS = (
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
#: NB201 whole-network totals, in column order (``<dataset>_total_{flops,params}``).
NB201_TOTALS = tuple(
    f"{dataset}_{kind}"
    for dataset in ("cifar10-valid", "cifar100", "ImageNet16-120")
    for kind in ("total_flops", "total_params")
)
#: Key column of each table (what ``NARData.get`` looks a record up by).
TABLE_KEYS: dict[Dataset, str] = {"nar101": "hash", "nar201": "arch_index"}

INSERT_MISMATCH = "INSERT INTO mismatches VALUES (?, ?, ?, ?, ?)"
#: A record's mismatches (bind the dataset and the record's name).
SELECT_MISMATCHES = (
    "SELECT field, file_value, computed_value FROM mismatches WHERE dataset = ? AND record = ?"
)


def record_row(record: NarRecord) -> tuple[Any, ...]:
    """Encodes a record as a row of its table (column order of ``sql/nar.sql``).

    Args:
        record: A checked record.

    Returns:
        The row.
    """
    fields, ok = record.fields, int(not record.mismatches)
    if record.dataset == "nar101":
        return (
            fields["unique_hash"],
            record.index,
            fields["trainable_parameters"],
            fields["flops"],
            fields.get("avg_training_time"),
            fields.get("avg_train_accuracy"),
            fields.get("avg_validation_accuracy"),
            fields.get("avg_test_accuracy"),
            ok,
        )
    return (
        record.index,
        fields["arch_str"],
        *(fields.get(f) for f in NB201_FIELDS),
        *(fields.get(f) for f in NB201_TOTALS),
        ok,
    )


def insert_statement(dataset: Dataset, width: int) -> str:
    """The statement inserting rows of :func:`record_row` into ``dataset``'s table.

    Args:
        dataset: ``'nar101'`` or ``'nar201'``.
        width: Values per row.

    Returns:
        The SQL text.
    """
    return f"INSERT INTO {quote_identifier(dataset)} VALUES ({', '.join('?' * width)})"


def mismatch_rows(record: NarRecord) -> list[tuple[str, str, str, str, str]]:
    """Encodes a record's mismatches as ``mismatches`` rows (values as JSON text).

    Args:
        record: A checked record.

    Returns:
        One row per mismatch.
    """
    return [
        (
            record.dataset,
            record.name,
            m.field,
            json.dumps(m.file_value),
            json.dumps(m.computed_value),
        )
        for m in record.mismatches
    ]


def mismatch_from_row(row: tuple[Any, ...]) -> dict[str, Any]:
    """Decodes a :data:`SELECT_MISMATCHES` row for the reader.

    Args:
        row: ``(field, file_value, computed_value)``.

    Returns:
        ``{"field", "file_value", "computed_value"}`` (the values as stored JSON text).
    """
    field, file_value, computed_value = row
    return {"field": field, "file_value": file_value, "computed_value": computed_value}
