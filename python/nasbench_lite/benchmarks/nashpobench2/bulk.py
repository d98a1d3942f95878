"""Whole-table arrays of a NAS-HPO-Bench-II database, for ``API.preload`` and ``query_many``."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from nasbench_lite._core.database import Database
from nasbench_lite._optional import import_pyarrow
from nasbench_lite.benchmarks.nashpobench2.arguments import check_epoch_mode
from nasbench_lite.benchmarks.nashpobench2.layout import (
    ACC_OFFSET,
    EPOCH_METRICS,
    FINAL_COLUMNS,
    NUM_CURVES,
    NUM_EPOCHS,
    TIME_OFFSETS,
    TOTAL_COLUMN,
    TOTAL_COLUMNS,
    conf_id,
    run_id,
)
from nasbench_lite.errors import InvalidInputError, NasbenchLiteError, OutOfDomainError

if TYPE_CHECKING:
    import pyarrow as pa

    from nasbench_lite.benchmarks.nashpobench2.reader import API

__all__ = ["acc_cost", "doubles", "load_dense", "load_epoch", "load_epochs", "query_grid"]

#: A NULL value's 8 bytes in :func:`doubles` (NaN, as None becomes in a float array).
_NULL_BYTES = "x'7ff8000000000000'"
#: Present runs per statement of :func:`load_epochs` (12 rows of 8 doubles each: ~6 MB).
_EPOCH_CHUNK_RUNS = 8192
#: Values whose 8 bytes :func:`_ieee754` checks after loading the extension (zero bytes,
#: a subnormal, -0.0, a NaN payload, an integer).
_PROBE = ((1.5,), (5e-324,), (-0.0,), (-2.5e300,), (0.1,), (7,))


def _ieee754(db: Database) -> bool:
    """Whether ``ieee754_to_blob`` works on this connection, loading APSW's bundled build of
    SQLite's ``ieee754`` extension the first time (False when APSW ships without it)."""
    import struct

    expected = b"".join(struct.pack(">d", value) for (value,) in _PROBE)
    sql = (
        "SELECT CAST(group_concat(ieee754_to_blob(column1), x'') AS BLOB) FROM (VALUES "
        + ", ".join(f"({value!r})" for (value,) in _PROBE)
        + ")"
    )
    for attempt in range(2):
        try:
            # Blobs pass group_concat unchanged only in a UTF-8 database (the builder's).
            if db.query("PRAGMA encoding")[0][0] != "UTF-8":
                return False
            return bool(db.query(sql)[0][0] == expected)
        except NasbenchLiteError:  # no such function (yet)
            if attempt:
                return False
        try:
            import apsw.sqlite_extra

            apsw.sqlite_extra.load(db.connection, "ieee754")
        except Exception:  # noqa: BLE001 -- not shipped, not loadable: the row path is used
            return False
    return False


def doubles(
    db: Database, columns: Sequence[str], source: str, bindings: tuple[Any, ...] = ()
) -> Any:
    """Every row of ``columns`` from ``source`` as an ``(N, len(columns))`` float64 array.

    The rows come back as one blob of their IEEE 754 bytes (``ieee754_to_blob`` per value,
    ``group_concat`` per statement): no Python object per row or value, every bit kept, NULL
    as NaN (what ``np.array`` makes of None); integers up to 2**53 are exact. Row order is the
    statement's scan order: callers select their keys.

    Args:
        db: The open database.
        columns: Column expressions.
        source: ``FROM`` clause (table and ``WHERE``).
        bindings: Its bound values.

    Returns:
        The array, or None when the ``ieee754`` extension is not available (callers then
        fetch rows).
    """
    if not _ieee754(db):
        return None
    parts = " || ".join(f"ifnull(ieee754_to_blob({c}), {_NULL_BYTES})" for c in columns)
    ((count, blob),) = db.query(
        f"SELECT count(*), CAST(group_concat({parts}, x'') AS BLOB) FROM {source}", bindings
    )
    width = len(columns)
    data = blob or b""
    if not isinstance(data, bytes) or len(data) != 8 * width * int(count):
        return None
    return np.frombuffer(data, dtype=">f8").reshape(int(count), width).astype(np.float64)


def _restore_special(values: Any, masks: Any) -> Any:
    """NaN / -0.0 back where a row's special bit says the file had them (see the schema)."""
    if not masks.any():  # the usual case: nothing to put back
        return values
    bits = (masks[:, None] >> np.arange(values.shape[1])) & 1
    special = bits.astype(bool)
    if special.any():
        values = values.copy()
        values[special] = np.where(np.isnan(values[special]), np.nan, -0.0)
    return values


