"""Streaming JSON reader: one record of a huge top-level list or object at a time.

The NAR NB101 file is a 717 MB JSON list; :func:`iter_json_records` decodes it record by record
from a sliding buffer (memory: one record plus a chunk) while hashing the bytes it reads, so a
build fingerprints its source in the same pass.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from nasbench_lite.errors import CorruptSourceError

__all__ = ["CHUNK_BYTES", "MAX_RECORD_CHARS", "HashingReader", "iter_json_records"]

#: Bytes read per step (module attribute so tests can force records across chunk boundaries).
CHUNK_BYTES = 1 << 20

#: The longest record accepted, in characters (NAR records are ~1 KB): a malformed file cannot
#: make the reader buffer and re-decode without bound.
MAX_RECORD_CHARS = 16 << 20

#: A decode error this close to the end of the buffered text may be a record cut by the chunk
#: boundary (read more); further in, it is a malformed record (fail at once).
_TOKEN_MARGIN = 64

#: The first character that is not JSON whitespace (searched in C, not one by one).
_NOT_SPACE = re.compile(r"[^ \t\r\n]")


class HashingReader:
    """A binary source plus the SHA-256 and count of the bytes read from it so far."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.sha256 = hashlib.sha256()
        self.bytes_read = 0


def iter_json_records(reader: HashingReader, path: Path) -> Iterator[tuple[str, Any]]:
    """Yields ``(key, value)`` of a top-level JSON list (key = position) or object.

    Only one record is decoded at a time; the buffer holds at most one record plus a chunk.
    Multi-byte UTF-8 sequences split across chunks are handled by decoding with an incremental
    decoder.

    Raises:
        CorruptSourceError: Not a JSON list/object, a malformed record (byte offset given), or
            anything but whitespace after the closing bracket.
    """
    import codecs

    decoder = json.JSONDecoder()
    utf8 = codecs.getincrementaldecoder("utf-8")()
    buffer = ""
    consumed = 0  # characters dropped from the front of the buffer

    def more() -> bool:
        nonlocal buffer
        data = reader.handle.read(CHUNK_BYTES)
        reader.sha256.update(data)
        reader.bytes_read += len(data)
        try:
            if not data:
                buffer += utf8.decode(b"", final=True)
                return False
            buffer += utf8.decode(data)
        except UnicodeDecodeError as exc:
            offset = reader.bytes_read - len(data) + max(exc.start, 0)
            raise CorruptSourceError(
                f"{path}: not UTF-8 text (byte offset about {offset})", path, byte_offset=offset
            ) from exc
        return True

    def skip_space(at: int, *, between_records: bool = False) -> int:
        # The next character that is not JSON whitespace, reading more while there is none.
        # Between records the whitespace read is dropped, so a long run of it costs no memory;
        # inside a record it counts toward the record length limit.
        nonlocal buffer, consumed
        while True:
            found = _NOT_SPACE.search(buffer, at)
            if found is not None:
                return found.start()
            at = len(buffer)
            if between_records:
                consumed += at
                buffer, at = "", 0
            elif len(buffer) > MAX_RECORD_CHARS + 2 * CHUNK_BYTES:
                raise fail(
                    f"record {position} is longer than {MAX_RECORD_CHARS} characters "
                    "(nasbench_lite's limit)",
                    at,
                )
            if not more():
                return at

    def fail(message: str, at: int) -> CorruptSourceError:
        return CorruptSourceError(f"{path}: {message} (near character {consumed + at})", path)

    def finish(at: int) -> None:
        # Only whitespace may follow the closing bracket (json.loads agrees): anything else is a
        # damaged or concatenated file whose tail would otherwise go unread (and unhashed).
        # Chunk by chunk, keeping nothing, so a long tail costs no memory.
        nonlocal buffer, consumed
        while True:
            rest = buffer[at:].lstrip(" \t\r\n")
            if rest:
                raise fail("data after the end of the JSON document", len(buffer) - len(rest))
            consumed += len(buffer)
            buffer, at = "", 0
            if not more():
                return

    position = 0
    at = skip_space(0, between_records=True)
    if at >= len(buffer) or buffer[at] not in "[{":
        raise fail("expected a JSON list or object", at)
    is_list = buffer[at] == "["
    closing = "]" if is_list else "}"
    at += 1
    while True:
        at = skip_space(at, between_records=True)
        if at < len(buffer) and buffer[at] == closing and position == 0:
            finish(at + 1)
            return
        key = str(position)
        while True:
            try:
                if not is_list:
                    key, end = decoder.raw_decode(buffer, at)
                    end = skip_space(end)
                    if end >= len(buffer) or buffer[end] != ":":
                        raise fail("expected ':' after a key", end)
                    value_at = skip_space(end + 1)
                else:
                    value_at = at
                value, end = decoder.raw_decode(buffer, value_at)
                break
            except CorruptSourceError:
                raise  # this reader's own verdict (a ValueError too): already worded
            except (json.JSONDecodeError, RecursionError, ValueError) as exc:
                message = getattr(exc, "msg", None) or str(exc)[:100]
                if not isinstance(exc, json.JSONDecodeError):
                    raise fail(f"malformed record {position}: {message}", at) from exc
                # Possibly a record cut by the chunk boundary: read more and retry. An error
                # well before the end of the buffered text cannot be cured by more text (fail
                # now: no scan to the end of the file), and a record may not grow without
                # bound (each retry re-decodes it).
                inside = exc.pos < len(buffer) - _TOKEN_MARGIN
                if inside and not exc.msg.startswith("Unterminated string"):
                    raise fail(f"malformed record {position}: {exc.msg}", at) from exc
                if len(buffer) - at > MAX_RECORD_CHARS:
                    raise fail(
                        f"record {position} is longer than {MAX_RECORD_CHARS} characters "
                        "(nasbench_lite's limit)",
                        at,
                    ) from exc
                if not more():
                    raise fail(f"malformed record {position}: {exc.msg}", at) from exc
        yield key, value
        position += 1
        at = skip_space(end, between_records=True)
        if at >= len(buffer):
            raise fail("unexpected end of file", at)
        if buffer[at] == closing:
            finish(at + 1)
            return
        if buffer[at] != ",":
            raise fail(f"expected ',' or '{closing}' after record {position - 1}", at)
        at += 1
        # Drop what was consumed so memory stays bounded.
        if at > CHUNK_BYTES:
            consumed += at
            buffer = buffer[at:]
            at = 0
