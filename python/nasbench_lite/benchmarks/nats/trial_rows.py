"""An architecture's trials as rows of the ``runs`` table: the statements and :class:`Trials`.

Every uncached read of the NATS API is one statement here: the trials of one (arch, hp,
dataset) with their final scalars, optionally with each trial's curves blob (a mid-run epoch),
only the blobs (:func:`load_mid_run_trials`), or two datasets at once
(:func:`load_trial_pair`). The ``get_more_info`` dicts computed from them are in
:mod:`nasbench_lite.benchmarks.nats.results` (which re-exports these names); one trial's
per-epoch arrays are :class:`nasbench_lite.benchmarks.nats.trial.Trial`, a different job.
"""

from __future__ import annotations

import json
import math
import sys
from array import array
from collections.abc import Sequence
from operator import itemgetter
from typing import Any, NamedTuple

from nasbench_lite._core.database import Database
from nasbench_lite.benchmarks.nats.layout import FINAL_FIELDS, finals_from_row
from nasbench_lite.benchmarks.nats.packing import NO_GROUP, U32
from nasbench_lite.errors import CorruptDatabaseError

__all__ = [
    "FIELD_POSITIONS",
    "MEMO_LIMIT",
    "GROUP_CURVES_SQL",
    "GroupIndex",
    "GroupShape",
    "TRIALS_RANGE_SQL",
    "Trials",
    "group_rows",
    "group_trials",
    "load_group_index",
    "load_group_trials",
    "load_mid_run_trials",
    "load_slim_trials",
    "load_trial_pair",
    "load_trials",
    "eval_names_of",
    "slim_statement",
    "trial_blobs",
]


# No ORDER BY: SQLite sorts these wide rows in a temporary B-tree (~80 us for 3 rows on this
# machine, against ~10 us for the lookup itself); the few rows are sorted in Python instead.
# `= +?`, not `= ?`: the builder's ANALYZE writes sqlite_stat4, and with STAT4 SQLite re-plans
# (recompiles) a statement whenever a value bound to a plain `?` that meets an index may change
# the plan, i.e. on every call with new values: 45 us of a 52 us 23-column lookup, measured.
# A unary plus keeps the index (the column side is unchanged) but hides the value from STAT4.
_WHERE = " WHERE r.arch_index = +? AND r.hp = +? AND r.dataset = +?"
# seed_order comes last: the rows are sorted on it and handed to Trials as they are (Trials
# reads positions 0..5+len(FINAL_FIELDS) and ignores what follows), no per-row slice.
_COLUMNS = (
    "r.seed, r.epochs, r.eval_names, r.run_id, r.nan_mask, "
    + ", ".join(f"r.{name}" for name in FINAL_FIELDS)
    + ", r.seed_order"
)
_TRIALS_SQL = f"SELECT {_COLUMNS} FROM runs r{_WHERE}"
#: The same with each trial's curves blob (one statement for a mid-run epoch).
_TRIALS_CURVES_SQL = f"SELECT {_COLUMNS}, c.data FROM runs r JOIN curves c USING (run_id){_WHERE}"
#: The trials with their curves blobs but none of the final scalars: what one mid-run call
#: reads (half the statement's time on sss; such trials are never cached, see
#: :func:`load_mid_run_trials`).
_TRIALS_BLOBS_SQL = (
    "SELECT r.seed, r.epochs, r.eval_names, r.run_id, r.nan_mask, r.seed_order, c.data"
    f" FROM runs r JOIN curves c USING (run_id){_WHERE}"
)
#: The trials of two datasets at once (``simulate_train_eval`` on cifar10 reads cifar10-valid
#: and cifar10): one statement, the dataset last.
_TRIALS_PAIR_SQL = (
    f"SELECT {_COLUMNS}, r.dataset FROM runs r"
    " WHERE r.arch_index = +? AND r.hp = +? AND r.dataset IN (+?, +?)"
)
#: The same over one key range of datasets, the dataset last (``BETWEEN``: one seek and a
#: scan, where ``IN`` builds a temporary table and seeks twice; ~2 us of ~10 us on sss);
#: callers keep the rows of the datasets they asked for.
TRIALS_RANGE_SQL = (
    f"SELECT {_COLUMNS}, r.dataset FROM runs r"
    " WHERE r.arch_index = +? AND r.hp = +? AND r.dataset BETWEEN +? AND +?"
)
_TRIALS_PAIR_CURVES_SQL = (
    f"SELECT {_COLUMNS}, r.dataset, c.data FROM runs r LEFT JOIN curves c USING (run_id)"
    " WHERE r.arch_index = +? AND r.hp = +? AND r.dataset IN (+?, +?)"
)
#: A group's curves rows (a mid-run call through ``curve_index``, see ``sql/nats.sql``): one
#: curves leaf, without the group's ``runs`` leaf.
GROUP_CURVES_SQL = "SELECT data FROM curves WHERE run_id BETWEEN +? AND +?"
#: Most ``curve_shapes`` rows a reader loads (real databases have a few dozen); a database
#: with more is read through ``runs`` only.
SHAPE_LIMIT = 4096
_SEED_ORDER = 5 + len(FINAL_FIELDS)
#: The statements of :func:`load_trials` and :func:`load_trial_pair` (no curves) and the row
#: positions of ``seed_order`` and (pair rows) ``dataset``.
TRIALS_SQL, TRIALS_PAIR_SQL = _TRIALS_SQL, _TRIALS_PAIR_SQL
SEED_ORDER_AT, PAIR_DATASET_AT = _SEED_ORDER, _SEED_ORDER + 1
#: Per (needed final fields, compact): the trials statement with only those values, and for
#: compact rows the ``FINAL_FIELDS`` positions of their value columns (``Trials.compact``;
#: built once: the per-call generator cost ~1-3 us of a ~20 us uncached call).
_SLIM_SQL: dict[tuple[tuple[str, ...], bool], tuple[str, bytes | None]] = {}
#: Computed ``get_more_info`` dicts kept per :class:`Trials` (distinct epoch/seed choices).
MEMO_LIMIT = 64
#: Each final scalar's position in the statements' rows (after the five leading columns).
FIELD_POSITIONS = {name: 5 + i for i, name in enumerate(FINAL_FIELDS)}


