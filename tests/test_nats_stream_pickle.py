"""The streaming reader of NATS-Bench single-file benchmarks, against plain ``pickle.load``.

The files are synthetic but in the official layout, assembled from the real per-arch fixture
files (tss and sss) and the real tss meta file.
"""

from __future__ import annotations

import bz2
import copy
import gc
import math
import os
import pickle
import struct
import tracemalloc
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from nasbench_lite._core.formats import stream_pickle
from nasbench_lite._core.formats.safe_pickle import UnsafePickleError, load_path
from nasbench_lite._core.formats.stream_pickle import KeyPolicy, _Scan
from nasbench_lite.errors import CorruptSourceError

DATA = Path(__file__).parent / "data" / "nats"

#: The NATS-Bench single file's key policy, as ``benchmarks/nats/build.py`` passes it.
NATS_POLICY = KeyPolicy("arch2infos", "arch", int, "a NATS-Bench single-file benchmark")


def iter_benchmark_file(path: Path, **kwargs: Any) -> Iterator[tuple[str, Any]]:
    """The reader under the NATS-Bench policy (what every test below but the last reads)."""
    return stream_pickle.iter_benchmark_file(path, NATS_POLICY, **kwargs)


@pytest.fixture(scope="module")
def meta() -> list[str]:
    archs: list[str] = load_path(DATA / "tss-meta.pickle.pbz2")["meta_archs"]
    return archs


@pytest.fixture(scope="module")
def states() -> list[bytes]:
    """Pickled per-arch states (tss and sss), unpickled again for every fresh copy."""
    return [
        pickle.dumps(load_path(DATA / name), protocol=4)
        for name in ("tss-000011.pickle.pbz2", "sss-000284.pickle.pbz2")
    ]


def arch_state(states: list[bytes], index: int) -> Any:
    """A fresh copy (sharing no object with other copies) of a real arch state, tss or sss."""
    state = pickle.loads(states[index % len(states)])
    for hp_state in state.values():
        hp_state["arch_index"] = index
    return state


def official(meta: list[str], archs: dict[int, Any], *, a2i_first: bool = False) -> dict[str, Any]:
    """The single-file layout (key order as written by the NATS-Bench authors, or a2i first)."""
    obj = {
        "meta_archs": meta,
        "arch2infos": archs,
        "evaluated_indexes": set(archs),
        "total_archs": len(meta),
    }
    if a2i_first:
        obj = {"arch2infos": archs, **{k: v for k, v in obj.items() if k != "arch2infos"}}
    return obj


def write(path: Path, obj: Any, protocol: int = 4, compress: bool = True) -> Path:
    with bz2.BZ2File(path, "wb") if compress else open(path, "wb") as handle:
        pickle.dump(obj, handle, protocol=protocol)
    return path


def reference(path: Path) -> Any:
    with bz2.open(path) if path.read_bytes()[:3] == b"BZh" else open(path, "rb") as handle:
        return pickle.load(handle)  # our own test files: the unrestricted loader is fine


def same(ours: Any, theirs: Any) -> bool:
    """Equality with floats compared bit for bit and container types and key order checked."""
    if isinstance(ours, float) or isinstance(theirs, float):
        return struct.pack("<d", ours) == struct.pack("<d", theirs)
    if isinstance(ours, dict):
        return (
            type(ours) is type(theirs)
            and list(ours) == list(theirs)
            and all(same(value, theirs[key]) for key, value in ours.items())
        )
    if isinstance(ours, list | tuple):
        return (
            type(ours) is type(theirs) and len(ours) == len(theirs) and all(map(same, ours, theirs))
        )
    return bool(ours == theirs)  # NumPy scalars come out as the equal Python scalars


def check_against_pickle(path: Path) -> list[tuple[str, Any]]:
    """Streams ``path`` and checks every event against plain unpickling of the same file."""
    events = list(iter_benchmark_file(path))
    ref = reference(path)
    expected_kinds: list[str] = []
    for key in ref:
        expected_kinds += ["arch"] * len(ref[key]) if key == "arch2infos" else [key]
    assert [kind for kind, _ in events] == expected_kinds
    archs = [value for kind, value in events if kind == "arch"]
    assert [index for index, _ in archs] == list(ref["arch2infos"])
    for index, state in archs:
        assert same(state, ref["arch2infos"][index])
    assert same(
        {k: v for k, v in events if k != "arch"},
        {k: v for k, v in ref.items() if k != "arch2infos"},
    )
    return events


