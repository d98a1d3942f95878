"""TFRecord files over the native reader: framing, checksums, and one stream over many files.

A TFRecord is ``u64 LE payload length | u32 LE masked CRC-32C of those 8 bytes | payload |
u32 LE masked CRC-32C of the payload`` (mask: rotate right by 15 bits, add ``0xA282EAD8``).
Reading is done in Rust (``rust/core/src/formats/tfrecord.rs``): a native dataset stream (such
as NAS-Bench-101's ``_native.Nb101Stream``) checks the framing and both CRCs of every record,
decodes the payloads and fingerprints the bytes in one pass, and hands back whole batches.
This module is the Python side every such stream shares, knowing no benchmark:

* :class:`RecordStream` — the protocol of a native TFRecord-backed stream;
* :func:`open_or_continue` — open the first source file or continue the stream with the next
  one (cells, counters and repeats carry over across files);
* :func:`frame_records` / :func:`masked_crc32c` — the writing side (files in the official
  layout for fixtures and benchmarks), computed natively.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

from nasbench_lite import _native
from nasbench_lite.errors import InvalidInputError

__all__ = ["RecordStream", "frame_records", "masked_crc32c", "open_or_continue"]


class RecordStream(Protocol):
    """A native stream over one or more TFRecord files (e.g. ``_native.Nb101Stream``).

    Every method raises ``CorruptSourceError`` (file, record index, byte offset) for a record
    whose framing, CRC or payload is wrong, and an ``OSError`` naming a file it cannot open.
    """

    def start_source(self, path: str) -> None:
        """Continues with another file (what was read so far carries over)."""

    def next_batch(self, max_records: int) -> Any:
        """The next batch of at most ``max_records`` records, or None at the end of the file."""

    def progress(self) -> tuple[int, int]:
        """``(bytes read, records read)`` of the current file so far."""

    def sha256(self) -> str:
        """Hex SHA-256 of the current file's bytes read so far (the whole file at its end)."""


StreamT = TypeVar("StreamT", bound=RecordStream)


def open_or_continue(
    stream: StreamT | None,
    path: str | os.PathLike[str],
    open_stream: Callable[[str], StreamT],
) -> StreamT:
    """Opens ``path`` as a new stream, or continues ``stream`` with it.

    Args:
        stream: The stream of the previous source files, or None for the first one.
        path: The next TFRecord file.
        open_stream: The native stream's constructor (``path -> stream``).

    Returns:
        The stream positioned at the start of ``path``.

    Raises:
        OSError: ``path`` cannot be opened (the subclass and ``filename`` say why and which).
    """
    if stream is None:
        return open_stream(os.fspath(path))
    stream.start_source(os.fspath(path))
    return stream


def frame_records(payloads: Iterable[bytes]) -> bytes:
    """Frames payloads as consecutive TFRecords (the official on-disk layout).

    Args:
        payloads: Record payloads, in file order.

    Returns:
        The framed bytes, ready to write to a ``.tfrecord`` file.

    Raises:
        InvalidInputError: A payload that is not bytes (or bytearray / memoryview).
    """
    items = []
    for index, payload in enumerate(payloads):
        if not isinstance(payload, bytes | bytearray | memoryview):
            raise InvalidInputError(f"payload {index} is a {type(payload).__name__}, not bytes")
        items.append(bytes(payload))
    return _native.frame_tfrecords(items)


def masked_crc32c(data: bytes) -> int:
    """The TFRecord checksum of ``data``: its CRC-32C, masked as TensorFlow does.

    Args:
        data: Any bytes (a length field or a payload).

    Returns:
        The masked CRC as an unsigned 32-bit int.
    """
    # A framed record ends with the masked CRC of its payload (little-endian u32).
    return int.from_bytes(frame_records([bytes(data)])[-4:], "little")
