"""Self-tests of tests/nb101_tfrecord.py, the writer of official-format NAS-Bench-101 TFRecords.

The writer is the source of every NB101 test file, so it is checked against facts that do not
come from itself: published CRC-32C vectors, a bit-by-bit CRC, golden bytes of TensorFlow's
TFRecordWriter, protobuf wire bytes written out by hand, and real cells of the search space.
"""

from __future__ import annotations

import base64
import binascii
import json
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from nasbench_lite import nb101
from nb101_tfrecord import (
    VALID_EPOCHS,
    EvalPoint,
    SyntheticRecord,
    TFRecordFormatError,
    bad_base64_payload,
    bad_json_payload,
    cells_from_rows,
    check_record,
    crc32c,
    decode_model_metrics,
    encode_model_metrics,
    encode_tfrecord,
    encode_varint,
    flip_length_crc,
    flip_payload_crc,
    frame_record,
    hash_mismatch_record,
    iter_records,
    masked_crc32c,
    official_style_load,
    parse_payload,
    record_offsets,
    record_payload,
    synthetic_dataset,
    truncate_tail,
    unknown_epochs_record,
    write_tfrecord,
)

# Golden bytes of tf.io.TFRecordWriter (TensorFlow 2.21) writing the payloads b"cvsight" and
# b"", as recorded in a public project's test suite. The empty record's length CRC 0x07980329
# (bytes 29 03 98 07, the masked CRC of 8 zero bytes) also appears in Snappy framing-format
# test vectors, which use the same mask.
TENSORFLOW_RECORDS = bytes.fromhex(
    "0700000000000000bbd79f11637673696768749f317732000000000000000029039807d8ea82a2"
)
# RFC 3720 appendix B.4 (iSCSI) CRC-32C vectors, also used by leveldb's crc32c tests.
RFC3720 = [
    (bytes(32), 0x8A9136AA),
    (b"\xff" * 32, 0x62A8AB43),
    (bytes(range(32)), 0x46DD794E),
    (bytes(range(31, -1, -1)), 0x113FDB5C),
]


