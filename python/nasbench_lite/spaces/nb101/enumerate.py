"""The NAS-Bench-101 search space, enumerated exactly as the original ``generate_graphs.py``.

Row order (documented, stable): by vertex count, then in the original's first-seen order — for
each vertex count, edge bits ascending (``gen_is_edge_fn`` encoding), then labellings in
``itertools.product`` order (last interior vertex fastest); each hash appears once, with the
first (matrix, ops) the original saw for it. That representative is what the official dataset
stores as ``module_adjacency`` / ``module_operations``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from nasbench_lite import _native
from nasbench_lite._core.arguments import check_public
from nasbench_lite._optional import import_pyarrow
from nasbench_lite.errors import InvalidInputError
from nasbench_lite.spaces.nb101.spec import AVAILABLE_OPS, INPUT, OUTPUT

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["SpaceChunk", "count_labelled_graphs", "enumerate_cells", "space_chunks"]

#: Op name of each label; index with ``label + 2`` (output -2, input -1, ops 0..).
_OP_NAMES = np.array([OUTPUT, INPUT, *AVAILABLE_OPS])


@dataclass(frozen=True)
class SpaceChunk:
    """The unique cells of one vertex count, as flat numpy arrays (one entry per cell).

    Attributes:
        num_vertices: Vertex count V shared by every cell of the chunk.
        hashes: ``(M,)`` ``<U32`` hashes.
        num_edges: ``(M,)`` uint8 edge counts.
        edge_bits: ``(M,)`` uint32 ``gen_is_edge_fn`` bits of the representative matrix.
        labels: ``(M, V)`` int8 labels (input -1, output -2, ops 0..2).
        labelled_graphs: Labelled graphs the original visited for this V (hashed, then deduped).
    """

    num_vertices: int
    hashes: npt.NDArray[np.str_]
    num_edges: npt.NDArray[np.uint8]
    edge_bits: npt.NDArray[np.uint32]
    labels: npt.NDArray[np.int8]
    labelled_graphs: int

    def __repr__(self) -> str:
        return (
            f"SpaceChunk(num_vertices={self.num_vertices}, cells={len(self.hashes):,}, "
            f"labelled_graphs={self.labelled_graphs:,})"
        )

    def adjacency(self) -> npt.NDArray[np.int8]:
        """``(M, V, V)`` int8 0/1 representative matrices decoded from ``edge_bits``."""
        return _adjacency(self.num_vertices, self.edge_bits)

    def adjacency_strings(self) -> npt.NDArray[np.str_]:
        """Row-major '0'/'1' strings of the matrices (the official TFRecord encoding)."""
        n = self.num_vertices
        digits = (self.adjacency().reshape(len(self.edge_bits), n * n) + ord("0")).astype(np.uint8)
        return np.ascontiguousarray(digits).view(f"S{n * n}").reshape(-1).astype(f"U{n * n}")

    def op_names(self) -> npt.NDArray[np.str_]:
        """``(M, V)`` op names."""
        return _OP_NAMES[self.labels.astype(np.int64) + 2]

    def ops_strings(self) -> npt.NDArray[np.object_]:
        """Comma-joined op names per cell (the official TFRecord encoding)."""
        names = self.op_names()
        joined = names[:, 0].astype(object)
        for column in range(1, names.shape[1]):
            joined = joined + "," + names[:, column].astype(object)
        return np.asarray(joined, dtype=object)


def _adjacency(n: int, edge_bits: npt.NDArray[np.uint32]) -> npt.NDArray[np.int8]:
    """``(M, n, n)`` int8 0/1 matrices decoded from ``gen_is_edge_fn`` bits."""
    matrices = np.zeros((len(edge_bits), n, n), dtype=np.int8)
    for y in range(1, n):
        for x in range(y):
            bit = x + y * (y - 1) // 2
            matrices[:, x, y] = (edge_bits >> np.uint32(bit)) & np.uint32(1)
    return matrices


def _check_arguments(max_vertices: int, max_edges: int, num_ops: int) -> None:
    if not 2 <= max_vertices <= 7:
        raise InvalidInputError(f"max_vertices must be between 2 and 7, got {max_vertices}")
    if not 0 <= max_edges <= 21:
        raise InvalidInputError(f"max_edges must be between 0 and 21, got {max_edges}")
    if not 1 <= num_ops <= len(AVAILABLE_OPS):
        raise InvalidInputError(
            f"num_ops must be between 1 and {len(AVAILABLE_OPS)}, got {num_ops}"
        )


def count_labelled_graphs(max_vertices: int = 7, max_edges: int = 9, num_ops: int = 3) -> int:
    """Number of labelled graphs the original enumeration visits (1,293,208 by default).

    Args:
        max_vertices: Largest vertex count (2..7).
        max_edges: Largest edge count.
        num_ops: Number of interior ops (1..3).

    Returns:
        The cumulative count over vertex counts 2..max_vertices.

    Raises:
        InvalidInputError: For arguments outside the ranges above.
    """
    _check_arguments(max_vertices, max_edges, num_ops)
    return sum(
        int(_native.count_labelled(n, max_edges, num_ops)) for n in range(2, max_vertices + 1)
    )


def space_chunks(
    max_vertices: int = 7,
    max_edges: int = 9,
    num_ops: int = 3,
    progress: Callable[[int], None] | None = None,
) -> list[SpaceChunk]:
    """Enumerates the unique cells, one :class:`SpaceChunk` per vertex count.

    Args:
        max_vertices: Largest vertex count (2..7).
        max_edges: Largest edge count.
        num_ops: Number of interior ops (1..3; the first ``num_ops`` of AVAILABLE_OPS).
        progress: Called with the number of labelled graphs processed since its previous call,
            about every 65,536 graphs inside a vertex count and at the end of each (the calls
            add up to :func:`count_labelled_graphs`). An exception it raises stops the
            enumeration and propagates.

    Returns:
        Chunks for V = 2..max_vertices in order.

    Raises:
        InvalidInputError: For arguments outside the ranges above.
    """
    return [
        SpaceChunk(n, hex_bytes.view("S32").reshape(-1).astype("U32"), edges, bits, labels, visited)
        for n, bits, edges, labels, hex_bytes, visited in _native_chunks(
            max_vertices, max_edges, num_ops, progress
        )
    ]


#: Labelled graphs between two progress reports inside one vertex count (V = 7 has 1.16 M).
_PROGRESS_EVERY = 65536

_NativeChunk = tuple[
    int,
    npt.NDArray[np.uint32],
    npt.NDArray[np.uint8],
    npt.NDArray[np.int8],
    npt.NDArray[np.uint8],
    int,
]


class _Increments:
    """Turns the native "labelled graphs done so far" reports into increments for ``progress``."""

    def __init__(self, progress: Callable[[int], None]) -> None:
        self._progress = progress
        self.reported = 0

    def __call__(self, done: int) -> None:
        if done > self.reported:
            step, self.reported = done - self.reported, done
            self._progress(step)

    def finish(self, visited: int) -> None:
        """Reports the rest of a vertex count's ``visited`` graphs (0 for an empty one)."""
        step, self.reported = visited - self.reported, visited
        self._progress(step)


