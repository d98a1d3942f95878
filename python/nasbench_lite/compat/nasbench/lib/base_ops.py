"""``nasbench.lib.base_ops``: the constants of the official op definitions.

The op classes themselves build TensorFlow layers and are not offered; the constants below
(and :data:`OP_NAMES`, the names the official ``OP_MAP`` knows) are what code outside
training reads.
"""

from __future__ import annotations

__all__ = ["BN_EPSILON", "BN_MOMENTUM", "MIN_FILTERS", "OP_NAMES", "VALID_DATA_FORMATS"]

VALID_DATA_FORMATS = frozenset(["channels_last", "channels_first"])
MIN_FILTERS = 8
BN_MOMENTUM = 0.997
BN_EPSILON = 1e-5

#: Keys of the official ``OP_MAP``; conv3x3, conv1x1 and maxpool3x3 are the NAS-Bench-101 space.
OP_NAMES = (
    "identity",
    "conv3x3-bn-relu",
    "conv1x1-bn-relu",
    "maxpool3x3",
    "bottleneck3x3",
    "bottleneck5x5",
    "maxpool3x3-conv1x1",
)
