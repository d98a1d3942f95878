"""A restricted unpickler for the official benchmark pickles: data in, never code run.

``pickle.load`` calls whatever callable a file names (``os.system`` through ``__reduce__`` is
the classic), so the official files are read with :class:`SafeUnpickler` instead. Plain data
(dict, list, tuple, set, str, bytes, int, float, bool, None) needs no global at all; the only
globals ever resolved are the handful that NumPy scalars pickle as (``numpy.dtype``,
``numpy.core.multiarray.scalar`` and ``_codecs.encode`` for protocol 2), and they are replaced
by local decoders that turn the scalar's raw bytes into a Python ``int``/``float``/``bool``
without importing NumPy. Any other global, a persistent id, or a malformed stream raises
:class:`UnsafePickleError` / :class:`~nasbench_lite.errors.CorruptSourceError` before anything
it names is looked up.

CPython's unpickler has no resource bounds, and CPython hashes tuples recursively without a
depth check (a 65-byte bz2 of nested tuples used as a dict key overflows the C stack). So
:func:`loads` and :func:`load_path` first run the native bounded reader over the same bytes
(``prescreen``, :func:`nasbench_lite._core.formats.native_pickle.check`: every limit of
:class:`~nasbench_lite._core.formats.native_pickle.PickleLimits`, nothing built) and unpickle
only what it accepts. The test suite passes ``prescreen=False`` on its own benign corpora, to
keep this module an independent reference for the native reader.
"""

from __future__ import annotations

import bz2
import collections
import io
import os
import pickle
import re
import struct
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from nasbench_lite.errors import CorruptSourceError, UnsafePickleError

__all__ = ["SafeUnpickler", "UnsafePickleError", "load_path", "loads"]

#: NumPy dtype codes a scalar may carry, as ``struct`` formats (without byte order).
_SCALAR_FORMATS = {
    "f8": "d",
    "f4": "f",
    "i8": "q",
    "i4": "i",
    "i2": "h",
    "i1": "b",
    "u8": "Q",
    "u4": "I",
    "u2": "H",
    "u1": "B",
    "b1": "?",
}


class _ScalarDtype:
    """Stand-in for ``numpy.dtype(code, align, copy)`` that only records the type code."""

    def __init__(self, code: object, align: object = False, copy: object = True) -> None:
        if not isinstance(code, str) or (
            code not in _SCALAR_FORMATS and re.fullmatch(r"[US][0-9]+", code) is None
        ):
            raise CorruptSourceError(f"unsupported NumPy scalar dtype {code!r}")
        self.code = code
        self.byteorder = "<"

    def __setstate__(self, state: object) -> None:
        # numpy's dtype state: (version, byteorder, subarray, names, fields, elsize, ...).
        if not isinstance(state, tuple) or len(state) < 2 or state[1] not in ("<", ">", "|", "="):
            raise CorruptSourceError(f"malformed NumPy dtype state {state!r}")
        self.byteorder = "<" if state[1] in ("|", "=") else str(state[1])


def _scalar(dtype: object, data: object = b"") -> int | float | bool | str | bytes:
    """``numpy.core.multiarray.scalar(dtype, bytes)`` decoded to the equal Python scalar."""
    if not isinstance(dtype, _ScalarDtype) or not isinstance(data, bytes | bytearray):
        raise CorruptSourceError("malformed NumPy scalar in pickle")
    if dtype.code[0] == "U":  # numpy.str_: UCS-4, NUL-padded
        if len(data) != 4 * int(dtype.code[1:]):
            raise CorruptSourceError(f"NumPy string of dtype {dtype.code} has {len(data)} bytes")
        encoding = "utf-32-be" if dtype.byteorder == ">" else "utf-32-le"
        return bytes(data).decode(encoding).rstrip("\0")
    if dtype.code[0] == "S":  # numpy.bytes_: NUL-padded
        return bytes(data).rstrip(b"\0")
    fmt = dtype.byteorder + _SCALAR_FORMATS[dtype.code]
    if struct.calcsize(fmt) != len(data):
        raise CorruptSourceError(f"NumPy scalar of dtype {dtype.code} has {len(data)} bytes")
    value: int | float | bool = struct.unpack(fmt, data)[0]
    return value