@pytest.mark.parametrize("protocol", [2, 4])
@pytest.mark.parametrize("a2i_first", [False, True])
def test_matches_plain_pickle(
    tmp_path: Path, meta: list[str], states: list[bytes], protocol: int, a2i_first: bool
) -> None:
    keys = [3 * i + 1 for i in range(52)]  # not 0..N-1, to see that keys are passed through
    archs = {key: arch_state(states, key) for key in keys}
    obj = official(meta, archs, a2i_first=a2i_first)
    path = write(tmp_path / "NATS-tss.pickle.pbz2", obj, protocol)
    events = check_against_pickle(path)
    kinds = [kind for kind, _ in events]
    first, rest = (["arch"] * 52, ["meta_archs"]) if a2i_first else (["meta_archs"], ["arch"] * 52)
    assert kinds == [*first, *rest, "evaluated_indexes", "total_archs"]


def test_objects_shared_across_archs(tmp_path: Path, meta: list[str], states: list[bytes]) -> None:
    """Shared strings/tuples make the pickler fetch (BINGET) objects of earlier archs."""
    template = arch_state(states, 0)
    archs = {}
    for index in range(60):
        state = copy.deepcopy(template)  # deepcopy shares every str (and the tuples of strs)
        for hp_state in state.values():
            hp_state["arch_index"] = index
            hp_state["arch_str"] = meta[index]  # fetched from meta_archs' memo entries
        archs[index] = state
    path = write(tmp_path / "shared.pickle.pbz2", official(meta, archs))
    scan = _Scan(path, None, 0)
    try:
        assert len(scan.run()[0]) > 100  # memo entries fetched by later archs
    finally:
        scan.close()
    check_against_pickle(path)


@pytest.mark.parametrize("protocol", [2, 4])
def test_unusual_layouts(tmp_path: Path, meta: list[str], protocol: int) -> None:
    """Empty and one-item arch2infos, >1000 items (several SETITEMS), one-hp values, odd data."""
    special = [math.nan, -0.0, math.inf, -math.inf, 5e-324, 1.7976931348623157e308]
    cases: list[dict[int, Any]] = [
        {},
        {7: OrderedDict(hp={"x": 1})},
        {i: OrderedDict(only={"v": [i, 2**70, -(2**40)], "t": (i,)}) for i in range(2500)},
        {
            0: OrderedDict(a={}, b={"floats": special, "b": b"\x00\xff", "s": "\udcff é"}),
            1: {"plain dict": {1, 2}, "f": frozenset({3}), "n": None, "t": (1, 2, 3, 4)},
            2: OrderedDict(np={"f": np.float64(0.1), "i": np.int64(-3), "b": np.bool_(True)}),
        },
    ]
    cases[3:3] = [  # values built from several stack objects and single-item chains
        {i: ({"x": i}, [i], OrderedDict(a={"b": {"c": (i, {})}})) for i in range(40)},
        {i: OrderedDict(h={"a": {"b": {"c": [i, {"d": 1}]}}}) for i in range(40)},
    ]
    for number, archs in enumerate(cases):  # the last case is checked further below
        path = write(tmp_path / f"case{number}.pickle.pbz2", official(meta, archs), protocol)
        events = check_against_pickle(path)
        assert sum(kind == "arch" for kind, _ in events) == len(archs)
    last = dict(events)["arch"]  # NumPy scalars come out as the equal Python scalars
    assert last == (2, OrderedDict(np={"f": 0.1, "i": -3, "b": True}))
    assert [type(x) for x in last[1]["np"].values()] == [float, int, bool]
    first = next(value for kind, value in events if kind == "arch")
    assert same(first[1]["b"]["floats"], special)


_SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.binary(min_size=1)
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=4).map(tuple)
        | st.frozensets(st.integers() | st.text(), max_size=3)
        | st.sets(st.integers(), max_size=3)
        | st.dictionaries(st.text(max_size=3), inner, max_size=4)
        | st.dictionaries(st.integers(), inner, max_size=4).map(lambda d: OrderedDict(d))
    ),
    max_leaves=12,
)


@given(
    archs=st.dictionaries(st.integers(0, 10**6), _VALUES, max_size=12),
    shared=st.none() | _VALUES,
    protocol=st.sampled_from([2, 3, 4]),
    a2i_first=st.booleans(),
)
def test_random_values_match_plain_pickle(
    tmp_path_factory: pytest.TempPathFactory,
    archs: dict[int, Any],
    shared: Any,
    protocol: int,
    a2i_first: bool,
) -> None:
    """Any plain data as arch values (tuples, single items, shared objects) comes out exactly."""
    if shared is not None:  # the same object in every arch: fetched from the memo
        archs = {key: [value, shared] for key, value in archs.items()}
    obj = official(["a", "b"], archs, a2i_first=a2i_first)
    path = write(tmp_path_factory.mktemp("random") / "r.pickle", obj, protocol, compress=False)
    check_against_pickle(path)


