"""Argument checks from type hints: a wrong type is an ``InvalidInputError`` naming the parameter.

:func:`checked` wraps a public function so that, when a call fails with a builtin error
(``TypeError``, ``AttributeError``, ``OverflowError``...), every argument is compared with
its annotation (a builtin error that no annotation explains is still reported as an
``InvalidInputError`` naming the function). Understood: plain classes, ``None``, unions,
``Literal``, ``Callable`` and the container ABCs, element types one level deep; other
annotations are accepted as they are. :class:`~nasbench_lite._core.reader.ReaderBase` applies
it to the public methods of every reader, so a caller's ``TypeError``/``AttributeError`` from
deep inside a query becomes one typed error at the door.
"""

from __future__ import annotations

import collections.abc as cabc
import functools
import types

from nasbench_lite.errors import InvalidInputError, NasbenchLiteError, echo

# Wrapping happens when reader classes are created, on the cold path of a first query:
# typing and inspect are imported only when a call has failed and its arguments are checked
# (typing.TYPE_CHECKING without importing typing).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import inspect
    from collections.abc import Callable
    from typing import Any, NoReturn, TypeVar

    F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["check_public", "checked", "matches"]

_UNCHECKED = object()

#: Builtin errors a wrong argument provokes deep inside a call.
_BUILTIN_ERRORS = (
    TypeError,
    AttributeError,
    ValueError,
    KeyError,
    IndexError,
    OverflowError,
    UnicodeError,
)


def matches(value: Any, hint: Any) -> bool:
    """Whether ``value`` fits the type hint ``hint`` (unknown hints always fit).

    Args:
        value: Any value.
        hint: A resolved annotation.

    Returns:
        True when it fits.
    """
    import typing

    if hint is typing.Any or hint is _UNCHECKED or isinstance(hint, typing.TypeVar):
        return True
    if hint is None or hint is type(None):
        return value is None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union or origin is types.UnionType:
        return any(matches(value, a) for a in args)
    if origin is typing.Literal:
        return any(value == a and type(value) is type(a) for a in args)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    if origin is cabc.Callable:
        return callable(value)
    if origin is not None and isinstance(origin, type):
        if not isinstance(value, origin):
            return False
        if isinstance(value, str | bytes) and origin in (cabc.Sequence, cabc.Iterable):
            return bool(args) and args[0] is str
        if isinstance(value, cabc.Sequence) and args and origin is not tuple:
            return all(matches(v, args[0]) for v in value[:64])
        return True
    if isinstance(hint, type):
        try:
            return isinstance(value, hint)
        except TypeError:  # a Protocol that is not runtime-checkable
            return True
    return True


def _hints(function: Callable[..., Any]) -> dict[str, Any]:
    import typing

    try:
        return typing.get_type_hints(function)
    except NameError:
        pass
    # Names a module imports only for type checking: those of typing, the container ABCs and
    # os resolve to themselves (the module's own names first), any other (a TypeVar, a class
    # of an optional package) to Any, i.e. unchecked.
    namespace: dict[str, Any] = {"os": __import__("os")}
    namespace.update((name, getattr(typing, name)) for name in typing.__all__)
    namespace.update((name, getattr(cabc, name)) for name in cabc.__all__)
    # The defining module's names: those of the function a wrapper wraps (see raise_checked).
    source = function
    while hasattr(source, "__wrapped__"):
        source = source.__wrapped__
    namespace.update(getattr(source, "__globals__", {}))
    try:
        return typing.get_type_hints(
            function, globalns=namespace, localns=_AnyForUnknown(namespace)
        )
    except Exception:  # noqa: BLE001 -- e.g. an attribute of such a name: check nothing
        return {}


class _AnyForUnknown(dict):  # type: ignore[type-arg]
    """Local namespace of :func:`_hints` (names are looked up here first): the namespace's
    names, then the builtins, and ``Any`` for a name found nowhere."""

    def __missing__(self, name: str) -> Any:
        import builtins
        import typing

        return getattr(builtins, name, typing.Any)


def _describe(hint: Any) -> str:
    text = getattr(hint, "__name__", None) or str(hint).replace("typing.", "")
    return str(text)


