"""Cell encodings used by architecture-performance predictors, as batch numpy arrays.

* ``'nar'`` — the ReNAS/NAR feature tensor (19 x 7 x 7): channel 0 is the adjacency matrix with
  each edge ``i -> j`` carrying the type of vertex ``j`` (input 1, conv1x1 2, conv3x3 3,
  maxpool3x3 4, output 5); then, for each of the 9 modules (``stack0/module0`` ...), the edge
  ``i -> j`` carrying vertex ``j``'s FLOPs / 1e7 and its parameters / 1e5 (see
  :mod:`nasbench_lite.spaces.nb101.cost`).
* ``'adjacency_onehot'`` — the flattened 7 x 7 adjacency followed by a 7 x 5 one-hot of the
  vertex types (input, conv1x1, conv3x3, maxpool3x3, output): 84 values per cell.

Cells under 7 vertices are zero-padded as NAR pads them: padding vertices are inserted just
before the output vertex, so the output stays the last row/column. Encodings describe the cell
as given, which must already be pruned (dataset cells and enumerated cells are).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from nasbench_lite._core.arguments import check_public
from nasbench_lite.errors import InvalidInputError
from nasbench_lite.spaces.nb101.batch import _as_01_matrices, check_many, encode_ops
from nasbench_lite.spaces.nb101.cost import cost_many

__all__ = ["encode_many", "VERTEX_TYPES"]

#: NAR's vertex type numbers by our op code (+2): output -2, input -1, conv3x3 0, conv1x1 1,
#: maxpool 2.
_TYPE_OF_CODE = np.array([5, 1, 3, 2, 4], dtype=np.int64)
#: One-hot column order of ``'adjacency_onehot'``.
VERTEX_TYPES = ("input", "conv1x1-bn-relu", "conv3x3-bn-relu", "maxpool3x3", "output")
_WIDTH = 7


def _padded_positions(num_vertices: npt.NDArray[Any]) -> npt.NDArray[np.int64]:
    """Target slot of each original vertex: interior ones keep their index, output goes to 6."""
    positions = np.tile(np.arange(_WIDTH, dtype=np.int64), (len(num_vertices), 1))
    last = num_vertices.astype(np.int64) - 1
    rows = np.arange(len(num_vertices))
    positions[rows, last] = _WIDTH - 1
    return positions


def encode_many(
    matrices: Any, ops: Any, kind: Literal["nar", "adjacency_onehot"] = "nar"
) -> npt.NDArray[np.float64]:
    """Encodes a batch of (pruned) cells.

    Args:
        matrices: ``(N, W, W)`` 0/1 array, W <= 7 (the ``hash_many`` layout).
        ops: ``(N, W)`` op names with ``''`` padding, or integer labels.
        kind: ``'nar'`` (N, 19, 7, 7) or ``'adjacency_onehot'`` (N, 84).

    Returns:
        float64 array.

    Raises:
        InvalidInputError: Malformed input, an invalid cell, or a cell that needs pruning.
    """
    if kind not in ("nar", "adjacency_onehot"):
        raise InvalidInputError(f"kind must be 'nar' or 'adjacency_onehot', got {kind!r}")
    array = _as_01_matrices(matrices)
    rows, width = array.shape[0], array.shape[1]
    codes = encode_ops(ops, rows, width)
    check = check_many(array, codes)
    given = (codes != -3).sum(axis=1)
    bad = np.flatnonzero(~check.valid | (check.num_vertices != given))
    if bad.size:
        row = int(bad[0])
        reason = check.reason[row] or "the cell needs pruning; encode the pruned spec"
        raise InvalidInputError(f"row {row}: {reason}", row)
    slots = _padded_positions(given)
    # Scatter every cell into 7 x 7 with the output moved to the last slot.
    padded = np.zeros((rows, _WIDTH, _WIDTH), dtype=np.float64)
    types = np.zeros((rows, _WIDTH), dtype=np.int64)
    for v in range(width):
        present = v < given
        if not present.any():
            continue
        index = np.flatnonzero(present)
        types[index, slots[index, v]] = _TYPE_OF_CODE[codes[index, v].astype(np.int64) + 2]
        for w in range(width):
            both = present & (w < given)
            idx = np.flatnonzero(both)
            padded[idx, slots[idx, v], slots[idx, w]] = array[idx, v, w]
    if kind == "adjacency_onehot":
        onehot = np.zeros((rows, _WIDTH, len(VERTEX_TYPES)), dtype=np.float64)
        for t in range(1, len(VERTEX_TYPES) + 1):
            onehot[:, :, t - 1] = types == t
        return np.concatenate([padded.reshape(rows, -1), onehot.reshape(rows, -1)], axis=1)
    costs = cost_many(array, codes)
    out = np.zeros((rows, 19, _WIDTH, _WIDTH), dtype=np.float64)
    out[:, 0] = padded * types[:, None, :]
    for module in range(9):
        for channel, (values, scale) in enumerate(
            ((costs["vertex_flops"], 1e7), (costs["vertex_params"], 1e5)), start=1
        ):
            per_vertex = np.zeros((rows, _WIDTH), dtype=np.float64)
            for v in range(width):
                idx = np.flatnonzero(v < given)
                per_vertex[idx, slots[idx, v]] = values[idx, module, v] / scale
            out[:, 2 * module + channel] = padded * per_vertex[:, None, :]
    return out


check_public(globals())