def load_dense(db: Database, configurations: int, num_seeds: int) -> tuple[Any, Any, Any, Any]:
    """Every run's 12-epoch values and every surrogate value as dense arrays.

    Reads only ``runs`` (its totals and accuracies after epoch 12) and ``surrogate``; the
    other 69 per-epoch values stay NaN until :func:`load_epochs` fills them.

    Args:
        db: The open database.
        configurations: Number of (hash, lr, batch size) slots, ``conf_id`` < this.
        num_seeds: Seeds per configuration (``run_id = conf_id * num_seeds + seed_idx``).

    Returns:
        ``(runs[run_id, 75], run present, surrogate[conf_id], surrogate present)``; a run row
        holds the 72 per-epoch values (:data:`~.layout.CURVE_COLUMNS` order) then the three
        totals; NaN / False where the data has none.
    """
    size = configurations * num_seeds
    runs = np.full((size, NUM_CURVES + 3), np.nan)
    present = np.zeros(size, dtype=bool)
    columns = ("run_id", "special_mask", *TOTAL_COLUMNS, *FINAL_COLUMNS)
    table = doubles(db, columns, "runs")
    if table is None:
        rows = db.query(f"SELECT {', '.join(columns)} FROM runs")
        # None (SQL NULL) becomes NaN in a float array.
        table = np.array(rows, dtype=np.float64).reshape(len(rows), len(columns))
    if len(table):
        run_id = table[:, 0].astype(np.int64)
        present[run_id] = True
        values = _restore_special(table[:, 2:], table[:, 1].astype(np.int64))
        runs[run_id, NUM_CURVES:] = values[:, :3]
        final = [ACC_OFFSET[mode] + NUM_EPOCHS - 1 for mode in ("train", "valid", "test")]
        runs[run_id[:, None], np.asarray(final)[None, :]] = values[:, 3:]
    surrogate = np.full(configurations, np.nan)
    found = np.zeros(configurations, dtype=bool)
    pairs = doubles(db, ("conf_id", "avg_acc"), "surrogate")
    if pairs is None:
        values = db.query("SELECT conf_id, avg_acc FROM surrogate")
        pairs = np.array(values, dtype=np.float64).reshape(len(values), 2)
    conf_id = pairs[:, 0].astype(np.int64)
    surrogate[conf_id] = pairs[:, 1]
    found[conf_id] = True
    return runs, present, surrogate, found


def load_epochs(db: Database, runs: Any, present: Any) -> None:
    """Fills the 72 per-epoch columns of :func:`load_dense`'s ``runs`` from ``epochs``.

    Read with :func:`doubles` in statements of :data:`_EPOCH_CHUNK_RUNS` runs, keyed by
    ``run_id * 12 + epoch - 1`` (rows outside ``runs``'s range or epochs 1..12, and doctored
    non-integer keys or NULL masks, are left out);
    without the ``ieee754`` extension the rows are fetched instead (as before, in
    (run_id, epoch) order without their keys when the table is complete, else keyed).

    Args:
        db: The open database.
        runs: The ``runs`` array to fill (in place).
        present: Its run-present mask.
    """
    run_ids = np.flatnonzero(present)
    size = len(runs)
    # The key and the value columns' special bits (0-5; bits 6-8 are the cost columns', not
    # read here) in one double: one ieee754_to_blob call fewer per row.
    columns = ("(run_id * 12 + epoch - 1) * 64 + (special_mask & 63)", *EPOCH_METRICS)
    where = "epochs WHERE run_id >= ? AND run_id < ? AND epoch BETWEEN 1 AND 12"
    starts = list(range(0, len(run_ids), _EPOCH_CHUNK_RUNS))
    bounds = [0, *run_ids[starts[1:]].tolist(), size]
    if not _ieee754(db):
        _load_epoch_rows(db, runs, run_ids)
        return
    # Chunk by chunk (each ~6 MB): decoded and written while it is in cache.
    for index, (first, stop) in enumerate(itertools.pairwise(bounds)):
        table = doubles(db, columns, where, (first, stop))
        if table is None:  # the extension went away, or a doctored value: start over by rows
            _load_epoch_rows(db, runs, run_ids)
            return
        chunk_runs = run_ids[starts[index] : starts[index] + _EPOCH_CHUNK_RUNS] if starts else None
        _write_epochs(runs, table, chunk_runs)


