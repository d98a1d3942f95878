"""hash_many / check_many input conversion: op names decoded natively, batches of many chunks.

The op-name array is decoded in Rust from numpy's UCS-4 storage, so every way of holding the
names (byte order, strides, odd strings) must give what comparing the strings in numpy gives;
and rows are checked and hashed in parallel chunks, so a large mixed batch must equal the
row-by-row ``ModelSpec`` path.
"""

from __future__ import annotations

import numpy as np
import pytest
from nasbench_lite.nb101 import ModelSpec, check_many, hash_many
from nasbench_lite.spaces.nb101.batch import encode_ops
from nb101_reference import CONV1X1, CONV3X3, INPUT, MAXPOOL3X3, OUTPUT

NAMES = ["", INPUT, OUTPUT, CONV3X3, CONV1X1, MAXPOOL3X3]
# Near misses of real names: each must be "unsupported", never mistaken for a known op.
ODD_NAMES = [
    "maxpool3x3 ",
    " input",
    "Input",
    "inpu",
    "outputs",
    "conv3x3-bn-relü",
    "conv3x3-bn-relu\x00x",
    "\x00input",
    "🙂",
]


def numpy_codes(names: np.ndarray) -> np.ndarray:
    """The op codes by plain numpy string comparison (what the native decoder must match)."""
    codes = np.full(names.shape, -4, dtype=np.int8)
    for code, name in zip((-3, -1, -2, 0, 1, 2), NAMES, strict=True):
        codes[names == name] = code
    return codes


def test_native_name_decoding_equals_numpy_comparison() -> None:
    rng = np.random.default_rng(3)
    pool = np.array(NAMES + ODD_NAMES)
    names = pool[rng.integers(0, len(pool), size=(500, 7))]
    expected = numpy_codes(names)
    assert (expected == -4).any() and (expected == 2).any()
    assert np.array_equal(encode_ops(names, 500, 7), expected)
    for variant in (
        names.astype(">U40"),  # non-native byte order
        names.astype("<U16"),  # narrower: truncates some odd names into real ones
        np.asfortranarray(names),
        names[::-1][::-1],
    ):
        assert np.array_equal(encode_ops(variant, 500, 7), numpy_codes(variant))
    strided = np.repeat(names, 2, axis=0)[::2]  # non-contiguous view
    assert np.array_equal(encode_ops(strided, 500, 7), expected)


def test_trailing_nul_is_padding_as_in_numpy() -> None:
    # numpy cannot store trailing NULs in a <U array: 'input\x00' is 'input' there.
    names = np.array([["input\x00", "output"]])
    assert names[0, 0] == INPUT
    assert encode_ops(names, 1, 2).tolist() == [[-1, -2]]


def test_unsigned_and_wide_integer_labels() -> None:
    labels = np.array([[0, 1, 2, 3, 200, 255]])
    for dtype in (np.uint8, np.uint16, np.uint64, np.int64):
        assert encode_ops(labels.astype(dtype), 1, 6).tolist() == [[0, 1, 2, -4, -4, -4]]
    assert encode_ops(np.array([[-5, -3, -2, -1, 2**40]]), 1, 5).tolist() == [[-4, -3, -2, -1, -4]]


def random_rows(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Padded rows of every size with random edges and ops, some invalid in each way."""
    rng = np.random.default_rng(seed)
    matrices = np.zeros((count, 7, 7), dtype=np.uint8)
    ops = np.full((count, 7), "", dtype="<U20")
    for row in range(count):
        n = int(rng.integers(2, 8))
        upper = np.triu(rng.random((n, n)) < 0.4, k=1)
        matrices[row, :n, :n] = upper
        ops[row, :n] = rng.choice([CONV3X3, CONV1X1, MAXPOOL3X3], size=n)
        ops[row, 0], ops[row, n - 1] = INPUT, OUTPUT
        if rng.random() < 0.05:
            ops[row, 1] = "conv5x5"
    return matrices, ops


def test_many_chunks_equal_model_spec_row_by_row() -> None:
    matrices, ops = random_rows(1500, 11)  # several native chunks, sizes interleaved
    result = check_many(matrices, ops)
    hashes = hash_many(matrices, ops, errors="ignore")
    assert 300 < int(result.valid.sum()) < 1500
    for row in range(len(ops)):
        n = int((ops[row] != "").sum())
        spec = ModelSpec(matrices[row, :n, :n].astype(np.int64), ops[row, :n].tolist())
        if result.valid[row]:
            assert hashes[row] == result.hash[row] == spec.hash_spec(), row
        else:
            assert hashes[row] == "", row
    labels = encode_ops(ops, len(ops), 7)
    assert hash_many(matrices, labels, errors="ignore").tolist() == hashes.tolist()


def test_hash_column_is_a_plain_string_array() -> None:
    matrices, ops = random_rows(50, 5)
    hashes = hash_many(matrices, ops, errors="ignore")
    assert hashes.dtype == np.dtype("<U32") and hashes.shape == (50,)
    assert hashes.flags.c_contiguous and hashes.flags.writeable
    hashes[0] = "x"  # an ordinary array the caller owns
    assert hash_many(matrices, ops, errors="ignore")[0] != "x"


@pytest.mark.parametrize("rows", [0, 1])
def test_tiny_name_batches(rows: int) -> None:
    matrices = np.zeros((rows, 2, 2), dtype=np.uint8)
    matrices[:, 0, 1] = 1
    ops = np.array([[INPUT, OUTPUT]] * rows, dtype="<U6").reshape(rows, 2)
    assert hash_many(matrices, ops).tolist() == ["043721b9c7fe8c5fad811d47d83132ec"] * rows