def _codecs_encode(text: object, encoding: object = "utf-8") -> bytes:
    """``_codecs.encode`` as protocol 2 uses it for bytes (latin-1 text only)."""
    if not isinstance(text, str) or encoding != "latin1":
        raise CorruptSourceError("malformed bytes object in pickle")
    return text.encode("latin1")


#: The only globals a pickle may name, each mapped to a local replacement.
ALLOWED_GLOBALS: dict[tuple[str, str], Callable[..., Any]] = {
    ("numpy", "dtype"): _ScalarDtype,
    ("numpy.core.multiarray", "scalar"): _scalar,
    ("numpy._core.multiarray", "scalar"): _scalar,
    ("_codecs", "encode"): _codecs_encode,
    # NATS-Bench archives keep results in OrderedDicts (a dict subclass: no code runs).
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("__builtin__", "set"): set,
    ("__builtin__", "frozenset"): frozenset,
}


#: Deepest tuple/frozenset nesting hashed as a dict key or set item (CPython's tuple hash
#: recurses with no depth check: a million nested tuples overflow the C stack).
MAX_KEY_DEPTH = 64


def key_depth_error(items: Iterable[Any]) -> str | None:
    """Why hashing ``items`` would be unsafe (nesting > :data:`MAX_KEY_DEPTH`), or None.

    The walk only descends into tuples/frozensets, stops at the bound, is iterative and visits
    each distinct object once (shared tuples stay linear).
    """
    todo = [(item, 1) for item in items if type(item) is tuple or type(item) is frozenset]
    seen: set[int] = set()
    while todo:
        value, depth = todo.pop()
        if depth > MAX_KEY_DEPTH:
            return f"a dict key, set item or tuple nests deeper than {MAX_KEY_DEPTH} levels"
        if id(value) not in seen:
            seen.add(id(value))
            todo.extend(
                (item, depth + 1)
                for item in value
                if type(item) is tuple or type(item) is frozenset
            )
    return None


def _guarded(load: Callable[[Any], None], keys: Callable[[list[Any]], list[Any]]) -> Any:
    """A dispatch entry that checks the key depth of ``keys(stack)`` before ``load`` hashes."""

    def run(self: SafeUnpickler) -> None:
        problem = key_depth_error(keys(vars(self)["stack"]))  # set by pickle._Unpickler.load
        if problem is not None:
            raise CorruptSourceError(f"{self.path or 'pickle'}: {problem}", self.path)
        load(self)

    return run


class SafeUnpickler(pickle._Unpickler):
    """An unpickler that resolves only :data:`ALLOWED_GLOBALS` (see module docstring).

    It derives from the pure-Python ``pickle._Unpickler``, not the C ``pickle.Unpickler``: the
    C one grows its memo array to the largest index a file names (``LONG_BINPUT 2**27``, ten
    bytes, costs 2 GB), the Python one keeps the memo in a dict (issue #13). This module is the
    slow reference; the builders read with the native reader.

    Args:
        file: A binary file object.
        path: The file's path, for error messages.
    """

    # After MARK the pure-Python unpickler's ``stack`` holds just the marked items.
    dispatch = dict(pickle._Unpickler.dispatch)
    for _op, _keys in (
        (pickle.SETITEM, lambda stack: stack[-2:-1]),
        (pickle.SETITEMS, lambda stack: stack[0::2]),
        (pickle.ADDITEMS, lambda stack: stack),
        (pickle.FROZENSET, lambda stack: stack),
    ):
        dispatch[_op[0]] = _guarded(dispatch[_op[0]], _keys)
    del _op, _keys

    def __init__(self, file: Any, path: str | os.PathLike[str] | None = None) -> None:
        super().__init__(file)
        self.path = None if path is None else Path(path)

    def find_class(self, module: str, name: str) -> Any:
        """Returns the local replacement of an allowed global; refuses every other one.

        Raises:
            UnsafePickleError: The global is not in the allow-list.
        """
        try:
            return ALLOWED_GLOBALS[(module, name)]
        except KeyError:
            where = f"{self.path}: " if self.path else ""
            raise UnsafePickleError(
                f"{where}pickle refers to {module}.{name}, which is not plain data; "
                "refusing to load it (only dicts, lists, tuples, strings, numbers and NumPy "
                "scalars are accepted)",
                self.path,
                module,
                name,
            ) from None

    def persistent_load(self, pid: Any) -> Any:
        """Refuses persistent ids (they would need an application-specific loader)."""
        raise UnsafePickleError(
            f"{self.path or 'pickle'}: persistent id {pid!r} is not plain data",
            self.path,
            "",
            "persistent_load",
        )


