"""The input side of :mod:`~nasbench_lite._core.formats.stream_pickle`: bytes, arguments, limits.

:class:`PickleInput` is what both passes of the streaming reader stand on: the (bz2 or plain)
file's decompressed bytes behind a sliding buffer, read in bounded blocks, and the decoding of
the opcode arguments neither pass inlines (ints, strings, bytes, allow-listed globals). The
reader's limits live here too: the longest argument it accepts, the largest int payload and
the deepest key nesting, so a small hostile file cannot make it allocate or recurse without
bound (issue #13). Every malformed input surfaces as :class:`Malformed` (or one of
:data:`MALFORMED_ERRORS`), which the passes turn into a
:class:`~nasbench_lite.errors.CorruptSourceError` carrying the byte offset.
"""

from __future__ import annotations

import bz2
import io
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from nasbench_lite._core.formats.safe_pickle import (
    SafeUnpickler,
    UnsafePickleError,
    key_depth_error,
)
from nasbench_lite.errors import CorruptSourceError

__all__ = [
    "BLOCK",
    "MALFORMED_ERRORS",
    "MAX_ARG",
    "MAX_INT_BYTES",
    "SLACK",
    "Malformed",
    "PickleInput",
    "check_shallow",
]

BLOCK = 1 << 18  # decompressed bytes read at a time
SLACK = 512  # bytes kept past ``pos`` (away from EOF): short opcodes never straddle the buffer
# Longest str/bytes argument accepted: the official files hold only short strings, and a
# 232-byte bz2 can declare (and decompress to) one 256 MiB bytes object (issue #13).
MAX_ARG = 16 << 20
MAX_INT_BYTES = 1786  # LONG1/LONG4 payload: ~4,300 decimal digits (CPython's int limit)

FIXED_INT = {0x4D: struct.Struct("<H"), 0x4A: struct.Struct("<i")}  # BININT2, BININT
# Length-prefixed arguments: opcode -> (length format, payload kind: bytes, str or int).
VAR_ARGS = {
    op: (struct.Struct(fmt), kind)
    for op, fmt, kind in (
        (0x43, "<B", bytes), (0x42, "<I", bytes), (0x8E, "<Q", bytes),  # *BINBYTES*
        (0x8C, "<B", str), (0x58, "<I", str), (0x8D, "<Q", str),  # *BINUNICODE*
        (0x8A, "<B", int), (0x8B, "<i", int),  # LONG1, LONG4
    )
}  # fmt: skip


class Malformed(Exception):
    """A malformed stream; re-raised as CorruptSourceError with the opcode's offset."""


def check_shallow(items: Any) -> None:
    """Refuses tuples/frozensets nested deeper than ``MAX_KEY_DEPTH`` (checked as each is built).

    A million nested tuples (a 65-byte bz2) would crash CPython's recursive tuple hash when
    used as a key, and eight million take 400 MB: the bound keeps both away.
    """
    problem = key_depth_error(items)
    if problem is not None:
        raise Malformed(problem)


# What a malformed stream makes the passes raise (CorruptSourceError, a ValueError, is re-raised).
MALFORMED_ERRORS = (Malformed, LookupError, TypeError, ValueError, AttributeError, struct.error)


