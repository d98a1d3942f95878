"""Issue #13's hostile pickles against every reader, each in a resource-capped child process.

Each case runs ``tests/hostile_child.py`` (``RLIMIT_AS`` 3 GiB, ``RLIMIT_CPU`` 60 s) with one
reader: the native reader (bytes, files), the Python reference (``safe_pickle``), the NATS
single-file streaming reader, and the NATS (archive per-arch file, meta file, single file) and
NAS-HPO-Bench-II builders. Every run must exit normally (no segfault, no CPU-limit kill) with a
typed ``NasbenchLiteError`` (or a correct result where the input is valid data) and a peak RSS
far below what the unbounded readers used (1.85-2.1 GB).
"""

from __future__ import annotations

import bz2
import json
import subprocess
import sys
from pathlib import Path

import pytest

CHILD = Path(__file__).parent / "hostile_child.py"
PEAK_RSS_KIB = 400 << 10  # the unbounded readers reached 553 MB - 2.1 GB on these inputs

PICKLE_READERS = ("native", "native_file", "safe_pickle", "stream")
BUILDERS = ("nats_build_arch", "nats_build_meta", "nats_build_file", "nhb2_bench12.pkl")

_ZEROS_16M = bz2.compress(b"\0" * (16 << 20))  # 45 bytes; bz2 streams concatenate


def _binbytes8_of_zeros(size: int) -> bytes:
    """A bz2 pickle of one ``size``-byte bytes object of zeros, as concatenated bz2 streams."""
    head = bz2.compress(b"\x80\x04\x8e" + size.to_bytes(8, "little"))
    assert size % (16 << 20) == 0
    return head + _ZEROS_16M * (size // (16 << 20)) + bz2.compress(b".")


def _cases() -> dict[str, bytes]:
    deep = bz2.compress(b"\x80\x02}" + b")" + b"\x85" * (1 << 23) + b"Ns.")
    assert len(deep) < 80  # the 65-byte segfault of issue #13
    big = _binbytes8_of_zeros(256 << 20)
    assert len(big) < 1000
    # The quadratic single-file input: a long argument the stream reader used to buffer by
    # re-concatenating every 256 KiB block (100 bytes: 14.5 s; 232 bytes: > 150 s).
    long_str = bz2.compress(
        b"\x80\x04}\x8c\x0ameta_archs\x8d" + (15 << 20).to_bytes(8, "little") + b"a" * (15 << 20)
    )
    return {
        "deep_tuples_key": deep,
        "deep_lists": bz2.compress(b"\x80\x04" + b"]" * 2_000_000 + b"a" * 1_999_999 + b"."),
        "bz2_bomb_2GiB": _binbytes8_of_zeros(2 << 30),
        "long_binput_2_27": b"\x80\x04K\x01r\x00\x00\x00\x08j\x00\x00\x00\x08\x86.",
        "bytes_256MiB": big,
        "quadratic_long_str": long_str,
        "huge_int": b"\x80\x04\x8b" + (1 << 30).to_bytes(4, "little") + b"\x01" * 64,
    }


CASES = _cases()
#: Inputs that are valid plain data: the pickle-level readers may return them.
VALID_DATA = {"long_binput_2_27"}


def _run(reader: str, path: Path) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, str(CHILD), reader, str(path)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert out.returncode == 0, (reader, path.name, out.returncode, out.stderr[-2000:])
    result: dict[str, object] = json.loads(out.stdout.splitlines()[-1])
    return result


@pytest.mark.parametrize("reader", PICKLE_READERS + BUILDERS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_input_is_refused_typed_and_bounded(tmp_path: Path, case: str, reader: str) -> None:
    path = tmp_path / f"{case}.pickle.pbz2"
    path.write_bytes(CASES[case])
    result = _run(reader, path)
    if case in VALID_DATA and reader in ("native", "native_file", "safe_pickle"):
        assert result["outcome"] == "ok", result
    else:
        assert result["outcome"] == "typed", result
    assert isinstance(result["peak_kib"], int) and result["peak_kib"] < PEAK_RSS_KIB, result


def test_stream_buffering_is_linear(tmp_path: Path) -> None:
    # A 32 MiB string read in 1 KiB blocks: linear buffering reads it at once; the old one
    # (each block appended to the buffer, copying it again) exceeds the child's CPU limit.
    size = 32 << 20
    path = tmp_path / "long.pickle.pbz2"
    path.write_bytes(
        bz2.compress(
            b"\x80\x04}\x8c\x0ameta_archs\x8d" + size.to_bytes(8, "little") + b"a" * size + b"s."
        )
    )
    result = _run("stream_small_blocks", path)
    assert result["outcome"] == "typed", result  # read through, then: no 'arch2infos'
