"""The order in which the builder stores the ``curves`` rows: page-packed trial groups.

An uncached mid-run ``get_more_info`` reads the curves blobs of every trial of one
(architecture, hp, dataset) - a *group* - and SQLite reads whole pages, so the cost of a call is
the number of pages its group spans times the page size. :class:`CurvesPacker` gives run ids in
storage order (``curves`` is a rowid table appended in id order) so that

- the blobs of a group are consecutive and sit in one leaf page (unless the group alone is
  larger than a page);
- pages are filled nearly full: each new page takes the oldest waiting group first, then the
  largest waiting groups that still fit, chosen from a window of the next groups (small hp
  groups fill what big ones leave), which packs the blobs at 16 KiB pages tighter than their
  arrival order does at 64 KiB pages (whole size space: 848 MB against 859 MB).

How a SQLite table leaf fills on append is deterministic: a cell goes into the rightmost leaf
when ``cell + 2`` bytes (its pointer) still fit in ``page - 8`` (the leaf header), else it
starts a new leaf; :func:`cell_size` is SQLite's cell size of one ``curves`` row. The runs of
an architecture are handed back together, in primary-key order, once all its groups have ids.

:class:`GroupDirectory` turns those rows into the ``curve_index`` / ``curve_shapes`` rows: per
group the first run id of its (consecutive) curves rows and its shape under a key computed
from ``(arch_index, hp, dataset)`` (:func:`group_key`), so that a reader finds a group's
curves without reading its ``runs`` leaf (see ``sql/nats.sql``).
"""

from __future__ import annotations

import json
import sys
from array import array
from bisect import bisect_right, insort
from collections import deque
from collections.abc import Sequence
from itertools import groupby
from operator import itemgetter
from typing import Any

__all__ = [
    "DATASET_SLOTS",
    "HP_SLOTS",
    "NO_GROUP",
    "U32",
    "CurvesPacker",
    "GroupDirectory",
    "cell_size",
    "group_key",
    "page_size_of",
]

#: ``runs`` row positions of the key and of ``run_id`` (``build._RUN_SQL`` order).
_ARCH, _HP, _DATASET, _SEED, _RUN_ID = 0, 1, 2, 3, 4
#: ... of ``seed_order`` and ``eval_names``.
_SEED_ORDER, _EPOCHS, _EVAL_NAMES = 6, 8, 9
#: ``curve_index`` slots (``sql/nats.sql``): key = arch * 16 + hp * 4 + dataset.
HP_SLOTS = {"01": 0, "12": 1, "90": 2, "200": 3}
DATASET_SLOTS = {"cifar10-valid": 0, "cifar10": 1, "cifar100": 2, "ImageNet16-120": 3}
#: A ``curve_index`` entry: first run id << 8 | shape id; this one marks "no entry".
NO_GROUP = 0xFFFFFFFF
_MAX_FIRST = (1 << 24) - 1
_MAX_SHAPES = 255
#: An array typecode of 4-byte items (``I`` everywhere this runs; ``L`` where it is not).
U32 = "I" if array("I").itemsize == 4 else "L"
#: Leaf page header and cell pointer bytes (SQLite file format, table b-tree leaf).
_LEAF_HEADER, _POINTER = 8, 2
#: Sorts after every arrival number (bisect bound).
_NEWEST = 1 << 62


def page_size_of(space: str) -> int:
    """The page size of a space's database.

    An uncached call copies every page it touches (``pread``; readers do not memory-map, #13),
    and a 64 KiB copy costs ~10 us here against ~3 us for 16 KiB. sss groups (1-3 trials, at
    most ~6 KB) fit 16 KiB leaves, and packed they fill them as densely as 64 KiB ones (the
    whole-space database stays below the official archive). tss hp '200' groups (3 trials of
    4-6 KB, up to 18 KB) would split across 16 KiB leaves: tss keeps 64 KiB pages. 8 KiB
    for sss was measured (#14) and is worse: ``runs`` is WITHOUT ROWID, its interior cells
    hold whole rows, and its interior pages grow from 2.75 to 5.5 MiB (more than the readers'
    4 MiB page cache): 1.86 instead of 1.51 page reads per uncached final-epoch call.
    """
    return 16384 if space == "sss" else 65536


