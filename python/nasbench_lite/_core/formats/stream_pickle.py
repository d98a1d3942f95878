"""Streaming, bounded-memory, safe reader of a pickled dict holding one huge dict entry.

The caller's :class:`KeyPolicy` names that entry and its key type (e.g. the NATS-Bench single
file's ``{'meta_archs': [...], 'arch2infos': {index: OrderedDict}, ...}``, ~29 GB unpickled
whole). :func:`iter_benchmark_file` reads the (bz2 or plain) file twice instead:

1. A *scan* walks the opcodes and stack heights without building anything. It cuts the memo
   into regions, each ended by a MARK closing at depth <= 2 (in the official layout: after
   each architecture), and records (a) the memo entries fetched after their region ended,
   with the offset of their last fetch, and (b) for the opcodes that pop or modify objects at
   depth 2 (where the streamed entry's items lie), the lowest stack height still to come.
2. A *load*, a small unpickler with the frequent opcodes inlined, keeps the open region's
   memo in a list emptied when the region ends; only the entries of (a) survive, each until
   its last fetch. So the memo is exact yet holds nothing that is not fetched again. Thanks
   to (b), each streamed item is yielded, and dropped, as soon as no later opcode can
   touch it (for the NATS-Bench layout: when the next item's value starts).

Only :data:`~nasbench_lite._core.formats.safe_pickle.ALLOWED_GLOBALS` are resolved (by
:meth:`~nasbench_lite._core.formats.safe_pickle.SafeUnpickler.find_class`), REDUCE calls nothing
else, and persistent ids and extension codes are refused. A malformed stream raises
:class:`~nasbench_lite.errors.CorruptSourceError` with its offset in the raw pickle stream.
This module holds the two passes (the opcode machine) and the caller's :class:`KeyPolicy`;
the bytes they read, the argument decoding and the reader's limits are in
:mod:`~nasbench_lite._core.formats.stream_pickle_input`.
"""

from __future__ import annotations

import os
import struct
from array import array
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nasbench_lite._core.formats.safe_pickle import ALLOWED_GLOBALS
from nasbench_lite._core.formats.stream_pickle_input import (
    MALFORMED_ERRORS,
    Malformed,
    PickleInput,
    check_shallow,
)
from nasbench_lite.errors import CorruptSourceError

__all__ = ["KeyPolicy", "iter_benchmark_file"]

_MAX_REGION = 1 << 18  # a MARK closing at any depth ends a memo region this large

_U32, _U64 = struct.Struct("<I"), struct.Struct("<Q")
_DOUBLE = struct.Struct(">d")
# Total size of the opcodes the scan skips without decoding their argument.
_SIZES = [0] * 256
for _ops, _size in ((b"(.012NR)]absteu}\x85\x86\x87\x88\x89\x8f\x90\x91\x93\x94", 1),
                    (b"Khq\x80", 2), (b"M", 3), (b"Jjr", 5), (b"G\x95", 9)):  # fmt: skip
    for _op in _ops:
        _SIZES[_op] = _size
_POP_MARK = frozenset(b"ue\x90t\x911")  # SETITEMS APPENDS ADDITEMS TUPLE FROZENSET POP_MARK
# (popped, pushed) objects of the other opcodes but MARK and STOP (default: (0, 1)).
_EFFECTS = dict.fromkeys(b"\x80\x95qr", (0, 0)) | dict.fromkeys(b"Rba", (2, 1))
_EFFECTS |= {0x73: (3, 1), 0x85: (1, 1), 0x86: (2, 1), 0x87: (3, 1), 0x93: (2, 1), 0x30: (1, 0)}
_NEVER = 1 << 62
_CONSTANTS = dict(zip(b"N\x88\x89)]\x8f", (None, True, False, tuple, list, set), strict=True))
_CALLABLES = list(ALLOWED_GLOBALS.values())
_DTYPE = ALLOWED_GLOBALS[("numpy", "dtype")]


@dataclass(frozen=True)
class KeyPolicy:
    """The caller's rules for the streamed file: which entry is streamed, what its keys are.

    Attributes:
        items_key: Top-level key whose dict value is yielded item by item (never built).
        item_event: Event name each streamed item is yielded under.
        item_key_type: Type every streamed item's key must have (a bool is never an int).
        file_kind: What the file is, for errors: ``"{path}: not {file_kind}: ..."``.
    """

    items_key: str
    item_event: str
    item_key_type: type
    file_kind: str


