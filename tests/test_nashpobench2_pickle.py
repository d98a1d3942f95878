"""The restricted unpickler (``nasbench_lite._core.formats.safe_pickle``) that reads the official
pickles.

Plain data and NumPy scalars load exactly; any other global is refused before it is looked up,
so a malicious file runs nothing (checked with live payloads that would leave a marker file).
"""

from __future__ import annotations

import os
import pickle
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from nasbench_lite._core.formats.safe_pickle import UnsafePickleError, load_path, loads
from nasbench_lite.errors import CorruptSourceError, NasbenchLiteError

PLAIN = {
    "hash": {"0|10|210": "5f3a", "0|00|000": 17},
    ("h", 0.1, 256, 222): [1.5, -0.0, float("inf"), None, True, b"\x00\xff", "é"],
    "nested": ({1, 2}, frozenset({"a"}), (1, (2, (3,)))),
    "big": 2**70,
}


@pytest.mark.parametrize("protocol", range(0, pickle.HIGHEST_PROTOCOL + 1))
def test_plain_data_round_trips(protocol: int) -> None:
    assert loads(pickle.dumps(PLAIN, protocol=protocol)) == PLAIN


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_numpy_scalars_become_python_scalars(protocol: int) -> None:
    values = {
        "f8": np.float64(0.1),
        "f4": np.float32(1.25),
        "i8": np.int64(-(2**40)),
        "u1": np.uint8(255),
        "b1": np.bool_(True),
        "be": np.dtype(">f8").type(3.5),
    }
    loaded = loads(pickle.dumps(values, protocol=protocol))
    assert loaded == {k: v.item() for k, v in values.items()}
    assert type(loaded["f8"]) is float and type(loaded["i8"]) is int
    key = (np.str_("h"), np.float64(0.025), np.int64(64))
    assert loads(pickle.dumps({key: 1.0}, protocol=protocol)) == {("h", 0.025, 64): 1.0}


class Payload:
    def __init__(self, target: Any, args: tuple[Any, ...]) -> None:
        self.target, self.args = target, args

    def __reduce__(self) -> tuple[Any, ...]:
        return (self.target, self.args)


def payloads(marker: Path) -> list[Any]:
    import builtins

    return [
        Payload(os.system, (f"touch {marker}",)),
        Payload(subprocess.call, (["touch", str(marker)],)),
        Payload(builtins.exec, (f"open({str(marker)!r}, 'w').close()",)),
        Payload(builtins.eval, (f"open({str(marker)!r}, 'w')",)),
    ]


@pytest.mark.parametrize("index", range(4))
@pytest.mark.parametrize("protocol", [0, 2, 4])
def test_code_in_a_pickle_never_runs(tmp_path: Path, index: int, protocol: int) -> None:
    marker = tmp_path / "pwned"
    data = pickle.dumps({"hash": {"0|00|000": payloads(marker)[index]}}, protocol=protocol)
    with pytest.raises(UnsafePickleError, match="not plain data") as info:
        loads(data)
    error = info.value
    assert isinstance(error, CorruptSourceError) and isinstance(error, NasbenchLiteError)
    assert isinstance(error, ValueError)
    assert error.name in {"system", "call", "exec", "eval"}
    assert not marker.exists()
    # Same bytes through the plain unpickler: the payload is live (for the two that only
    # need the call to happen), which is what the test above proves did not happen.
    if index == 0:
        pickle.loads(data)
        assert marker.exists()


def test_refused_global_named_with_path(tmp_path: Path) -> None:
    path = tmp_path / "bench12.pkl"
    path.write_bytes(pickle.dumps({"x": Path("/etc")}))
    with pytest.raises(
        UnsafePickleError, match=r"bench12\.pkl: pickle refers to pathlib\."
    ) as info:
        load_path(path)
    assert info.value.path == path and info.value.module == "pathlib"


def test_numpy_other_than_scalars_is_refused() -> None:
    with pytest.raises(UnsafePickleError, match="numpy"):
        loads(pickle.dumps(np.arange(3)))
    with pytest.raises(CorruptSourceError, match="unsupported NumPy (scalar )?dtype"):
        loads(pickle.dumps(np.complex128(1j)))


def test_persistent_ids_are_refused() -> None:
    import io

    class Persisting(pickle.Pickler):
        def persistent_id(self, obj: Any) -> Any:
            return "ext" if obj == "secret" else None

    buffer = io.BytesIO()
    Persisting(buffer).dump({"a": "secret"})
    with pytest.raises(UnsafePickleError, match="persistent id"):
        loads(buffer.getvalue())


@pytest.mark.parametrize(
    "data",
    [b"", b"\x80\x04", pickle.dumps({"a": 1})[:-3], b"not a pickle", b"\x80\x04K"],
)
def test_malformed_streams(data: bytes) -> None:
    with pytest.raises(CorruptSourceError):
        loads(data)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CorruptSourceError, match="cannot read") as info:
        load_path(tmp_path / "nope.pkl")
    assert info.value.path == tmp_path / "nope.pkl"
