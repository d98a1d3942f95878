"""Exact per-edge and total FLOPs/parameters of NAS-Bench-201 (NATS tss) networks.

Reproduces the NAR ``nasbench201_with_edge_flops_and_params.json`` convention: 1 FLOP per
multiply-add; BatchNorm (eval, affine) 2 per element; ReLU, additions, average pooling and the
``none`` op free; the final adaptive average pool 1 per input element; the classifier
``64 * classes`` (bias not counted). Per edge with C stage channels at side s:
``nor_conv_kxk`` costs ``s^2 k^2 C^2 + 2 s^2 C`` FLOPs and ``k^2 C^2 + 2 C`` parameters;
``skip_connect``, ``avg_pool_3x3`` and ``none`` cost nothing.

Network (see ``shared/formats/nats.md``): stem 3x3 conv 3->16 + BN; three stages of five cells
at 16/32/64 channels; a residual reduction block between stages (NAR cells 5 and 11); head
BN -> ReLU -> global pool -> Linear(64, classes).

Relation to the official NATS numbers (checked on the real archive files): ``total_params``
equals NATS ``params`` x 1e6 exactly. NATS ``flop`` (MFLOPs) counts only convolution and
classifier multiply-adds plus the classifier bias (no BatchNorm, no pooling); ``official_flops``
reproduces it exactly (``flop == official_flops / 1e6``), so ``total_flops`` (NAR) is a few
percent above it (4.3% on the NAR example: the BatchNorms and the global pool).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nasbench_lite._core.arguments import check_public
from nasbench_lite.errors import InvalidInputError
from nasbench_lite.spaces.nb201.arch import OPS, parse_arch

__all__ = ["DATASETS", "NAR_DATASETS", "cell_costs", "cost_many"]

#: Input side and number of classes of each dataset configuration.
DATASETS: dict[str, tuple[int, int]] = {
    "cifar10-valid": (32, 10),
    "cifar10": (32, 10),
    "cifar100": (32, 100),
    "ImageNet16-120": (16, 120),
}
#: The three configurations the NAR file reports.
NAR_DATASETS = ("cifar10-valid", "cifar100", "ImageNet16-120")

_STAGE_CHANNELS = (16, 32, 64)
_CELLS_PER_STAGE = 5
#: NAR numbering of the normal cells (5 and 11 are the residual blocks).
_CELL_KEYS = tuple(f"cells{k}" for k in (*range(0, 5), *range(6, 11), *range(12, 17)))
_KERNEL = {"nor_conv_1x1": 1, "nor_conv_3x3": 3}


def _op_codes(arch_strs: Sequence[str]) -> Any:
    index = {op: i for i, op in enumerate(OPS)}
    return np.array([[index[op] for op in parse_arch(a)] for a in arch_strs], dtype=np.int64)


def _skeleton(side: int, classes: int) -> tuple[int, int, int]:
    """NAR FLOPs, official (conv + linear) FLOPs and parameters outside the normal cells."""
    macs = side * side * 27 * 16  # stem conv
    norm = 2 * side * side * 16  # its BN
    params = 27 * 16 + 2 * 16
    for stage in (1, 2):
        c_in, c_out = _STAGE_CHANNELS[stage - 1], _STAGE_CHANNELS[stage]
        area = (side >> stage) ** 2
        macs += area * 9 * c_in * c_out  # 3x3 stride-2 conv
        macs += area * 9 * c_out * c_out  # 3x3 conv
        macs += area * c_in * c_out  # shortcut: 2x2 avg-pool (free) + 1x1 conv
        norm += 2 * (2 * area * c_out)  # the two BNs
        params += 9 * c_in * c_out + 9 * c_out * c_out + c_in * c_out + 4 * c_out
    last = _STAGE_CHANNELS[-1]
    area = (side >> 2) ** 2
    linear = last * classes
    nar = macs + norm + 2 * area * last + area * last + linear  # + head BN, global pool
    official = macs + linear + classes  # the official counter adds the bias
    params += 2 * last + linear + classes
    return nar, official, params


def cost_many(arch_strs: Sequence[str], dataset: str) -> dict[str, Any]:
    """Costs of many topology cells for one dataset configuration.

    Args:
        arch_strs: Arch strings.
        dataset: One of :data:`DATASETS`.

    Returns:
        ``total_flops`` (NAR convention), ``official_flops`` (the NATS ``flop`` x 1e6) and
        ``total_params`` (N,) int64; ``opt_flops`` and ``opt_params`` (N, 15, 6) int64 per
        normal cell (NAR order ``cells0..4, 6..10, 12..16``) and edge.

    Raises:
        InvalidInputError: Unknown dataset or malformed arch string.
    """
    if dataset not in DATASETS:
        raise InvalidInputError(f"unknown dataset {dataset!r} (choices: {list(DATASETS)})")
    side, classes = DATASETS[dataset]
    codes = _op_codes(arch_strs)
    flops = np.zeros((len(codes), 15, 6), dtype=np.int64)
    params = np.zeros((len(codes), 15, 6), dtype=np.int64)
    conv_macs = np.zeros(len(codes), dtype=np.int64)
    for stage, channels in enumerate(_STAGE_CHANNELS):
        area = (side >> stage) ** 2
        cells = slice(stage * _CELLS_PER_STAGE, (stage + 1) * _CELLS_PER_STAGE)
        for op, k in _KERNEL.items():
            mask = codes == OPS.index(op)
            edge_flops = area * k * k * channels * channels + 2 * area * channels
            edge_params = k * k * channels * channels + 2 * channels
            flops[:, cells, :] += (mask * edge_flops)[:, None, :]
            params[:, cells, :] += (mask * edge_params)[:, None, :]
            conv_macs += _CELLS_PER_STAGE * mask.sum(axis=1) * area * k * k * channels * channels
    base_flops, base_official, base_params = _skeleton(side, classes)
    return {
        "total_flops": flops.sum(axis=(1, 2)) + base_flops,
        "total_params": params.sum(axis=(1, 2)) + base_params,
        "official_flops": conv_macs + base_official,
        "opt_flops": flops,
        "opt_params": params,
    }


def cell_costs(arch_str: str) -> dict[str, Any]:
    """Costs of one cell in the NAR record layout, for the three NAR datasets.

    Args:
        arch_str: An arch string of the topology space.

    Returns:
        ``{'<ds>_total_flops': int, '<ds>_total_params': int, '<ds>_opt_flops': {'cells<k>':
        [6 ints]}, '<ds>_opt_params': {...}}`` for ``ds`` in :data:`NAR_DATASETS`.

    Raises:
        InvalidInputError: Malformed arch string.
    """
    record: dict[str, Any] = {}
    for dataset in NAR_DATASETS:
        costs = cost_many([arch_str], dataset)
        record[f"{dataset}_total_flops"] = int(costs["total_flops"][0])
        record[f"{dataset}_total_params"] = int(costs["total_params"][0])
        for kind in ("opt_flops", "opt_params"):
            record[f"{dataset}_{kind}"] = {
                key: costs[kind][0, i].tolist() for i, key in enumerate(_CELL_KEYS)
            }
    return record


#: Op code of each op in NAR's ``cell_adjacency`` (0 none, 1 skip, 2 conv1x1, 3 conv3x3, 4 pool).
_NAR_OP_CODE = {op: i for i, op in enumerate(OPS)}


def encode_many(arch_strs: Sequence[str], dataset: str) -> Any:
    """The NAR/ReNAS feature tensor of NAS-Bench-201 cells: ``(N, 31, 4, 4)`` float64.

    Channel 0 is NAR's ``cell_adjacency`` (upper-triangular ``[source][target]`` op codes:
    0 none, 1 skip, 2 conv1x1, 3 conv3x3, 4 avg-pool); then, for each of the 15 normal cells,
    the edge FLOPs and the edge parameters placed at ``[source][target]`` (unscaled, as NAR).

    Args:
        arch_strs: Arch strings.
        dataset: One of :data:`DATASETS`.

    Returns:
        The tensors.

    Raises:
        InvalidInputError: Unknown dataset or malformed arch string.
    """
    from nasbench_lite.spaces.nb201.arch import EDGES

    costs = cost_many(arch_strs, dataset)
    codes = _op_codes(arch_strs)
    out = np.zeros((len(codes), 31, 4, 4), dtype=np.float64)
    for e, (source, target) in enumerate(EDGES):
        out[:, 0, source, target] = codes[:, e]
        out[:, 1::2, source, target] = costs["opt_flops"][:, :, e]
        out[:, 2::2, source, target] = costs["opt_params"][:, :, e]
    return out


check_public(globals())
