"""``nasbench.lib.model_spec``: ``ModelSpec`` (pruning, ``hash_spec``) and
``is_upper_triangular``.

:class:`ModelSpec` is the native :class:`nasbench_lite.nb101.ModelSpec`, which follows the
official class exactly (same constructor checks and messages, same pruning, same hash) except
that it also rejects entries that are not non-negative integers, and ``hash_spec`` of an unknown
op or a disconnected spec raises ``OutOfDomainError`` (a ``ValueError``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nasbench_lite.nb101 import ModelSpec

__all__ = ["ModelSpec", "is_upper_triangular"]


def is_upper_triangular(matrix: Any) -> bool:
    """True when every entry on and below the diagonal is zero.

    Args:
        matrix: A square matrix (ndarray or nested lists).

    Returns:
        Whether the matrix is strictly upper triangular.
    """
    array = np.asarray(matrix)
    return not np.any(np.tril(array) != 0)