class Trials:
    """The trials of one (arch, hp, dataset), in the file's seed order.

    The API keeps these in its :class:`~nasbench_lite.benchmarks.nats.cache.LRUCache`, so what is
    derived from the rows is derived once per entry: the curves blobs (on the first mid-run
    epoch asked for; values are read from them at fixed offsets), the finals dicts, the costs
    and up to :data:`MEMO_LIMIT` computed ``get_more_info`` dicts (callers get copies). Racing
    threads may fill a field twice with equal values; nothing is mutated after it is stored.
    """

    # (slots: an uncached call builds one of these per statement; ~0.5 us less than a dict)
    __slots__ = (
        "_columns",
        "_eval_names",
        "_finals",
        "blobs",
        "compact",
        "costs",
        "epochs",
        "infos",
        "rows",
        "seeds",
    )

    def __init__(self, rows: list[Any], blobs: list[bytes] | None = None) -> None:
        self.rows = rows
        # What every call reads; the rest is derived on first use (an uncached final-epoch
        # call reads the rows natively and needs no transposition).
        self.seeds: list[int] = list(map(_seed, rows))
        self.epochs: list[int] = list(map(_epochs, rows))
        #: Per trial its curves blob, once a mid-run epoch was asked for (read natively at
        #: fixed offsets; :class:`~nasbench_lite.benchmarks.nats.layout.Curves` is the Python
        #: reference reader).
        self.blobs: list[bytes] | None = blobs
        #: The ``FINAL_FIELDS`` positions of the value columns of compact rows (see
        #: :func:`load_slim_trials`); None for rows of the full layout.
        self.compact: bytes | None = None
        self.infos: dict[tuple[Any, ...], dict[str, Any]] = {}
        self.costs: dict[str, Any] | None = None
        self._finals: list[dict[str, float | None]] | None = None
        self._columns: list[tuple[Any, ...]] | None = None
        self._eval_names: list[tuple[str, ...]] | None = None

    def __repr__(self) -> str:
        return f"Trials(seeds={self.seeds}, epochs={self.epochs})"

    @property
    def eval_names(self) -> list[tuple[str, ...]]:
        """Per trial its eval-set names, in file order."""
        if self._eval_names is None:
            self._eval_names = [eval_names_of(r[2]) for r in self.rows]
        return self._eval_names

    @property
    def run_ids(self) -> list[int]:
        """Per trial its ``curves.run_id``."""
        return [r[3] for r in self.rows]

    @property
    def any_nan(self) -> bool:
        """Whether any final scalar is NaN (stored as NULL with its ``nan_mask`` bit)."""
        return any(r[4] for r in self.rows)

    @property
    def last_epoch(self) -> int | None:
        """The last epoch when every trial has the same number of epochs, else None."""
        epochs = self.epochs
        if not epochs or epochs.count(epochs[0]) != len(epochs):
            return None
        return epochs[0] - 1

    @property
    def finals(self) -> list[dict[str, float | None]]:
        """Every final scalar of every trial (NaN restored; shared, do not mutate)."""
        if self._finals is None:
            self._finals = [finals_from_row(r[5:_SEED_ORDER], r[4]) for r in self.rows]
        return self._finals

    @property
    def columns(self) -> list[tuple[Any, ...]]:
        """The rows transposed: per row position, every trial's value (NaN restored)."""
        if self._columns is None:
            rows = self.rows
            columns = list(zip(*rows, strict=True)) if rows else [()] * _SEED_ORDER
            self._columns = _restore_nan(rows, columns) if self.any_nan else columns
        return self._columns

    def column(self, name: str) -> Sequence[Any]:
        """Every trial's final scalar ``name`` (a :data:`FINAL_FIELDS` name), NaN restored."""
        return self.columns[FIELD_POSITIONS[name]]

    def final(self, position: int, name: str) -> float | None:
        """One final scalar of one trial, NaN restored from the row's mask."""
        row = self.rows[position]
        column = FIELD_POSITIONS[name]
        value: float | None = row[column]
        if value is None and row[4] >> (column - 5) & 1:
            return math.nan
        return value


