"""Every public function and method of the native APIs raises only NasbenchLiteError (#13).

Hypothesis draws arguments of every shape (huge ints, lone surrogates, NaN, bytes, nested
containers, wrong types) for the public methods of the nb101, nats and nashpobench2 readers and
for ``nasbench_lite.open``; any exception that escapes must be a ``NasbenchLiteError``.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import kind_dbs
import nasbench_lite
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nasbench_lite.errors import NasbenchLiteError

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, -1, 2**63, -(2**63) - 1, 10**400]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["\udc80", "cifar10", "12", "200", "x-valid", "ori-test", "train", ""]),
    st.binary(max_size=8),
)
ARGUMENTS = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner), max_leaves=6
)

#: Methods that legitimately take no arguments from us or would run for long.
SKIP = {"close", "reset_budget_counters", "clear_cache"}


@pytest.fixture(scope="module")
def readers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("api-args")
    paths = {
        "nb101": kind_dbs.small_nb101(folder),
        "nats": kind_dbs.small_nats(folder),
        "nashpobench2": kind_dbs.small_nashpobench2(folder),
    }
    return {kind: nasbench_lite.open(path) for kind, path in paths.items()}


def arity(function: Callable[..., Any]) -> tuple[int, int]:
    """(required, total) positional parameters: calls with the wrong count are not drawn."""
    params = [
        p
        for p in inspect.signature(function).parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    return sum(p.default is p.empty for p in params), len(params)


def _methods(reader: Any) -> list[tuple[str, Callable[..., Any]]]:
    found = []
    for name in sorted(dir(type(reader))):
        if name.startswith("_") or name in SKIP:
            continue
        member = getattr(reader, name)
        if callable(member) and not inspect.isclass(member):
            found.append((name, member))
    return found


def _call(function: Callable[..., Any], args: list[Any], label: str) -> None:
    try:
        function(*args)
    except NasbenchLiteError:
        pass
    except Exception as exc:  # noqa: BLE001 -- the property under test
        raise AssertionError(
            f"{label}{tuple(args)!r:.300} raised {type(exc).__name__}: {exc!s:.300}"
        ) from exc


@pytest.mark.parametrize("kind", ["nb101", "nats", "nashpobench2"])
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_reader_methods_raise_only_typed_errors(
    readers: dict[str, Any], kind: str, data: st.DataObject
) -> None:
    reader = readers[kind]
    for name, method in _methods(reader):
        low, high = arity(method)
        args = data.draw(st.lists(ARGUMENTS, min_size=low, max_size=min(high, 4)), label=name)
        _call(method, args, f"{kind}.{name}")


@settings(max_examples=60, deadline=None)
@given(arg=ARGUMENTS)
def test_open_raises_only_typed_errors(arg: Any) -> None:
    with contextlib.suppress(NasbenchLiteError):
        nasbench_lite.open(arg).close()


def test_open_on_a_directory_and_missing_paths(tmp_path: Path) -> None:
    for arg in (tmp_path, tmp_path / "missing.sqlite", "", "\x00", "a" * 5000):
        with pytest.raises(NasbenchLiteError):
            nasbench_lite.open(arg)
