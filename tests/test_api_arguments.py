"""Every public function and method of the native APIs raises only NasbenchLiteError (#13).

Hypothesis draws arguments of every shape (huge ints, lone surrogates, NaN, bytes, nested
containers, wrong types, arrays of odd shapes and dtypes, real database paths) for the public
methods of the nb101, nats and nashpobench2 readers, for ``nasbench_lite.open``, and for every
function and class named in the ``__all__`` of a public module (found by walking the package,
so new ones are covered without editing this file); any exception that escapes must be a
``NasbenchLiteError``. ``NASBENCH_LITE_PROPERTY_EXAMPLES`` sets the examples per function.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import inspect
import os
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import kind_dbs
import nasbench_lite
import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from nasbench_lite.compat import _alias as compat_alias
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


@pytest.mark.parametrize("kind", ["nb101", "nats", "nashpobench2"])
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(key=ARGUMENTS)
def test_reader_indexing_raises_only_typed_errors(
    readers: dict[str, Any], kind: str, key: Any
) -> None:
    """``api[i]`` (NAS-HPO-Bench-II, NATS): out of range and wrong keys are typed (#13 found a
    bare ``IndexError``); readers without ``__getitem__`` are skipped."""
    reader = readers[kind]
    if not hasattr(type(reader), "__getitem__"):
        pytest.skip(f"{kind} reader has no __getitem__")
    _call(lambda k: reader[k], [key], f"{kind}[]")
    for edge in (len(reader), -len(reader) - 1, 2**63, 2**70):
        with pytest.raises(NasbenchLiteError):
            reader[edge]


@settings(max_examples=60, deadline=None)
@given(arg=ARGUMENTS)
def test_open_raises_only_typed_errors(arg: Any) -> None:
    with contextlib.suppress(NasbenchLiteError):
        nasbench_lite.open(arg).close()


def test_open_on_a_directory_and_missing_paths(tmp_path: Path) -> None:
    for arg in (tmp_path, tmp_path / "missing.sqlite", "", "\x00", "a" * 5000):
        with pytest.raises(NasbenchLiteError):
            nasbench_lite.open(arg)


# --------------------------------------------------------------------------------------------
# Module-level public functions and constructors, discovered from ``__all__``.


#: Modules left out, and why. The compat mirrors (``nasbench_lite.compat.<official>``) raise
#: what the official packages raise (their own tests compare exception classes with the
#: originals); the CLI reports through exit codes (tests/test_hostile_cli.py); the modules of
#: ``benchmarks/<kind>/`` are the implementation the facades re-export, except the builders.
def _is_public_module(name: str) -> bool:
    parts = name.split(".")[1:]
    if any(part.startswith("_") for part in parts):
        return False
    if parts[:1] == ["compat"] and len(parts) > 1:
        return False
    if parts[:1] == ["cli"]:
        return False
    return not (parts[:1] == ["benchmarks"] and parts[-1] != "build")


def public_modules() -> list[str]:
    """``nasbench_lite`` and every public module below it (new modules are found here)."""
    found = ["nasbench_lite"]
    for info in pkgutil.walk_packages(nasbench_lite.__path__, "nasbench_lite."):
        if _is_public_module(info.name):
            found.append(info.name)
    return found


#: Work that legitimately grows with the argument: whole-space enumerations of NB101 take
#: seconds to a minute at 6-7 vertices (their defaults), and the space builders take only an
#: output path and build the whole space. They are called with arguments that bound the
#: work (see ``_bounded``); hostile outputs of the space builders are in
#: ``test_space_builders_refuse_hostile_outputs``.
_WHOLE_SPACE = {"enumerate_cells", "space_chunks"}
_SPACE_BUILDERS = {"build_nb101_space", "build_nats_space"}


#: Classes the APIs return, not meant to be built by callers: records of a reader's answers
#: (``ArchRecord``, ``TrialRecord``), a typing Protocol (``Chooser``), result containers.
RESULT_TYPES = {"ArchRecord", "TrialRecord", "Chooser", "CostArrays"}


def public_callables() -> list[tuple[str, Callable[..., Any]]]:
    """``(module.name, object)`` for every function and class named in a public ``__all__``.

    Exceptions, dataclass records (plain value holders) and :data:`RESULT_TYPES` are left out;
    a name re-exported by several modules is listed once, under the first module naming it.
    """
    seen: set[int] = set()
    found = []
    for module_name in public_modules():
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            if not callable(value) or id(value) in seen or name in _SPACE_BUILDERS:
                continue
            if ".benchmarks." in module_name and not name.startswith("build_"):
                continue  # a builder module's helpers serve the builder, not callers
            if name in RESULT_TYPES:
                continue
            if inspect.isclass(value) and (
                issubclass(value, BaseException) or dataclasses.is_dataclass(value)
            ):
                continue
            seen.add(id(value))
            found.append((f"{module_name}.{name}", value))
    return found


def _relative(text: str | bytes) -> bool:
    """No absolute or parent-relative path: builders and exports may write what they get."""
    start = text[:1] if isinstance(text, str) else text[:1].decode("latin-1")
    return start not in ("/", "~") and (".." not in str(text))


TSS_ARCH = (
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|"
    "+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
)
PATH_SCALARS = st.one_of(
    st.text(max_size=12).filter(_relative),
    st.binary(max_size=8).filter(_relative),
    st.sampled_from(["\udc80", "cifar10", "12", "200", "x-valid", "ori-test", "train", "", "."]),
    st.sampled_from([TSS_ARCH, "8:16:24:32:40", "0123", "input,output", "out", "out.sqlite"]),
)
NUMERIC_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, 2, 3, 5, -1, 2**31, 2**63, -(2**63) - 1, 10**400]),
    st.floats(allow_nan=True, allow_infinity=True),
)


def _arrays() -> st.SearchStrategy[Any]:
    import numpy as np

    shapes = st.sampled_from([(7, 7), (2, 7, 7), (1, 3, 3), (0, 7, 7), (3,), (2, 2, 3), ()])
    dtypes = st.sampled_from([np.int8, np.uint8, np.int64, np.float64, np.bool_, object, "U3"])
    fills = st.sampled_from([0, 1, -1, 2, 2**40])

    def make(shape: tuple[int, ...], dtype: Any, fill: int) -> Any:
        try:
            return np.full(shape, fill).astype(dtype)
        except (OverflowError, ValueError):
            return np.zeros(shape, dtype=dtype)

    return st.builds(make, shapes, dtypes, fills)


def public_arguments(paths: list[str]) -> st.SearchStrategy[Any]:
    """Scalars, arrays, real database paths and relative strings, nested up to 6 leaves."""
    leaves = st.one_of(
        NUMERIC_SCALARS, PATH_SCALARS, _arrays(), st.sampled_from(paths or ["out.sqlite"])
    )
    return st.recursive(
        leaves,
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.tuples(inner, inner)
            | st.dictionaries(st.text(max_size=4), inner, max_size=2)
        ),
        max_leaves=6,
    )


def _bounded(name: str, args: list[Any], kwargs: dict[str, Any]) -> bool:
    """False for calls that would legitimately enumerate a large space (see _WHOLE_SPACE)."""
    if name.rsplit(".", 1)[-1] not in _WHOLE_SPACE:
        return True
    vertices = args[0] if args else kwargs.get("max_vertices", 7)
    return not (isinstance(vertices, int) and 6 <= vertices <= 7)


def _keyword_only(function: Callable[..., Any]) -> list[str]:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return []
    return [p.name for p in parameters if p.kind is p.KEYWORD_ONLY]


def _arity(function: Callable[..., Any]) -> tuple[int, int]:
    try:
        return arity(function)
    except (TypeError, ValueError):  # no signature (a native class): one or two arguments
        return 0, 2


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A scratch working directory holding copies of small databases of three kinds."""
    folder = tmp_path_factory.mktemp("public-args")
    paths = [
        kind_dbs.small_nb101(folder),
        kind_dbs.small_nats(folder),
        kind_dbs.small_nashpobench2(folder),
    ]
    before = {path: path.read_bytes() for path in paths}
    previous = os.getcwd()
    os.chdir(folder)
    try:
        yield folder, [path.name for path in paths]
    finally:
        os.chdir(previous)
        compat_alias.uninstall()
    for path, data in before.items():  # nothing a call did may change a database it was given
        assert path.read_bytes() == data, path