class GroupShape(NamedTuple):
    """One ``curve_shapes`` row, decoded: the trials of a group in seed order."""

    seeds: list[int]
    epochs: list[int]
    eval_names: list[tuple[str, ...]]
    #: Per trial (seed order) the position of its blob among the group's rows (run-id order).
    positions: tuple[int, ...]


class GroupIndex(NamedTuple):
    """``curve_index`` and ``curve_shapes``, decoded (:func:`load_group_index`)."""

    #: Per ``packing.group_key``: first run id << 8 | shape id, or ``packing.NO_GROUP``.
    entries: array[int]
    shapes: dict[int, GroupShape]


def load_group_index(db: Database) -> GroupIndex | None:
    """The database's group index, or None when it has none a reader can use.

    A malformed shape is left out (its groups are then read through ``runs``, which reports
    what is wrong); more than :data:`SHAPE_LIMIT` shapes or an index that is not whole u32s
    turn the index off.
    """
    rows = db.query(
        "SELECT shape_id, seeds, eval_names, epochs, positions FROM curve_shapes"
        f" LIMIT {SHAPE_LIMIT + 1}"
    )
    if len(rows) > SHAPE_LIMIT:
        return None
    shapes: dict[int, GroupShape] = {}
    for shape_id, seeds, eval_names, epochs, positions in rows:
        try:
            shape = _shape(seeds, eval_names, epochs, positions)
        except (TypeError, ValueError):
            continue
        if shape is not None and type(shape_id) is int:
            shapes[shape_id] = shape
    found = db.query("SELECT data FROM curve_index WHERE id = 0")
    data = found[0][0] if found else None
    if not shapes or type(data) is not bytes or len(data) % 4:
        return None
    entries = array(U32)
    entries.frombytes(data)
    if sys.byteorder == "big":
        entries.byteswap()
    return GroupIndex(entries, shapes)


def _shape(seeds: Any, eval_names: Any, epochs: Any, positions: Any) -> GroupShape | None:
    seeds, eval_names = json.loads(seeds), json.loads(eval_names)
    epochs, positions = json.loads(epochs), json.loads(positions)
    n = len(seeds)
    lists = (seeds, eval_names, epochs, positions)
    if n == 0 or any(type(x) is not list or len(x) != n for x in lists):
        return None
    if any(type(x) is not int for x in (*seeds, *epochs)) or sorted(positions) != list(range(n)):
        return None
    if any(type(x) is not str for x in eval_names):
        return None
    return GroupShape(seeds, epochs, [eval_names_of(x) for x in eval_names], tuple(positions))


