"""The native pickle reader as Python sees it (``_native.load_pickle*`` via ``native_pickle``).

Value for value against the Python reference (``safe_pickle`` without its native prescreen)
and against ``pickle.loads`` on the real NATS-Bench fixtures, the committed corpus, seeded
random pickles and seeded mutants; errors typed, naming file, offset and limit; limits
overridable; many files in parallel in order.
"""

from __future__ import annotations

import bz2
import collections
import dataclasses
import json
import pickle
import random
from pathlib import Path

import numpy as np
import pytest
from gen_pickle_corpus import random_value
from nasbench_lite._core.formats import native_pickle, safe_pickle
from nasbench_lite.errors import CorruptSourceError, InvalidInputError, UnsafePickleError
from pickle_dump import dump

DATA = Path(__file__).parent / "data"
NATS = sorted((DATA / "nats").glob("*.pickle.pbz2"))


def reference(data: bytes) -> str:
    """``ok <dump>`` / ``err unsafe`` / ``err corrupt`` of the Python reference."""
    try:
        return "ok " + dump(safe_pickle.loads(data, prescreen=False))
    except UnsafePickleError:
        return "err unsafe"
    except (CorruptSourceError, TypeError, OverflowError, RecursionError, MemoryError):
        return "err corrupt"


def native(data: bytes) -> str:
    try:
        return "ok " + dump(native_pickle.loads(data))
    except UnsafePickleError:
        return "err unsafe"
    except CorruptSourceError:
        return "err corrupt"


def test_real_nats_files_equal_the_reference() -> None:
    assert len(NATS) >= 4
    natively = native_pickle.load_paths(NATS)
    for path, value in zip(NATS, natively, strict=True):
        expected = safe_pickle.load_path(path, prescreen=False)
        assert value == expected, path.name
        assert dump(value) == dump(expected)
        assert type(value) is type(expected)  # OrderedDict stays OrderedDict


def test_corpus_equals_pickle_loads() -> None:
    rows = [
        json.loads(line) for line in (DATA / "pickle" / "corpus.jsonl").read_text().splitlines()
    ]
    assert len(rows) > 500
    for row in rows:
        data = bytes.fromhex(row["pickle"])
        assert native(data) == "ok " + row["dump"], row["name"]
        if row["reference"] is not None:
            assert reference(data) == "ok " + row["reference"]


def test_random_pickles_equal_pickle_loads_and_the_reference() -> None:
    rng = random.Random(1412)
    values = [random_value(rng, 0, []) for _ in range(120)]
    agreed = 0
    for value in values:
        for protocol in (2, 3, 4, 5):
            data = pickle.dumps(value, protocol=protocol)
            got = native(data)
            assert got == "ok " + dump(pickle.loads(data))
            expected = reference(data)
            if expected.startswith("ok"):  # the reference refuses arrays and bytearray
                assert got == expected
                agreed += 1
    assert agreed > 250


def test_arrays_come_back_as_numpy_builds_them() -> None:
    arrays = [
        np.arange(12, dtype="<f8").reshape(3, 4),
        np.asfortranarray(np.arange(6, dtype="<i4").reshape(2, 3)),
        np.arange(5, dtype=">f4"),
        np.array([True, False]),
        np.array(["ab", "c"]),
        np.zeros((0, 3), dtype="u2"),
        np.array(3.5),
    ]
    for array in arrays:
        for protocol in (2, 4, 5):
            data = pickle.dumps(array, protocol=protocol)
            got, want = native_pickle.loads(data), pickle.loads(data)
            assert isinstance(got, np.ndarray)
            assert got.dtype == want.dtype and got.shape == want.shape
            assert got.flags.f_contiguous == want.flags.f_contiguous
            assert np.array_equal(got, want)
            assert got.flags.writeable and got.flags.owndata
    scalar = native_pickle.loads(pickle.dumps(np.float64(0.1), protocol=4))
    assert type(scalar) is float and scalar == 0.1  # as safe_pickle decodes NumPy scalars


