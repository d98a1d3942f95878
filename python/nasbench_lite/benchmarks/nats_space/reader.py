"""Reader of the ``nats_space`` database: both NATS-Bench spaces, costs, isomorphism classes."""

from __future__ import annotations

from typing import Any

from nasbench_lite._core.reader import ReaderBase
from nasbench_lite.benchmarks.nats_space.layout import lookup
from nasbench_lite.errors import InvalidInputError, NotInDatabaseError

__all__ = ["NATSSpaces"]


class NATSSpaces(ReaderBase):
    """The NATS-Bench topology (``tss``) and size (``sss``) spaces without training data.

    Args:
        path: A database built by ``nasbench-lite build nats-space``.

    Raises:
        DatabaseError: Missing or foreign file.
        SchemaVersionError: Another schema version.
    """

    KIND = "nats_space"
    # No state but the handle: a copy (pickle: a worker process; copy.deepcopy) opens the
    # file again.
    _COPYABLE = True

    def __len__(self) -> int:
        return int(self._query("SELECT count(*) FROM topologies")[0][0])

    def get(self, arch: int | str, space: str = "tss") -> dict[str, Any]:
        """One architecture's row: index, arch string (tss: unique_str, class, exact costs).

        Args:
            arch: Official index or arch string.
            space: ``'tss'`` or ``'sss'``.

        Returns:
            The row as a dict.

        Raises:
            InvalidInputError: Unknown space or an arch that is neither int nor str.
            NotInDatabaseError: No such architecture.
        """
        where = lookup(space, arch)
        if where is None:
            raise InvalidInputError(f"space must be 'tss' or 'sss', got {space!r}")
        if isinstance(arch, bool) or not isinstance(arch, int | str):
            raise InvalidInputError(f"arch must be an index or an arch string, got {arch!r}")
        table, column = where
        record = self._first_row(f"SELECT * FROM {table} WHERE {column} = ?", (arch,))
        if record is None:
            raise NotInDatabaseError(f"{arch!r} is not an architecture of the {space} space")
        return record