class _Scan(PickleInput):
    """Pass 1: what the load needs to know ahead (see the module docstring)."""

    def run(self) -> tuple[dict[int, int], array[int], array[int]]:
        """Returns the escapes and the low-water marks of depth 2.

        Escapes map the memo entries fetched after their region closed to the offset of their
        last fetch. ``lows[i]`` is the fewest objects that the depth-2 MARK's own part of the
        stack will hold (counting the object an opcode modifies as popped) from the opcode at
        offset ``offsets[i]`` to the end of that MARK: the objects below stay untouched.
        """
        escapes: dict[int, int] = {}
        offsets, lows = array("q"), array("q")
        unpack_u32, sizes = _U32.unpack_from, _SIZES
        data, pos, limit = self.data, self.pos, self.limit
        memo = closed = height = start = 0  # memo entries, those of closed regions, objects
        frame_end = 0  # offset where the open frame ends (0: none)
        marks: list[int] = []  # the height at each open MARK
        try:
            while True:
                if pos >= limit:
                    if 0 < frame_end <= self.boff + pos:  # no opcode may straddle a frame end
                        if frame_end < self.boff + pos:
                            raise Malformed("an opcode straddles the end of its frame")
                        frame_end = 0
                    else:
                        self.pos = pos
                        self.refill()
                        data, pos = self.data, self.pos
                    limit = min(self.limit, frame_end - self.boff) if frame_end else self.limit
                    continue
                op = data[pos]
                if op == 0x47:  # BINFLOAT
                    height += 1
                    pos += 9
                elif op == 0x94:  # MEMOIZE
                    memo += 1
                    pos += 1
                elif op == 0x8C:  # SHORT_BINUNICODE
                    height += 1
                    pos += 2 + data[pos + 1]
                elif op == 0x4B:  # BININT1
                    height += 1
                    pos += 2
                elif op == 0x68 or op == 0x6A:  # BINGET, LONG_BINGET
                    index = data[pos + 1] if op == 0x68 else unpack_u32(data, pos + 1)[0]
                    if index < closed:
                        escapes[index] = self.boff + pos
                    height += 1
                    pos += 2 if op == 0x68 else 5
                else:
                    if op == 0x28:  # MARK
                        marks.append(height)
                        start = len(lows) if len(marks) == 2 else start
                    elif op in _POP_MARK:
                        height = marks.pop()  # IndexError without a MARK
                        low = height - (op in b"ue\x90")  # these modify the object below
                        height += op in b"t\x91"  # TUPLE, FROZENSET
                        if len(marks) == 2:
                            offsets.append(self.boff + pos)
                            lows.append(low - marks[1])
                        elif len(marks) == 1:  # the end of a depth-2 MARK: suffix minima
                            offsets.append(self.boff + pos)
                            lows.append(_NEVER)
                            for i in range(len(lows) - 2, start - 1, -1):
                                lows[i] = min(lows[i], lows[i + 1])
                        if len(marks) <= 2 or memo - closed > _MAX_REGION:
                            closed = memo
                    elif op == 0x2E:  # STOP
                        if frame_end and frame_end != self.boff + pos + 1:
                            raise Malformed("the last frame does not end with STOP")
                        offsets.append(_NEVER)
                        lows.append(_NEVER)
                        return escapes, offsets, lows
                    else:
                        pops, pushes = _EFFECTS.get(op, (0, 1))
                        if height - pops < (marks[-1] if marks else 0):
                            raise Malformed("pickle stack underflow")
                        if pops and len(marks) == 2:
                            offsets.append(self.boff + pos)
                            lows.append(height - pops - marks[1])
                        height += pushes - pops
                        memo += op == 0x71 or op == 0x72  # BINPUT, LONG_BINPUT
                        if op == 0x95:  # FRAME
                            if frame_end:
                                raise Malformed("FRAME inside a frame")
                            frame_end = self.boff + pos + 9 + _U64.unpack_from(data, pos + 1)[0]
                            limit = min(limit, frame_end - self.boff)
                    if sizes[op]:
                        pos += sizes[op]
                    else:
                        self.pos = pos + 1
                        self.arg(op)
                        data, pos, limit = self.data, self.pos, self.limit
                        if frame_end:
                            limit = min(limit, frame_end - self.boff)
        except CorruptSourceError:
            raise
        except MALFORMED_ERRORS as exc:
            raise self.wrap(exc, pos) from exc


