"""Read access to the NAS-Bench-101 search-space database (``nasbench-lite build nb101-space``)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from nasbench_lite._core.database import Database
from nasbench_lite._core.reader import ReaderBase
from nasbench_lite._optional import import_pyarrow
from nasbench_lite.errors import NotInDatabaseError
from nasbench_lite.spaces.nb101.spec import ModelSpec, check_spec

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["SearchSpace", "decode_adjacency"]

_COLUMNS = (
    "cell_id, hash, num_vertices, num_edges, edge_bits, adjacency, ops, trainable_parameters, flops"
)


def decode_adjacency(digits: str) -> np.ndarray[Any, np.dtype[np.int8]]:
    """Decodes a row-major '0'/'1' adjacency string into a square int8 matrix.

    Args:
        digits: ``V*V`` characters.

    Returns:
        The ``V x V`` matrix.
    """
    size = int(round(len(digits) ** 0.5))
    return (
        (np.frombuffer(digits.encode(), dtype=np.uint8) - ord("0"))
        .astype(np.int8)
        .reshape(size, size)
    )


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

    @staticmethod
    def _record(row: tuple[Any, ...]) -> dict[str, Any]:
        cell_id, module_hash, num_vertices, num_edges, edge_bits, adjacency, ops, params, flops = (
            row
        )
        return {
            "cell_id": cell_id,
            "hash": module_hash,
            "num_vertices": num_vertices,
            "num_edges": num_edges,
            "edge_bits": edge_bits,
            "module_adjacency": decode_adjacency(adjacency),
            "module_operations": ops.split(","),
            "trainable_parameters": params,
            "flops": flops,
        }

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
        rows = self.db.query(f"SELECT {_COLUMNS} FROM cells WHERE hash = ?", (module_hash,))
        if not rows:
            raise NotInDatabaseError(f"hash {module_hash!r} is not in {self.db.path}")
        return self._record(rows[0])

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
        pa = import_pyarrow()

        wanted = [str(h) for h in hashes]
        # The keys go into a temporary table joined in one statement (no per-item round trips).
        rows = self._db.query_keyed(
            wanted,
            "SELECT w.pos, c.cell_id, c.num_vertices, c.num_edges, c.edge_bits,"
            " c.adjacency, c.ops, c.trainable_parameters, c.flops"
            " FROM temp.keys w LEFT JOIN cells c ON c.hash = w.key"
            " ORDER BY w.pos",
        )
        columns: list[tuple[Any, ...]] = list(zip(*rows, strict=True)) if rows else [()] * 9
        return pa.table(
            {
                "hash": pa.array(wanted, pa.string()),
                "found": pa.array([c is not None for c in columns[1]], pa.bool_()),
                "cell_id": pa.array(columns[1], pa.int32()),
                "num_vertices": pa.array(columns[2], pa.int8()),
                "num_edges": pa.array(columns[3], pa.int8()),
                "edge_bits": pa.array(columns[4], pa.uint32()),
                "adjacency": pa.array(columns[5], pa.string()),
                "ops": pa.array(columns[6], pa.string()),
                "trainable_parameters": pa.array(columns[7], pa.int64()),
                "flops": pa.array(columns[8], pa.int64()),
            }
        )
