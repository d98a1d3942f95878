"""The stored encoding of an ``nb101_space`` cell row, both ways (see ``sql/nb101_space.sql``).

A row of ``cells`` holds the representative cell the original enumeration chose, in the
official TFRecord encodings: ``adjacency`` is the row-major ``'0'``/``'1'`` string of the
``V x V`` matrix, ``ops`` the comma-joined op names; ``edge_bits`` is the same matrix as
``gen_is_edge_fn`` bits. :func:`cell_rows` encodes enumerated cells, :func:`record_from_row`
decodes a row into what :meth:`SearchSpace.get
<nasbench_lite.benchmarks.nb101_space.reader.SearchSpace.get>` returns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from nasbench_lite.spaces.nb101.enumerate import SpaceChunk

__all__ = [
    "CELL_COLUMNS",
    "INSERT_CELL",
    "SELECT_CELL",
    "cell_rows",
    "decode_adjacency",
    "record_from_row",
]

#: Columns of ``cells``, in the order rows are written and read.
CELL_COLUMNS = (
    "cell_id",
    "hash",
    "num_vertices",
    "num_edges",
    "edge_bits",
    "adjacency",
    "ops",
    "trainable_parameters",
    "flops",
)
#: The column list of a full row (``SELECT {SELECT_CELL} FROM cells``).
SELECT_CELL = ", ".join(CELL_COLUMNS)
#: The statement inserting one row of :func:`cell_rows`.
INSERT_CELL = f"INSERT INTO cells({SELECT_CELL}) VALUES ({', '.join('?' * len(CELL_COLUMNS))})"


def cell_rows(chunk: SpaceChunk, first_id: int, costs: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Encodes one chunk of enumerated cells as ``cells`` rows (:data:`CELL_COLUMNS` order).

    Args:
        chunk: Cells of one vertex count.
        first_id: ``cell_id`` of the chunk's first cell (ids continue across chunks).
        costs: :func:`~nasbench_lite.spaces.nb101.cost.cost_many` of the chunk
            (``trainable_parameters`` and ``flops`` arrays).

    Returns:
        One tuple per cell.
    """
    count = len(chunk.hashes)
    return list(
        zip(
            range(first_id, first_id + count),
            chunk.hashes.tolist(),
            [chunk.num_vertices] * count,
            chunk.num_edges.tolist(),
            chunk.edge_bits.tolist(),
            chunk.adjacency_strings().tolist(),
            chunk.ops_strings().tolist(),
            costs["trainable_parameters"].tolist(),
            costs["flops"].tolist(),
            strict=True,
        )
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


def record_from_row(row: tuple[Any, ...]) -> dict[str, Any]:
    """Decodes a full ``cells`` row (:data:`CELL_COLUMNS` order) into a cell record.

    Args:
        row: The row as read.

    Returns:
        The row's values, with ``adjacency`` decoded into ``module_adjacency`` (int8 ndarray)
        and ``ops`` into ``module_operations`` (list of op names).
    """
    cell_id, module_hash, num_vertices, num_edges, edge_bits, adjacency, ops, params, flops = row
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
