"""Layout of the NAS-Bench-101 ``runs`` rows, shared by the builder, the readers and the export.

``runs`` holds one row per (cell, epochs, repeat) with the eight official metrics as REAL
columns (``sql/nb101.sql``). Two kinds of float64 cannot be kept bit for bit in a REAL column:
SQLite stores a NaN as NULL and reads -0.0 back as 0.0. For those the builder writes the
exact IEEE-754 bits to ``special_values`` (normally empty), and every reader puts them back
with :func:`restore`, so the API and the export return exactly the source's values.
"""

from __future__ import annotations

import struct

# The reader imports this module on the cold path of a first query: typing and
# collections.abc only for type checking (typing.TYPE_CHECKING without importing typing).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any

__all__ = [
    "FIELD_INDEX",
    "METRIC_COLUMNS",
    "METRIC_FIELDS",
    "SpecialValues",
    "float_of_bits",
    "load_special",
    "restore",
    "special_count",
]

#: The metric columns of ``runs``, in the official dict order (halfway then final).
METRIC_FIELDS = (
    "halfway_training_time",
    "halfway_train_accuracy",
    "halfway_validation_accuracy",
    "halfway_test_accuracy",
    "final_training_time",
    "final_train_accuracy",
    "final_validation_accuracy",
    "final_test_accuracy",
)
#: ``METRIC_FIELDS`` as a SQL column list.
METRIC_COLUMNS = ", ".join(METRIC_FIELDS)
#: Column name -> position in ``METRIC_FIELDS``.
FIELD_INDEX = {name: i for i, name in enumerate(METRIC_FIELDS)}

#: ``(cell_id, epochs, repeat) -> {field position: exact value}``.
SpecialValues = dict[tuple[int, int, int], dict[int, float]]

_INT64 = struct.Struct("<q")
_DOUBLE = struct.Struct("<d")
_NAN = float("nan")


def float_of_bits(bits: int) -> float:
    """The float64 whose IEEE-754 bits, read as a signed 64-bit integer, are ``bits``.

    Args:
        bits: ``special_values.bits``.

    Returns:
        The exact value (a NaN keeps its sign and payload, -0.0 its sign).
    """
    return float(_DOUBLE.unpack(_INT64.pack(bits))[0])


def special_count(meta: dict[str, str]) -> int:
    """How many ``special_values`` rows a database has, from its ``meta`` (no query).

    Args:
        meta: The database's ``meta`` entries.

    Returns:
        ``meta['rows.special_values']`` as an int (0 when absent or malformed).
    """
    text = meta.get("rows.special_values", "0")
    return int(text) if text.isdigit() else 0


def load_special(
    run: Callable[[str, tuple[Any, ...]], Iterable[Any]], first_cell: int, last_cell: int
) -> SpecialValues:
    """The ``special_values`` rows of the cells ``first_cell..last_cell`` (inclusive).

    Args:
        run: Runs one statement with bindings and returns its rows.
        first_cell: First ``cell_id``.
        last_cell: Last ``cell_id``.

    Returns:
        The exact values by run and field (unknown metric names are ignored).
    """
    found: SpecialValues = {}
    rows = run(
        "SELECT cell_id, epochs, repeat, metric, bits FROM special_values"
        " WHERE cell_id BETWEEN ? AND ?",
        (first_cell, last_cell),
    )
    for cell_id, epochs, repeat, metric, bits in rows:
        field = FIELD_INDEX.get(metric)
        if field is not None and isinstance(bits, int):
            found.setdefault((cell_id, epochs, repeat), {})[field] = float_of_bits(bits)
    return found


def restore(values: Any, exact: dict[int, float] | None) -> tuple[float, ...]:
    """One run's eight stored values with the exact special values put back.

    Args:
        values: The eight column values as read (None for a NULL).
        exact: The run's entry of a :data:`SpecialValues` mapping, if any.

    Returns:
        Eight floats; a NULL without a special-values row reads as NaN.
    """
    out = [_NAN if v is None else float(v) for v in values]
    if exact:
        for field, value in exact.items():
            out[field] = value
    return tuple(out)