def _native_chunks(
    max_vertices: int,
    max_edges: int,
    num_ops: int,
    progress: Callable[[int], None] | None,
) -> list[_NativeChunk]:
    """Per vertex count: (n, edge bits, edge counts, labels, (M, 32) ASCII hex, visited)."""
    _check_arguments(max_vertices, max_edges, num_ops)
    chunks = []
    for n in range(2, max_vertices + 1):
        visited = int(_native.count_labelled(n, max_edges, num_ops))
        increments = None if progress is None else _Increments(progress)
        bits, edges, labels, hex_bytes = _native.enumerate_vertices(
            n, max_edges, num_ops, increments, _PROGRESS_EVERY
        )
        chunks.append((n, bits, edges, labels, hex_bytes, visited))
        # The native side ends on `visited`; a vertex count without graphs still reports.
        if increments is not None and (visited > increments.reported or visited == 0):
            increments.finish(visited)
    return chunks


def enumerate_cells(
    max_vertices: int = 7,
    max_edges: int = 9,
    num_ops: int = 3,
    progress: Callable[[int], None] | None = None,
) -> pa.Table:
    """Every unique NAS-Bench-101 cell with its original representative, as an Arrow table.

    Args:
        max_vertices: Largest vertex count (2..7).
        max_edges: Largest edge count.
        num_ops: Number of interior ops (1..3).
        progress: As in :func:`space_chunks`: called with the labelled graphs processed since
            its previous call, several times inside the large vertex counts.

    Returns:
        A ``pyarrow.Table`` in the order described in the module docstring, with columns
        ``cell_id`` (int32, 0-based row position), ``hash`` (string), ``num_vertices`` (int8),
        ``num_edges`` (int8), ``edge_bits`` (uint32), ``adjacency`` (list<list<int8>>, the
        representative matrix), ``ops`` (list<string>), ``labels`` (list<int8>). The full
        default space has 423,624 rows.

    Raises:
        InvalidInputError: For arguments outside the ranges above.
    """
    pa = import_pyarrow()

    tables = []
    offset = 0
    for n, edge_bits, num_edges, cell_labels, hex_bytes, _ in _native_chunks(
        max_vertices, max_edges, num_ops, progress
    ):
        rows = len(edge_bits)
        # The hex digests are ASCII already: one string buffer, no per-row conversion.
        hashes = pa.StringArray.from_buffers(
            rows,
            pa.py_buffer(np.arange(0, 32 * rows + 1, 32, dtype=np.int32)),
            pa.py_buffer(np.ascontiguousarray(hex_bytes)),
        )
        matrix_values = pa.array(_adjacency(n, edge_bits).reshape(-1), type=pa.int8())
        row_lists = pa.ListArray.from_arrays(
            pa.array(np.arange(0, rows * n * n + 1, n, dtype=np.int32)), matrix_values
        )
        adjacency = pa.ListArray.from_arrays(
            pa.array(np.arange(0, rows * n + 1, n, dtype=np.int32)), row_lists
        )
        per_cell = pa.array(np.arange(0, rows * n + 1, n, dtype=np.int32))
        # Dictionary-encoded names: five distinct strings over millions of slots.
        op_values = pa.DictionaryArray.from_arrays(
            pa.array((cell_labels.reshape(-1) + 2).astype(np.int8)),
            pa.array(_OP_NAMES.tolist()),
        )
        ops = pa.ListArray.from_arrays(per_cell, op_values)
        labels = pa.ListArray.from_arrays(per_cell, pa.array(cell_labels.reshape(-1)))
        tables.append(
            pa.table(
                {
                    "cell_id": pa.array(np.arange(offset, offset + rows, dtype=np.int32)),
                    "hash": hashes,
                    "num_vertices": pa.array(np.full(rows, n, dtype=np.int8)),
                    "num_edges": pa.array(num_edges.astype(np.int8)),
                    "edge_bits": pa.array(edge_bits),
                    "adjacency": adjacency,
                    "ops": ops,
                    "labels": labels,
                }
            )
        )
        offset += rows
    return pa.concat_tables(tables)


check_public(globals())