def test_uncompressed_pickle_and_progress(
    tmp_path: Path, meta: list[str], states: list[bytes]
) -> None:
    archs = {i: arch_state(states, i) for i in range(12)}
    check_against_pickle(write(tmp_path / "plain.pickle", official(meta, archs), compress=False))
    path = write(tmp_path / "bz2.pickle.pbz2", official(meta, archs))
    calls: list[int] = []
    assert len(list(iter_benchmark_file(path, progress=calls.append))) == 15
    assert calls == sorted(calls) and len(calls) >= 4
    assert calls[-1] == 2 * path.stat().st_size


def test_memory_is_bounded_and_archs_are_released(
    tmp_path: Path, meta: list[str], states: list[bytes]
) -> None:
    count = 300
    sss = pickle.loads(states[1])
    small = [pickle.dumps(OrderedDict(hp=sss["90"]), protocol=4)]  # its largest hp only: faster
    archs = {i: arch_state(small, i) for i in range(count)}
    path = write(tmp_path / "big.pickle.pbz2", official(meta, archs))
    del archs
    gc.collect()
    tracemalloc.start()
    try:
        one = arch_state(small, 0)
        one_arch = tracemalloc.get_traced_memory()[0]
        del one
        tracemalloc.reset_peak()
        start = tracemalloc.get_traced_memory()[0]
        previous: weakref.ref[Any] | None = None
        seen = 0
        for kind, value in iter_benchmark_file(path):
            if previous is not None:
                assert previous() is None  # the reader kept no reference to the last arch
                previous = None
            if kind == "arch":
                seen += 1
                previous = weakref.ref(value[1])
            del value
        peak = tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()
    assert seen == count
    # The fully unpickled dict takes ~count * one_arch; the reader needs a few archs' worth.
    assert peak < count * one_arch / 10


class _Boom:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> Any:
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.parametrize("protocol", [2, 4])  # GLOBAL (seen by the scan) / STACK_GLOBAL (load)
def test_malicious_reduce_is_refused_and_runs_nothing(
    tmp_path: Path, meta: list[str], states: list[bytes], protocol: int
) -> None:
    marker = tmp_path / "pwned"
    archs = {i: arch_state(states, i) for i in range(3)}
    next(iter(archs[1].values()))["all_results"] = _Boom(marker)
    path = write(tmp_path / "evil.pickle.pbz2", official(meta, archs), protocol)
    with pytest.raises(UnsafePickleError) as info:
        list(iter_benchmark_file(path))
    assert (info.value.module, info.value.name) == (os.system.__module__, "system")
    assert str(path) in str(info.value)
    assert not marker.exists()


@pytest.mark.parametrize(
    "stream",
    [
        b"\x80\x02cbuiltins\neval\nX\x08\x00\x00\x00print(1)\x85R.",  # GLOBAL builtins.eval
        b"\x80\x04\x8c\x08builtins\x8c\x04eval\x93\x8c\x01x\x85R.",  # STACK_GLOBAL
        b"\x80\x04}(\x8c\narch2infos}(K\x00\x8c\x02idQ" + b"u" * 2 + b".",  # persistent id
        b"\x80\x02\x82\x01.",  # EXT1
    ],
)
def test_handcrafted_unsafe_streams_are_refused(tmp_path: Path, stream: bytes) -> None:
    path = tmp_path / "evil.pickle.pbz2"
    path.write_bytes(bz2.compress(stream))
    with pytest.raises(UnsafePickleError):
        list(iter_benchmark_file(path))