def checked(function: F) -> F:
    """Wraps ``function`` so arguments that do not fit its annotations raise InvalidInputError.

    Args:
        function: A function or method with type hints.

    Returns:
        The wrapped function (same signature and docstring).
    """
    hints: dict[str, Any] | None = None
    signature: inspect.Signature | None = None

    def argument_error(args: tuple[Any, ...], kwargs: dict[str, Any]) -> InvalidInputError | None:
        nonlocal hints, signature
        if hints is None:
            hints = _hints(function)
        if signature is None:
            import inspect

            signature = inspect.signature(function)
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as exc:
            return InvalidInputError(f"{function.__qualname__}(): {exc}")
        for name, value in bound.arguments.items():
            if name == "self":
                continue
            parameter = signature.parameters[name]
            hint = hints.get(name, _UNCHECKED)
            values = value if parameter.kind is parameter.VAR_POSITIONAL else (value,)
            if parameter.kind is parameter.VAR_KEYWORD:
                values = tuple(value.values())
            for item in values:
                if not matches(item, hint):
                    return InvalidInputError(
                        f"{function.__qualname__}(): {name} must be {_describe(hint)}, "
                        f"got {type(item).__name__} {echo(item)}"
                    )
                if isinstance(item, str) and _has_surrogate(item):
                    return InvalidInputError(
                        f"{function.__qualname__}(): {name} is not valid Unicode "
                        f"(lone surrogate) {echo(item)}"
                    )
                if isinstance(item, int) and not -(2**63) <= item < 2**63:
                    return InvalidInputError(
                        f"{function.__qualname__}(): {name} is out of range {echo(item)}"
                    )
        return None

    # The check runs only when the call fails with a builtin error: the happy path costs
    # nothing, and a failure caused by a wrong argument is reported with the parameter's name.
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except InvalidInputError as exc:
            # A checked function inside the call already named its own parameter; when one of
            # this call's arguments is the wrong type, the caller's parameter is the better name.
            if not getattr(exc, "_from_checked", False):
                raise
            error = argument_error(args, kwargs)
            if error is None:
                raise
            error._from_checked = True  # type: ignore[attr-defined]
            raise error from exc
        except NasbenchLiteError:
            raise
        except _BUILTIN_ERRORS as exc:
            error = argument_error(args, kwargs)
            if error is None:
                # Every annotation fits (often ``Any``: arrays, specs, ...), yet a builtin error
                # escaped from the caller's values: still the caller's input, still typed.
                error = InvalidInputError(
                    f"{function.__qualname__}(): invalid argument "
                    f"({type(exc).__name__}: {echo(str(exc))})"
                )
            error._from_checked = True  # type: ignore[attr-defined]
            raise error from exc

    return wrapper  # type: ignore[return-value]


def check_public(namespace: dict[str, Any]) -> None:
    """Applies :func:`checked` to every function a module names in ``__all__``.

    Called as ``check_public(globals())`` at the end of a public module, so a wrong argument to
    any of its functions (re-exported ones included: the module's own binding is wrapped, the
    defining module's is not) is an ``InvalidInputError`` naming the parameter. The
    ``__init__`` of a class the module defines is wrapped too. Functions already wrapped are
    left alone, so re-exporting modules may call it as well.

    Args:
        namespace: The module's ``globals()``.
    """
    for name in namespace.get("__all__", ()):
        value = namespace.get(name)
        if isinstance(value, types.FunctionType) and _wants_wrapper(value):
            namespace[name] = checked(value)
        elif isinstance(value, type) and value.__module__ == namespace.get("__name__"):
            init = vars(value).get("__init__")
            if isinstance(init, types.FunctionType) and _wants_wrapper(init):
                setattr(value, "__init__", checked(init))  # noqa: B010 - a dunder, on purpose


def _wants_wrapper(function: types.FunctionType) -> bool:
    """Neither wrapped already nor marked :func:`self_checked`."""
    return not hasattr(function, "__wrapped__") and not getattr(function, "_self_checked", False)


def self_checked(function: F) -> F:
    """Marks a function that translates its own failures with :func:`raise_checked`.

    :func:`check_public` leaves it unwrapped: for functions on a search loop's hot path (one
    ``ModelSpec`` per step), where the wrapper's extra call costs more than the work.

    Args:
        function: The function; its failures must all go through :func:`raise_checked`.

    Returns:
        ``function`` itself, marked.
    """
    function._self_checked = True  # type: ignore[attr-defined]
    return function


def raise_checked(
    function: Callable[..., Any], exc: Exception, *args: Any, **kwargs: Any
) -> NoReturn:
    """Raises ``exc`` as ``checked(function)(*args, **kwargs)`` would have raised it.

    For a function that catches its own failures instead of paying for the wrapper's extra
    call on every success: the same typed error naming the parameter, the same message, and
    any other error unchanged.

    Args:
        function: The function that failed (its signature and annotations are read).
        exc: What it raised.
        *args: The arguments of the failed call.
        **kwargs: Its keyword arguments.

    Raises:
        InvalidInputError: Where ``checked`` raises one.
        Exception: ``exc`` itself otherwise.
    """

    def reraise(*_args: Any, **_kwargs: Any) -> NoReturn:
        raise exc

    # The wrapper reads the signature and the annotations of `function` (reraise.__wrapped__).
    reraise.__wrapped__ = function  # type: ignore[attr-defined]
    reraise.__qualname__ = function.__qualname__
    reraise.__annotations__ = function.__annotations__
    checked(reraise)(*args, **kwargs)
    raise exc  # pragma: no cover - checked(reraise) always raises


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