def _write_epochs(runs: Any, table: Any, chunk_runs: Any) -> None:
    """Writes :func:`load_epochs` rows (packed key, six values) into ``runs``.

    Args:
        runs: The dense run rows.
        table: ``(rows, 7)`` doubles of one statement.
        chunk_runs: The present runs the statement covers (None: none).
    """
    packed = table[:, 0]
    integral = packed == np.floor(packed)  # False for NaN (a NULL mask) and doctored REAL ids
    if not integral.all():
        packed, table = packed[integral], table[integral]
    key, masks = np.divmod(packed.astype(np.int64), 64)
    values = _restore_special(table[:, 1:], masks)
    if chunk_runs is not None and len(key) == NUM_EPOCHS * len(chunk_runs):
        expected = chunk_runs[:, None] * NUM_EPOCHS + np.arange(NUM_EPOCHS)[None, :]
        if np.array_equal(key, expected.reshape(-1)):
            # Every run's 12 epochs in order (the builder's tables): whole-row copies.
            block = values.reshape(len(chunk_runs), NUM_EPOCHS, len(EPOCH_METRICS))
            runs[chunk_runs, :NUM_CURVES] = block.transpose(0, 2, 1).reshape(len(chunk_runs), -1)
            return
    row_run, row_epoch = np.divmod(key, NUM_EPOCHS)
    # Dense column of (metric m, epoch e) is m * 12 + e (layout.CURVE_COLUMNS order).
    dense_columns = np.arange(len(EPOCH_METRICS))[None, :] * NUM_EPOCHS + row_epoch[:, None]
    runs[row_run[:, None], dense_columns] = values


def _load_epoch_rows(db: Database, runs: Any, run_ids: Any) -> None:
    """:func:`load_epochs` by fetching rows (without the ``ieee754`` extension).

    The builder writes 12 rows per run, so the values are read in (run_id, epoch) order
    without the key columns (a third fewer Python objects than reading them); a database
    whose epochs table is not complete is read row by row with its keys instead.
    """
    (count,) = db.query("SELECT count(*) FROM epochs")[0]
    width = len(EPOCH_METRICS) + 1
    columns = f"{', '.join(EPOCH_METRICS)}, special_mask"
    if count == NUM_EPOCHS * len(run_ids):
        flat = np.empty(count * width)
        filled = 0
        for chunk in db.stream(f"SELECT {columns} FROM epochs ORDER BY run_id, epoch"):
            part = np.fromiter(itertools.chain.from_iterable(chunk), np.float64, len(chunk) * width)
            flat[filled : filled + part.size] = part
            filled += part.size
        table = flat.reshape(count, width)
        row_run = np.repeat(run_ids, NUM_EPOCHS)
        row_epoch = np.tile(np.arange(NUM_EPOCHS), len(run_ids))
    else:
        rows = db.query(f"SELECT run_id, epoch, {columns} FROM epochs")
        keyed = np.array(rows, dtype=np.float64).reshape(len(rows), width + 2)
        row_run = keyed[:, 0].astype(np.int64)
        row_epoch = keyed[:, 1].astype(np.int64) - 1
        table = keyed[:, 2:]
    values = _restore_special(table[:, :-1], table[:, -1].astype(np.int64))
    # Dense column of (metric m, epoch e) is m * 12 + e (layout.CURVE_COLUMNS order).
    dense_columns = np.arange(len(EPOCH_METRICS))[None, :] * NUM_EPOCHS + row_epoch[:, None]
    runs[row_run[:, None], dense_columns] = values


def load_epoch(db: Database, size: int, mode: int, epoch: int) -> tuple[Any, Any]:
    """One mode's accuracy and official cost after ``epoch`` for every run (one table scan).

    Args:
        db: The open database.
        size: Length of the arrays (``run_id`` < this).
        mode: 0, 1, 2 for train, valid, test.
        epoch: 1..12.

    Returns:
        ``(acc[run_id], cost[run_id])``, NaN where the data has none.
    """
    name = EPOCH_METRICS[mode].removesuffix("_acc")
    rows = db.query(
        f"SELECT run_id, special_mask, {name}_acc, {name}_cost FROM epochs WHERE epoch = ?",
        (epoch,),
    )
    acc, cost = np.full(size, np.nan), np.full(size, np.nan)
    if rows:
        table = np.array(rows, dtype=np.float64)
        run_id = table[:, 0].astype(np.int64)
        masks = table[:, 1].astype(np.int64)
        # The mode's bits: accuracy `mode`, cost 6 + mode (see the schema).
        bits = np.stack([masks >> mode & 1, masks >> (6 + mode) & 1], axis=1)
        values = _restore_special(table[:, 2:], (bits[:, 0] | bits[:, 1] << 1))
        acc[run_id], cost[run_id] = values[:, 0], values[:, 1]
    return acc, cost


def acc_cost(runs: Any, run_id: Any, mode: str, last: int) -> tuple[Any, Any]:
    """Accuracy and cost of the rows ``run_id`` (any shape), gathering only needed columns.

    Args:
        runs: The dense run rows of :func:`load_dense`.
        run_id: Row numbers (an int array of any shape).
        mode: ``'train'``, ``'valid'`` or ``'test'``.
        last: The epoch read, 1..12.

    Returns:
        ``(acc, cost)`` arrays shaped like ``run_id``, equal bit for bit to the official API.
    """
    acc = runs[run_id, ACC_OFFSET[mode] + last - 1]
    if last == NUM_EPOCHS:
        if mode == "test":
            cost = runs[run_id, TOTAL_COLUMN["valid"]] + runs[run_id, TOTAL_COLUMN["test"]]
        else:
            cost = runs[run_id, TOTAL_COLUMN[mode]]
        return acc, cost
    # Left-to-right like the official sum() (which starts at int 0): the same float.
    cost = np.zeros(np.shape(acc))
    for offset in TIME_OFFSETS[mode]:
        for epoch in range(last):
            cost = cost + runs[run_id, offset + epoch]
    return acc, cost