def test_mutants_native_accepts_only_what_the_reference_reads_equally() -> None:
    rng = random.Random(1413)
    seeds = [pickle.dumps(random_value(rng, 0, []), protocol=4) for _ in range(30)]
    compared = 0
    for seed in seeds:
        for _ in range(20):
            data = bytearray(seed)
            for _ in range(rng.randrange(1, 4)):
                at = rng.randrange(len(data))
                if rng.random() < 0.5:
                    data[at] ^= 1 << rng.randrange(8)
                else:
                    data.insert(at, rng.choice(b"().0128NKhq\x94\x85\x86tsuea}]\x93R"))
            got, expected = native(bytes(data)), reference(bytes(data))
            if got.startswith("ok") and expected.startswith("ok"):
                assert got == expected, bytes(data).hex()
                compared += 1
    assert compared > 20


def test_refusals_are_typed_and_located(tmp_path: Path) -> None:
    with pytest.raises(UnsafePickleError) as unsafe:
        native_pickle.loads(b"\x80\x04cos\nsystem\n\x8c\x02id\x85R.", name="evil.pkl")
    assert (unsafe.value.module, unsafe.value.name) == ("os", "system")
    assert str(unsafe.value.path) == "evil.pkl"
    with pytest.raises(UnsafePickleError):
        native_pickle.loads(b"\x80\x04Pid\n.")
    truncated = tmp_path / "cut.pkl"
    truncated.write_bytes(pickle.dumps({"a": [1, 2, 3]}, protocol=4)[:-3])
    with pytest.raises(CorruptSourceError) as corrupt:
        native_pickle.load_path(truncated)
    assert corrupt.value.path == truncated and str(truncated) in str(corrupt.value)
    assert corrupt.value.byte_offset is not None
    assert f"at byte {corrupt.value.byte_offset}" in str(corrupt.value)
    with pytest.raises(CorruptSourceError, match="cannot read"):
        native_pickle.load_path(tmp_path / "missing.pkl")


def test_limits_are_overridable_and_named() -> None:
    data = pickle.dumps([[[[1]]]], protocol=4)
    assert native_pickle.loads(data) == [[[[1]]]]
    shallow = dataclasses.replace(native_pickle.DEFAULT_LIMITS, max_nesting=3)
    with pytest.raises(CorruptSourceError, match="max_nesting = 3"):
        native_pickle.loads(data, limits=shallow)
    long_str = pickle.dumps("x" * 100, protocol=4)
    with pytest.raises(CorruptSourceError, match="max_str_len = 10"):
        native_pickle.loads(long_str, limits=native_pickle.PickleLimits(max_str_len=10))
    big = pickle.dumps(1 << 16_000, protocol=4)  # ~4,817 digits
    with pytest.raises(CorruptSourceError, match="max_int_digits"):
        native_pickle.loads(big)
    packed = bz2.compress(pickle.dumps(b"\0" * (4 << 20), protocol=4))
    with pytest.raises(CorruptSourceError, match="max_bz2_ratio"):
        native_pickle.loads(packed)
    roomy = native_pickle.PickleLimits(max_bz2_ratio=1 << 40)
    assert native_pickle.loads(packed, limits=roomy) == b"\0" * (4 << 20)
    with pytest.raises(InvalidInputError):
        from nasbench_lite import _native

        _native.load_pickle(data, limits={"max_bananas": 1})


def test_many_files_keep_their_order_and_the_first_error_names_its_file(tmp_path: Path) -> None:
    paths = []
    for index in range(40):
        path = tmp_path / f"{index:06d}.pickle.pbz2"
        value = collections.OrderedDict(index=index, curve=[index * 0.5] * index)
        path.write_bytes(bz2.compress(pickle.dumps(value, protocol=4)))
        paths.append(path)
    values = native_pickle.load_paths(paths)
    assert [v["index"] for v in values] == list(range(40))
    assert all(type(v) is collections.OrderedDict for v in values)
    paths[17].write_bytes(b"BZh9 not really")
    paths[30].write_bytes(b"\x80\x04cos\nsystem\n.")
    with pytest.raises(CorruptSourceError) as error:
        native_pickle.load_paths(paths)
    assert error.value.path == paths[17] and not isinstance(error.value, UnsafePickleError)


def test_python_reference_is_prescreened() -> None:
    # Deeply nested tuples as a dict key: CPython's tuple hash would recurse to a crash; the
    # native prescreen refuses the stream before CPython's unpickler sees it.
    deep = b"\x80\x02}" + b")" + b"\x85" * 100_000 + b"Ns."
    with pytest.raises(CorruptSourceError, match="max_nesting"):
        safe_pickle.loads(deep)
