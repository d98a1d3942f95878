"""The canonical text form of an unpickled value, as ``rust/core/src/pickle/dump.rs`` writes it.

Used to compare the native pickle reader with Python's unpickler: ``N`` None, ``T``/``F``,
``i<decimal>`` 64-bit ints, ``I<hex>`` larger ints (minimal little-endian two's complement),
``f<hex>`` floats (big-endian IEEE bits), ``s<hex>`` str (UTF-8, surrogatepass), ``b<hex>``
bytes, ``B<hex>`` bytearray, ``(..)`` tuple, ``[..]`` list, ``{k:v}`` dict, ``O{k:v}``
OrderedDict, ``S{..}``/``Z{..}`` set/frozenset (items sorted), ``D<dtype.str>``, and
``A(<dtype.str>;<dims>;C|F;<hex>)`` arrays. NumPy scalars are written as the Python scalar
they equal (the native reader decodes them so).
"""

from __future__ import annotations

import collections
import struct
from typing import Any

import numpy as np

_I64 = (-(2**63), 2**63)


def _int(value: int) -> str:
    if _I64[0] <= value < _I64[1]:
        return f"i{value}"
    length = (value if value >= 0 else ~value).bit_length() // 8 + 1
    return "I" + value.to_bytes(length, "little", signed=True).hex()


def dump(value: Any) -> str:
    """Returns the canonical text of ``value`` (recursive: test data is shallow)."""
    if value is None:
        return "N"
    if isinstance(value, bool | np.bool_):
        return "T" if value else "F"
    if isinstance(value, np.integer):
        return _int(int(value))
    if isinstance(value, np.floating):
        return "f" + struct.pack(">d", float(value)).hex()
    if isinstance(value, int):
        return _int(value)
    if isinstance(value, float):
        return "f" + struct.pack(">d", value).hex()
    if isinstance(value, str):
        return "s" + value.encode("utf-8", "surrogatepass").hex()
    if isinstance(value, bytes):
        return "b" + value.hex()
    if isinstance(value, bytearray):
        return "B" + bytes(value).hex()
    if isinstance(value, tuple):
        return "(" + ",".join(dump(v) for v in value) + ")"
    if isinstance(value, list):
        return "[" + ",".join(dump(v) for v in value) + "]"
    if isinstance(value, dict):
        body = ",".join(f"{dump(k)}:{dump(v)}" for k, v in value.items())
        return ("O{" if isinstance(value, collections.OrderedDict) else "{") + body + "}"
    if isinstance(value, set | frozenset):
        prefix = "S{" if isinstance(value, set) else "Z{"
        return prefix + ",".join(sorted({dump(v) for v in value})) + "}"
    if isinstance(value, np.dtype):
        return "D" + value.str
    if isinstance(value, np.ndarray):
        fortran = value.flags.f_contiguous and not value.flags.c_contiguous
        order = "F" if fortran else "C"
        dims = "x".join(str(d) for d in value.shape)
        return f"A({value.dtype.str};{dims};{order};{value.tobytes(order=order).hex()})"
    raise TypeError(f"no canonical form for {type(value).__name__}")
