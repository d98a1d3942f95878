"""Integer codes of NAS-Bench-101 cells, batch-shaped: the ``edge_bits`` and ``op_codes`` columns.

``edge_bits`` packs the upper triangle of a cell's ``V x V`` adjacency as the official
``gen_is_edge_fn`` numbers its edges: edge ``x -> y`` (``x < y``) is bit ``x + y * (y - 1) / 2``.
``op_codes`` is the base-3 number of the interior ops (op codes 0..2, first interior vertex
most significant). Both are what the NB101 databases store per cell.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from nasbench_lite._core.arguments import check_public

__all__ = ["edge_bits_of", "op_codes_of"]


def edge_bits_of(adjacency: npt.NDArray[np.uint8], num_vertices: npt.NDArray[np.uint8]) -> Any:
    """``gen_is_edge_fn`` bits of padded row-major ``(K, 49)`` adjacencies.

    Args:
        adjacency: ``(K, 49)`` 0/1 digits, the first ``V*V`` of each row used.
        num_vertices: ``(K,)`` vertex counts.

    Returns:
        ``(K,)`` int64 edge bits.
    """
    bits = np.zeros(len(adjacency), dtype=np.int64)
    for n in np.unique(num_vertices).tolist():
        rows = num_vertices == n
        square = adjacency[rows, : n * n].reshape(-1, n, n).astype(np.int64)
        value = np.zeros(int(rows.sum()), dtype=np.int64)
        for y in range(1, n):
            for x in range(y):
                value |= square[:, x, y] << (x + y * (y - 1) // 2)
        bits[rows] = value
    return bits


def op_codes_of(ops: npt.NDArray[np.int8], num_vertices: npt.NDArray[np.uint8]) -> Any:
    """Base-3 code of the interior ops (first interior vertex most significant).

    Args:
        ops: ``(K, 7)`` op codes (input -1, output -2, ops 0..2).
        num_vertices: ``(K,)`` vertex counts.

    Returns:
        ``(K,)`` int64 codes.
    """
    codes = np.zeros(len(ops), dtype=np.int64)
    for n in np.unique(num_vertices).tolist():
        rows = num_vertices == n
        value = np.zeros(int(rows.sum()), dtype=np.int64)
        for v in range(1, n - 1):
            value = value * 3 + ops[rows, v].astype(np.int64)
        codes[rows] = value
    return codes


check_public(globals())
