"""The native (Rust) restricted pickle reader: the same contract as :mod:`.safe_pickle`, bounded.

:func:`loads`, :func:`load_path` and :func:`load_paths` read plain or bz2-compressed pickles
(protocols 2-5) with ``rust/core/src/pickle``: bz2 is decompressed and the opcodes parsed in
Rust with the GIL released (many files in parallel), then the values become Python objects in
one pass. Results equal :mod:`.safe_pickle`'s (which stays the reference the test suite compares
against): dicts, lists, tuples, sets, str, bytes, int, float, bool, None,
``collections.OrderedDict``, NumPy scalars as the equal Python scalar, NumPy arrays rebuilt
from dtype, shape and bytes. Any other global, a persistent id or an extension code raises
:class:`~nasbench_lite.errors.UnsafePickleError` before anything is looked up.

Every read is bounded by :class:`PickleLimits` (issue #13): a violation raises
:class:`~nasbench_lite.errors.CorruptSourceError` naming the file, the limit (its field name and
value) and the byte offset in the decompressed stream, before memory or time run out. Each file
kind has its own limits (:data:`NATS_ARCH_LIMITS`, :data:`NATS_META_LIMITS`,
:data:`NASHPOBENCH2_LIMITS`); callers override any field with :func:`dataclasses.replace`.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from typing import Any

from nasbench_lite import _native

__all__ = [
    "DEFAULT_LIMITS",
    "NASHPOBENCH2_LIMITS",
    "NATS_ARCH_LIMITS",
    "NATS_META_LIMITS",
    "PickleLimits",
    "check",
    "load_path",
    "load_paths",
    "loads",
]

_MIB = 1 << 20


@dataclasses.dataclass(frozen=True)
class PickleLimits:
    """Resource bounds of one pickle read (each one a typed error, never exhaustion).

    Memory is linear in the decompressed input (about 50 bytes of parser state per object), so
    ``max_input_bytes`` and the bz2 caps bound a read's memory; the other fields bound what the
    result may hold. Field names match the Rust ``Limits`` and the error messages.

    Attributes:
        max_input_bytes: Bytes of a plain file, and of the decompressed stream of a bz2 one
            (the absolute cap).
        max_bz2_ratio: Decompressed bytes per compressed byte of a bz2 file (the ratio cap),
            applied once past ``bz2_ratio_floor``.
        bz2_ratio_floor: Decompressed bytes always allowed whatever the ratio.
        max_nesting: Depth of nested containers in the result (bounds what CPython's recursive
            ``hash``/``repr``/``==`` could meet).
        max_memo_entries: Distinct memo indices stored (any ``u32`` index is accepted; sparse
            ones cost one entry each, so ``LONG_BINPUT 2**27`` costs nothing).
        max_stack_depth: Objects plus marks on the unpickler stack.
        max_container_len: Items of one tuple, list, set or dict.
        max_str_len: Bytes of one str, bytes, bytearray or NumPy array's data.
        max_int_digits: Decimal digits of one integer (CPython's default is 4,300).
        max_total_objects: Objects created by the stream.
    """

    max_input_bytes: int = 1 << 31
    max_bz2_ratio: int = 200
    bz2_ratio_floor: int = _MIB
    max_nesting: int = 256
    max_memo_entries: int = 1 << 24
    max_stack_depth: int = 1 << 20
    max_container_len: int = 1 << 26
    max_str_len: int = 1 << 28
    max_int_digits: int = 4300
    max_total_objects: int = 1 << 26

    def as_dict(self) -> dict[str, int]:
        """The fields as the native reader takes them."""
        return dataclasses.asdict(self)


#: Bounds for a pickle of unknown kind (the Rust defaults).
DEFAULT_LIMITS = PickleLimits()
#: A NATS-Bench per-architecture file: ~0.1-0.3 MB decompressed (~4:1 bz2), ~50,000 objects.
#: 64 MiB / 8M objects / 1 MiB strings leave a 200x margin and keep a parallel batch's memory
#: well below the build's 500 MB budget.
NATS_ARCH_LIMITS = PickleLimits(
    max_input_bytes=64 * _MIB,
    max_bz2_ratio=100,
    max_str_len=_MIB,
    max_container_len=1 << 22,
    max_total_objects=1 << 23,
    max_memo_entries=1 << 23,
    max_nesting=64,
)
#: The NATS-Bench ``meta.pickle.pbz2``: the architecture strings (~1-2 MB, 39:1 bz2).
NATS_META_LIMITS = PickleLimits(
    max_input_bytes=64 * _MIB, max_bz2_ratio=200, max_str_len=_MIB, max_nesting=64
)
#: NAS-HPO-Bench-II ``bench12.pkl`` / ``bench200.pkl``: some tens of MB of plain pickle.
NASHPOBENCH2_LIMITS = PickleLimits(max_input_bytes=1 << 30, max_str_len=_MIB, max_nesting=64)


def loads(data: bytes, *, name: str | None = None, limits: PickleLimits = DEFAULT_LIMITS) -> Any:
    """Unpickles bytes (plain or bz2-compressed) with the native reader.

    Args:
        data: The pickle bytes.
        name: The source's name for error messages (e.g. its path).
        limits: The bounds to enforce.

    Returns:
        The unpickled plain data.

    Raises:
        UnsafePickleError: A global outside the allow-list (nothing was called).
        CorruptSourceError: A truncated or malformed pickle, or one beyond ``limits``.
    """
    return _native.load_pickle(data, name=name, limits=limits.as_dict())


def check(data: bytes, *, name: str | None = None, limits: PickleLimits = DEFAULT_LIMITS) -> None:
    """Validates bytes as :func:`loads` would, building no Python object.

    Raises:
        UnsafePickleError: A global outside the allow-list.
        CorruptSourceError: A truncated or malformed pickle, or one beyond ``limits``.
    """
    _native.check_pickle(data, name=name, limits=limits.as_dict())


def load_path(path: str | os.PathLike[str], *, limits: PickleLimits = DEFAULT_LIMITS) -> Any:
    """Unpickles one file (plain or bz2-compressed, detected from its first bytes).

    Raises:
        UnsafePickleError: A global outside the allow-list (nothing was called).
        CorruptSourceError: A missing, unreadable, malformed or over-limit file (names it).
    """
    return load_paths([path], limits=limits)[0]


def load_paths(
    paths: Sequence[str | os.PathLike[str]], *, limits: PickleLimits = DEFAULT_LIMITS
) -> list[Any]:
    """Unpickles many files, read and parsed in parallel with the GIL released.

    Args:
        paths: The files, plain or bz2-compressed.
        limits: The bounds every file must meet.

    Returns:
        One object per path, in order.

    Raises:
        UnsafePickleError: A global outside the allow-list (the first such file, in order).
        CorruptSourceError: The first missing, malformed or over-limit file, in order.
    """
    return _native.load_pickle_files([os.fspath(p) for p in paths], limits=limits.as_dict())