PUBLIC = public_callables()


def test_public_callables_are_discovered() -> None:
    names = {label.rsplit(".", 1)[-1] for label, _ in PUBLIC}
    # A sample from each facade: the list itself comes from ``__all__``.
    for expected in (
        "open",
        "sql",
        "hash_graph",
        "encode_many",
        "parse_arch",
        "ops_of",
        "export_database",
        "run_sql",
        "verify_file",
        "build_nb101",
        "install",
    ):
        assert expected in names, expected
    assert len(PUBLIC) > 60


@pytest.mark.parametrize("label,function", PUBLIC, ids=[label for label, _ in PUBLIC])
@settings(
    max_examples=int(os.environ.get("NASBENCH_LITE_PROPERTY_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: the message has it
)
@given(data=st.data())
def test_public_functions_raise_only_typed_errors(
    workdir: Any, label: str, function: Callable[..., Any], data: st.DataObject
) -> None:
    _, paths = workdir
    arguments = public_arguments(paths)
    low, high = _arity(function)
    args = data.draw(st.lists(arguments, min_size=low, max_size=min(high, 4)), label="args")
    kwargs = {}
    for name in _keyword_only(function):
        if data.draw(st.booleans(), label=f"pass {name}"):
            kwargs[name] = data.draw(arguments, label=name)
    assume(_bounded(label, args, kwargs))
    try:
        result = function(*args, **kwargs)
        if hasattr(result, "close"):
            result.close()
    except NasbenchLiteError:
        pass
    except Exception as exc:  # noqa: BLE001 -- the property under test
        raise AssertionError(
            f"{label}(*{tuple(args)!r:.300}, **{kwargs!r:.200}) raised "
            f"{type(exc).__name__}: {exc!s:.300}"
        ) from exc
    finally:
        compat_alias.uninstall()


@pytest.mark.parametrize("name", sorted(_SPACE_BUILDERS))
def test_space_builders_refuse_hostile_outputs(tmp_path: Path, name: str) -> None:
    from nasbench_lite.benchmarks.nats_space.build import build_nats_space
    from nasbench_lite.benchmarks.nb101_space.build import build_nb101_space

    build = {"build_nb101_space": build_nb101_space, "build_nats_space": build_nats_space}[name]
    existing = tmp_path / "exists.sqlite"
    existing.write_bytes(b"keep")
    for output in (tmp_path, existing, "\x00", "\udc80", 12, None, b"\xff/x", tmp_path / "a" / "b"):
        with pytest.raises(NasbenchLiteError):
            build(output)
    for progress in (5, "x"):
        with pytest.raises(NasbenchLiteError):
            build(tmp_path / "new.sqlite", progress=progress)
    assert existing.read_bytes() == b"keep"
