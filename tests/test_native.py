"""The native boundary: panics become exceptions, kernels and stubs agree."""

from __future__ import annotations

import subprocess
import sys

import pytest
from nasbench_lite import _native
from nasbench_lite.errors import InternalError, NasbenchLiteError


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


def test_embedded_schemas() -> None:
    for name in ("nb101_space", "nb101"):
        assert "CREATE TABLE meta" in _native.sql_schema(name)
    with pytest.raises(ValueError):
        _native.sql_schema("nope")
