"""``_core.formats.tfrecord``: native framing vs the independent writer, streams over files."""

from __future__ import annotations

import random
from pathlib import Path

import nb101_tfrecord as tfr
import numpy as np
import pytest
from nasbench_lite import _native, nb101
from nasbench_lite._core.formats.tfrecord import frame_records, masked_crc32c, open_or_continue
from nasbench_lite.errors import CorruptSourceError, InvalidInputError


def test_frame_records_matches_the_independent_writer() -> None:
    rng = random.Random(12)
    payloads = [b"", b"x", *(rng.randbytes(rng.randrange(1, 300)) for _ in range(20))]
    assert frame_records(payloads) == b"".join(tfr.frame_record(p) for p in payloads)
    assert frame_records(iter([bytearray(b"ab"), memoryview(b"cd")])) == tfr.encode_tfrecord(
        [b"ab", b"cd"]
    )
    assert frame_records([]) == b""
    for data in (b"", b"123456789", *payloads):
        assert masked_crc32c(data) == tfr.masked_crc32c(data)


def test_frame_records_refuses_non_bytes() -> None:
    with pytest.raises(InvalidInputError, match="payload 1 is a str"):
        frame_records([b"ok", "text"])  # type: ignore[list-item]


def _batches(stream: _native.Nb101Stream) -> list[tuple[object, ...]]:
    out = []
    while (batch := stream.next_batch(7)) is not None:
        out.append(tuple(np.asarray(a).tolist() for part in batch for a in part))
    return out


def test_open_or_continue_reads_files_as_one_stream(tmp_path: Path) -> None:
    cells = tfr.cells_from_rows(nb101.enumerate_cells(max_vertices=4).to_pylist())
    records = tfr.synthetic_dataset(cells[:6], epochs=(108,), seed=3)
    first, second, whole = tmp_path / "a.tfrecord", tmp_path / "b.tfrecord", tmp_path / "w.tfr"
    tfr.write_tfrecord(first, records[:10])
    tfr.write_tfrecord(second, records[10:])
    tfr.write_tfrecord(whole, records)

    stream = open_or_continue(None, first, _native.Nb101Stream)
    split = _batches(stream)
    assert stream.progress() == (first.stat().st_size, 10)
    assert open_or_continue(stream, second, _native.Nb101Stream) is stream
    split += _batches(stream)
    assert stream.progress()[1] == len(records) - 10
    # Cells and repeat counts carry over: the same cells and runs as one file, in order.
    joined = _batches(_native.Nb101Stream(str(whole)))

    def rows(batches: list[tuple[object, ...]]) -> list[list[object]]:
        return [sum((list(b[i]) for b in batches), []) for i in range(len(batches[0]))]

    assert rows(split) == rows(joined)

    with pytest.raises(FileNotFoundError) as info:
        open_or_continue(stream, tmp_path / "missing.tfrecord", _native.Nb101Stream)
    assert info.value.filename == str(tmp_path / "missing.tfrecord")


def test_open_or_continue_streams_still_check_every_crc(tmp_path: Path) -> None:
    source = tmp_path / "bad.tfrecord"
    source.write_bytes(tfr.flip_payload_crc(frame_records([b"[1]"])))
    stream = open_or_continue(None, source, _native.Nb101Stream)
    with pytest.raises(CorruptSourceError, match="payload CRC mismatch"):
        stream.next_batch(10)
