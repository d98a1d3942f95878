"""The official ``graph_util.hash_module`` on any integer-labelled directed graph."""

from __future__ import annotations

from nasbench_lite import _native
from nasbench_lite._core.arguments import check_public
from nasbench_lite.errors import InvalidSpecError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (import stays cheap)
if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy
    import numpy.typing as npt

__all__ = ["hash_graph"]

#: Entries must fit the native hasher's 32-bit degree sums.
_MAX_ENTRY = 2**31


def hash_graph(matrix: npt.NDArray[numpy.int64], labels: Sequence[int]) -> str:
    """The official ``graph_util.hash_module`` of any directed graph with integer labels.

    Unlike :meth:`ModelSpec.hash_spec` nothing is pruned or checked: self-loops, cycles,
    weighted entries (degrees are plain sums, any non-zero entry is an edge) and any vertex
    count are hashed exactly as the original does for an integer matrix and ``int`` labels.

    Args:
        matrix: Square integer matrix (entries below 2**31 in magnitude).
        labels: One ``int`` label per vertex.

    Returns:
        The 32-char lowercase hex hash.

    Raises:
        InvalidSpecError: Not square, wrong label count, or entries too large.
    """
    import numpy

    array = numpy.ascontiguousarray(matrix, dtype=numpy.int64)
    if array.ndim != 2 or array.shape[0] != array.shape[1] or array.shape[0] != len(labels):
        raise InvalidSpecError("hash_graph needs a square matrix and one label per vertex")
    if array.size and int(numpy.abs(array).max()) >= _MAX_ENTRY:
        raise InvalidSpecError(f"matrix entries must be below {_MAX_ENTRY} in magnitude")
    return str(_native.hash_graph(array, numpy.asarray(labels, dtype=numpy.int64)))


check_public(globals())
