"""NB101 records with protobuf field number 0 or a malformed ``checkpoint_path`` (issue #13).

The fault campaign of #13 found 30 such records that the builder accepted. Each case here is a
real TFRecord file (framing, CRC32C, JSON row, base64, proto2 bytes written by
``nb101_tfrecord``) whose record 3 carries the defect; the builder must refuse it with
``CorruptSourceError`` naming the file, the record and its byte offset, and the strict reader
of ``nb101_tfrecord`` (the tests' oracle) must refuse the same payload.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nb101_tfrecord as tfr
import pytest
from nasbench_lite import nb101
from nasbench_lite.benchmarks.nb101.build import build_nb101
from nasbench_lite.errors import CorruptSourceError

BAD_RECORD = 3


@pytest.fixture(scope="module")
def records() -> list[tfr.SyntheticRecord]:
    cells = tfr.cells_from_rows(nb101.enumerate_cells(max_vertices=3).to_pylist())
    return tfr.synthetic_dataset(cells, epochs=(108,), seed=11)


def _field0_in_evaluation(record: tfr.SyntheticRecord) -> bytes:
    """The halfway evaluation carries an extra varint field 0."""
    points = [p.encode() for p in record.evaluations]
    points[1] += b"\x00\x07"
    return _metrics(record, points)


def _metrics(record: tfr.SyntheticRecord, evaluations: list[bytes], tail: bytes = b"") -> bytes:
    out = b"".join(b"\x0a" + tfr.encode_varint(len(e)) + e for e in evaluations)
    out += b"\x10" + tfr.encode_varint(record.trainable_parameters)
    return out + b"\x19" + struct.pack("<d", record.total_time) + tail


def _with_checkpoint(record: tfr.SyntheticRecord, raw_field: bytes) -> bytes:
    """The record's metrics with checkpoint_path of the final evaluation replaced by bytes."""
    points = [p.encode() for p in record.evaluations[:2]]
    final = dataclasses.replace(record.evaluations[2], checkpoint_path=None)  # field 6 unset
    return _metrics(record, [*points, final.encode() + raw_field])


#: name -> metrics bytes of a defective record.
DEFECTS: dict[str, Callable[[tfr.SyntheticRecord], bytes]] = {
    "field0_varint_in_metrics": lambda r: r.metrics() + b"\x00\x01",
    "field0_fixed64_in_metrics": lambda r: r.metrics() + b"\x01" + bytes(8),
    "field0_bytes_in_metrics": lambda r: r.metrics() + b"\x02\x00",
    "field0_first_in_metrics": lambda r: b"\x00\x00" + r.metrics(),
    "field0_in_evaluation": _field0_in_evaluation,
    "checkpoint_as_varint": lambda r: _with_checkpoint(r, b"\x30\x01"),
    "checkpoint_as_fixed64": lambda r: _with_checkpoint(r, b"\x31" + bytes(8)),
    "checkpoint_as_fixed32": lambda r: _with_checkpoint(r, b"\x35" + bytes(4)),
    "checkpoint_not_utf8": lambda r: _with_checkpoint(r, b"\x32\x03gs\xff"),
    "checkpoint_truncated_utf8": lambda r: _with_checkpoint(r, b"\x32\x03ab\xc3"),
    "checkpoint_overlong_utf8": lambda r: _with_checkpoint(r, b"\x32\x02\xc0\xaf"),
    "checkpoint_surrogate": lambda r: _with_checkpoint(r, b"\x32\x03\xed\xa0\x80"),
}


def _payload(record: tfr.SyntheticRecord, metrics: bytes) -> bytes:
    row = [
        record.hash,
        record.epochs,
        "".join(str(x) for row in record.matrix for x in row),
        ",".join(record.ops),
        base64.b64encode(metrics).decode("ascii"),
    ]
    return json.dumps(row).encode("utf-8")


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_defective_protobuf_is_refused(tmp_path: Path, records: Any, defect: str) -> None:
    bad_payload = _payload(records[BAD_RECORD], DEFECTS[defect](records[BAD_RECORD]))
    with pytest.raises(tfr.TFRecordFormatError):  # the oracle agrees the payload is bad
        tfr.parse_payload(bad_payload)
    items = [*records[:BAD_RECORD], bad_payload, *records[BAD_RECORD + 1 :]]
    data = tfr.encode_tfrecord(items)
    source = tmp_path / "nasbench_only108.tfrecord"
    source.write_bytes(data)
    out = tmp_path / "out.sqlite"
    with pytest.raises(CorruptSourceError) as info:
        build_nb101([source], out)
    assert info.value.record_index == BAD_RECORD
    assert info.value.byte_offset == tfr.record_offsets(data)[BAD_RECORD]
    message = str(info.value)
    assert str(source) in message and "protobuf" in message
    assert ("field number 0" in message) == defect.startswith("field0")
    assert not out.exists()


def test_valid_checkpoint_paths_still_build(tmp_path: Path, records: Any) -> None:
    """Controls: empty, absent and non-ASCII UTF-8 checkpoint paths are proto2-valid."""
    paths = [b"\x32\x00", b"", b"\x32" + tfr.encode_varint(len("gs://réseau/模型/∞".encode()))]
    paths[2] += "gs://réseau/模型/∞".encode()
    items = [
        _payload(r, _with_checkpoint(r, paths[i % 3])) if i < 6 else r
        for i, r in enumerate(records)
    ]
    source = tmp_path / "nasbench_only108.tfrecord"
    tfr.write_tfrecord(source, items)
    for payload in items[:6]:
        assert isinstance(payload, bytes)
        tfr.parse_payload(payload)
    summary = build_nb101([source], tmp_path / "out.sqlite")
    assert summary.rows["records"] == len(records)
