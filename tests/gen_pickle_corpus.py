"""Writes ``tests/data/pickle/corpus.jsonl``: Python-made pickles for the Rust tests.

Each line is ``{"name", "protocol", "pickle": hex, "dump": canonical text (tests/pickle_dump.py)
of pickle.loads(...), "reference": same for nasbench_lite.safe_pickle.loads, or null when the
reference refuses the pickle (arrays, bytearray)}``. Hand-picked values and seeded random
nested values (NumPy scalars and arrays, OrderedDict, sets, shared references, big ints,
surrogates), at protocols 2 to 5.

Run: ``PYTHONHASHSEED=0 .venv/bin/python tests/gen_pickle_corpus.py`` (needs numpy): byte-identical
output for a seed (set iteration order depends on the str hash seed).
"""

from __future__ import annotations

import collections
import json
import pickle
import random
import sys
from pathlib import Path
from typing import Any

import numpy as np
from pickle_dump import dump

OUT = Path(__file__).resolve().parent / "data" / "pickle" / "corpus.jsonl"
SCALAR_DTYPES = ["f8", "f4", "i8", "i4", "i2", "i1", "u8", "u4", "u2", "u1", "b1"]
ARRAY_DTYPES = [*SCALAR_DTYPES, ">i4", ">f8", "<U3", "S4"]


def fixed_values() -> dict[str, Any]:
    """Hand-picked values covering each construct."""
    shared = (1, "x")
    return {
        "scalars": [None, True, False, 0, 255, 256, 65535, 65536, -1, 2**31 - 1, -(2**31)],
        "i64_edges": [2**63 - 1, -(2**63), 2**63, -(2**63) - 1, 2**64, 2**200, -(2**200)],
        "floats": [0.0, -0.0, 1.5, float("inf"), float("-inf"), 1e-310, float("nan")],
        "strings": ["", "a", "é", "日本", "\U0001f600", "x" * 300, "\ud800", "a\udfffb"],
        "bytes": [b"", b"\x00\xff", bytes(range(256)), bytearray(b"ab"), bytearray()],
        "containers": ((), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4), [], {}, {"k": [1, {2: 3}]}),
        "sets": [set(), {1, "a", (2, 3)}, frozenset(), frozenset({b"q", 2.5})],
        "ordered": collections.OrderedDict([("b", 1), ("a", collections.OrderedDict())]),
        "shared": [shared, shared, {"t": shared}],
        "np_scalars": [np.dtype(c).type(1) for c in SCALAR_DTYPES]
        + [np.float64(0.802426), np.float32(-3.25), np.uint64(2**64 - 1), np.int64(-(2**63))]
        + [np.str_("ab"), np.str_(""), np.bytes_(b"xy"), np.bool_(False)],
        "np_arrays": [
            np.arange(6, dtype="f8").reshape(2, 3),
            np.asfortranarray(np.arange(6, dtype="i4").reshape(2, 3)),
            np.arange(12, dtype=">i4").reshape(3, 4)[:, ::2],
            np.array(5.0),
            np.zeros((0, 3), dtype="u2"),
            np.array(["a", "bcd"], dtype="<U3"),
            np.array([True, False]),
        ],
        "np_dtypes": [np.dtype("f8"), np.dtype(">i2")],
        "nats_like": collections.OrderedDict(
            [("12", {"params": np.float64(0.5), "latency": [np.float64(0.01)], "epochs": 12})]
        ),
    }


def random_value(rng: random.Random, depth: int, pool: list[Any]) -> Any:
    """A random nested value; shares earlier values from ``pool`` now and then."""
    if pool and rng.random() < 0.08:
        return rng.choice(pool)
    kind = rng.randrange(12 if depth < 4 else 6)
    if kind == 0:
        value: Any = rng.choice(
            [None, True, False, 0, -5, 2**62, -(2**70), 2**63 + rng.randrange(99)]
        )
    elif kind == 1:
        value = rng.choice([rng.uniform(-1e6, 1e6), rng.random(), float(rng.randrange(-9, 9))])
    elif kind == 2:
        alphabet = "abcé日\U0001f600\0"
        value = "".join(rng.choice(alphabet) for _ in range(rng.randrange(8)))
    elif kind == 3:
        value = bytes(rng.randrange(256) for _ in range(rng.randrange(12)))
    elif kind == 4:
        code = rng.choice(SCALAR_DTYPES)
        if code == "b1":
            value = np.bool_(rng.random() < 0.5)
        elif code[0] == "f":
            value = np.dtype(code).type(rng.uniform(-100, 100))
        else:
            info = np.iinfo(code)
            value = np.dtype(code).type(rng.randint(int(info.min), int(info.max)))
    elif kind == 5:
        value = rng.choice([np.str_("ab"[: rng.randrange(3)]), np.bytes_(b"z" * rng.randrange(3))])
    elif kind in (6, 7):
        items = [random_value(rng, depth + 1, pool) for _ in range(rng.randrange(5))]
        value = items if kind == 6 else tuple(items)
    elif kind == 8:
        keys = [
            rng.choice(["a", "b", "c", 1, 2, 2.5, (1, "x"), b"k"]) for _ in range(rng.randrange(5))
        ]
        cls = dict if rng.random() < 0.6 else collections.OrderedDict
        value = cls((k, random_value(rng, depth + 1, pool)) for k in keys)
    elif kind == 9:
        items = {rng.choice([1, 2, "s", (3, 4), 5.5, b"b"]) for _ in range(rng.randrange(4))}
        value = items if rng.random() < 0.5 else frozenset(items)
    elif kind == 10:
        code = rng.choice(ARRAY_DTYPES)
        shape = tuple(rng.randrange(4) for _ in range(rng.randrange(4)))
        raw = np.frombuffer(rng.randbytes(int(np.prod(shape)) * np.dtype(code).itemsize), "u1")
        if code[-2] == "U":  # valid code points only
            raw = np.full(raw.size // 4, ord("a"), dtype="<u4").view("u1")
        value = raw.view(code).reshape(shape)
        if value.ndim == 2 and rng.random() < 0.4:
            value = np.asfortranarray(value) if rng.random() < 0.5 else value[:, ::2]
    else:
        value = bytearray(rng.randbytes(rng.randrange(6)))
    pool.append(value)
    return value


def reference_dump(data: bytes) -> str | None:
    """The canonical text of ``nasbench_lite.safe_pickle.loads``, or None if it refuses."""
    from nasbench_lite._core.formats.safe_pickle import loads as safe_loads
    from nasbench_lite.errors import CorruptSourceError

    try:
        return dump(safe_loads(data))
    except (CorruptSourceError, TypeError):  # refused, or not plain data (a dtype object)
        return None


def main(seed: int = 20261201, count: int = 120) -> None:
    rng = random.Random(seed)
    rows = []
    cases = list(fixed_values().items())
    cases += [(f"random{i}", random_value(rng, 0, [])) for i in range(count)]
    for name, value in cases:
        for protocol in (2, 3, 4, 5):
            data = pickle.dumps(value, protocol=protocol)
            text = dump(pickle.loads(data))
            rows.append(
                {
                    "name": name,
                    "protocol": protocol,
                    "pickle": data.hex(),
                    "dump": text,
                    "reference": reference_dump(data),
                }
            )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")
    print(f"wrote {len(rows)} pickles to {OUT}")


if __name__ == "__main__":
    # Run as a script from a source tree: read nasbench_lite from it (tests import it installed).
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
    main()
