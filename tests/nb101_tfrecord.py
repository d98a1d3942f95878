"""Writes small NAS-Bench-101 TFRecord files, byte for byte in the official format.

Test support only, standard library + numpy (no TensorFlow, no protobuf package), written from
``shared/formats/nb101.md`` §5-§6:

* framing: ``u64 LE length | u32 LE masked CRC32C(length bytes) | payload | u32 LE masked
  CRC32C(payload)`` (:func:`crc32c`, :func:`masked_crc32c`, :func:`frame_record`);
* payload: UTF-8 JSON ``[hash, epochs, "0101...", "op,op,...", base64(ModelMetrics)]``
  (:func:`record_payload`) where ``nasbench.ModelMetrics`` is proto2 serialised by hand
  (:func:`encode_model_metrics`);
* :func:`synthetic_dataset` makes deterministic records for real cells, :func:`write_tfrecord`
  writes them, and the corruption helpers make the variants a reader must reject;
* :func:`iter_records`, :func:`parse_payload` and :func:`check_record` are a strict reader
  (what our builder must accept or refuse), :func:`official_style_load` a transcription of what
  the official ``api.NASBench.__init__`` builds: the oracle the Rust-backed builder is compared
  with, value for value.

Record order of :func:`synthetic_dataset`: ``order="official"`` (default) is, like the official
file, for each epochs budget, for each cell, for each repeat; ``order="interleaved"`` is for
each repeat, for each cell, for each budget (the repeats of one (cell, epochs) are then far
apart). The values do not depend on the order: in both, the repeats of one (cell, epochs)
appear in the order they were generated, which is the repeat index a reader must keep.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import os
import struct
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from nb101_reference import LABEL_OF_NAME, reference_hash

__all__ = [
    "VALID_EPOCHS",
    "EvalPoint",
    "ModelMetrics",
    "ParsedRecord",
    "SyntheticRecord",
    "TFRecordFormatError",
    "bad_base64_payload",
    "bad_json_payload",
    "cells_from_rows",
    "check_record",
    "crc32c",
    "decode_model_metrics",
    "encode_model_metrics",
    "encode_tfrecord",
    "encode_varint",
    "flip_length_crc",
    "flip_payload_crc",
    "frame_record",
    "hash_mismatch_record",
    "iter_records",
    "masked_crc32c",
    "official_style_load",
    "parse_payload",
    "record_offsets",
    "record_payload",
    "synthetic_dataset",
    "truncate_tail",
    "unknown_epochs_record",
    "write_tfrecord",
]

#: Epoch budgets of the official dataset.
VALID_EPOCHS = (4, 12, 36, 108)
_MASK32, _MASK64 = 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF
_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1
_MASK_DELTA = 0xA282EAD8
_HEADER = 12  # u64 length + u32 length CRC
_HEX = set("0123456789abcdef")


class TFRecordFormatError(ValueError):
    """A file, payload or protobuf this module's strict reader refuses.

    Attributes:
        record: 0-based record index, when known.
        offset: byte offset of that record, when known.
    """

    def __init__(self, message: str, record: int | None = None, offset: int | None = None):
        where = "" if record is None else f"record {record} (byte {offset}): "
        super().__init__(where + message)
        self.record = record
        self.offset = offset


# --------------------------------------------------------------------------------------------
# CRC32C and framing


def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC_TABLE = _crc_table()


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), table-driven.

    Args:
        data: the bytes to checksum.

    Returns:
        The CRC as an unsigned 32-bit int (``crc32c(b"123456789") == 0xE3069283``).
    """
    crc = _MASK32
    table = _CRC_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ _MASK32


def masked_crc32c(data: bytes) -> int:
    """The TFRecord checksum: CRC-32C rotated right by 15 bits plus 0xA282EAD8, mod 2**32."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & _MASK32  # rotation and sum mod 2**32


def frame_record(payload: bytes) -> bytes:
    """One TFRecord: u64 LE length, its masked CRC, the payload, the payload's masked CRC."""
    length = struct.pack("<Q", len(payload))
    return (
        length
        + struct.pack("<I", masked_crc32c(length))
        + payload
        + struct.pack("<I", masked_crc32c(payload))
    )


