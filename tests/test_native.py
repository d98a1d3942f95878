"""The native boundary: panics become exceptions, kernels and stubs agree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from nasbench_lite import _native
from nasbench_lite.errors import (
    CorruptSourceError,
    InternalError,
    InvalidInputError,
    InvalidSpecError,
    NasbenchLiteError,
    OutOfDomainError,
)


def test_a_rust_panic_is_an_internal_error_not_an_abort() -> None:
    with pytest.raises(InternalError, match="native code failed: boom 42") as info:
        _native._selftest_panic("boom 42")
    assert isinstance(info.value, NasbenchLiteError)
    assert isinstance(info.value, RuntimeError)
    # The interpreter keeps working afterwards (also in a fresh process, with no test harness).
    code = (
        "from nasbench_lite import _native\n"
        "try:\n    _native._selftest_panic('x')\n"
        "except Exception as exc:\n    print(type(exc).__name__)\n"
        "print('alive')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.split() == ["InternalError", "alive"]


def test_md5_kernel_is_reported() -> None:
    assert _native.md5_kernel() in {"Avx512", "Avx2", "Portable"}


def test_malformed_arguments_are_invalid_input_errors() -> None:
    matrices = np.zeros((2, 3, 3), dtype=np.uint8)
    with pytest.raises(InvalidInputError, match="codes"):
        _native.check_and_hash(matrices, np.zeros((2, 4), dtype=np.int8))
    with pytest.raises(InvalidInputError, match="C-contiguous"):
        _native.check_and_hash(
            np.zeros((2, 6, 6), dtype=np.uint8)[:, ::2, ::2], np.zeros((2, 3), dtype=np.int8)
        )
    with pytest.raises(InvalidInputError, match="W <= 7"):
        _native.nb101_costs(np.zeros((1, 8, 8), dtype=np.uint8), np.zeros((1, 8), dtype=np.int8))
    with pytest.raises(InvalidInputError, match="n x n"):
        _native.hash_graph(np.zeros((2, 3), dtype=np.int64), np.zeros(2, dtype=np.int64))
    for args in [(1, 9, 3), (9, 9, 3), (3, 9, 0), (3, 9, 7)]:
        with pytest.raises(InvalidInputError):
            _native.enumerate_vertices(*args)
    with pytest.raises(InvalidInputError, match="num_vertices"):
        _native.count_labelled(9, 9, 3)
    with pytest.raises(InvalidInputError, match="overflows"):
        _native.count_labelled(8, 28, 2**32 - 1)
    status = np.array([9], dtype=np.uint8)
    with pytest.raises(InvalidInputError, match="unknown check status 9"):
        _native.check_reasons(status, np.zeros(1, dtype=np.int32), [["input"]])
    with pytest.raises(InvalidInputError, match="statuses"):
        _native.check_reasons(status, np.zeros(2, dtype=np.int32), [["input"]])


def test_rejected_rows_are_worded_and_raised_natively() -> None:
    chain = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]], dtype=np.uint8)
    lower = chain.T.copy()
    matrices = np.stack([chain, lower, chain, chain])
    ops = [
        ["input", "conv3x3-bn-relu", "output"],
        ["input", "conv3x3-bn-relu", "output"],
        ["input", "conv5x5", "output"],
        ["input", "maxpool3x3", "output"],
    ]
    codes = np.array([[-1, 0, -2], [-1, 0, -2], [-1, -4, -2], [-1, 2, -2]], dtype=np.int8)
    _, status, detail, _, _ = _native.check_and_hash(matrices, codes)
    reasons = _native.check_reasons(status, detail, ops)
    assert reasons.dtype == object
    assert reasons.tolist() == [
        "",
        "matrix must be upper triangular",
        "unsupported op conv5x5 (available ops = "
        "['conv3x3-bn-relu', 'conv1x1-bn-relu', 'maxpool3x3'])",
        "",
    ]
    with pytest.raises(InvalidSpecError, match="^row 1: matrix must be upper") as spec:
        _native.raise_first_invalid(status, detail, ops)
    assert spec.value.row == 1
    with pytest.raises(OutOfDomainError, match="^row 0: unsupported op conv5x5") as domain:
        _native.raise_first_invalid(status[2:], detail[2:], ops[2:])
    assert domain.value.row == 0 and not isinstance(domain.value, InvalidSpecError)
    assert _native.raise_first_invalid(status[:1], detail[:1], ops[:1]) is None
    # Ops given as integer labels are named by their op name, unknown labels by their value.
    labels = np.array([[-1, 0, -2], [-1, 0, -2], [-1, 42, -2], [-1, 2, -2]])
    assert _native.check_reasons(status, detail, labels)[2].startswith("unsupported op 42 ")


def test_unreadable_sources_raise_os_errors_naming_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.tfrecord"
    with pytest.raises(FileNotFoundError) as info:
        _native.Nb101Stream(str(missing))
    assert info.value.filename == str(missing)
    empty = tmp_path / "empty.tfrecord"
    empty.write_bytes(b"")
    stream = _native.Nb101Stream(str(empty))
    assert stream.next_batch(10) is None
    with pytest.raises(FileNotFoundError):
        stream.start_source(str(missing))


def test_corrupt_records_name_file_record_and_offset(tmp_path: Path) -> None:
    source = tmp_path / "bad.tfrecord"
    framed = bytearray(_native.frame_tfrecords([b"[1]", b"x"]))
    source.write_bytes(bytes(framed))
    with pytest.raises(CorruptSourceError) as info:
        _native.Nb101Stream(str(source)).next_batch(10)
    assert str(info.value).startswith(f"{source}: record 0 (byte 0): bad JSON row")
    assert (info.value.record_index, info.value.byte_offset) == (0, 0)
    assert info.value.path == source
    framed[len(framed) - 1] ^= 0xFF  # payload CRC of record 1
    source.write_bytes(bytes(framed))
    stream = _native.Nb101Stream(str(source))
    with pytest.raises(CorruptSourceError, match="payload CRC mismatch") as info:
        stream.next_batch(10)
    # Framing is checked while the batch is read, before any payload is parsed.
    assert (info.value.record_index, info.value.byte_offset) == (1, 16 + 3)