def test_truncated_and_garbage_files(tmp_path: Path, meta: list[str], states: list[bytes]) -> None:
    archs = {i: arch_state(states, i) for i in range(4)}
    raw = pickle.dumps(official(meta, archs), protocol=4)
    cut = tmp_path / "cut-bz2.pickle.pbz2"
    cut.write_bytes(bz2.compress(raw)[:-1000])
    short = tmp_path / "cut-pickle.pickle.pbz2"
    short.write_bytes(bz2.compress(raw[: len(raw) // 2]))
    garbage = tmp_path / "garbage.pickle.pbz2"
    garbage.write_bytes(b"BZh9" + os.urandom(5000))
    for path in (cut, short, garbage, tmp_path / "missing.pickle.pbz2"):
        with pytest.raises(CorruptSourceError) as info:
            list(iter_benchmark_file(path))
        assert str(path) in str(info.value) and info.value.path == path
    with pytest.raises(CorruptSourceError) as info:
        list(iter_benchmark_file(short))
    assert info.value.byte_offset is not None and info.value.byte_offset >= len(raw) // 2 - 9
    # A bad opcode in the middle of the stream: its offset is reported.
    bad = tmp_path / "bad-opcode.pickle.pbz2"
    at = raw.index(b"\x8c\x0dcifar10-valid")
    bad.write_bytes(bz2.compress(raw[:at] + b"\xff" + raw[at + 1 :]))
    with pytest.raises(CorruptSourceError, match="unsupported pickle opcode") as info:
        list(iter_benchmark_file(bad))
    assert info.value.byte_offset == at


def test_inconsistent_frame_length(tmp_path: Path, meta: list[str]) -> None:
    raw = bytearray(pickle.dumps(official(meta[:3], {0: OrderedDict(a={})}), protocol=4))
    assert raw[2] == 0x95  # FRAME: its 8-byte length follows
    end = raw.index(b"\x8c\x0btotal_archs") + 5  # the frame now ends inside this opcode
    raw[3:11] = struct.pack("<Q", end - 11)
    path = tmp_path / "frame.pickle.pbz2"
    path.write_bytes(bz2.compress(bytes(raw)))
    with pytest.raises(CorruptSourceError, match="straddles the end of its frame"):
        list(iter_benchmark_file(path))


def test_stopping_early_closes_the_file(
    tmp_path: Path, meta: list[str], states: list[bytes]
) -> None:
    path = write(
        tmp_path / "f.pickle.pbz2", official(meta, {i: arch_state(states, i) for i in range(3)})
    )
    events = iter_benchmark_file(path)
    assert next(events)[0] == "meta_archs"
    assert next(events)[0] == "arch"
    events.close()  # files closed: no ResourceWarning (warnings are errors here)
    del events
    gc.collect()


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ([1, 2, 3], "top level is a list"),
        ({"meta_archs": ["a"], "total_archs": 1}, "no 'arch2infos' key"),
        ({"arch2infos": [1]}, "'arch2infos' is a list"),
        ({"arch2infos": {"x": 1}}, "key 'x' is not an int"),
    ],
)
def test_not_a_benchmark_file(tmp_path: Path, obj: Any, message: str) -> None:
    path = write(tmp_path / "other.pickle.pbz2", obj)
    with pytest.raises(CorruptSourceError, match=message):
        list(iter_benchmark_file(path))


def test_meta_file_of_the_simple_archive_is_refused() -> None:
    path = DATA / "tss-meta.pickle.pbz2"  # a dict with 'arch2infos': None
    with pytest.raises(CorruptSourceError, match="'arch2infos' is a NoneType"):
        list(iter_benchmark_file(path))


def test_same_results_as_nats_bench(tmp_path: Path, meta: list[str], states: list[bytes]) -> None:
    """The official API gives the same answers on the file and on the streamed data."""
    nats_bench = pytest.importorskip("nats_bench")
    archs = {i: arch_state([states[0]], i) for i in (0, 11, 15624)}
    path = write(tmp_path / "NATS-tss-v1_0-3ffb9-full.pickle.pbz2", official(meta, archs))
    streamed: dict[str, Any] = {"arch2infos": {}}
    for kind, value in iter_benchmark_file(path):
        if kind == "arch":
            streamed["arch2infos"][value[0]] = value[1]
        else:
            streamed[kind] = value
    from_file = nats_bench.create(str(path), "tss", fast_mode=False, verbose=False)
    from_stream = nats_bench.create(streamed, "tss", fast_mode=False, verbose=False)
    for index in archs:
        for dataset in ("cifar10-valid", "cifar10", "cifar100", "ImageNet16-120"):
            for hp in ("12", "200"):
                expected = from_file.get_more_info(index, dataset, hp=hp, is_random=False)
                assert from_stream.get_more_info(index, dataset, hp=hp, is_random=False) == expected


def test_the_key_policy_comes_from_the_caller(tmp_path: Path) -> None:
    """Another layout: 'rows' streamed, str keys; nothing NATS-specific is left in the reader."""
    path = tmp_path / "rows.pickle"
    path.write_bytes(pickle.dumps({"header": 1, "rows": {"a": [1], "b": (2,)}}, protocol=4))
    rows = KeyPolicy("rows", "row", str, "a rows file")
    events = list(stream_pickle.iter_benchmark_file(path, rows))
    assert events == [("header", 1), ("row", ("a", [1])), ("row", ("b", (2,)))]
    with pytest.raises(CorruptSourceError, match="single-file benchmark: no 'arch2infos'"):
        list(iter_benchmark_file(path))
    path.write_bytes(pickle.dumps({"rows": {1: "x"}}, protocol=4))
    with pytest.raises(CorruptSourceError, match="rows key 1 is not a str"):
        list(stream_pickle.iter_benchmark_file(path, rows))
    path.write_bytes(pickle.dumps({"rows": [1]}, protocol=4))
    with pytest.raises(CorruptSourceError, match="not a rows file: 'rows' is a list"):
        list(stream_pickle.iter_benchmark_file(path, rows))