class _Load(PickleInput):
    """Pass 2: the unpickler that yields the events (see the module docstring)."""

    def __init__(
        self,
        path: Path,
        progress: Callable[[int], None] | None,
        offset: int,
        scanned: tuple[dict[int, int], array[int], array[int]],
        policy: KeyPolicy,
    ) -> None:
        super().__init__(path, progress, offset)
        self.policy = policy
        self.escapes, self.offsets, self.lows = scanned
        self.escape_order, self.next_escape, self.next_low = sorted(self.escapes), 0, 0
        self.stack: list[Any] = []
        self.marks: list[int] = []
        self.fence = 0  # stack index of the innermost MARK (0 without one)
        self.local: list[Any] = []  # memo entries base, base + 1, ... of the open region
        self.base = 0
        self.kept: dict[int, tuple[Any, int]] = {}  # escaping entry -> (object, last fetch)
        self.a2i: dict[Any, Any] | None = None  # the (always empty) streamed dict
        self.a2i_fence = -1  # stack index of the MARK of its SETITEMS batch being read
        self.removed = 0  # items of that batch yielded so far
        self.seen: set[Any] = set()  # keys yielded (duplicates would differ from a dict)
        self.out: deque[tuple[str, Any]] = deque()
        self.done = False

    def events(self) -> Iterator[tuple[str, Any]]:
        """The unpickling loop; yields the events the handlers queue."""
        stack, local, out, slow = self.stack, self.local, self.out, self._slow
        push, memoize, fetch = stack.append, local.append, self._fetch
        unpack_double, unpack_u32 = _DOUBLE.unpack_from, _U32.unpack_from
        data, pos, limit, base, fence = self.data, self.pos, self.limit, self.base, self.fence
        try:
            while True:
                if pos >= limit:
                    self.pos = pos
                    self.refill()
                    data, pos, limit = self.data, self.pos, self.limit
                    continue
                op = data[pos]
                if op == 0x47:  # BINFLOAT
                    push(unpack_double(data, pos + 1)[0])
                    pos += 9
                elif op == 0x94:  # MEMOIZE
                    if len(stack) <= fence:
                        raise Malformed("MEMOIZE with nothing to memoize")
                    memoize(stack[-1])
                    pos += 1
                elif op == 0x8C:  # SHORT_BINUNICODE
                    end = pos + 2 + data[pos + 1]
                    push(str(data[pos + 2 : end], "utf-8", "surrogatepass"))
                    pos = end
                elif op == 0x4B:  # BININT1
                    push(data[pos + 1])
                    pos += 2
                elif op == 0x68 or op == 0x6A:  # BINGET, LONG_BINGET
                    index = (data[pos + 1] if op == 0x68 else unpack_u32(data, pos + 1)[0]) - base
                    push(local[index] if index >= 0 else fetch(index + base, pos))
                    pos += 2 if op == 0x68 else 5
                else:
                    self.pos = pos + 1
                    slow(op)
                    data, pos, limit = self.data, self.pos, self.limit
                    base, fence = self.base, self.fence
                    while out:
                        yield out.popleft()
                    if self.done:
                        return
        except CorruptSourceError:
            raise
        except MALFORMED_ERRORS as exc:
            raise self.wrap(exc, pos) from exc

    def _fetch(self, index: int, pos: int) -> Any:
        """A memo entry of a closed region (dropped at the fetch the scan found last)."""
        entry = self.kept.get(index)
        if entry is None:
            raise Malformed(f"memo entry {index} is missing (did the file change?)")
        if entry[1] == self.boff + pos:
            del self.kept[index]
        return entry[0]

    def _pop_mark(self) -> list[Any]:
        """Pops the items above the innermost MARK, closing the memo region if due."""
        start = self.marks.pop()
        items = self.stack[start:]
        del self.stack[start:]
        self.fence = self.marks[-1] if self.marks else 0
        if len(self.marks) <= 2 or len(self.local) > _MAX_REGION:
            end, order, j = self.base + len(self.local), self.escape_order, self.next_escape
            while j < len(order) and order[j] < end:
                self.kept[order[j]] = (self.local[order[j] - self.base], self.escapes[order[j]])
                j += 1
            self.next_escape, self.base = j, end
            self.local.clear()
        return items

    def _pops(self, count: int) -> list[Any]:
        """Pops ``count`` items, none of them below the innermost MARK."""
        if len(self.stack) - count < self.fence:
            raise Malformed("pickle stack underflow")
        values = self.stack[-count:]
        del self.stack[-count:]
        return values

    def _target(self, kind: Any = object) -> Any:
        if len(self.stack) <= self.fence or not isinstance(self.stack[-1], kind):
            raise Malformed(f"pickle stack underflow or a target that is not {kind}")
        return self.stack[-1]

    def _emit(self, key: Any, value: Any, item: bool = True) -> None:
        """Queues a streamed item (``item``) or a top-level item, refusing bad keys."""
        policy, wanted = self.policy, self.policy.item_key_type
        if item and (not isinstance(key, wanted) or (isinstance(key, bool) and wanted is not bool)):
            name = wanted.__name__
            article = "an" if name[0] in "aeiou" else "a"
            raise Malformed(f"{policy.items_key} key {key!r} is not {article} {name}")
        if (item, key) in self.seen:
            raise Malformed(f"duplicate {policy.items_key if item else 'top-level'} key {key!r}")
        self.seen.add((item, key))
        self.out.append((policy.item_event, (key, value)) if item else (key, value))

    def _flush_archs(self) -> None:
        """Emits the streamed items that no later opcode touches (per the scan's lows)."""
        offsets, j, after = self.offsets, self.next_low, self.boff + self.pos
        while offsets[j] < after:
            j += 1
        self.next_low = j
        # Not the top object either: MEMOIZE, BINPUT or DUP may still read it.
        count = min(self.lows[j] - self.removed, len(self.stack) - self.fence - 1)
        count -= count % 2
        if count > 0:
            items = self.stack[self.fence : self.fence + count]
            del self.stack[self.fence : self.fence + count]
            self.removed += count
            for i in range(0, count, 2):
                self._emit(items[i], items[i + 1])

    def _slow(self, op: int) -> None:
        """Runs any opcode but the inlined ones (``pos`` is past the opcode byte)."""
        stack = self.stack
        if op == 0x28:  # MARK
            if self.a2i is not None and stack and stack[-1] is self.a2i and len(self.marks) == 1:
                self.a2i_fence, self.removed = len(stack), 0  # at depth 2, where lows apply
            self.marks.append(len(stack))
            self.fence = len(stack)
        elif op == 0x75 or op == 0x73:  # SETITEMS, SETITEM
            items = self._pop_mark() if op == 0x75 else self._pops(2)
            target = self._target(dict)
            if len(items) % 2:
                raise Malformed("SETITEMS with an odd number of items")
            if target is self.a2i:
                self.a2i_fence = -1
                for i in range(0, len(items), 2):
                    self._emit(items[i], items[i + 1])
            else:
                check_shallow(items[0::2])
                for i in range(0, len(items), 2):
                    target[items[i]] = items[i + 1]
        elif op == 0x7D:  # EMPTY_DICT
            marks = self.marks
            if (
                self.a2i is None
                and len(stack) >= 2
                and type(stack[-1]) is str
                and stack[-1] == self.policy.items_key
                and type(stack[0]) is dict
                and ((not marks and len(stack) == 2) or (marks == [1] and len(stack) % 2 == 0))
            ):  # the top-level dict's streamed value: stream its items
                self.a2i = {}
                for i in range(1, len(stack) - 1, 2):  # the top-level items before it are done
                    self._emit(stack[i], stack[i + 1], item=False)
                del stack[1:-1]
                stack.append(self.a2i)
            else:
                stack.append({})
        elif op == 0x52:  # REDUCE
            (args,) = self._pops(1)
            func = self._target()
            if type(args) is not tuple or not any(func is known for known in _CALLABLES):
                raise Malformed(f"REDUCE of a {type(func).__name__} (only allowed globals)")
            stack[-1] = func(*args)
        elif op in (0x74, 0x91, 0x85, 0x86, 0x87):  # TUPLE, FROZENSET, TUPLE1, TUPLE2, TUPLE3
            items = self._pop_mark() if op in (0x74, 0x91) else self._pops(op - 0x84)
            check_shallow(items)  # bounds tuple nesting as it is built (memory and hash depth)
            stack.append(frozenset(items) if op == 0x91 else tuple(items))
        elif op in _CONSTANTS:
            value = _CONSTANTS[op]
            stack.append(value() if isinstance(value, type) else value)
        elif op in (0x61, 0x65, 0x90):  # APPEND, APPENDS, ADDITEMS
            items = self._pops(1) if op == 0x61 else self._pop_mark()
            if op == 0x90:
                check_shallow(items)
                self._target(set).update(items)
            else:
                self._target(list).extend(items)
        elif op == 0x62:  # BUILD (only NumPy dtypes carry a state)
            (state,) = self._pops(1)
            self._target(_DTYPE).__setstate__(state)
        elif op == 0x93:  # STACK_GLOBAL
            module, name = self._pops(2)
            if type(module) is not str or type(name) is not str:
                raise Malformed("STACK_GLOBAL needs two strings")
            stack.append(self.safe.find_class(module, name))
        elif op == 0x71 or op == 0x72:  # BINPUT, LONG_BINPUT
            index = self.take(1)[0] if op == 0x71 else _U32.unpack(self.take(4))[0]
            if index != self.base + len(self.local):
                raise Malformed(f"memo index {index} out of sequence (not supported)")
            self.local.append(self._target())
        elif op == 0x30 or op == 0x32:  # POP, DUP
            self._pops(1) if op == 0x30 else stack.append(self._target())
        elif op == 0x31:  # POP_MARK
            self._pop_mark()
        elif op == 0x80 or op == 0x95:  # PROTO, FRAME (the stream is read contiguously)
            self.take(_SIZES[op] - 1)
        elif op == 0x2E:
            self._stop()
        else:  # ints, strings, bytes, GLOBAL; arg() refuses all other opcodes
            stack.append(self.arg(op))
        if self.fence == self.a2i_fence:
            self._flush_archs()

    def _stop(self) -> None:
        if self.marks or len(self.stack) != 1:
            raise Malformed("STOP with a MARK open or several objects on the stack")
        top = self.stack.pop()
        items_key = self.policy.items_key
        where = f"{self.path}: not {self.policy.file_kind}:"
        if not isinstance(top, dict):
            raise CorruptSourceError(f"{where} the top level is a {type(top).__name__}", self.path)
        if self.a2i is None and items_key not in top:
            keys = sorted(map(str, top))
            raise CorruptSourceError(f"{where} no {items_key!r} key (keys: {keys})", self.path)
        for key, value in top.items():
            if type(key) is not str or key != items_key:
                self._emit(key, value, item=False)
            elif self.a2i is None or value is not self.a2i:
                if not isinstance(value, dict):
                    kind = type(value).__name__
                    raise CorruptSourceError(f"{where} {items_key!r} is a {kind}", self.path)
                for index, state in value.items():
                    self._emit(index, state)
        self.done = True