def _load(stream: Any, path: str | os.PathLike[str] | None) -> Any:
    try:
        return SafeUnpickler(stream, path).load()
    except CorruptSourceError as exc:
        if exc.path is None and path is not None:
            exc.path = Path(path)
        raise
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError) as exc:
        raise CorruptSourceError(
            f"{path or 'pickle'}: not a readable pickle ({type(exc).__name__}: {exc})", path
        ) from exc
    except (IndexError, KeyError, struct.error, UnicodeDecodeError, MemoryError) as exc:
        raise CorruptSourceError(
            f"{path or 'pickle'}: corrupt pickle ({type(exc).__name__}: {exc})", path
        ) from exc


def _prescreen(data: bytes, path: str | os.PathLike[str] | None) -> None:
    """Runs the bounded native reader over a protocol 2-5 stream (plain or bz2).

    Protocol 0/1 streams (text opcodes, which the native reader does not read) are left to
    this module alone, guarded against deep hashed keys by :class:`SafeUnpickler`.
    """
    from nasbench_lite._core.formats import native_pickle

    head = data[:2]
    if data.startswith(b"BZh"):
        try:
            head = bz2.BZ2Decompressor().decompress(data[:65536], max_length=2)
        except (OSError, ValueError, EOFError):
            head = b"\x80\x02"  # corrupt bz2: let the native reader name the problem
    if len(head) == 2 and head[0] == 0x80:
        native_pickle.check(data, name=None if path is None else os.fspath(path))


def loads(data: bytes, *, prescreen: bool = True) -> Any:
    """Unpickles bytes with :class:`SafeUnpickler`.

    Args:
        data: The pickle bytes.
        prescreen: Check the bytes with the bounded native reader first (see the module
            docstring); only trusted test corpora turn it off.

    Returns:
        The unpickled plain data.

    Raises:
        UnsafePickleError: A global outside the allow-list (nothing was called).
        CorruptSourceError: A truncated or malformed pickle, or one beyond the native
            reader's default limits.
    """
    if prescreen:
        _prescreen(data, None)
    return _load(io.BytesIO(data), None)


def load_path(path: str | os.PathLike[str], *, prescreen: bool = True) -> Any:
    """Unpickles a file with :class:`SafeUnpickler`.

    Args:
        path: The pickle file, plain or bz2-compressed (detected from its first bytes).
        prescreen: Check the file with the bounded native reader first (see :func:`loads`).

    Returns:
        The unpickled plain data.

    Raises:
        UnsafePickleError: A global outside the allow-list (nothing was called).
        CorruptSourceError: A missing, truncated or malformed file, or one beyond the
            native reader's default limits.
    """
    try:
        if prescreen:
            with open(path, "rb") as handle:
                _prescreen(handle.read(), path)
        with open(path, "rb") as handle:
            # NATS-Bench ships bz2-compressed pickles (``*.pickle.pbz2``): decompress on the fly.
            if handle.read(3) == b"BZh":
                handle.seek(0)
                with bz2.open(handle) as stream:
                    return _load(stream, path)
            handle.seek(0)
            return _load(handle, path)
    except OSError as exc:
        raise CorruptSourceError(f"{path}: cannot read ({exc.strerror or exc})", path) from exc
