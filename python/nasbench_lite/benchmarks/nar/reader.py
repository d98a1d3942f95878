"""Reader of the ``nar`` database: NAR cell records and their differences from our costs."""

from __future__ import annotations

from typing import Any

from nasbench_lite._core.reader import ReaderBase
from nasbench_lite.benchmarks.nar.layout import SELECT_MISMATCHES, TABLE_KEYS, mismatch_from_row
from nasbench_lite.benchmarks.nar.source import Dataset
from nasbench_lite.errors import InvalidInputError, NotInDatabaseError

__all__ = ["NARData"]


class NARData(ReaderBase):
    """The NAR NB101 (by module hash) and NB201 (by arch index) cell-information records.

    Args:
        path: A database built by ``nasbench-lite build nar``.

    Raises:
        DatabaseError: Missing or foreign file.
        SchemaVersionError: Another schema version.
    """

    KIND = "nar"
    # No state but the handle: a copy (pickle: a worker process; copy.deepcopy) opens the
    # file again.
    _COPYABLE = True

    def get(self, key: int | str) -> dict[str, Any]:
        """One record: an NB101 module hash (str) or an NB201 architecture index (int).

        Args:
            key: The hash or the index.

        Returns:
            The record, plus ``mismatches``: the fields that differ from our cost model.

        Raises:
            InvalidInputError: A key that is neither str nor int.
            NotInDatabaseError: No such record.
            CorruptDatabaseError: A stored value of another type than its column's.
        """
        if isinstance(key, bool) or not isinstance(key, int | str):
            raise InvalidInputError(f"key must be a hash or an index, got {key!r}")
        table: Dataset = "nar101" if isinstance(key, str) else "nar201"
        column = TABLE_KEYS[table]
        record = self._first_row(f"SELECT * FROM {table} WHERE {column} = ?", (key,))
        if record is None:
            raise NotInDatabaseError(f"{key!r} is not in the {table} records")
        record["mismatches"] = [
            mismatch_from_row(row) for row in self._query(SELECT_MISMATCHES, (table, str(key)))
        ]
        return record
