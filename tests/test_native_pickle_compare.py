"""The native Rust pickle reader against Python's unpicklers, value for value.

Runs ``rust/core/examples/pickle_tool.rs`` (built by ``cargo test --release``, which
``make test`` runs first) and compares its canonical text (``tests/pickle_dump.py``) with
``pickle.loads`` and with ``nasbench_lite.safe_pickle`` on the real NATS-Bench fixture files,
on seeded random pickles (protocols 2-5) and on seeded mutants of them; refusals must agree in
kind (``UnsafePickleError`` vs ``CorruptSourceError``).
"""

from __future__ import annotations

import pickle
import random
import subprocess
from pathlib import Path

import pytest
from gen_pickle_corpus import random_value
from nasbench_lite._core.formats.safe_pickle import UnsafePickleError, load_path, loads
from nasbench_lite.errors import CorruptSourceError
from pickle_dump import dump

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "target" / "release" / "examples" / "pickle_tool"
NATS = sorted((Path(__file__).parent / "data" / "nats").glob("*.pickle.pbz2"))

#: Globals the native reader accepts and the reference does not (arrays, bytearray, protocol
#: 2's ``bytes()`` for ``b""``).
NATIVE_ONLY = {
    (module, name)
    for module in ("numpy.core.multiarray", "numpy._core.multiarray")
    for name in ("_reconstruct",)
} | {("numpy", "ndarray"), ("numpy.core.numeric", "_frombuffer")}
NATIVE_ONLY |= {("numpy._core.numeric", "_frombuffer")}
NATIVE_ONLY |= {(m, n) for m in ("builtins", "__builtin__") for n in ("bytes", "bytearray")}

pytestmark = pytest.mark.skipif(
    not TOOL.exists(), reason="pickle_tool not built (run cargo test --release first)"
)


def rust_dump_hex(pickles: list[bytes]) -> list[str]:
    """One ``ok <text>`` / ``err <class> <offset> <message>`` line per pickle."""
    stdin = "".join(data.hex() + "\n" for data in pickles)
    out = subprocess.run(
        [str(TOOL), "dump-hex"], input=stdin, capture_output=True, text=True, check=True
    )
    lines = out.stdout.splitlines()
    assert len(lines) == len(pickles)
    return lines


def python_outcome(data: bytes) -> str:
    """The reference's result in the tool's line format (offset and message left out)."""
    try:
        return "ok " + dump(loads(data, prescreen=False))
    except UnsafePickleError as exc:
        return "err unsafe native-only" if (exc.module, exc.name) in NATIVE_ONLY else "err unsafe"
    except CorruptSourceError:
        return "err corrupt"
    except TypeError:  # a value with no plain-data form (a bare dtype object)
        return "err corrupt"
    except (OverflowError, RecursionError, MemoryError):
        # Untyped escapes of the reference itself (issue #13; e.g. a huge FRAME length).
        return "err corrupt untyped"


def test_real_nats_files_match_safe_pickle() -> None:
    out = subprocess.run(
        [str(TOOL), "dump", *map(str, NATS)], capture_output=True, text=True, check=True
    )
    lines = out.stdout.splitlines()
    assert len(lines) == len(NATS) >= 4
    for path, line in zip(NATS, lines, strict=True):
        assert line == "ok " + dump(load_path(path, prescreen=False)), path.name


def test_random_pickles_match_pickle_loads_and_safe_pickle() -> None:
    rng = random.Random(14)
    values = [random_value(rng, 0, []) for _ in range(150)]
    pickles = [pickle.dumps(v, protocol=p) for v in values for p in (2, 3, 4, 5)]
    agreed_with_reference = 0
    for data, line in zip(pickles, rust_dump_hex(pickles), strict=True):
        assert line == "ok " + dump(pickle.loads(data))
        reference = python_outcome(data)
        if reference.startswith("ok"):
            assert line == reference
            agreed_with_reference += 1
        else:  # the reference refuses NumPy arrays and bytearray, which the native reader reads
            assert reference == "err unsafe native-only"
    assert agreed_with_reference > 300


def test_refusals_agree_in_kind() -> None:
    hostile = [
        b"\x80\x04cos\nsystem\n\x8c\x02id\x85R.",
        b"\x80\x04\x8c\x08builtins\x8c\x04eval\x93\x8c\x011\x85R.",
        b"\x80\x04cnumpy\nload\n.",
        b"\x80\x04Pid\n.",
        b"\x80\x04NQ.",
        b"\x80\x04\x8c\x01a",  # truncated
        b"\x80\x04h\x05.",  # memo miss
        b"\x80\x04}]K\x01s.",  # unhashable key
    ]
    for data, line in zip(hostile, rust_dump_hex(hostile), strict=True):
        kind = " ".join(line.split()[:2])
        assert kind == python_outcome(data), data


def _mutate(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randrange(1, 4)):
        at = rng.randrange(len(out))
        choice = rng.randrange(3)
        if choice == 0:
            out[at] ^= 1 << rng.randrange(8)
        elif choice == 1:
            out.insert(at, rng.choice(b"().0128NKhq\x94\x85\x86\x87tsuea}]\x93R"))
        else:
            del out[at]
    return bytes(out)


def test_mutants_native_accepts_only_what_python_accepts_equally() -> None:
    rng = random.Random(1314)
    seeds = [pickle.dumps(random_value(rng, 0, []), protocol=4) for _ in range(40)]
    seeds += [pickle.dumps({"k": (1, 2.5), "l": [None, "x"]}, protocol=p) for p in (2, 5)]
    mutants = [_mutate(rng, seed) for seed in seeds for _ in range(25)]
    agree = 0
    for data, line in zip(mutants, rust_dump_hex(mutants), strict=True):
        reference = python_outcome(data)
        if line.startswith("ok"):
            # Accepted natively: Python must read the same value (arrays/bytearray aside).
            if reference.startswith("ok"):
                assert line == reference, data.hex()
                agree += 1
            else:
                assert reference == "err unsafe native-only", (data.hex(), line[:200], reference)
        else:
            assert line.split()[1] in ("unsafe", "corrupt"), line
    assert agree > 0
