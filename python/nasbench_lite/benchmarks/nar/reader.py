"""Reader of the ``nar`` database: NAR cell records and their differences from our costs."""

from __future__ import annotations

from typing import Any

from nasbench_lite._core.reader import ReaderBase
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

    def get(self, key: int | str) -> dict[str, Any]:
        """One record: an NB101 module hash (str) or an NB201 architecture index (int).

        Args:
            key: The hash or the index.

        Returns:
            The record, plus ``mismatches``: the fields that differ from our cost model.

        Raises:
            InvalidInputError: A key that is neither str nor int.
            NotInDatabaseError: No such record.
        """
        if isinstance(key, bool) or not isinstance(key, int | str):
            raise InvalidInputError(f"key must be a hash or an index, got {key!r}")
        table, column = ("nar101", "hash") if isinstance(key, str) else ("nar201", "arch_index")
        record = self._first_row(f"SELECT * FROM {table} WHERE {column} = ?", (key,))
        if record is None:
            raise NotInDatabaseError(f"{key!r} is not in the {table} records")
        record["mismatches"] = [
            {"field": f, "file_value": v, "computed_value": c}
            for f, v, c in self._query(
                "SELECT field, file_value, computed_value FROM mismatches"
                " WHERE dataset = ? AND record = ?",
                (table, str(key)),
            )
        ]
        return record