def load_group_trials(db: Database, key: int, groups: GroupIndex) -> Trials | None:
    """A group's trials with their curves blobs and no final scalars, read through the
    group index (as :func:`load_mid_run_trials` gives them, never cached).

    Returns:
        The trials, or None when the index cannot answer (no entry, an unknown shape, rows
        that disagree with it): the caller reads the group through ``runs``.
    """
    found = group_rows(db, key, groups)
    if found is None:
        return None
    shape, rows = found
    return group_trials(shape, [rows[at][0] for at in shape.positions])


def group_rows(db: Database, key: int, groups: GroupIndex) -> tuple[GroupShape, list[Any]] | None:
    """A group's shape and its curves rows (run-id order), or None (see
    :func:`load_group_trials`)."""
    entries = groups.entries
    if not 0 <= key < len(entries):
        return None
    entry = entries[key]
    shape = groups.shapes.get(entry & 0xFF)
    if entry == NO_GROUP or shape is None:
        return None
    first = entry >> 8
    n = len(shape.positions)
    rows = db.query(GROUP_CURVES_SQL, (first, first + n - 1))
    if len(rows) != n:
        return None
    return shape, rows


def group_trials(shape: GroupShape, blobs: list[bytes]) -> Trials:
    """The :class:`Trials` of a group of ``shape`` with its curves ``blobs`` (seed order) and
    no final scalars (see :func:`load_group_trials`)."""
    trials = Trials.__new__(Trials)
    trials.rows = []
    # (shared with the shape: a mid-run answer reads these lists, never changes them)
    trials.seeds = shape.seeds
    trials.epochs = shape.epochs
    trials._eval_names = shape.eval_names
    trials.blobs = blobs
    trials.compact = None
    trials.infos = {}
    trials.costs = None
    trials._finals = None
    trials._columns = None
    return trials