class PickleInput:
    """A pickle file's decompressed bytes, read through a sliding buffer ``data[pos:]``."""

    def __init__(self, path: Path, progress: Callable[[int], None] | None, offset: int) -> None:
        self.path, self.progress, self.offset = path, progress, offset
        self.data, self.pos, self.limit, self.boff, self.eof = b"", 0, 0, 0, False
        self.safe = SafeUnpickler(io.BytesIO(), path)
        try:
            self.file: BinaryIO = open(path, "rb")  # noqa: SIM115 (closed by close())
            compressed = self.file.read(3) == b"BZh"
            self.file.seek(0)
        except OSError as exc:
            raise CorruptSourceError(f"{path}: cannot read ({exc.strerror or exc})", path) from exc
        self.reader: Any = bz2.BZ2File(self.file) if compressed else self.file

    def close(self) -> None:
        self.reader.close()
        self.file.close()

    def error(self, message: str, at: int | None = None) -> CorruptSourceError:
        """A CorruptSourceError at ``data[at]`` (default: ``pos``) of the raw pickle stream."""
        offset = self.boff + (self.pos if at is None else at)
        return CorruptSourceError(
            f"{self.path}: {message} (at byte {offset} of the pickle stream)",
            self.path,
            byte_offset=offset,
        )

    def wrap(self, exc: Exception, at: int) -> CorruptSourceError:
        text = str(exc) if isinstance(exc, Malformed) else f"{type(exc).__name__}: {exc}"
        return self.error(f"corrupt pickle ({text})", at)

    def _block(self) -> bytes:
        try:
            block: bytes = self.reader.read(BLOCK)
        except (OSError, EOFError, ValueError) as exc:
            raise self.error(f"not a readable bz2 stream ({exc})", len(self.data)) from exc
        if self.progress is not None:
            self.progress(self.offset + self.file.tell())
        self.eof = not block
        return block

    def _set_limit(self) -> None:
        self.limit = len(self.data) if self.eof else len(self.data) - SLACK

    def refill(self) -> None:
        """Drops the consumed bytes and reads on; raises at the end of the stream."""
        data = self.data[self.pos :]
        self.boff += self.pos
        self.pos = 0
        while not self.eof and len(data) < 2 * SLACK:
            data += self._block()
        self.data = data
        self._set_limit()
        if not data:
            raise self.error("pickle stream ends before its STOP opcode (truncated file?)")

    def _extend_to(self, end: int) -> None:
        """Reads blocks until ``data`` holds ``end`` bytes or the stream ends.

        Collects the blocks and joins them once (linear time; appending each block to
        ``data`` would copy it again per block: quadratic in a long argument, issue #13), and
        drops the consumed prefix first so ``data`` holds only what is still needed.
        """
        if end <= len(self.data) or self.eof:
            return
        parts, have = [self.data[self.pos :]], len(self.data) - self.pos
        need = end - self.pos
        while have < need and not self.eof:
            block = self._block()
            parts.append(block)
            have += len(block)
        self.boff += self.pos
        self.data, self.pos = b"".join(parts), 0

    def take(self, size: int) -> bytes:
        """The next ``size`` bytes."""
        self._extend_to(self.pos + size)
        end = self.pos + size
        self._set_limit()
        if end > len(self.data):
            raise self.error("pickle stream ends inside an opcode (truncated file?)")
        chunk, self.pos = self.data[self.pos : end], end
        return chunk

    def line(self) -> str:
        end = self.data.find(b"\n", self.pos)
        while end < 0 and not self.eof and len(self.data) - self.pos < 4096:
            self._extend_to(len(self.data) + 1)
            end = self.data.find(b"\n", self.pos)
        if end < 0:
            raise Malformed("unterminated GLOBAL argument")
        return self.take(end + 1 - self.pos)[:-1].decode("utf-8")

    def arg(self, op: int) -> Any:
        """Reads (after the opcode byte) and decodes the argument of a non-trivial opcode."""
        if op in FIXED_INT:
            return FIXED_INT[op].unpack(self.take(FIXED_INT[op].size))[0]
        if op in VAR_ARGS:
            fmt, kind = VAR_ARGS[op]
            size = fmt.unpack(self.take(fmt.size))[0]
            if not 0 <= size <= (MAX_INT_BYTES if kind is int else MAX_ARG):
                raise Malformed(
                    f"argument length {size} exceeds the reader's limit "
                    f"({MAX_INT_BYTES if kind is int else MAX_ARG} bytes)"
                )
            raw = self.take(size)
            if kind is str:
                return str(raw, "utf-8", "surrogatepass")
            return raw if kind is bytes else int.from_bytes(raw, "little", signed=True)
        if op in (0x63, 0x69):  # GLOBAL, INST: resolved by the scan already, so before any use
            found = self.safe.find_class(self.line(), self.line())
            if op == 0x63:
                return found
        elif op in (0x50, 0x51, 0x82, 0x83, 0x84):  # PERSID, BINPERSID, EXT1, EXT2, EXT4
            what = "a persistent id" if op < 0x80 else "an extension code (copyreg)"
            raise UnsafePickleError(
                f"{self.path}: pickle holds {what}, which is not plain data", self.path, "", what
            )
        raise Malformed(f"unsupported pickle opcode {bytes([op])!r}")
