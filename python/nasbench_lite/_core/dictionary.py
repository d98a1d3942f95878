"""The data dictionary: what every column of a database means, from its ``sql/<kind>.sql``.

A schema documents each column of its tables and views with one structured comment line, the
single source of truth for the ``data_dictionary`` table written into every database, for the
Parquet field metadata of an export and for ``nasbench-lite info DB --columns``::

    --@ runs.x_test_accuracy | % | trained on: train; measured on: x-test | last epoch | ...

The fields, separated by ``|``: ``table.column`` (optionally followed by a SQL type, for view
columns computed by an expression), unit, split / provenance (what the model was trained on and
which set the number was measured on), aggregation, meaning. ``-`` means "not applicable". The
column type is read from the built database (``PRAGMA table_xinfo``), so it cannot drift.

The ``meta`` and ``data_dictionary`` tables every database has are documented here, once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import astuple, dataclass
from typing import Any

from nasbench_lite._core.database import Database, quote_identifier
from nasbench_lite._core.schema import Schema
from nasbench_lite.errors import InternalError

__all__ = [
    "COMMON_ENTRIES",
    "DICTIONARY_DDL",
    "DictionaryEntry",
    "parse_dictionary",
    "read_dictionary",
    "schema_columns",
    "undocumented_columns",
    "write_dictionary",
]

_LINE = re.compile(r"^\s*--@(?!export)\s*(.*?)\s*$", re.MULTILINE)
_EXPORT_LINE = re.compile(r"^\s*--@export\s+(.*?)\s*$", re.MULTILINE)
_TARGET = re.compile(r"^(\w+)\.(\w+)(?:\s+(\w+))?$")
_EXPORT_TARGET = re.compile(r"^(\w+)\.([\w*]+)(?:\s+(\w+))?$")

#: The table every build writes (not part of a kind's schema file).
DICTIONARY_DDL = """CREATE TABLE data_dictionary (
    table_name  TEXT NOT NULL,
    column_name TEXT NOT NULL,
    type        TEXT NOT NULL,
    unit        TEXT NOT NULL,
    split       TEXT NOT NULL,
    aggregation TEXT NOT NULL,
    meaning     TEXT NOT NULL,
    PRIMARY KEY (table_name, column_name)
) WITHOUT ROWID"""

#: Names of the dictionary's columns, in order (also the CLI's ``--columns`` header).
FIELDS = ("table_name", "column_name", "type", "unit", "split", "aggregation", "meaning")


@dataclass(frozen=True)
class DictionaryEntry:
    """One documented column.

    Attributes:
        table_name: Table or view.
        column_name: Column.
        type: SQL type (declared, or computed for view expressions).
        unit: Unit of the values (``'-'`` when not applicable).
        split: Provenance: what the model was trained on and which set the value was measured
            on (``'-'`` when not applicable).
        aggregation: How the value was aggregated (seeds, epochs), ``'-'`` if raw.
        meaning: What the column holds.
    """

    table_name: str
    column_name: str
    type: str
    unit: str
    split: str
    aggregation: str
    meaning: str

    def as_dict(self) -> dict[str, str]:
        """The entry as a ``{field: value}`` dict."""
        return dict(zip(FIELDS, astuple(self), strict=True))


_COMMON = """
--@ meta.key | - | - | - | name of a provenance entry (kind, schema_version, builder_version, created_at, sources, rows.<table>, ...)
--@ meta.value | - | - | - | its value as text (sources: JSON list of {name, size, sha256})
--@ data_dictionary.table_name | - | - | - | table or view the row documents
--@ data_dictionary.column_name | - | - | - | column the row documents
--@ data_dictionary.type | - | - | - | SQL type of the column
--@ data_dictionary.unit | - | - | - | unit of the column's values ('-': not applicable)
--@ data_dictionary.split | - | - | - | what the model was trained on and which set the value was measured on
--@ data_dictionary.aggregation | - | - | - | how values were aggregated over seeds/epochs ('-': raw)
--@ data_dictionary.meaning | - | - | - | what the column holds
"""  # noqa: E501


def parse_dictionary(
    sql: str, origin: str = "<schema>", *, export: bool = False
) -> list[DictionaryEntry]:
    """Reads the ``--@`` comment lines of a schema script.

    Args:
        sql: The schema text.
        origin: Where it comes from (for error messages).
        export: Read the ``--@export`` lines instead: columns that exist only in the export's
            expanded form of a table (the column may be an ``fnmatch`` pattern such as
            ``valid_acc_*``).

    Returns:
        The entries in file order, ``type`` empty unless the line declares one.

    Raises:
        InternalError: A malformed line, or a column documented twice.
    """
    entries: list[DictionaryEntry] = []
    seen: set[tuple[str, str]] = set()
    for line in (_EXPORT_LINE if export else _LINE).findall(sql):
        parts = [p.strip() for p in line.split("|", 4)]
        target = (_EXPORT_TARGET if export else _TARGET).match(parts[0])
        if len(parts) != 5 or target is None or not all(parts[1:]):
            raise InternalError(f"{origin}: malformed data-dictionary line: --@ {line}")
        table, column, sql_type = target.group(1), target.group(2), target.group(3) or ""
        if (table, column) in seen:
            raise InternalError(f"{origin}: {table}.{column} documented twice")
        seen.add((table, column))
        entries.append(DictionaryEntry(table, column, sql_type, *parts[1:]))
    return entries


#: Entries for the tables every database has.
COMMON_ENTRIES = tuple(parse_dictionary(_COMMON, "nasbench_lite._core.dictionary"))


def schema_columns(run: Callable[[str], Iterable[Any]]) -> dict[tuple[str, str], str]:
    """Every (table or view, column) of a database with its type.

    Args:
        run: Runs one statement and returns its rows (``apsw.Connection.execute``,
            :meth:`Database.query`).

    Returns:
        ``(table, column) -> type`` (SQLite's internal tables excluded).
    """
    names = run(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
        " AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    found: dict[tuple[str, str], str] = {}
    for (name,) in names:
        for row in run(f"PRAGMA table_xinfo({quote_identifier(name)})"):
            found[(name, row[1])] = str(row[2] or "")
    return found


def undocumented_columns(run: Callable[[str], Iterable[Any]]) -> list[tuple[str, str]]:
    """Columns of tables and views that have no ``data_dictionary`` row.

    The packaged kinds have none (``tests/test_data_dictionary.py`` checks every kind with
    this function), so a column added without its ``--@`` line fails the test suite.

    Args:
        run: Runs one statement and returns its rows (``apsw.Connection.execute``,
            :meth:`Database.query`, ``sqlite3.Connection.execute``).

    Returns:
        ``(table, column)`` pairs in name order; every column when the table is missing.
    """
    columns = schema_columns(run)
    if ("data_dictionary", "table_name") not in columns:
        return sorted(columns)
    documented = {
        (str(t), str(c)) for t, c in run("SELECT table_name, column_name FROM data_dictionary")
    }
    return sorted(set(columns) - documented)


def write_dictionary(connection: Any, sql: str, origin: str = "<schema>") -> int:
    """Creates and fills ``data_dictionary`` for the schema's tables and views.

    Entries naming a column the database does not have are an error (a stale comment);
    undocumented columns are left out (``tests/test_data_dictionary.py`` fails on them for the
    packaged kinds).

    Args:
        connection: The ``apsw.Connection`` of the database being built (schema created).
        sql: The kind's schema script.
        origin: Its name, for error messages.

    Returns:
        The number of rows written.

    Raises:
        InternalError: A malformed line or one naming a missing column.
    """
    connection.execute(DICTIONARY_DDL)
    columns = schema_columns(connection.execute)
    rows = []
    for entry in (*COMMON_ENTRIES, *parse_dictionary(sql, origin)):
        key = (entry.table_name, entry.column_name)
        if key not in columns:
            raise InternalError(f"{origin}: documents {key[0]}.{key[1]}, which does not exist")
        rows.append((*key, entry.type or columns[key], *astuple(entry)[3:]))
    connection.executemany(f"INSERT INTO data_dictionary VALUES ({', '.join('?' * 7)})", rows)
    return len(rows)


def read_dictionary(db: Database, schema: Schema | None = None) -> list[DictionaryEntry]:
    """The data dictionary of an open database.

    Databases built before the dictionary existed have no ``data_dictionary`` table; theirs is
    then derived from ``schema`` (the kind's SQL file) and the file's own column types.

    Args:
        db: An open database.
        schema: The kind's schema (for databases without the table).

    Returns:
        The entries, ordered by table and column position.
    """
    has_table = db.query(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'data_dictionary'"
    )
    if has_table:
        rows = db.query(f"SELECT {', '.join(FIELDS)} FROM data_dictionary")
        entries = [DictionaryEntry(*map(str, row)) for row in rows]
    else:
        columns = schema_columns(db.query)
        parsed = [*COMMON_ENTRIES, *(parse_dictionary(schema.sql) if schema else [])]
        entries = [
            DictionaryEntry(
                e.table_name,
                e.column_name,
                e.type or columns[(e.table_name, e.column_name)],
                *astuple(e)[3:],
            )
            for e in parsed
            if (e.table_name, e.column_name) in columns
        ]
    order = {key: i for i, key in enumerate(schema_columns(db.query))}
    return sorted(entries, key=lambda e: order.get((e.table_name, e.column_name), len(order)))
