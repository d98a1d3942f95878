"""Read access to the NAS-Bench-101 search-space database (``nasbench-lite build nb101-space``)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from nasbench_lite._core.database import Database
from nasbench_lite._core.reader import ReaderBase
from nasbench_lite.benchmarks.nb101_space.bulk import cells_table
from nasbench_lite.benchmarks.nb101_space.layout import (
    SELECT_CELL,
    decode_adjacency,
    record_from_row,
)
from nasbench_lite.errors import NotInDatabaseError
from nasbench_lite.spaces.nb101.spec import ModelSpec, check_spec

if TYPE_CHECKING:
    import pyarrow as pa

# decode_adjacency lives in layout.py; kept importable from here (its earlier home).
__all__ = ["SearchSpace", "decode_adjacency"]


class SearchSpace(ReaderBase):
    """Read-only handle on a search-space database: every unique cell and its representative.

    Args:
        path: A database written by
        :func:`nasbench_lite.benchmarks.nb101_space.build.build_nb101_space`.

    Raises:
        DatabaseError: Missing or foreign file.
        SchemaVersionError: Written by an incompatible nasbench_lite.
    """

    KIND = "nb101_space"
    # No state but the handle: a copy (pickle: a worker process; copy.deepcopy) opens the
    # file again.
    _COPYABLE = True

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__(path)

    @property
    def db(self) -> Database:
        """The read-only database handle."""
        return self._db

    def __len__(self) -> int:
        return int(self.db.query("SELECT count(*) FROM cells")[0][0])

    def __contains__(self, module_hash: object) -> bool:
        if not isinstance(module_hash, str):
            return False
        return bool(self.db.query("SELECT 1 FROM cells WHERE hash = ?", (module_hash,)))

    def get(self, module_hash: str) -> dict[str, Any]:
        """The cell with this hash.

        Args:
            module_hash: 32-char hex module hash.

        Returns:
            Dict with ``cell_id``, ``hash``, ``num_vertices``, ``num_edges``, ``edge_bits``,
            ``module_adjacency`` (int8 ndarray, the original's representative) and
            ``module_operations`` (list of op names), ``trainable_parameters`` and ``flops``
            (see :mod:`nasbench_lite.spaces.nb101.cost`).

        Raises:
            NotInDatabaseError: No cell has this hash (a ``KeyError``).
        """
        rows = self.db.query(f"SELECT {SELECT_CELL} FROM cells WHERE hash = ?", (module_hash,))
        if not rows:
            raise NotInDatabaseError(f"hash {module_hash!r} is not in {self.db.path}")
        return record_from_row(rows[0])

    def get_spec(self, spec: ModelSpec) -> dict[str, Any]:
        """The cell a spec belongs to (any isomorphic relabelling finds the same cell).

        Args:
            spec: A spec inside the space.

        Returns:
            As :meth:`get`.

        Raises:
            OutOfDomainError: The spec is outside the space.
            NotInDatabaseError: Not in this database (cannot happen for a full space DB).
        """
        check_spec(spec)
        return self.get(spec.hash_spec())

    def get_many(self, hashes: Iterable[str]) -> pa.Table:
        """Looks up many hashes in one query; unknown hashes give ``found = False`` rows.

        Args:
            hashes: Module hashes, any iterable of str (e.g. the result of ``hash_many``).

        Returns:
            ``pyarrow.Table`` with one row per input in input order: ``hash``, ``found`` and the
            columns of :meth:`get` (``adjacency``/``ops`` in their stored string encodings),
            null where not found.
        """
        return cells_table(self._db, hashes)
