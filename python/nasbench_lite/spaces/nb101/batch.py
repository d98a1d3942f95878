"""Whole-batch NAS-Bench-101 checks and hashing: one native call per batch, parallel inside.

Input convention: ``matrices`` is an ``(N, W, W)`` array of 0/1 entries (bool, integer or
float dtype) and ``ops`` an ``(N, W)`` array (or list of lists) of op names, ``''`` padding
cells with fewer than ``W`` vertices (padding must come last and padded vertices must have no
edges); ``W`` is at most 7. ``ops`` may instead hold integer labels: -1 input, -2 output,
0/1/2 for conv3x3/conv1x1/maxpool3x3 and :data:`PAD_LABEL` (-3) for padding.

Each row goes through exactly what ``ModelSpec(matrix, ops)``, ``is_valid`` and ``hash_spec``
do, in that order: constructor checks, pruning, the ``_check_spec`` checks on the pruned spec,
then the hash of the pruned spec.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from nasbench_lite import _native
from nasbench_lite._core.arguments import check_public
from nasbench_lite.errors import InvalidInputError
from nasbench_lite.spaces.nb101.spec import AVAILABLE_OPS, INPUT, MAX_VERTICES, OUTPUT

__all__ = ["PAD_LABEL", "BatchCheck", "check_many", "hash_many", "encode_ops"]

#: Integer label marking a padding vertex in the integer-label form of ``ops``.
PAD_LABEL = -3
_UNKNOWN_LABEL = -4
_LABEL_OF_NAME: dict[str, int] = {
    INPUT: -1,
    OUTPUT: -2,
    "": PAD_LABEL,
    **{name: index for index, name in enumerate(AVAILABLE_OPS)},
}
_NATIVE_ORDER = "<" if sys.byteorder == "little" else ">"
# Status code of a valid row in the native check (rust/core/src/nb101/spec.rs `Status`).
_VALID = 0


@dataclass(frozen=True)
class BatchCheck:
    """Per-row outcome of :func:`check_many` (all arrays have one entry per input row).

    Attributes:
        valid: True where the row is inside the NAS-Bench-101 space.
        hash: The module hash of valid rows, ``''`` elsewhere (numpy ``<U32``).
        reason: ``''`` for valid rows, else the message the original API raises.
        num_vertices: Vertices after pruning (0 when pruning or earlier checks failed).
        num_edges: Edges after pruning (0 when pruning or earlier checks failed).
    """

    valid: npt.NDArray[np.bool_]
    hash: npt.NDArray[np.str_]
    reason: npt.NDArray[np.object_]
    num_vertices: npt.NDArray[np.uint8]
    num_edges: npt.NDArray[np.uint8]

    def __repr__(self) -> str:
        valid = int(np.count_nonzero(self.valid))
        first = self.first_error()
        detail = "" if first is None else f", first invalid row {first}: {self.reason[first]!r}"
        return f"BatchCheck({len(self.valid):,} rows, {valid:,} valid{detail})"

    def first_error(self) -> int | None:
        """Index of the first invalid row, or None when every row is valid."""
        bad = np.flatnonzero(~self.valid)
        return int(bad[0]) if bad.size else None


def _as_01_matrices(matrices: Any) -> npt.NDArray[np.uint8]:
    """Validates the ``(N, W, W)`` 0/1 array and returns it as contiguous uint8."""
    try:
        array = np.asarray(matrices)
    except ValueError as exc:
        raise InvalidInputError(f"matrices must be an (N, W, W) array: {exc}") from exc
    if array.ndim != 3 or array.shape[1] != array.shape[2]:
        raise InvalidInputError(
            f"matrices must have shape (N, W, W) with square cells, got {array.shape}"
        )
    width = array.shape[1]
    if width < 1 or width > MAX_VERTICES:
        raise InvalidInputError(
            f"cells must have 1 to {MAX_VERTICES} vertices, got width {width} "
            "(use ModelSpec for larger specs that prune down)"
        )
    if array.dtype == np.bool_:
        return np.ascontiguousarray(array, dtype=np.uint8)
    if array.dtype.kind not in "iuf":
        raise InvalidInputError(f"matrices must be bool, integer or float, got {array.dtype}")
    bad = ~((array == 0) | (array == 1))  # NaN compares unequal to both
    if np.any(bad):
        row = int(np.flatnonzero(bad.reshape(len(array), -1).any(axis=1))[0])
        value = array[row][bad[row]][0]
        raise InvalidInputError(f"row {row}: matrix entries must be 0 or 1, found {value}", row)
    return np.ascontiguousarray(array, dtype=np.uint8)


def encode_ops(ops: Any, rows: int, width: int) -> npt.NDArray[np.int8]:
    """Turns op names (or integer labels) into the native int8 op codes.

    Args:
        ops: ``(N, W)`` op names with ``''`` padding (ragged lists are padded), or integer
            labels (-1 input, -2 output, 0..2 ops, -3 padding).
        rows: Expected N.
        width: Expected W.

    Returns:
        ``(N, W)`` int8 codes; unknown names/labels become an "unsupported" code.

    Raises:
        InvalidInputError: When the shape or element type does not fit.
    """
    if rows == 0 and isinstance(ops, Sequence) and len(ops) == 0:
        return np.zeros((0, width), dtype=np.int8)
    if isinstance(ops, np.ndarray) and ops.dtype.kind in "iu":
        labels = ops
        if labels.shape != (rows, width):
            raise InvalidInputError(f"ops must have shape ({rows}, {width}), got {labels.shape}")
        # Every label from PAD_LABEL to the last op is its own code; anything else is unknown.
        known = (labels >= PAD_LABEL) & (labels < len(AVAILABLE_OPS))
        codes = np.full(labels.shape, _UNKNOWN_LABEL, dtype=np.int8)
        np.copyto(codes, labels, casting="unsafe", where=known)
        return codes
    if not isinstance(ops, np.ndarray):
        ops = _pad_ragged(ops, rows, width)
    names = np.asarray(ops)
    if names.shape != (rows, width):
        raise InvalidInputError(f"ops must have shape ({rows}, {width}), got {names.shape}")
    if names.dtype.kind == "O":
        if not all(isinstance(x, str) for x in names.flat):
            raise InvalidInputError("ops must hold op-name strings")
        names = names.astype(str)
    elif names.dtype.kind != "U":
        raise InvalidInputError(f"ops must hold op-name strings, got dtype {names.dtype}")
    if rows and names.dtype.byteorder in "=|" + _NATIVE_ORDER:
        # Decoded natively from numpy's UCS-4 storage, in parallel: comparing the whole array
        # once per known name cost more than hashing the cells.
        chars = np.ascontiguousarray(names).view(np.uint32)
        return _native.op_codes_of_names(chars.reshape(rows, width, names.dtype.itemsize // 4))
    codes = np.full(names.shape, _UNKNOWN_LABEL, dtype=np.int8)
    for name, label in _LABEL_OF_NAME.items():
        codes[names == name] = label
    return codes


def _pad_ragged(ops: Any, rows: int, width: int) -> list[list[str]]:
    """Pads a list of op-name lists with ``''`` to ``width``."""
    if not isinstance(ops, Sequence) or isinstance(ops, str) or len(ops) != rows:
        raise InvalidInputError(f"ops must be a sequence of {rows} op lists")
    padded = []
    for row, names in enumerate(ops):
        if isinstance(names, str) or not isinstance(names, Sequence | np.ndarray):
            raise InvalidInputError(f"row {row}: ops must be a list of op names", row)
        names = list(names)
        if len(names) > width:
            raise InvalidInputError(f"row {row}: {len(names)} ops for a {width}-vertex matrix", row)
        if not all(isinstance(x, str) for x in names):
            raise InvalidInputError(f"row {row}: ops must be strings", row)
        padded.append(names + [""] * (width - len(names)))
    return padded


_CheckArrays = tuple[
    npt.NDArray[np.uint8],
    npt.NDArray[np.uint8],
    npt.NDArray[np.int32],
    npt.NDArray[np.uint8],
    npt.NDArray[np.uint8],
]


def _native_check(matrices: Any, ops: Any) -> _CheckArrays:
    """Validates the inputs and runs the native check: ``check_and_hash``'s five arrays."""
    array = _as_01_matrices(matrices)
    codes = encode_ops(ops, array.shape[0], array.shape[1])
    return _native.check_and_hash(array, codes)


