"""Cells used by several test files (one literal each, not a copy per file)."""

from __future__ import annotations

#: The Inception-like cell of the NAS-Bench-101 README (7 vertices, 9 edges).
INCEPTION_MATRIX = [
    [0, 1, 1, 1, 0, 1, 0],
    [0, 0, 0, 0, 0, 0, 1],
    [0, 0, 0, 0, 0, 0, 1],
    [0, 0, 0, 0, 1, 0, 0],
    [0, 0, 0, 0, 0, 0, 1],
    [0, 0, 0, 0, 0, 0, 1],
    [0, 0, 0, 0, 0, 0, 0],
]
INCEPTION_OPS = [
    "input",
    "conv1x1-bn-relu",
    "conv3x3-bn-relu",
    "conv3x3-bn-relu",
    "conv3x3-bn-relu",
    "maxpool3x3",
    "output",
]
#: Its official module hash.
INCEPTION_HASH = "28cfc7874f6d200472e1a9dcd8650aa0"
#: ``(matrix, ops)`` for ``ModelSpec(*INCEPTION)``.
INCEPTION = (INCEPTION_MATRIX, INCEPTION_OPS)