def _stamp(path: Path) -> tuple[int, int]:
    try:
        info = os.stat(path)
    except OSError as exc:
        raise CorruptSourceError(f"{path}: cannot read ({exc.strerror or exc})", path) from exc
    return info.st_size, info.st_mtime_ns


def iter_benchmark_file(
    path: str | os.PathLike[str],
    policy: KeyPolicy,
    *,
    progress: Callable[[int], None] | None = None,
) -> Iterator[tuple[str, Any]]:
    """Streams a pickled dict, the entry ``policy.items_key`` one item at a time.

    Memory stays around one streamed item's worth plus ~1 MB: the reader keeps no reference
    to a yielded value (only to objects the stream itself fetches again later, as plain
    unpickling would share them). Nothing is read before the first ``next()``, which runs the
    first pass (a faster scan of the whole file) before the first event.

    Args:
        path: A bz2-compressed or plain pickle file (e.g. ``NATS-tss-v1_0-3ffb9.pickle.pbz2``).
        policy: The entry to stream, its key type and the file's name in errors.
        progress: Called every 256 KiB of pickle with the compressed bytes consumed so far,
            summed over both passes (so it ends at twice the file size).

    Yields:
        ``(key, value)`` in stream order: ``(policy.item_event, (item_key, item_value))`` for
        each item of the streamed entry (``item_value`` equal to what plain unpickling gives;
        NATS-Bench: ``("arch", (index, OrderedDict hp -> ArchResults state))``) and
        ``(key, value)`` for every other top-level key (NATS-Bench: ``"meta_archs"``,
        ``"evaluated_indexes"``, ``"total_archs"``).

    Raises:
        UnsafePickleError: The pickle names a global outside the allow-list (nothing was
            called), a persistent id or an extension code.
        CorruptSourceError: A missing, truncated or malformed file, one whose top level is
            not a dict with a ``policy.items_key`` dict, or a streamed key of another type.
    """
    path = Path(path)
    stamp = _stamp(path)
    scan = _Scan(path, progress, 0)
    try:
        scanned = scan.run()
    finally:
        scan.close()
    if progress is not None:
        progress(stamp[0])
    if _stamp(path) != stamp:
        raise CorruptSourceError(f"{path}: the file changed while being read", path)
    load = _Load(path, progress, stamp[0], scanned, policy)
    try:
        yield from load.events()
    finally:
        load.close()
    if progress is not None:
        progress(2 * stamp[0])