def query_grid(
    api: API,
    cellcodes: Sequence[str] | None,
    lrs: Sequence[float] | None,
    batch_sizes: Sequence[int] | None,
    epoch: int,
    mode: str,
    iepoch: int | None,
    seed: str | int,
) -> pa.Table:
    """Implements :meth:`~nasbench_lite.benchmarks.nashpobench2.reader.API.query_many`."""
    pa = import_pyarrow()

    last = check_epoch_mode(epoch, mode, iepoch)
    first_code, first_lr, first_bs = api.cellcodes[0], api.lrs[0], api.batch_sizes[0]
    codes = api.cellcodes if cellcodes is None else list(cellcodes)
    cell_pos = np.asarray(
        [api._indexes(c, first_lr, first_bs) and api._cell_index[c] for c in codes],
        dtype=np.int64,
    )
    lr_pos = np.asarray(
        [api._indexes(first_code, v, first_bs)[1] for v in (lrs or api.lrs)], np.int64
    )
    bs_pos = np.asarray(
        [api._indexes(first_code, first_lr, v)[2] for v in (batch_sizes or api.batch_sizes)],
        np.int64,
    )
    if epoch == 200 or seed == "mean":
        seed_pos = np.zeros(1, dtype=np.int64)
    elif seed == "current":
        seed_pos = np.asarray([api._seed_idx], dtype=np.int64)
    elif seed == "all":
        seed_pos = np.arange(api._num_seeds, dtype=np.int64)
    elif isinstance(seed, int) and not isinstance(seed, bool):
        if seed not in api._seed_index:
            raise OutOfDomainError(f"unknown seed {seed!r}: choose a seed value from {api.seeds}")
        seed_pos = np.asarray([api._seed_index[seed]], dtype=np.int64)
    else:
        raise InvalidInputError(
            f"seed must be 'current', 'mean', 'all' or a seed value, got {seed!r}"
        )
    grid = np.meshgrid(cell_pos, lr_pos, bs_pos, seed_pos, indexing="ij")
    cell, lr, bs, sd = (g.reshape(-1) for g in grid)
    runs, present, surrogate, found200 = api._dense_runs()
    if epoch == 12 and last != NUM_EPOCHS and not api._dense_epochs:
        # Only epoch `last` is needed: its accuracy and official cost columns.
        columns = api._epoch_columns(mode, last)

        def read(ids: Any) -> tuple[Any, Any]:
            return columns[0][ids], columns[1][ids]
    else:

        def read(ids: Any) -> tuple[Any, Any]:
            return acc_cost(runs, ids, mode, last)

    hash_ids = np.asarray(api._hash_list, dtype=np.int64)
    conf = conf_id(hash_ids[cell], lr, bs, api._num_lrs, api._num_bs)
    if epoch == 200:
        found = found200[conf]
        acc, cost = surrogate[conf], np.full(len(cell), np.nan)
    elif seed == "mean":
        runs_of = run_id(conf[:, None], np.arange(api._num_seeds)[None, :], api._num_seeds)
        mask = present[runs_of]
        acc_all, cost_all = read(runs_of)
        count = mask.sum(axis=1)
        found = count > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            acc = np.where(mask, acc_all, 0.0).sum(axis=1) / count
            cost = np.where(mask, cost_all, 0.0).sum(axis=1) / count
    else:
        runs_of = run_id(conf, sd, api._num_seeds)
        found = present[runs_of]
        acc, cost = read(runs_of)
    no_seed = np.full(len(cell), epoch == 200 or seed == "mean")
    return pa.table(
        {
            "index": pa.array(cell * api._per_cell + lr * api._num_bs + bs),
            "cellcode": pa.array(np.asarray(api.cellcodes, dtype=object)[cell], pa.string()),
            "lr": pa.array(np.asarray(api.lrs, dtype=np.float64)[lr]),
            "batch_size": pa.array(np.asarray(api.batch_sizes, dtype=np.int64)[bs]),
            "seed": pa.array(np.asarray(api.seeds, dtype=np.int64)[sd], mask=no_seed),
            "found": pa.array(found),
            "acc": pa.array(acc, mask=~found),
            "cost": pa.array(cost, mask=~found | (epoch == 200)),
        }
    )