def _restore_nan(rows: list[Any], columns: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """``columns`` with NaN put back where a row's ``nan_mask`` bit marks a NULL."""
    for bit in range(len(FINAL_FIELDS)):
        if any(r[4] >> bit & 1 for r in rows):
            columns[5 + bit] = tuple(
                math.nan if r[4] >> bit & 1 and r[5 + bit] is None else r[5 + bit] for r in rows
            )
    return columns


#: ``runs.eval_names`` text -> its names (a handful of distinct values; bounded all the same).
_EVAL_NAMES: dict[str, tuple[str, ...]] = {}


def eval_names_of(text: str) -> tuple[str, ...]:
    """``runs.eval_names`` text as its names (memoised; bounded)."""
    names = _EVAL_NAMES.get(text)
    if names is None:
        names = tuple(text.split(",")) if text else ()
        if len(_EVAL_NAMES) >= 1024:
            _EVAL_NAMES.clear()
        _EVAL_NAMES[text] = names
    return names


def load_trials(
    db: Database, index: int, dataset: str, hp: str, *, curves: bool = False
) -> Trials | None:
    """The trials of ``(index, hp, dataset)``, None when there are none.

    Args:
        db: The database.
        index: Architecture index.
        dataset: Dataset name.
        hp: hp setting.
        curves: Also fetch the curves blobs (same statement), for a mid-run epoch.
    """
    rows = db.query(_TRIALS_CURVES_SQL if curves else _TRIALS_SQL, (index, hp, dataset))
    if not rows:
        return None
    rows.sort(key=_seed_order)
    if curves:
        return Trials(rows, [r[-1] for r in rows])
    return Trials(rows)


def load_slim_trials(
    db: Database,
    index: int,
    dataset: str,
    hp: str,
    fields: tuple[str, ...],
    *,
    compact: bool = False,
) -> Trials | None:
    """The trials of ``(index, hp, dataset)`` with only the final scalars ``fields``.

    The rows have the layout of :func:`load_trials` (so the same readers take them) with NULL
    in every other final column; ``compact``: only ``fields``, in that order, after
    ``nan_mask`` (``Trials.compact`` names them; only ``results.more_info`` at the last epoch
    reads such rows). Either way an uncached call converts only the values it reads; such
    trials are never cached (their ``columns``, ``finals`` and costs would be wrong). None
    when there are no trials.
    """
    plan = slim_statement(fields, compact=compact)
    rows = db.query(plan[0], (index, hp, dataset))
    if not rows:
        return None
    if not compact:
        rows.sort(key=_seed_order)
        return Trials(rows)
    rows.sort(key=_last)
    trials = Trials(rows)
    trials.compact = plan[1]
    return trials


def slim_statement(fields: tuple[str, ...], *, compact: bool) -> tuple[str, bytes | None]:
    """The statement of :func:`load_slim_trials` and, for ``compact`` rows, the
    ``FINAL_FIELDS`` positions of its value columns."""
    key = (fields, compact)
    plan = _SLIM_SQL.get(key)
    if plan is None:
        wanted = set(fields)
        if compact:
            columns = ", ".join(f"r.{name}" for name in fields)
        else:
            columns = ", ".join(f"r.{n}" if n in wanted else "NULL" for n in FINAL_FIELDS)
        # (compact rows answer the last epoch only, which reads neither the eval-set names
        # nor the run id: NULL there converts no text or int per trial)
        leading = "NULL, NULL" if compact else "r.eval_names, r.run_id"
        sql = (
            f"SELECT r.seed, r.epochs, {leading}, r.nan_mask, "
            f"{columns}, r.seed_order FROM runs r{_WHERE}"
        )
        positions = bytes(FINAL_FIELDS.index(name) for name in fields) if compact else None
        plan = (sql, positions)
        if len(_SLIM_SQL) < 64:  # (a few field sets; bounded all the same)
            _SLIM_SQL[key] = plan
    return plan


def load_mid_run_trials(db: Database, index: int, dataset: str, hp: str) -> Trials | None:
    """The trials of ``(index, hp, dataset)`` with their curves blobs, no final scalars.

    For one uncached mid-run ``get_more_info``: only ``seeds``, ``epochs``, ``eval_names`` and
    the blobs may be read from the result (not ``columns``/``finals``/costs), so it is never
    cached. None when there are no trials.
    """
    rows = db.query(_TRIALS_BLOBS_SQL, (index, hp, dataset))
    if not rows:
        return None
    rows.sort(key=_blob_seed_order)
    return Trials(rows, [r[6] for r in rows])


def load_trial_pair(
    db: Database, index: int, hp: str, first: str, second: str, *, curves: bool = False
) -> tuple[Trials | None, Trials | None]:
    """The trials of ``(index, hp, first)`` and ``(index, hp, second)`` in one statement.

    Args:
        db: The database.
        index: Architecture index.
        hp: hp setting.
        first: The dataset whose curves blobs are fetched when ``curves``.
        second: Another dataset.
        curves: Fetch ``first``'s curves blobs too (a mid-run epoch).

    Returns:
        Each dataset's trials, None where it has none.
    """
    sql = _TRIALS_PAIR_CURVES_SQL if curves else _TRIALS_PAIR_SQL
    rows = db.query(sql, (index, hp, first, second))
    rows.sort(key=_seed_order)
    dataset_at = _SEED_ORDER + 1
    one = [r for r in rows if r[dataset_at] == first]
    two = [r for r in rows if r[dataset_at] != first]
    blobs = [r[-1] for r in one] if curves else None
    if blobs is not None and None in blobs:
        blobs = None  # (read again, and reported as corrupt, by the first value read)
    return Trials(one, blobs) if one else None, Trials(two) if two else None


#: The sort key of the statements' rows (C-level: no Python call per row).
_seed_order = itemgetter(_SEED_ORDER)
_blob_seed_order = itemgetter(5)
_last = itemgetter(-1)
_seed = itemgetter(0)
_epochs = itemgetter(1)


def trial_blobs(db: Database, trials: Trials) -> list[bytes]:
    """Every trial's curves blob, read in one statement unless the trials already hold them.

    Raises:
        CorruptDatabaseError: A trial without its ``curves`` row.
    """
    if trials.blobs is None:
        marks = ",".join("?" * len(trials.run_ids))
        rows = dict(
            db.query(
                f"SELECT run_id, data FROM curves WHERE run_id IN ({marks})",
                tuple(trials.run_ids),
            )
        )
        try:
            trials.blobs = [rows[run_id] for run_id in trials.run_ids]
        except KeyError:
            raise CorruptDatabaseError("a trial of this architecture has no curves row") from None
    return trials.blobs
