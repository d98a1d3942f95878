"""Exact parameter and FLOP counts of the NAS-Bench-101 network, for any cell, without training.

Conventions (the Rust core, ``rust/core/src/cost101.rs``, documents every term):

* ``trainable_parameters`` counts conv weights, BatchNorm gamma/beta and the classifier, as
  TensorFlow's trainable variables did: it equals the dataset's ``trainable_parameters``
  (2,694,282 for the README cell, 8,555,530 for the NAR example record).
* FLOPs follow the NAR cell-information files: 2 per multiply-add; BN, ReLU, concat and channel
  truncation are free; a vertex's count includes its op, the 1x1 projection of an input edge
  and the additions merging its inputs. ``flops`` adds the stem, the 2x2 max-pools (4 per
  output element), the global mean and the classifier (bias adds included). An input->output
  edge (absent from the NAR example) is counted in the totals only: its projection and its add.
* Costs are those of the *pruned* cell (what the network builder instantiates); per-vertex
  lists follow the pruned vertex order, which for dataset cells is the stored order.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from nasbench_lite import _native
from nasbench_lite._core.arguments import check_public
from nasbench_lite.errors import InvalidInputError, OutOfDomainError
from nasbench_lite.spaces.nb101.batch import _as_01_matrices, check_many, encode_ops
from nasbench_lite.spaces.nb101.spec import ModelSpec, check_spec

__all__ = ["CostArrays", "cell_costs", "cost_many", "trainable_parameters", "vertex_channels"]

#: Module keys in the NAR record layout, stack-major.
MODULE_KEYS = tuple(f"stack{s}/module{m}" for s in range(3) for m in range(3))


class CostArrays(dict[str, Any]):
    """Batch result: ``flops`` (N,), ``trainable_parameters`` (N,), ``vertex_flops`` and
    ``vertex_params`` (N, 9, 7) int64 (modules stack-major, vertices zero-padded to 7),
    ``valid`` (N,) bool. Invalid rows have zero costs."""


def cost_many(matrices: Any, ops: Any) -> CostArrays:
    """Costs of a batch of cells in one native call (parallel).

    Args:
        matrices: ``(N, W, W)`` 0/1 array, W <= 7 (the :func:`~nasbench_lite.nb101.hash_many`
            layout).
        ops: ``(N, W)`` op names with ``''`` padding, or integer labels.

    Returns:
        A :class:`CostArrays` mapping.

    Raises:
        InvalidInputError: Wrong shape, dtype or values.
    """
    array = _as_01_matrices(matrices)
    codes = encode_ops(ops, array.shape[0], array.shape[1])
    status, vertex_flops, vertex_params, flops, params = _native.nb101_costs(array, codes)
    # Counts stay far below 2**63, so the uint64 buffers are reinterpreted, not copied.
    return CostArrays(
        valid=status == 0,
        flops=flops.view(np.int64),
        trainable_parameters=params.view(np.int64),
        vertex_flops=vertex_flops.view(np.int64),
        vertex_params=vertex_params.view(np.int64),
    )


def _single(spec: ModelSpec) -> tuple[int, CostArrays]:
    check_spec(spec)
    assert spec.matrix is not None and spec.ops is not None  # check_spec guarantees it
    n = len(spec.ops)
    matrices: npt.NDArray[np.uint8] = np.asarray(spec.matrix, dtype=np.uint8)[None]
    result = cost_many(matrices, [spec.ops])
    if not result["valid"][0]:  # pragma: no cover - check_spec already rejected it
        raise OutOfDomainError(str(check_many(matrices, [spec.ops]).reason[0]))
    return n, result


def trainable_parameters(spec: ModelSpec) -> int:
    """Trainable parameters of the whole network built from ``spec``.

    Args:
        spec: A spec inside the space.

    Returns:
        The count the official dataset reports as ``trainable_parameters``.

    Raises:
        OutOfDomainError: The spec is outside the space.
    """
    return int(_single(spec)[1]["trainable_parameters"][0])


def cell_costs(spec: ModelSpec) -> dict[str, Any]:
    """Per-vertex and total costs in the NAR cell-information record layout.

    Args:
        spec: A spec inside the space.

    Returns:
        ``{'vertex_flops': {'stack{s}/module{m}': [V ints]}, 'vertex_params': {...},
        'flops': int, 'trainable_parameters': int}`` with V the pruned vertex count (input and
        output entries are 0).

    Raises:
        OutOfDomainError: The spec is outside the space.
    """
    n, result = _single(spec)
    return {
        "vertex_flops": {
            key: result["vertex_flops"][0, i, :n].tolist() for i, key in enumerate(MODULE_KEYS)
        },
        "vertex_params": {
            key: result["vertex_params"][0, i, :n].tolist() for i, key in enumerate(MODULE_KEYS)
        },
        "flops": int(result["flops"][0]),
        "trainable_parameters": int(result["trainable_parameters"][0]),
    }


def vertex_channels(input_channels: int, output_channels: int, matrix: Any) -> list[int]:
    """Channel count of every vertex of a pruned cell (the network builder's rule).

    The vertices feeding the output share ``output_channels`` (the first ones, in vertex
    order, take one extra channel when the division leaves a remainder); every other interior
    vertex takes the largest count among its interior successors; the input keeps
    ``input_channels``. An input -> output edge is a projection and takes no share.

    Args:
        input_channels: Channels entering the cell.
        output_channels: Channels the cell must produce.
        matrix: The pruned ``V x V`` adjacency matrix (``ModelSpec.matrix``).

    Returns:
        ``V`` ints, input first.

    Raises:
        InvalidInputError: The matrix is not a pruned cell (some interior vertex would get no
            channel, or no interior vertex feeds the output).
    """
    array = np.asarray(matrix)
    size = int(array.shape[0])
    channels = [0] * size
    channels[0], channels[size - 1] = int(input_channels), int(output_channels)
    if size == 2:
        return channels
    last = size - 1
    feeders = [v for v in range(1, last) if array[v, last]]
    if not feeders:
        raise InvalidInputError("no interior vertex feeds the output: not a pruned cell")
    share, extra = divmod(int(output_channels), len(feeders))
    for rank, v in enumerate(feeders):
        channels[v] = share + (1 if rank < extra else 0)
    for v in range(size - 3, 0, -1):
        if not array[v, last]:
            successors = [channels[w] for w in range(v + 1, last) if array[v, w]]
            channels[v] = max(successors, default=0)
        if channels[v] <= 0:
            raise InvalidInputError(f"vertex {v} gets no channel: not a pruned cell")
    return channels


check_public(globals())