def _walk(data: bytes, verify: bool) -> Iterator[tuple[int, bytes]]:
    offset, index = 0, 0
    while offset < len(data):
        if len(data) - offset < _HEADER:
            raise TFRecordFormatError("truncated record header", index, offset)
        length_bytes = data[offset : offset + 8]
        (length,) = struct.unpack("<Q", length_bytes)
        (stored,) = struct.unpack("<I", data[offset + 8 : offset + _HEADER])
        if verify and stored != masked_crc32c(length_bytes):
            raise TFRecordFormatError("length CRC mismatch", index, offset)
        end = offset + _HEADER + length
        if end + 4 > len(data):
            raise TFRecordFormatError("truncated record payload", index, offset)
        payload = data[offset + _HEADER : end]
        (stored,) = struct.unpack("<I", data[end : end + 4])
        if verify and stored != masked_crc32c(payload):
            raise TFRecordFormatError("payload CRC mismatch", index, offset)
        yield offset, payload
        offset, index = end + 4, index + 1


def iter_records(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Strictly reads framed records, verifying both CRCs of each.

    Args:
        data: the whole file's bytes.

    Yields:
        ``(byte offset, payload)`` per record, in file order.

    Raises:
        TFRecordFormatError: a CRC mismatch or a truncated record (carries record and offset).
    """
    yield from _walk(data, verify=True)


def record_offsets(data: bytes) -> list[int]:
    """Byte offset of each record, following the lengths only (CRCs are not checked).

    Raises:
        TFRecordFormatError: the lengths do not tile the file (truncated record).
    """
    return [offset for offset, _ in _walk(data, verify=False)]


# --------------------------------------------------------------------------------------------
# Protobuf (proto2 wire format, by hand)


def encode_varint(value: int) -> bytes:
    """Base-128 varint; a negative value is its 64-bit two's complement (10 bytes), as protobuf
    encodes a negative int32/int64."""
    if not -(2**63) <= value < 2**64:
        raise ValueError(f"varint value {value} does not fit in 64 bits")
    value &= _MASK64
    out = bytearray()
    while True:
        low = value & 0x7F
        value >>= 7
        if value == 0:
            out.append(low)
            return bytes(out)
        out.append(low | 0x80)


def _double(tag: int, value: float) -> bytes:
    return bytes([tag]) + struct.pack("<d", float(value))


def _delimited(tag: int, body: bytes) -> bytes:
    return bytes([tag]) + encode_varint(len(body)) + body


@dataclass(frozen=True)
class EvalPoint:
    """``nasbench.EvaluationData``. ``checkpoint_path=None`` leaves field 6 unset (omitted);
    any string, ``""`` included, is set explicitly and therefore written, as proto2 does."""

    current_epoch: float
    training_time: float
    train_accuracy: float
    validation_accuracy: float
    test_accuracy: float
    checkpoint_path: str | None = ""

    def encode(self) -> bytes:
        """Serialised ``EvaluationData``: fields 1-6 in field-number order."""
        out = b"".join(
            _double(tag, value)
            for tag, value in (
                (0x09, self.current_epoch),
                (0x11, self.training_time),
                (0x19, self.train_accuracy),
                (0x21, self.validation_accuracy),
                (0x29, self.test_accuracy),
            )
        )
        if self.checkpoint_path is not None:
            out += _delimited(0x32, self.checkpoint_path.encode("utf-8"))
        return out


@dataclass(frozen=True)
class ModelMetrics:
    """A decoded ``nasbench.ModelMetrics``; ``None`` marks an absent optional field."""

    evaluations: list[EvalPoint]
    trainable_parameters: int | None
    total_time: float | None


def encode_model_metrics(
    evaluations: Sequence[EvalPoint], trainable_parameters: int | None, total_time: float | None
) -> bytes:
    """Serialises a ``nasbench.ModelMetrics`` (proto2, fields in field-number order).

    Args:
        evaluations: ``evaluation_data`` (field 1), each an embedded message (tag 0x0A).
        trainable_parameters: int32 field 2 (varint, tag 0x10); ``None`` omits it.
        total_time: double field 3 (fixed64, tag 0x19); ``None`` omits it.

    Returns:
        The serialised message.

    Raises:
        ValueError: ``trainable_parameters`` is outside the int32 range.
    """
    out = b"".join(_delimited(0x0A, point.encode()) for point in evaluations)
    if trainable_parameters is not None:
        if not _INT32_MIN <= trainable_parameters <= _INT32_MAX:
            raise ValueError(f"trainable_parameters {trainable_parameters} is not an int32")
        out += b"\x10" + encode_varint(int(trainable_parameters))
    if total_time is not None:
        out += _double(0x19, total_time)
    return out


class _Wire:
    def __init__(self, data: bytes):
        self.data, self.at = data, 0

    def varint(self) -> int:
        value = 0
        for shift in range(0, 70, 7):
            if self.at >= len(self.data):
                raise TFRecordFormatError("protobuf: truncated varint")
            byte = self.data[self.at]
            self.at += 1
            if shift == 63 and byte > 1:
                raise TFRecordFormatError("protobuf: varint overflows 64 bits")
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value
        raise TFRecordFormatError("protobuf: varint longer than 10 bytes")

    def take(self, n: int) -> bytes:
        if self.at + n > len(self.data):
            raise TFRecordFormatError("protobuf: field runs past the end of the message")
        out = self.data[self.at : self.at + n]
        self.at += n
        return out

    def fields(self) -> Iterator[tuple[int, int, Any]]:
        """(field number, wire type, raw value) until the end; unknown fields included."""
        while self.at < len(self.data):
            key = self.varint()
            number, wire_type = key >> 3, key & 7
            if number == 0:
                raise TFRecordFormatError("protobuf: field number 0")
            if wire_type == 0:
                yield number, wire_type, self.varint()
            elif wire_type == 1:
                yield number, wire_type, self.take(8)
            elif wire_type == 2:
                yield number, wire_type, self.take(self.varint())
            elif wire_type == 5:
                yield number, wire_type, self.take(4)
            else:
                raise TFRecordFormatError(f"protobuf: unsupported wire type {wire_type}")


def _expect(number: int, wire_type: int, expected: int) -> None:
    if wire_type != expected:
        raise TFRecordFormatError(
            f"protobuf: field {number} has wire type {wire_type}, expected {expected}"
        )


def _decode_eval(data: bytes) -> EvalPoint:
    doubles = [0.0] * 5  # proto2 defaults of absent fields
    path: str | None = None
    for number, wire_type, raw in _Wire(data).fields():
        if 1 <= number <= 5:
            _expect(number, wire_type, 1)
            doubles[number - 1] = struct.unpack("<d", raw)[0]  # last value wins
        elif number == 6:
            _expect(number, wire_type, 2)
            try:
                path = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise TFRecordFormatError("protobuf: checkpoint_path is not UTF-8") from error
    return EvalPoint(*doubles, checkpoint_path=path)


def decode_model_metrics(data: bytes) -> ModelMetrics:
    """Parses a serialised ``nasbench.ModelMetrics`` (used to self-test round trips).

    Unknown fields are skipped and a repeated scalar keeps its last value, as protobuf does;
    an int32 keeps the low 32 bits of its varint (two's complement).

    Raises:
        TFRecordFormatError: truncated data, a wrong wire type for a known field, a group.
    """
    evaluations: list[EvalPoint] = []
    params: int | None = None
    total: float | None = None
    for number, wire_type, raw in _Wire(data).fields():
        if number == 1:
            _expect(number, wire_type, 2)
            evaluations.append(_decode_eval(raw))
        elif number == 2:
            _expect(number, wire_type, 0)
            low = raw & _MASK32
            params = low - (1 << 32) if low & 0x80000000 else low
        elif number == 3:
            _expect(number, wire_type, 1)
            total = struct.unpack("<d", raw)[0]
    return ModelMetrics(evaluations, params, total)


# --------------------------------------------------------------------------------------------
# Payloads, synthetic records and files


def record_payload(
    module_hash: str, epochs: int, matrix: Any, ops: Sequence[str], metrics: bytes
) -> bytes:
    """The JSON row of one record, as the official generator wrote it (``json.dumps``).

    Args:
        module_hash: 32 hex characters.
        epochs: the epoch budget (written as a JSON int).
        matrix: square 0/1 adjacency (nested lists or array), written row-major as digits.
        ops: op names, comma-joined.
        metrics: serialised ``ModelMetrics``, written as padded standard base64.

    Returns:
        The UTF-8 payload.

    Raises:
        ValueError: the matrix is not square or has an entry other than 0/1.
    """
    encoded = base64.b64encode(metrics).decode("ascii")
    row = [module_hash, int(epochs), _digits(matrix), ",".join(ops), encoded]
    return json.dumps(row).encode("utf-8")


def _digits(matrix: Any) -> str:
    rows = [[int(x) for x in row] for row in matrix]
    if any(len(row) != len(rows) for row in rows):
        raise ValueError("matrix must be square")
    if any(x not in (0, 1) for row in rows for x in row):
        raise ValueError("matrix entries must be 0 or 1")
    return "".join(str(x) for row in rows for x in row)


@dataclass(frozen=True)
class SyntheticRecord:
    """One record: a cell, an epoch budget and the three evaluations of one training run."""

    hash: str
    epochs: int
    matrix: list[list[int]]
    ops: list[str]
    evaluations: list[EvalPoint]  # at epoch 0, halfway and final, in that order
    trainable_parameters: int
    total_time: float

    def metrics(self) -> bytes:
        """The serialised ``ModelMetrics``."""
        return encode_model_metrics(self.evaluations, self.trainable_parameters, self.total_time)

    def payload(self) -> bytes:
        """The JSON payload (see :func:`record_payload`)."""
        return record_payload(self.hash, self.epochs, self.matrix, self.ops, self.metrics())


def cells_from_rows(rows: Iterable[dict[str, Any]]) -> list[tuple[str, Any, list[str]]]:
    """``(hash, adjacency, ops)`` tuples from rows such as ``enumerate_cells(...).to_pylist()``."""
    return [(row["hash"], row["adjacency"], list(row["ops"])) for row in rows]


def _run(rng: np.random.Generator, epochs: int, path: str) -> tuple[list[EvalPoint], float]:
    half_time = epochs / 2 * float(rng.uniform(5.0, 15.0))
    final_time = half_time + epochs / 2 * float(rng.uniform(5.0, 15.0))
    points = []
    # The step-0 evaluation has trained for 0 s: an explicitly set zero on the wire.
    for epoch, time, ckpt in (
        (0.0, 0.0, ""),
        (epochs / 2, half_time, ""),
        (epochs, final_time, path),
    ):
        train, valid, test = (float(x) for x in rng.random(3))
        points.append(EvalPoint(float(epoch), time, train, valid, test, ckpt))
    return points, final_time + float(rng.uniform(1.0, 100.0))


def synthetic_dataset(
    cells: Sequence[tuple[str, Any, Sequence[str]]],
    epochs: Sequence[int] = VALID_EPOCHS,
    repeats: int = 3,
    seed: int = 0,
    *,
    order: str = "official",
) -> list[SyntheticRecord]:
    """Deterministic records for the given cells, one per (epochs, cell, repeat).

    Values come from ``np.random.default_rng(seed)``, drawn in the official order whatever
    ``order`` is: first one ``trainable_parameters`` per cell, then for each budget, cell and
    repeat a run: evaluations at epoch 0 (training time 0.0), ``epochs / 2`` and ``epochs``
    with increasing positive training times, accuracies ``rng.random()`` in [0, 1),
    ``total_time`` above the final training time and a checkpoint path on the final one.

    Args:
        cells: ``(hash, matrix, ops)`` per cell (see :func:`cells_from_rows`).
        epochs: epoch budgets, in file order.
        repeats: runs per (cell, epochs).
        seed: the generator's seed.
        order: ``"official"`` (budget, cell, repeat) or ``"interleaved"`` (repeat, cell,
            budget); see the module docstring.

    Returns:
        The records in file order.

    Raises:
        ValueError: an unknown ``order``.
    """
    if order not in ("official", "interleaved"):
        raise ValueError(f"unknown order {order!r}")
    rng = np.random.default_rng(seed)
    params = [int(x) for x in rng.integers(100_000, 50_000_000, size=len(cells))]
    runs: dict[tuple[int, int, int], SyntheticRecord] = {}
    for budget in epochs:
        for c, (module_hash, matrix, ops) in enumerate(cells):
            for r in range(repeats):
                path = f"synthetic/{module_hash}/{budget}/{r}/model.ckpt"
                points, total = _run(rng, int(budget), path)
                rows = [[int(x) for x in row] for row in matrix]
                runs[budget, c, r] = SyntheticRecord(
                    module_hash, int(budget), rows, list(ops), points, params[c], total
                )
    if order == "official":
        return list(runs.values())
    return [runs[b, c, r] for r in range(repeats) for c in range(len(cells)) for b in epochs]


def encode_tfrecord(records: Iterable[SyntheticRecord | bytes]) -> bytes:
    """A whole file in memory; ``bytes`` items are raw payloads, framed as they are."""
    return b"".join(
        frame_record(item if isinstance(item, bytes) else item.payload()) for item in records
    )


def write_tfrecord(path: str | os.PathLike[str], records: Iterable[SyntheticRecord | bytes]) -> int:
    """Writes a TFRecord file (see :func:`encode_tfrecord`).

    Returns:
        The size of the file in bytes.
    """
    data = encode_tfrecord(records)
    with open(path, "wb") as handle:
        handle.write(data)
    return os.path.getsize(path)


# --------------------------------------------------------------------------------------------
# Corruptions a reader must reject


def _flip_at(data: bytes, position: int) -> bytes:
    out = bytearray(data)
    out[position] ^= 0x01
    return bytes(out)


def flip_length_crc(data: bytes, index: int = 0) -> bytes:
    """Flips one bit of the length CRC of record ``index``."""
    return _flip_at(data, record_offsets(data)[index] + 8)


def flip_payload_crc(data: bytes, index: int = 0) -> bytes:
    """Flips one bit of the payload CRC of record ``index``."""
    offset = record_offsets(data)[index]
    (length,) = struct.unpack("<Q", data[offset : offset + 8])
    return _flip_at(data, offset + _HEADER + length)


def truncate_tail(data: bytes, n_bytes: int) -> bytes:
    """Drops the last ``n_bytes``, which must leave a partial record at the end.

    Raises:
        ValueError: the cut would fall on a record boundary (a valid, shorter file).
    """
    keep = len(data) - n_bytes
    if n_bytes <= 0 or keep in record_offsets(data) or keep <= 0:
        raise ValueError(f"cutting {n_bytes} bytes does not end mid-record")
    return data[:keep]


def _replace(record: SyntheticRecord, **changes: Any) -> bytes:
    fields = {
        "module_hash": record.hash,
        "epochs": record.epochs,
        "matrix": record.matrix,
        "ops": record.ops,
        "metrics": record.metrics(),
    }
    fields.update(changes)
    return record_payload(**fields)


def bad_base64_payload(record: SyntheticRecord, kind: str = "truncated") -> bytes:
    """A payload whose base64 field is broken.

    ``"truncated"`` drops the last character (wrong padding: even the official lenient
    ``base64.b64decode`` fails); ``"alphabet"`` inserts ``*`` in the middle, which strict
    decoders reject but the official loader silently skips.
    """
    encoded = base64.b64encode(record.metrics()).decode("ascii")
    if kind == "truncated":
        broken = encoded[:-1]
    elif kind == "alphabet":
        middle = len(encoded) // 2
        broken = encoded[:middle] + "*" + encoded[middle:]
    else:
        raise ValueError(f"unknown kind {kind!r}")
    row = [record.hash, record.epochs, _digits(record.matrix), ",".join(record.ops), broken]
    return json.dumps(row).encode("utf-8")


def bad_json_payload(kind: str = "syntax") -> bytes:
    """A payload that is not a valid row: ``"syntax"`` (cut JSON), ``"utf8"`` (invalid UTF-8),
    ``"arity"`` (4 items) or ``"types"`` (ops as a list, not a string). The official loader
    fails on all four."""
    good = ["043721b9c7fe8c5fad811d47d83132ec", 108, "0100", "input,output", ""]
    if kind == "syntax":
        return json.dumps(good).encode("utf-8")[:-5]
    if kind == "utf8":
        return json.dumps(good).encode("utf-8").replace(b"input", b"inp\xffut")
    if kind == "arity":
        return json.dumps(good[:4]).encode("utf-8")
    if kind == "types":
        return json.dumps([*good[:3], ["input", "output"], good[4]]).encode("utf-8")
    raise ValueError(f"unknown kind {kind!r}")


def hash_mismatch_record(record: SyntheticRecord, other_hash: str | None = None) -> bytes:
    """A well-formed payload whose stored hash is not the hash of its adjacency/ops.

    Args:
        record: the good record.
        other_hash: the hash to store, e.g. another cell's; default: a well-formed hash that
            is not the record's (the hex digits reversed).
    """
    wrong = other_hash if other_hash is not None else record.hash[::-1]
    if wrong == record.hash:
        raise ValueError("other_hash equals the record's own hash")
    return _replace(record, module_hash=wrong)


def unknown_epochs_record(record: SyntheticRecord, epochs: int = 7) -> bytes:
    """A well-formed payload with an epoch budget outside :data:`VALID_EPOCHS`."""
    if epochs in VALID_EPOCHS:
        raise ValueError(f"{epochs} is a valid budget")
    return _replace(record, epochs=epochs)


# --------------------------------------------------------------------------------------------
# Readers: strict (what our builder checks) and official-style (the oracle)


@dataclass(frozen=True)
class ParsedRecord:
    """One payload, strictly parsed."""

    hash: str
    epochs: int
    matrix: np.ndarray
    ops: list[str]
    metrics: ModelMetrics


def parse_payload(payload: bytes) -> ParsedRecord:
    """Strictly parses a payload: UTF-8 JSON (any spacing) of exactly 5 typed items, a 32-char
    lowercase hex hash, ``V*V`` digits 0/1, ``V`` ops, strict padded standard base64, protobuf.

    Raises:
        TFRecordFormatError: anything malformed.
    """
    try:
        row = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise TFRecordFormatError(f"bad JSON row: {error}") from error
    types = (str, int, str, str, str)
    if not isinstance(row, list) or len(row) != 5:
        raise TFRecordFormatError("the row is not a JSON array of 5 items")
    if any(not isinstance(x, t) or isinstance(x, bool) for x, t in zip(row, types, strict=True)):
        raise TFRecordFormatError(f"wrong item types in {row!r}")
    module_hash, epochs, adjacency, ops, encoded = row
    if len(module_hash) != 32 or not set(module_hash) <= _HEX:
        raise TFRecordFormatError(f"bad module hash {module_hash!r}")
    n = math.isqrt(len(adjacency))
    if n == 0 or n * n != len(adjacency) or not set(adjacency) <= {"0", "1"}:
        raise TFRecordFormatError(f"bad adjacency {adjacency!r}")
    names = ops.split(",")
    if len(names) != n:
        raise TFRecordFormatError(f"{len(names)} ops for a {n}-vertex matrix")
    try:
        proto = base64.b64decode(encoded, validate=True)
    except binascii.Error as error:
        raise TFRecordFormatError(f"bad base64 metrics: {error}") from error
    matrix = np.array([int(c) for c in adjacency], dtype=np.int8).reshape(n, n)
    return ParsedRecord(module_hash, epochs, matrix, names, decode_model_metrics(proto))


def check_record(record: ParsedRecord) -> None:
    """The record-level checks the official loader never made.

    Raises:
        TFRecordFormatError: epochs not in :data:`VALID_EPOCHS`, an unknown op, a stored hash
            that is not the hash (nb101.md §2) of the stored adjacency/ops, fewer than 3
            evaluations.
    """
    if record.epochs not in VALID_EPOCHS:
        raise TFRecordFormatError(f"epochs {record.epochs} is not one of {VALID_EPOCHS}")
    unknown = [op for op in record.ops if op not in LABEL_OF_NAME]
    if unknown:
        raise TFRecordFormatError(f"unknown ops {unknown}")
    actual = reference_hash(record.matrix.tolist(), [LABEL_OF_NAME[op] for op in record.ops])
    if actual != record.hash:
        raise TFRecordFormatError(f"stored hash {record.hash} but the cell hashes to {actual}")
    if len(record.metrics.evaluations) < 3:
        raise TFRecordFormatError("fewer than 3 evaluations")


def official_style_load(
    path: str | os.PathLike[str],
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[int, list[dict[str, float]]]], set[int]]:
    """What the official ``api.NASBench.__init__`` builds from a file (nb101.md §5).

    A transcription, quirks included: CRCs are verified (as TensorFlow's reader does), but the
    base64 is decoded leniently (``base64.b64decode`` skips non-alphabet characters), the
    adjacency digits are only ``int()``-ed, and neither epochs nor hash are checked.

    Returns:
        ``(fixed_stats, computed_stats, valid_epochs)``: ``fixed_stats[hash]`` holds
        ``module_adjacency`` (int8 array), ``module_operations`` and ``trainable_parameters``
        from the hash's first record; ``computed_stats[hash][epochs]`` lists one data point
        per record in file order (the ``halfway_*`` / ``final_*`` keys, from
        ``evaluation_data[1]`` / ``[2]``); ``valid_epochs`` is the set of epochs seen.

    Raises:
        TFRecordFormatError: bad framing or protobuf; other errors propagate as the official
            code's would (``ValueError`` from JSON, ``binascii.Error``, ``IndexError``...).
    """
    with open(path, "rb") as handle:
        data = handle.read()
    fixed: dict[str, dict[str, Any]] = {}
    computed: dict[str, dict[int, list[dict[str, float]]]] = {}
    valid_epochs: set[int] = set()
    for _, payload in iter_records(data):
        module_hash, epochs, raw_adjacency, raw_operations, raw_metrics = json.loads(
            payload.decode("utf-8")
        )
        dim = int(np.sqrt(len(raw_adjacency)))
        adjacency = np.array([int(e) for e in raw_adjacency], dtype=np.int8).reshape(dim, dim)
        operations = raw_operations.split(",")
        metrics = decode_model_metrics(base64.b64decode(raw_metrics))
        if module_hash not in fixed:
            params = metrics.trainable_parameters
            fixed[module_hash] = {
                "module_adjacency": adjacency,
                "module_operations": operations,
                "trainable_parameters": 0 if params is None else params,
            }
            computed[module_hash] = {}
        valid_epochs.add(epochs)
        halfway, final = metrics.evaluations[1], metrics.evaluations[2]
        computed[module_hash].setdefault(epochs, []).append(
            {
                "halfway_training_time": halfway.training_time,
                "halfway_train_accuracy": halfway.train_accuracy,
                "halfway_validation_accuracy": halfway.validation_accuracy,
                "halfway_test_accuracy": halfway.test_accuracy,
                "final_training_time": final.training_time,
                "final_train_accuracy": final.train_accuracy,
                "final_validation_accuracy": final.validation_accuracy,
                "final_test_accuracy": final.test_accuracy,
            }
        )
    return fixed, computed, valid_epochs