def check_many(matrices: Any, ops: Any) -> BatchCheck:
    """Checks, prunes and hashes a batch of cells in one native call.

    Args:
        matrices: ``(N, W, W)`` 0/1 array, W <= 7.
        ops: ``(N, W)`` op names with ``''`` padding, or integer labels (see module doc).

    Returns:
        A :class:`BatchCheck` with validity, hash, reason and pruned sizes per row.

    Raises:
        InvalidInputError: Wrong shape or dtype, or entries other than 0/1.
    """
    hex_bytes, status, detail, num_vertices, num_edges = _native_check(matrices, ops)
    hashes = hex_bytes.view("S32").reshape(len(status)).astype("U32")
    # The native side words every rejection as the original API does, naming ops as given.
    reason = _native.check_reasons(status, detail, ops)
    valid = status == _VALID
    return BatchCheck(valid, hashes, reason, num_vertices, num_edges)


def hash_many(
    matrices: Any, ops: Any, *, errors: Literal["raise", "ignore"] = "raise"
) -> npt.NDArray[np.str_]:
    """Official module hashes of a batch of cells (``ModelSpec(m, o).hash_spec()`` per row).

    Rows are pruned exactly as ``ModelSpec`` prunes and must pass the official validity checks;
    invalid rows are reported, never silently hashed.

    Args:
        matrices: ``(N, W, W)`` 0/1 array, W <= 7.
        ops: ``(N, W)`` op names with ``''`` padding, or integer labels (see module doc).
        errors: ``'raise'`` raises for the first invalid row; ``'ignore'`` returns ``''`` for
            invalid rows (use :func:`check_many` to learn why).

    Returns:
        ``(N,)`` array of 32-char lowercase hex strings (dtype ``<U32``).

    Raises:
        InvalidInputError: Wrong shape or dtype, or entries other than 0/1.
        InvalidSpecError: (errors='raise') a row is not upper triangular or badly padded;
            ``.row`` names it.
        OutOfDomainError: (errors='raise') a row is outside the space; ``.row`` names it.
    """
    if errors not in ("raise", "ignore"):
        raise InvalidInputError(f"errors must be 'raise' or 'ignore', got {errors!r}")
    array = _as_01_matrices(matrices)
    codes = encode_ops(ops, array.shape[0], array.shape[1])
    hex_chars, status, detail = _native.hash_rows(array, codes)
    if errors == "raise":
        # InvalidSpecError / OutOfDomainError with `.row`, raised by the native side.
        _native.raise_first_invalid(status, detail, ops)
    # The native side wrote UCS-4 code points: viewing them as <U32 is the string column.
    hashes: npt.NDArray[np.str_] = hex_chars.view(np.dtype("U32")).reshape(len(status))
    return hashes


check_public(globals())