def bitwise_crc32c(data: bytes) -> int:
    """CRC-32C one bit at a time: shares nothing with the table-driven implementation."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 & -(crc & 1))
    return crc ^ 0xFFFFFFFF


def bitwise_masked(data: bytes) -> int:
    crc = bitwise_crc32c(data)
    return ((crc >> 15 | crc << 17) + 0xA282EAD8) % 2**32


def bits(value: float) -> bytes:
    return struct.pack("<d", value)


def point(**changes: Any) -> EvalPoint:
    values: dict[str, Any] = {
        "current_epoch": 54.0,
        "training_time": 1234.5678,
        "train_accuracy": 0.1 + 0.2,
        "validation_accuracy": 0.9264155824979147,
        "test_accuracy": 1 / 3,
        "checkpoint_path": "gs://bucket/model.ckpt-1000",
    }
    values.update(changes)
    return EvalPoint(**values)


@pytest.fixture(scope="module")
def cells() -> list[tuple[str, Any, list[str]]]:
    """The 91 cells with at most 4 vertices, as the library enumerates them."""
    table = nb101.enumerate_cells(max_vertices=4).select(["hash", "adjacency", "ops"])
    return cells_from_rows(table.to_pylist())


@pytest.fixture(scope="module")
def records(cells: list[tuple[str, Any, list[str]]]) -> list[SyntheticRecord]:
    return synthetic_dataset(cells, seed=7)


@pytest.fixture(scope="module")
def small_file(records: list[SyntheticRecord]) -> bytes:
    """A 6-record file: the first two cells at 108 epochs, 3 repeats each."""
    return encode_tfrecord([r for r in records if r.epochs == 108][:6])


# --------------------------------------------------------------------------------------------
# CRC and framing


@pytest.mark.parametrize(("data", "expected"), [(b"123456789", 0xE3069283), (b"", 0), *RFC3720])
def test_crc32c_known_vectors(data: bytes, expected: int) -> None:
    assert crc32c(data) == expected


def test_crc32c_matches_a_bitwise_implementation_on_random_data() -> None:
    rng = np.random.default_rng(2024)
    for length in [*range(0, 20), 63, 64, 65, 255, 1000]:
        data = rng.integers(0, 256, size=length, dtype=np.uint8).tobytes()
        assert crc32c(data) == bitwise_crc32c(data), length


def test_masked_crc32c() -> None:
    # crc 0 rotates to 0, so the mask of the empty string is the delta itself.
    assert masked_crc32c(b"") == 0xA282EAD8
    # 0xE3069283 rotated right by 15 = 0x2507C60D; + 0xA282EAD8 = 0xC78AB0E5 (no carry out).
    assert masked_crc32c(b"123456789") == 0xC78AB0E5
    # 32 zero bytes: 0x8A9136AA ror 15 = 0x6D551522; + delta = 0x10FD7FFFA, kept mod 2**32.
    assert masked_crc32c(bytes(32)) == 0x0FD7FFFA


def test_framing_matches_tensorflow_golden_bytes() -> None:
    assert frame_record(b"cvsight") + frame_record(b"") == TENSORFLOW_RECORDS
    # Empty payload: zero length, masked CRC of 8 zero bytes, masked CRC of b"" (the delta).
    length_crc = struct.pack("<I", bitwise_masked(bytes(8)))
    assert frame_record(b"") == bytes(8) + length_crc + bytes.fromhex("d8ea82a2")
    assert length_crc == bytes.fromhex("29039807")


def test_frame_record_layout_and_round_trip() -> None:
    rng = np.random.default_rng(5)
    payloads = [rng.integers(0, 256, size=n, dtype=np.uint8).tobytes() for n in (0, 1, 300, 7)]
    data = encode_tfrecord(payloads)
    framed = frame_record(payloads[2])
    assert framed[:8] == (300).to_bytes(8, "little")
    assert framed[8:12] == struct.pack("<I", masked_crc32c(framed[:8]))
    assert framed[12:312] == payloads[2]
    assert framed[312:] == struct.pack("<I", masked_crc32c(payloads[2]))
    assert len(data) == sum(16 + len(p) for p in payloads)
    assert [p for _, p in iter_records(data)] == payloads
    assert record_offsets(data) == [0, 16, 33, 349]
    assert [o for o, _ in iter_records(data)] == record_offsets(data)
    assert list(iter_records(b"")) == []


# --------------------------------------------------------------------------------------------
# Protobuf


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "00"),
        (1, "01"),
        (127, "7f"),
        (128, "8001"),
        (300, "ac02"),
        (2**31 - 1, "ffffffff07"),
        (-1, "ff" * 9 + "01"),
        (-(2**31), "80808080f8ffffffff01"),
    ],
)
def test_varint_edge_cases(value: int, expected: str) -> None:
    assert encode_varint(value).hex() == expected
    # Through the decoder, as trainable_parameters (int32, tag 0x10).
    decoded = decode_model_metrics(b"\x10" + bytes.fromhex(expected))
    assert decoded.trainable_parameters == value


def test_evaluation_data_wire_bytes_written_by_hand() -> None:
    p = point(checkpoint_path="ab")
    expected = (
        b"\x09" + bits(54.0)
        + b"\x11" + bits(1234.5678)
        + b"\x19" + bits(0.1 + 0.2)
        + b"\x21" + bits(0.9264155824979147)
        + b"\x29" + bits(1 / 3)
        + b"\x32\x02ab"
    )  # fmt: skip
    assert p.encode() == expected
    message = encode_model_metrics([p, p], 2694282, 4.5)
    body = b"\x0a" + bytes([len(expected)]) + expected
    assert message == body + body + b"\x10\x8a\xb9\xa4\x01" + b"\x19" + bits(4.5)


def test_protobuf_writes_explicit_zeros_and_empty_path() -> None:
    zero = EvalPoint(0.0, 0.0, 0.0, 0.0, 0.0, "")
    assert zero.encode() == b"".join(bytes([t]) + bits(0.0) for t in b"\x09\x11\x19\x21\x29") + (
        b"\x32\x00"
    )
    assert encode_model_metrics([], 0, 0.0) == b"\x10\x00\x19" + bits(0.0)
    # None = unset: the field is omitted, not written as a default.
    assert EvalPoint(0.0, 0.0, 0.0, 0.0, 0.0, None).encode() == zero.encode()[:-2]
    assert encode_model_metrics([], None, None) == b""


@pytest.mark.parametrize(
    ("evaluations", "params", "total"),
    [
        ([point(), point(current_epoch=0.0, training_time=0.0), point()], 2694282, 5000.25),
        ([point(checkpoint_path="")], 0, 0.0),
        ([point(checkpoint_path=None)], None, None),
        ([point(checkpoint_path="gs://réseau/模型/ckpt-∞")], -1, -0.0),
        ([point(train_accuracy=np.nextafter(1.0, 0.0))], -(2**31), 5e-324),
        ([], 2**31 - 1, float("inf")),
    ],
)
def test_protobuf_round_trip(evaluations: list[EvalPoint], params: int | None, total: Any) -> None:
    decoded = decode_model_metrics(encode_model_metrics(evaluations, params, total))
    assert decoded.evaluations == evaluations
    assert decoded.trainable_parameters == params
    assert (None if decoded.total_time is None else bits(decoded.total_time)) == (
        None if total is None else bits(total)
    )


def test_negative_int32_uses_ten_byte_varint() -> None:
    assert encode_model_metrics([], -5, None) == b"\x10" + bytes.fromhex("fbffffffffffffffff01")


def test_int32_range_is_enforced() -> None:
    with pytest.raises(ValueError, match="int32"):
        encode_model_metrics([], 2**31, None)
    with pytest.raises(ValueError, match="int32"):
        encode_model_metrics([], -(2**31) - 1, None)


def test_decoder_follows_protobuf_rules() -> None:
    good = encode_model_metrics([point()], 7, 1.5)
    # Unknown fields of every wire type are skipped; a repeated scalar keeps its last value.
    unknown = b"\xf8\x07\x01" + b"\x21" + bits(9.0) + b"\x2a\x02hi" + b"\x2d\x00\x00\x00\x00"
    decoded = decode_model_metrics(good + unknown + b"\x10\x09")
    assert decoded.trainable_parameters == 9
    assert decoded.evaluations == [point()]
    # An EvaluationData without fields reads as proto2 defaults.
    assert decode_model_metrics(b"\x0a\x00").evaluations == [EvalPoint(0, 0, 0, 0, 0, None)]


@pytest.mark.parametrize(
    "broken",
    [
        b"\x0a\x05\x09",  # embedded message longer than the data
        b"\x0b",  # group (wire type 3)
        b"\x10",  # truncated varint
        b"\x10" + b"\xff" * 10 + b"\x01",  # varint longer than 10 bytes
        b"\x10" + b"\xff" * 9 + b"\x02",  # 10-byte varint above 2**64 - 1
        b"\x11" + bits(1.0),  # trainable_parameters as fixed64
        b"\x18\x01",  # total_time as varint
        b"\x0a\x02\x08\x01",  # current_epoch as varint
        b"\x0a\x03\x32\x01\xff",  # checkpoint_path not UTF-8
        b"\x00\x00",  # field number 0
        b"\x19" + bits(1.0)[:7],  # truncated double
    ],
)
def test_decoder_rejects_broken_protobuf(broken: bytes) -> None:
    with pytest.raises(TFRecordFormatError, match="protobuf"):
        decode_model_metrics(broken)


# --------------------------------------------------------------------------------------------
# Payloads


def test_json_payload_layout() -> None:
    metrics = encode_model_metrics([point()], 300, 2.0)
    assert len(metrics) % 3 != 0  # so that the padded base64 form is exercised
    payload = record_payload(
        "043721b9c7fe8c5fad811d47d83132ec", 108, [[0, 1], [0, 0]], ["input", "output"], metrics
    )
    encoded = base64.b64encode(metrics).decode()
    assert encoded.endswith("=")
    expected = f'["043721b9c7fe8c5fad811d47d83132ec", 108, "0100", "input,output", "{encoded}"]'
    assert payload == expected.encode()


def test_payload_of_a_real_cell(records: list[SyntheticRecord]) -> None:
    record = records[-1]  # a 4-vertex cell at 108 epochs
    assert len(record.ops) == 4
    row = json.loads(record.payload())
    assert row[0] == record.hash and row[1] == 108 and isinstance(row[1], int)
    assert row[2] == "".join(str(x) for line in record.matrix for x in line) and len(row[2]) == 16
    assert row[3] == ",".join(record.ops)
    assert base64.b64decode(row[4], validate=True) == record.metrics()


def test_parser_accepts_any_json_spacing(records: list[SyntheticRecord]) -> None:
    record = records[0]
    row = json.loads(record.payload())
    for text in (json.dumps(row, separators=(",", ":")), json.dumps(row, indent=2)):
        parsed = parse_payload(text.encode())
        assert parsed.hash == record.hash and parsed.ops == record.ops
        assert parsed.matrix.dtype == np.int8
        assert parsed.matrix.tolist() == record.matrix
        assert parsed.metrics.evaluations == record.evaluations


GOOD_ROW = ["043721b9c7fe8c5fad811d47d83132ec", 108, "0100", "input,output", ""]


@pytest.mark.parametrize(
    ("index", "value", "message"),
    [
        (0, "043721B9C7FE8C5FAD811D47D83132EC", "hash"),  # uppercase
        (0, "043721b9c7fe8c5fad811d47d83132e", "hash"),  # 31 characters
        (0, 43721, "types"),
        (1, "108", "types"),
        (1, True, "types"),
        (1, 108.0, "types"),
        (2, "01000", "adjacency"),  # not V*V digits
        (2, "", "adjacency"),
        (2, "0200", "adjacency"),
        (2, "01 0", "adjacency"),
        (3, "input,conv3x3-bn-relu,output", "ops for a 2-vertex"),
        (3, "input", "ops for a 2-vertex"),
        (4, "CAE=\n", "base64"),
        (4, "CAE", "base64"),
    ],
)
def test_parser_rejects_malformed_rows(index: int, value: Any, message: str) -> None:
    row = list(GOOD_ROW)
    assert parse_payload(json.dumps(row).encode()).epochs == 108  # the unmodified row is good
    row[index] = value
    with pytest.raises(TFRecordFormatError, match=message):
        parse_payload(json.dumps(row).encode())


def test_record_payload_rejects_bad_matrices() -> None:
    with pytest.raises(ValueError, match="square"):
        record_payload("0" * 32, 4, [[0, 1]], ["input", "output"], b"")
    with pytest.raises(ValueError, match="0 or 1"):
        record_payload("0" * 32, 4, [[0, 2], [0, 0]], ["input", "output"], b"")


def test_real_cells_pass_the_strict_checks(
    records: list[SyntheticRecord], nar_record: dict[str, Any]
) -> None:
    for record in records:
        check_record(parse_payload(record.payload()))
    real = SyntheticRecord(
        nar_record["unique_hash"],
        108,
        nar_record["module_adjacency"],
        nar_record["module_operations"],
        [point(), point(), point()],
        nar_record["trainable_parameters"],
        1.0,
    )
    check_record(parse_payload(real.payload()))


# --------------------------------------------------------------------------------------------
# Synthetic datasets


def test_synthetic_dataset_shape_and_values(
    cells: list[tuple[str, Any, list[str]]], records: list[SyntheticRecord]
) -> None:
    assert len(cells) == 91 and len(records) == 91 * 4 * 3
    order = [(r.epochs, r.hash) for r in records]
    expected = [(e, c[0]) for e in VALID_EPOCHS for c in cells for _ in range(3)]
    assert order == expected
    params: dict[str, int] = {}
    for record in records:
        assert params.setdefault(record.hash, record.trainable_parameters) == (
            record.trainable_parameters
        )
        assert 0 < record.trainable_parameters < 2**31
        start, half, final = record.evaluations
        assert [start.current_epoch, half.current_epoch, final.current_epoch] == [
            0.0,
            record.epochs / 2,
            float(record.epochs),
        ]
        assert start.training_time == 0.0 < half.training_time < final.training_time
        assert final.training_time < record.total_time
        for p in record.evaluations:
            for acc in (p.train_accuracy, p.validation_accuracy, p.test_accuracy):
                assert 0.0 <= acc < 1.0
    accuracies = {r.evaluations[2].test_accuracy for r in records}
    assert len(accuracies) == len(records)  # independent draws, not a few repeated values
    assert len(set(params.values())) == len(cells)


def test_synthetic_dataset_is_deterministic(cells: list[tuple[str, Any, list[str]]]) -> None:
    a = encode_tfrecord(synthetic_dataset(cells[:5], seed=1))
    assert a == encode_tfrecord(synthetic_dataset(cells[:5], seed=1))
    assert a != encode_tfrecord(synthetic_dataset(cells[:5], seed=2))


def test_interleaved_order_has_the_same_runs(cells: list[tuple[str, Any, list[str]]]) -> None:
    official = synthetic_dataset(cells[:6], epochs=(108, 4), repeats=2, seed=3)
    mixed = synthetic_dataset(cells[:6], epochs=(108, 4), repeats=2, seed=3, order="interleaved")
    assert mixed != official and len(mixed) == len(official) == 24
    first, second = cells[0][0], cells[1][0]
    assert [(r.epochs, r.hash) for r in mixed[:3]] == [(108, first), (4, first), (108, second)]

    def runs(records: list[SyntheticRecord]) -> dict[tuple[str, int], list[SyntheticRecord]]:
        out: dict[tuple[str, int], list[SyntheticRecord]] = {}
        for r in records:
            out.setdefault((r.hash, r.epochs), []).append(r)
        return out

    assert runs(mixed) == runs(official)
    with pytest.raises(ValueError, match="order"):
        synthetic_dataset(cells[:1], order="random")


def test_write_tfrecord_returns_the_size(tmp_path: Path, records: list[SyntheticRecord]) -> None:
    items = [*records[:4], b"raw payload"]
    size = write_tfrecord(tmp_path / "x.tfrecord", items)
    data = (tmp_path / "x.tfrecord").read_bytes()
    assert size == len(data) == sum(len(frame_record(r.payload())) for r in records[:4]) + 27
    assert [p for _, p in iter_records(data)][-1] == b"raw payload"


# --------------------------------------------------------------------------------------------
# Corruptions


def test_good_file_is_accepted(small_file: bytes) -> None:
    assert len(list(iter_records(small_file))) == 6
    for _, payload in iter_records(small_file):
        check_record(parse_payload(payload))


@pytest.mark.parametrize("index", [0, 3, 5])
def test_flipped_crcs_are_rejected_at_their_record(small_file: bytes, index: int) -> None:
    offset = record_offsets(small_file)[index]
    (length,) = struct.unpack("<Q", small_file[offset : offset + 8])
    crc_fields = {
        flip_length_crc: ("length CRC", range(offset + 8, offset + 12)),
        flip_payload_crc: ("payload CRC", range(offset + 12 + length, offset + 16 + length)),
    }
    for corrupt, (message, field) in crc_fields.items():
        bad = corrupt(small_file, index)
        assert len(bad) == len(small_file)
        changed = [i for i, (a, b) in enumerate(zip(bad, small_file, strict=True)) if a != b]
        assert len(changed) == 1 and changed[0] in field  # only the CRC itself is touched
        with pytest.raises(TFRecordFormatError, match=message) as info:
            list(iter_records(bad))
        assert (info.value.record, info.value.offset) == (index, offset)
        assert record_offsets(bad) == record_offsets(small_file)  # framing itself is intact


def test_truncated_tails_are_rejected(small_file: bytes) -> None:
    last = record_offsets(small_file)[-1]
    tail = len(small_file) - last
    for n in (1, 4, tail - 12, tail - 11, tail - 1, tail + 1):
        bad = truncate_tail(small_file, n)
        assert bad == small_file[: len(small_file) - n]
        with pytest.raises(TFRecordFormatError, match="truncated"):
            list(iter_records(bad))
    for n in (0, tail, len(small_file)):
        with pytest.raises(ValueError, match="mid-record"):
            truncate_tail(small_file, n)


def test_official_style_load_verifies_crcs(tmp_path: Path, small_file: bytes) -> None:
    path = tmp_path / "bad.tfrecord"
    for bad in (flip_payload_crc(small_file, 2), truncate_tail(small_file, 3)):
        path.write_bytes(bad)
        with pytest.raises(TFRecordFormatError):
            official_style_load(path)


@pytest.mark.parametrize("kind", ["truncated", "alphabet"])
def test_bad_base64_is_rejected(tmp_path: Path, records: list[SyntheticRecord], kind: str) -> None:
    payload = bad_base64_payload(records[5], kind)
    good = json.loads(records[5].payload())
    bad = json.loads(payload)
    assert bad[:4] == good[:4] and bad[4] != good[4]
    with pytest.raises(TFRecordFormatError, match="base64"):
        parse_payload(payload)
    path = tmp_path / "b64.tfrecord"
    write_tfrecord(path, [records[0], payload])
    if kind == "truncated":
        with pytest.raises(binascii.Error):
            official_style_load(path)
    else:
        # The official loader decodes leniently: the stray '*' is skipped, the record loads.
        _, computed, _ = official_style_load(path)
        assert len(computed[records[5].hash][records[5].epochs]) == 1


@pytest.mark.parametrize("kind", ["syntax", "utf8", "arity", "types"])
def test_bad_json_is_rejected(tmp_path: Path, kind: str) -> None:
    with pytest.raises(TFRecordFormatError, match="JSON|array|types"):
        parse_payload(bad_json_payload(kind))
    path = tmp_path / "json.tfrecord"
    write_tfrecord(path, [bad_json_payload(kind)])
    with pytest.raises((ValueError, AttributeError)):
        official_style_load(path)


def test_hash_mismatch_is_rejected(
    tmp_path: Path, cells: list[tuple[str, Any, list[str]]], records: list[SyntheticRecord]
) -> None:
    record = records[40]
    other = next(c[0] for c in cells if c[0] != record.hash)
    for payload in (hash_mismatch_record(record, other), hash_mismatch_record(record)):
        parsed = parse_payload(payload)  # well-formed ...
        assert parsed.hash != record.hash and parsed.matrix.tolist() == record.matrix
        with pytest.raises(TFRecordFormatError, match="hashes to"):  # ... but wrong
            check_record(parsed)
    with pytest.raises(ValueError, match="own hash"):
        hash_mismatch_record(record, record.hash)
    # The official loader never checks: the record is filed under the stored hash.
    path = tmp_path / "hash.tfrecord"
    write_tfrecord(path, [hash_mismatch_record(record, other)])
    fixed, _, _ = official_style_load(path)
    assert fixed[other]["module_operations"] == record.ops


def test_unknown_epochs_are_rejected(tmp_path: Path, records: list[SyntheticRecord]) -> None:
    payload = unknown_epochs_record(records[0])
    parsed = parse_payload(payload)
    assert parsed.epochs == 7
    with pytest.raises(TFRecordFormatError, match="epochs 7"):
        check_record(parsed)
    assert parse_payload(unknown_epochs_record(records[0], epochs=100)).epochs == 100
    with pytest.raises(ValueError, match="valid budget"):
        unknown_epochs_record(records[0], epochs=36)
    # The official loader accepts any budget and lists it.
    path = tmp_path / "epochs.tfrecord"
    write_tfrecord(path, [records[0], payload])
    _, computed, valid_epochs = official_style_load(path)
    assert valid_epochs == {records[0].epochs, 7}
    assert len(computed[records[0].hash][7]) == 1


def test_too_few_evaluations_are_rejected(tmp_path: Path, records: list[SyntheticRecord]) -> None:
    record = records[0]
    short = SyntheticRecord(
        record.hash,
        record.epochs,
        record.matrix,
        record.ops,
        record.evaluations[:2],
        record.trainable_parameters,
        record.total_time,
    )
    check_record(parse_payload(record.payload()))
    with pytest.raises(TFRecordFormatError, match="fewer than 3"):
        check_record(parse_payload(short.payload()))
    path = tmp_path / "short.tfrecord"
    write_tfrecord(path, [short])
    with pytest.raises(IndexError):  # evaluation_data[2], as in the official loader
        official_style_load(path)


# --------------------------------------------------------------------------------------------
# The official-style loader (the oracle of the builder tests)


def _expected_point(record: SyntheticRecord) -> dict[str, bytes]:
    half, final = record.evaluations[1], record.evaluations[2]
    values = {
        "halfway_training_time": half.training_time,
        "halfway_train_accuracy": half.train_accuracy,
        "halfway_validation_accuracy": half.validation_accuracy,
        "halfway_test_accuracy": half.test_accuracy,
        "final_training_time": final.training_time,
        "final_train_accuracy": final.train_accuracy,
        "final_validation_accuracy": final.validation_accuracy,
        "final_test_accuracy": final.test_accuracy,
    }
    return {key: bits(value) for key, value in values.items()}


@pytest.mark.parametrize("order", ["official", "interleaved"])
def test_official_style_load_reproduces_the_values_bit_for_bit(
    tmp_path: Path, cells: list[tuple[str, Any, list[str]]], order: str
) -> None:
    records = synthetic_dataset(cells, seed=11, order=order)
    path = tmp_path / "nb.tfrecord"
    write_tfrecord(path, records)
    fixed, computed, valid_epochs = official_style_load(path)

    assert valid_epochs == set(VALID_EPOCHS)
    assert list(fixed) == list(computed) == [c[0] for c in cells]  # first-appearance order
    for module_hash, matrix, ops in cells:
        stats = fixed[module_hash]
        assert stats["module_adjacency"].dtype == np.int8
        assert stats["module_adjacency"].tolist() == matrix
        assert stats["module_operations"] == ops
    expected: dict[str, dict[int, list[dict[str, bytes]]]] = {}
    for record in records:
        assert fixed[record.hash]["trainable_parameters"] == record.trainable_parameters
        expected.setdefault(record.hash, {}).setdefault(record.epochs, []).append(
            _expected_point(record)
        )
    actual = {
        h: {e: [{k: bits(v) for k, v in p.items()} for p in runs] for e, runs in per.items()}
        for h, per in computed.items()
    }
    assert actual == expected
    assert all(len(runs) == 3 for per in computed.values() for runs in per.values())


def test_official_style_load_keeps_the_first_fixed_stats(
    tmp_path: Path, records: list[SyntheticRecord]
) -> None:
    first, second = records[0], records[1]
    assert first.hash == second.hash
    changed = SyntheticRecord(
        second.hash,
        second.epochs,
        second.matrix,
        second.ops,
        second.evaluations,
        second.trainable_parameters + 1,
        second.total_time,
    )
    path = tmp_path / "first.tfrecord"
    write_tfrecord(path, [first, changed])
    fixed, computed, _ = official_style_load(path)
    assert fixed[first.hash]["trainable_parameters"] == first.trainable_parameters
    runs = computed[first.hash][first.epochs]
    assert [r["final_test_accuracy"] for r in runs] == [
        first.evaluations[2].test_accuracy,
        second.evaluations[2].test_accuracy,
    ]