def _varint_len(value: int) -> int:
    """Bytes of SQLite's varint of a non-negative ``value``."""
    if value < 0x80:
        return 1
    if value < 0x4000:
        return 2
    if value < 0x200000:
        return 3
    return min(9, (value.bit_length() + 6) // 7)


def cell_size(blob_len: int, rowid: int, page_size: int) -> int:
    """SQLite's leaf cell size of a ``curves`` row (``run_id`` alias, one BLOB) in bytes.

    Args:
        blob_len: Length of ``data``.
        rowid: The row's ``run_id``.
        page_size: The database page size (no reserved bytes).

    Returns:
        The bytes the cell takes in its leaf, without its 2-byte pointer (the part that spills
        to overflow pages excluded).
    """
    # record: header (its own length, NULL for the rowid alias, the blob's serial type), data
    types = 1 + _varint_len(2 * blob_len + 12)
    payload = _varint_len(types + 1) + types + blob_len
    head = _varint_len(payload) + _varint_len(rowid)
    max_local = page_size - 35
    if payload <= max_local:
        return max(4, head + payload)
    min_local = (page_size - 12) * 32 // 255 - 23
    local = min_local + (payload - min_local) % (page_size - 4)
    if local > max_local:
        local = min_local
    return head + local + 4  # + the first overflow page number


def group_key(arch_index: int, hp: str, dataset: str) -> int | None:
    """The ``curve_index`` position of a group, None for an hp or dataset without a slot."""
    hp_slot = HP_SLOTS.get(hp)
    dataset_slot = DATASET_SLOTS.get(dataset)
    if hp_slot is None or dataset_slot is None or arch_index < 0:
        return None
    return arch_index * 16 + hp_slot * 4 + dataset_slot


class GroupDirectory:
    """The ``curve_index`` and ``curve_shapes`` rows of the ``runs`` rows a
    :class:`CurvesPacker` hands back (with their final run ids).

    A group gets an entry when its key has slots (:func:`group_key`), its run ids are
    consecutive (the packer places a group's rows together) and fit the entry
    (:data:`NO_GROUP`); the reader answers other groups through ``runs``. Shapes are numbered
    in order of first appearance (deterministic).
    """

    def __init__(self) -> None:
        self._shapes: dict[tuple[tuple[Any, Any, Any, int], ...], int] = {}
        self._index = array(U32)

    def add(self, run_rows: Sequence[Sequence[Any]]) -> None:
        """Enters the groups of ``run_rows``, which hold whole architectures in primary-key
        order."""
        shapes, index = self._shapes, self._index
        for (arch, hp, dataset), group in groupby(run_rows, _group_of):
            rows = list(group)
            key = group_key(arch, hp, dataset) if type(arch) is int else None
            if key is None:
                continue
            if len(rows) > 1:
                rows.sort(key=_seed_order_of)
            first = min(row[_RUN_ID] for row in rows)
            if first >= _MAX_FIRST:
                continue
            # (the key is plain tuples: JSON text is written once per distinct shape, not per
            # group - ~400k groups in the size space)
            shape = tuple(
                (row[_SEED], row[_EVAL_NAMES], row[_EPOCHS], row[_RUN_ID] - first) for row in rows
            )
            if sorted(trial[3] for trial in shape) != list(range(len(shape))):
                continue  # (not consecutive)
            shape_id = shapes.get(shape)
            if shape_id is None:
                if len(shapes) >= _MAX_SHAPES:
                    continue
                shape_id = shapes[shape] = len(shapes)
            if key >= len(index):
                index.extend([NO_GROUP] * (key + 1 - len(index)))
            index[key] = first << 8 | shape_id

    def index_rows(self) -> list[tuple[int, bytes]]:
        """The ``curve_index`` row ``(0, entries)`` (little-endian u32s)."""
        index = array(U32, self._index)
        if sys.byteorder == "big":
            index.byteswap()
        return [(0, index.tobytes())]

    def shape_rows(self) -> list[tuple[int, str, str, str, str]]:
        """The ``curve_shapes`` rows ``(shape_id, seeds, eval_names, epochs, positions)``."""
        rows = []
        for shape, shape_id in self._shapes.items():
            seeds, eval_names, epochs, positions = (
                json.dumps([trial[i] for trial in shape]) for i in range(4)
            )
            rows.append((shape_id, seeds, eval_names, epochs, positions))
        return rows


_seed_order_of = itemgetter(_SEED_ORDER)
_group_of = itemgetter(_ARCH, _HP, _DATASET)


class CurvesPacker:
    """Assigns run ids to the builder's rows in page-packed order (see the module docstring).

    Feed each file's (or segment's) ``runs`` and ``curves`` rows to :meth:`add`, in
    architecture order, with provisional run ids that link the two; insert what it returns
    (the ``curves`` rows in id order, the ``runs`` rows of finished architectures with their
    final ids); call :meth:`finish` at the end for the rest.

    Args:
        page_size: The database page size.
        window: Groups waiting for a place at most (more: leaves are filled until fewer wait).

    Attributes:
        leaves: Leaf pages the ``curves`` rows given so far fill (SQLite's count, checked by
            the tests against ``dbstat``).
    """

    def __init__(self, page_size: int, window: int = 64) -> None:
        self.page_size = page_size
        self.window = window
        self.next_id = 0
        self.leaves = 0
        self._capacity = page_size - _LEAF_HEADER
        self._free = 0  # bytes left in the rightmost leaf (0 before the first)
        self._placed = 0  # groups given ids so far
        self._arrived = 0
        # per waiting group (by arrival number): (run rows, blobs, their leaf bytes at the id
        # when they arrived, the first id whose varint is longer, placements at arrival)
        self._waiting: dict[int, tuple[list[Any], list[bytes], list[int], int, int]] = {}
        self._by_size: list[tuple[int, int]] = []  # sorted (leaf bytes, arrival number)
        self._sizes: dict[int, int] = {}
        self._order: deque[int] = deque()  # arrival numbers, oldest first (placed ones too)
        self._archs: deque[list[Any]] = deque()  # [arch, groups left, run rows]
        self._by_arch: dict[Any, list[Any]] = {}

    def add(
        self, run_rows: Sequence[Sequence[Any]], curve_rows: Sequence[tuple[int, bytes]]
    ) -> tuple[list[tuple[Any, ...]], list[tuple[int, bytes]]]:
        """Queues rows; returns the ``runs`` and ``curves`` rows ready to insert.

        Raises:
            KeyError: A run row whose provisional run id has no curves row.
        """
        blobs = dict(curve_rows)
        groups: dict[tuple[Any, Any, Any], list[Any]] = {}
        for row in run_rows:
            groups.setdefault((row[_ARCH], row[_HP], row[_DATASET]), []).append(row)
        page = self.page_size
        curves: list[tuple[int, bytes]] = []
        for (arch, _, _), rows in groups.items():
            entry = self._by_arch.get(arch)
            if entry is None:
                entry = self._by_arch[arch] = [arch, 0, []]
                self._archs.append(entry)
            entry[1] += 1
            group_blobs = [blobs[row[_RUN_ID]] for row in rows]
            if len(rows) > 1:  # the largest cell first: it starts a leaf rather than split
                order = sorted(range(len(rows)), key=lambda i: -len(group_blobs[i]))
                rows = [rows[i] for i in order]
                group_blobs = [group_blobs[i] for i in order]
            # (sizes at the current id: a rowid varint that grows by the time the group is
            # placed can only make it split, which _place follows exactly)
            first = self.next_id
            cells = [cell_size(len(b), first, page) + _POINTER for b in group_blobs]
            size = sum(cells)
            key = self._arrived
            self._arrived += 1
            limit = 1 << 7 * _varint_len(first)  # (ids from here on have longer varints)
            self._waiting[key] = (rows, group_blobs, cells, limit, self._placed)
            self._sizes[key] = size
            insort(self._by_size, (size, key))
            self._order.append(key)
            # (after each group: the order never depends on how the caller batches the rows)
            while len(self._waiting) > self.window:
                self._fill(curves)
        return self._finished_runs(), curves

    def finish(self) -> tuple[list[tuple[Any, ...]], list[tuple[int, bytes]]]:
        """Everything still waiting, with ids."""
        curves: list[tuple[int, bytes]] = []
        while self._waiting:
            self._fill(curves)
        return self._finished_runs(), curves

    def _place(self, key: int, curves: list[tuple[int, bytes]]) -> None:
        """Gives the group ids, following SQLite's leaf fill cell by cell."""
        rows, blobs, cells, limit, _ = self._waiting.pop(key)
        self._by_size.remove((self._sizes.pop(key), key))
        self._placed += 1
        entry = self._by_arch[rows[0][_ARCH]]
        entry[1] -= 1
        page = self.page_size
        for row, blob, size in zip(rows, blobs, cells, strict=True):
            run_id = self.next_id
            self.next_id += 1
            if run_id >= limit:
                size = cell_size(len(blob), run_id, page) + _POINTER
            if size > self._free:  # (SQLite starts a new rightmost leaf for it)
                self._free = self._capacity
                self.leaves += 1
            self._free -= size
            curves.append((run_id, blob))
            entry[2].append((*row[:_RUN_ID], run_id, *row[_RUN_ID + 1 :]))

    def _best_fit(self, curves: list[tuple[int, bytes]]) -> bool:
        """Places the largest waiting groups that fit the rightmost leaf; whether any did."""
        placed = False
        by_size = self._by_size
        while by_size:
            at = bisect_right(by_size, (self._free, _NEWEST)) - 1
            if at < 0:
                break
            self._place(by_size[at][1], curves)
            placed = True
        return placed

    def _fill(self, curves: list[tuple[int, bytes]]) -> None:
        """Fills the rightmost leaf, or starts the next one when nothing fits it.

        The next leaf starts with the oldest group whose first cell does not fit what is left
        (SQLite would put a cell that fits in the old leaf, splitting the group); a group
        that has waited for ``4 * window`` placements goes next regardless.
        """
        if self._best_fit(curves):
            return
        order, waiting = self._order, self._waiting
        while order[0] not in waiting:
            order.popleft()
        start = order[0]
        if self._placed - waiting[start][4] < 4 * self.window:
            for key in order:
                group = waiting.get(key)
                if group is not None and group[2][0] > self._free:
                    start = key
                    break
        self._place(start, curves)
        self._best_fit(curves)

    def _finished_runs(self) -> list[tuple[Any, ...]]:
        """The ``runs`` rows of the leading architectures whose groups all have ids, in
        primary-key order."""
        out: list[tuple[Any, ...]] = []
        archs = self._archs
        while archs and archs[0][1] == 0:
            arch, _, rows = archs.popleft()
            del self._by_arch[arch]
            rows.sort(key=_primary_key)
            out.extend(rows)
        return out


def _primary_key(row: Sequence[Any]) -> tuple[Any, Any, Any, Any]:
    return row[_ARCH], row[_HP], row[_DATASET], row[_SEED]
