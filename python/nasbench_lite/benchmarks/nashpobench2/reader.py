"""``API``: the official ``nashpobench2api.NASHPOBench2API`` on a built database.

Port existing code by changing the import and the path::

    from nasbench_lite.nashpobench2 import API     # was: from nashpobench2api import
    api = API("nhb2.sqlite")                       #      NASHPOBench2API as API; API("data")
    acc, cost = api.query_by_key("0|10|210", 0.1, 256)

``query_by_key(cellcode, lr, batch_size, epoch=12, mode='valid', iepoch=None, seed=None,
enable_log=True)`` returns ``(accuracy in %, cost in seconds)``: for 12 epochs the ``mode``
accuracy after epoch ``iepoch`` (default 12) of the current seed's run, and as cost the
training time (``'train'``), training + validation time (``'valid'``) or training + validation
+ test time (``'test'``) -- the file's totals when ``iepoch`` is 12, else the sum of the
per-epoch times up to ``iepoch``. For 200 epochs it returns ``(surrogate test accuracy, None)``
and logs nothing. Every logged query appends to the transitions that ``get_results`` returns:
``acc_trans`` (accuracies), ``key_trans`` (``{'cellcode', 'lr', 'batch_size'}`` dicts),
``best_acc_trans`` / ``best_key_trans`` (best so far, first one kept on ties),
``total_cost_trans`` (running cost) and ``final_accs`` (the ``mode`` accuracy of the best key
for each requested epoch budget).

Deliberate differences from the official API (documented in the README):

* ``seed=0`` selects seed 0 (and so raises, as 0 is not a training seed) -- the official API
  tests ``if seed:`` and silently keeps the current seed;
* ``iepoch`` must be 1..12: the official API reads column ``*_-1`` for ``iepoch=0`` (a
  ``KeyError``) and sums nothing for negative values;
* bad arguments raise :class:`~nasbench_lite.errors.OutOfDomainError` (a ``ValueError``) naming
  the valid choices, where the official one uses ``assert`` (gone under ``python -O``);
* ``query_by_index`` also takes ``mode`` and ``enable_log``; ``api[-1]`` is the last
  configuration (the official arithmetic maps negative indexes to wrong keys);
* ``get_random_key`` draws from this object's ``random.Random(random_state)``, never the
  global ``random`` module (same draws as the official API after ``random.seed(random_state)``);
* ``get_results`` before any logged query returns empty transitions instead of a ``TypeError``;
* nothing is printed: the query log goes to the ``nasbench_lite.nashpobench2`` logger (INFO
  when ``verbose``, else DEBUG), configure ``logging`` to see it.

Thread safety: one read-only connection and the log state behind a lock; processes may share
the file.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from nasbench_lite._core.reader import ReaderBase
from nasbench_lite.benchmarks.nashpobench2.arguments import EPOCHS, check_epoch_mode, flat_position
from nasbench_lite.benchmarks.nashpobench2.layout import ACC_OFFSET as _ACC_OFFSET
from nasbench_lite.benchmarks.nashpobench2.layout import EPOCH_SQL as _EPOCH_SQL
from nasbench_lite.benchmarks.nashpobench2.layout import FINAL_SQL as _FINAL_SQL
from nasbench_lite.benchmarks.nashpobench2.layout import MODES, NUM_EPOCHS, exact_value
from nasbench_lite.benchmarks.nashpobench2.layout import NUM_CURVES as _NUM_CURVES
from nasbench_lite.benchmarks.nashpobench2.layout import PARTIAL_BITS as _PARTIAL_BITS
from nasbench_lite.benchmarks.nashpobench2.layout import PARTIAL_SQL as _PARTIAL_SQL
from nasbench_lite.benchmarks.nashpobench2.layout import SURROGATE_SQL as _SURROGATE_SQL
from nasbench_lite.benchmarks.nashpobench2.layout import TIME_OFFSETS as _TIME_OFFSETS
from nasbench_lite.benchmarks.nashpobench2.layout import TOTAL_COLUMN as _TOTAL
from nasbench_lite.benchmarks.nashpobench2.layout import conf_id as _conf_id
from nasbench_lite.benchmarks.nashpobench2.layout import run_id as _run_of
from nasbench_lite.errors import NotInDatabaseError, OutOfDomainError

if TYPE_CHECKING:
    import pyarrow as pa

    from nasbench_lite.benchmarks.nashpobench2.raw import OfficialTables

# numpy and pyarrow are imported only by the bulk paths: single queries stay light to import.

__all__ = ["API", "MODES"]

_MODE_INDEX = {mode: i for i, mode in enumerate(MODES)}


class API(ReaderBase):
    """NAS-HPO-Bench-II queries with the official API's interface (see the module docstring).

    Args:
        path: A database built by ``nasbench-lite build nashpobench2``.
        seed: Training seed to read (one of :attr:`seeds`); default the smallest.
        verbose: Log every query at INFO instead of DEBUG.
        logger: Logger for the query log (default ``nasbench_lite.nashpobench2``).
        random_state: Seed of this object's RNG for :meth:`get_random_key`.

    Raises:
        DatabaseError: Not a NAS-HPO-Bench-II database.
        SchemaVersionError: Built by another schema version.
        OutOfDomainError: ``seed`` is not a training seed of the data.
    """

    KIND = "nashpobench2"

    def __init__(
        self,
        path: str | os.PathLike[str],
        seed: int | None = None,
        verbose: bool = False,
        *,
        logger: logging.Logger | None = None,
        random_state: int | None = None,
    ) -> None:
        super().__init__(path, random_state=random_state)
        self.logger = logger or logging.getLogger("nasbench_lite.nashpobench2")
        self.verbose = verbose
        self.epochs = list(EPOCHS)
        self._opened()
        self.seed = self.seeds[0]
        self._seed_idx = 0
        if seed is not None:
            try:
                self.set_seed(seed)
            except OutOfDomainError:
                self.close()
                raise
        self._init_logdata()

    # A copy (pickle: a worker process; copy.deepcopy) opens the file again and carries the
    # logger (by name, as pickle carries loggers), verbose, the seed, the query log and the
    # generator's state; the lists and indexes read from the file and the loaded arrays are
    # its own (a preloaded original's copy loads again on first bulk use).
    _COPYABLE = True
    _OPENED = ReaderBase._OPENED | {
        "cellcodes",
        "lrs",
        "batch_sizes",
        "seeds",
        "_hash_of",
        "_hash_list",
        "_cell_index",
        "_lr_index",
        "_bs_index",
        "_seed_index",
        "_per_cell",
        "_num_lrs",
        "_num_bs",
        "_num_seeds",
        "_dense",
        "_dense_epochs",
        "_epoch_cache",
        "_official_tables",
    }

    def _opened(self) -> None:
        """The per-open state (:attr:`_OPENED`): by the constructor, and for a copy."""
        query = self._db.query
        cells: list[Any] = query("SELECT cellcode, hash_id FROM cells ORDER BY cell_idx")
        #: Sorted cell codes, learning rates, batch sizes and training seeds (official lists).
        self.cellcodes: list[str] = [c for c, _ in cells]
        self.lrs: list[float] = [r[0] for r in query("SELECT lr FROM lrs ORDER BY 1")]
        self.batch_sizes: list[int] = [
            r[0] for r in query("SELECT batch_size FROM batch_sizes ORDER BY 1")
        ]
        self.seeds: list[int] = [r[0] for r in query("SELECT seed FROM seeds ORDER BY 1")]
        self._hash_of = {code: hash_id for code, hash_id in cells}
        self._hash_list: list[int] = [int(h) for _, h in cells]
        self._cell_index = {code: i for i, code in enumerate(self.cellcodes)}
        self._lr_index = {v: i for i, v in enumerate(self.lrs)}
        self._bs_index = {v: i for i, v in enumerate(self.batch_sizes)}
        self._seed_index = {v: i for i, v in enumerate(self.seeds)}
        self._per_cell = len(self.lrs) * len(self.batch_sizes)
        self._num_lrs, self._num_bs, self._num_seeds = (
            len(self.lrs),
            len(self.batch_sizes),
            len(self.seeds),
        )
        self._dense: tuple[Any, Any, Any, Any] | None = None
        #: Whether ``_dense`` holds every epoch (``preload``) or only the 12-epoch values.
        self._dense_epochs = False
        #: (mode, epoch) -> (acc, cost) arrays for partial-epoch ``query_many`` calls.
        self._epoch_cache: dict[tuple[str, int], tuple[Any, Any]] = {}
        self._official_tables: OfficialTables | None = None

    # -- plumbing -------------------------------------------------------------------------
    def __str__(self) -> str:
        return "NAS-HPO-Bench-II"

    def official_tables(self) -> OfficialTables:
        """Views of the official ``bench12`` / ``avgaccs200`` / ``cellinfo`` dicts (made once).

        Returns:
            An :class:`~nasbench_lite.benchmarks.nashpobench2.raw.OfficialTables`; its
            ``bench12()``,
            ``avgaccs200()`` and ``cellinfo()`` have the pickles' shapes.
        """
        from nasbench_lite.benchmarks.nashpobench2.raw import OfficialTables

        with self._lock:
            if self._official_tables is None:
                self._official_tables = OfficialTables(self._db)
            return self._official_tables

    def _init_logdata(self) -> None:
        with self._lock:
            self.acc_trans: list[float] = []
            self.best_acc: float = -1
            self.best_acc_trans: list[float] = []
            self.total_cost: float = 0.0
            self.total_cost_trans: list[float] = []
            self.best_cost: float | None = None
            self.key_trans: list[dict[str, Any]] = []
            self.best_key: dict[str, Any] | None = None
            self.best_key_trans: list[dict[str, Any] | None] = []
            self.final_accs: list[float] = []

    def _indexes(self, cellcode: Any, lr: Any, batch_size: Any) -> tuple[int, int, int]:
        """(hash_id, lr_idx, bs_idx) of a key; OutOfDomainError naming the valid choices."""
        try:
            hash_id = self._hash_of.get(cellcode)
            lr_idx = self._lr_index.get(lr)
            bs_idx = self._bs_index.get(batch_size)
        except TypeError:  # unhashable
            hash_id = lr_idx = bs_idx = None
        if hash_id is not None and lr_idx is not None and bs_idx is not None:
            return hash_id, lr_idx, bs_idx
        if hash_id is None:
            raise OutOfDomainError(
                f"unknown cell code {cellcode!r}: choose one of the {len(self.cellcodes)} codes "
                f"'A|BC|DEF' with digits 0-3 (e.g. {self.cellcodes[0]!r} ... "
                f"{self.cellcodes[-1]!r}; see get_search_space())"
            )
        if lr_idx is None:
            raise OutOfDomainError(f"unknown learning rate {lr!r}: choose lr from {self.lrs}")
        raise OutOfDomainError(
            f"unknown batch size {batch_size!r}: choose batch_size from {self.batch_sizes}"
        )

    def _run_id(self, hash_id: int, lr_idx: int, bs_idx: int, seed_idx: int) -> int:
        conf = _conf_id(hash_id, lr_idx, bs_idx, self._num_lrs, self._num_bs)
        return int(_run_of(conf, seed_idx, self._num_seeds))

    # -- official API -----------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.cellcodes) * self._per_cell

    def get_key_from_idx(self, idx: int) -> dict[str, Any]:
        """The configuration at a flat index (cell-major, then lr, then batch size).

        Args:
            idx: ``0 <= idx < len(api)``; negative counts from the end.

        Returns:
            ``{'cellcode', 'lr', 'batch_size'}``.

        Raises:
            IndexOutOfRangeError: Out of range (an ``IndexError``: ends ``for key in api``
                loops).
        """
        cell, rest = divmod(flat_position(idx, len(self)), self._per_cell)
        lr, bs = divmod(rest, len(self.batch_sizes))
        return {
            "cellcode": self.cellcodes[cell],
            "lr": self.lrs[lr],
            "batch_size": self.batch_sizes[bs],
        }

    def get_idx_from_key(self, key: dict[str, Any]) -> int:
        """The flat index of ``{'cellcode', 'lr', 'batch_size'}`` (inverse of get_key_from_idx).

        Raises:
            OutOfDomainError: Unknown cell code, learning rate or batch size.
        """
        cellcode, lr, batch_size = key["cellcode"], key["lr"], key["batch_size"]
        _, lr_idx, bs_idx = self._indexes(cellcode, lr, batch_size)
        return self._cell_index[cellcode] * self._per_cell + lr_idx * len(self.batch_sizes) + bs_idx

    def __getitem__(self, idx: int) -> tuple[float, float | None]:
        return self.query_by_key(**self.get_key_from_idx(idx))

    def query_by_index(
        self,
        cell_idx: int,
        lr_idx: int,
        batch_size_idx: int,
        epoch: int = 12,
        iepoch: int | None = None,
        seed: int | None = None,
        mode: str = "valid",
        enable_log: bool = True,
    ) -> tuple[float, float | None]:
        """:meth:`query_by_key` by positions in :meth:`get_search_space`'s lists.

        Raises:
            IndexError: A position out of range.
        """
        return self.query_by_key(
            self.cellcodes[cell_idx],
            self.lrs[lr_idx],
            self.batch_sizes[batch_size_idx],
            epoch=epoch,
            mode=mode,
            iepoch=iepoch,
            seed=seed,
            enable_log=enable_log,
        )

    def query_by_key(
        self,
        cellcode: str,
        lr: float,
        batch_size: int,
        epoch: int = 12,
        mode: str = "valid",
        iepoch: int | None = None,
        seed: int | None = None,
        enable_log: bool = True,
    ) -> tuple[float, float | None]:
        """Accuracy and cost of one configuration (see the module docstring).

        Args:
            cellcode: ``'A|BC|DEF'`` code.
            lr: Initial learning rate, one of :attr:`lrs`.
            batch_size: One of :attr:`batch_sizes`.
            epoch: 12 (trained) or 200 (surrogate).
            mode: ``'train'``, ``'valid'`` or ``'test'`` (ignored for 200 epochs).
            iepoch: Epoch 1..12 to read for 12-epoch queries (default 12).
            seed: Switch to this training seed first (it stays selected).
            enable_log: Append the query to the transitions (12-epoch queries only).

        Returns:
            ``(accuracy %, cost seconds)``; ``(accuracy %, None)`` for 200 epochs.

        Raises:
            OutOfDomainError: Unknown key, epoch, mode, iepoch or seed.
            NotInDatabaseError: The data has no value for this key (a ``KeyError``).
        """
        hash_id, lr_idx, bs_idx = self._indexes(cellcode, lr, batch_size)
        if epoch == 12 and iepoch is None and mode in _TOTAL:
            last = NUM_EPOCHS  # the common case, checked without a call
        else:
            last = check_epoch_mode(epoch, mode, iepoch)
        if seed is not None:
            self.set_seed(seed)
        if epoch == 200:
            return self._surrogate(hash_id, lr_idx, bs_idx), None
        run_id = self._run_id(hash_id, lr_idx, bs_idx, self._seed_idx)
        column = _ACC_OFFSET[mode] + last - 1
        dense = self._dense
        if dense is None or (last != NUM_EPOCHS and not self._dense_epochs):
            if last == NUM_EPOCHS:
                rows: list[Any] = self._db.query(_FINAL_SQL, (run_id,))
                if not rows:
                    raise NotInDatabaseError(f"no 12-epoch run for this key and seed {self.seed}")
                row = rows[0]
                position = _MODE_INDEX[mode]
                acc = row[3 + position]
                totals = row[:3]
                if row[6]:
                    acc = exact_value(acc, row[6], 3 + position)
                    totals = tuple(exact_value(v, row[6], i) for i, v in enumerate(totals))
                if mode == "test":
                    cost = totals[1] + totals[2]
                else:
                    cost = totals[0] if mode == "train" else totals[1]
            else:
                position = _MODE_INDEX[mode]
                rows = self._db.query(_EPOCH_SQL[mode], (run_id, last))
                if not rows:
                    raise NotInDatabaseError(f"no 12-epoch run for this key and seed {self.seed}")
                acc, cost, mask = rows[0]
                if mask:
                    acc = exact_value(acc, mask, position)
                    cost = exact_value(cost, mask, 6 + position)
                if cost is None:  # a None among the times: sum them as the official API does
                    acc, cost = self._summed(run_id, mode, last)
        else:
            if not dense[1][run_id]:
                raise NotInDatabaseError(f"no 12-epoch run for this key and seed {self.seed}")
            values = dense[0][run_id]
            acc = float(values[column])
            if last == NUM_EPOCHS:
                if mode == "test":
                    cost = float(values[_NUM_CURVES + 1]) + float(values[_NUM_CURVES + 2])
                else:
                    cost = float(values[_TOTAL[mode]])
            else:
                listed = values.tolist()
                # Same terms in the same order as the official sum(), so the same float.
                cost = sum(listed[o + i] for o in _TIME_OFFSETS[mode] for i in range(last))
        if enable_log:
            self._write_log(acc, cost, {"cellcode": cellcode, "lr": lr, "batch_size": batch_size})
        return acc, cost

    def _summed(self, run_id: int, mode: str, last: int) -> tuple[Any, Any]:
        """(acc, cost) of a partial-epoch query from the per-epoch times, summed in Python.

        Only for rows whose stored cost is NULL (a None among the file's times): the same
        additions as the official ``sum()``, which then fails the same way (``TypeError``).
        """
        rows: list[Any] = self._db.query(_PARTIAL_SQL[mode], (run_id, last))
        width = len(rows[0]) - 1
        bits = _PARTIAL_BITS[mode]
        rows = [[exact_value(v, r[width], bits[i]) for i, v in enumerate(r[:width])] for r in rows]
        # Every epoch's train time, then the valid times, then the test times; from int 0.
        cost = 0
        for metric in range(width - 1):
            for r in rows:
                cost = cost + r[metric]
        return rows[-1][width - 1], cost

    def _surrogate(self, hash_id: int, lr_idx: int, bs_idx: int) -> float:
        conf = _conf_id(hash_id, lr_idx, bs_idx, self._num_lrs, self._num_bs)
        if self._dense is not None:
            if self._dense[3][conf]:
                return float(self._dense[2][conf])
        else:
            rows: list[Any] = self._db.query(_SURROGATE_SQL, (conf,))
            if rows:
                return float(rows[0][0])
        raise NotInDatabaseError("no 200-epoch surrogate value for this key")

    def _write_log(self, acc: float, cost: float, key: dict[str, Any]) -> None:
        with self._lock:
            if self.logger.isEnabledFor(logging.INFO if self.verbose else logging.DEBUG):
                self.logger.log(
                    logging.INFO if self.verbose else logging.DEBUG,
                    "%8.2f %%   %8.2f sec  %s %-7.5f %-3d",
                    acc,
                    cost,
                    key["cellcode"],
                    key["lr"],
                    key["batch_size"],
                )
            self.record_query(acc, cost, key)

    def record_query(self, acc: float, cost: float, key: dict[str, Any]) -> None:
        """Appends a query to the transitions, as ``enable_log=True`` does, without logging.

        For callers that log in their own words (the compat ``NASHPOBench2API``).

        Args:
            acc: The query's accuracy.
            cost: Its cost.
            key: ``{'cellcode', 'lr', 'batch_size'}`` (kept as given, not copied).
        """
        with self._lock:
            self.acc_trans.append(acc)
            self.key_trans.append(key)
            self.total_cost += cost
            self.total_cost_trans.append(self.total_cost)
            if self.best_key is None or self.best_acc < acc:
                self.best_acc, self.best_cost, self.best_key = acc, cost, key
            self.best_acc_trans.append(self.best_acc)
            self.best_key_trans.append(self.best_key)

    def get_total_cost(self) -> float:
        """Sum of the costs of every logged query since the last reset."""
        return self.total_cost

    def get_results(self, epoch: int | str = "both", mode: str = "test") -> dict[str, Any]:
        """The logged transitions and the final accuracies of the best (by logged acc) key.

        Args:
            epoch: 12, 200 or ``'both'`` (12 then 200) for ``final_accs``.
            mode: Accuracy read for ``final_accs`` at 12 epochs.

        Returns:
            ``acc_trans``, ``key_trans``, ``best_acc_trans``, ``best_key_trans``,
            ``total_cost_trans``, ``final_accs`` (lists; ``final_accs`` empty before any
            logged query).

        Raises:
            OutOfDomainError: Unknown epoch or mode.
        """
        epochs: list[Any] = list(EPOCHS) if epoch == "both" else [epoch]
        for e in epochs:
            check_epoch_mode(e, mode, None)
        with self._lock:
            best_key = self.best_key
            final_accs = []
            if best_key is not None:
                for e in epochs:
                    final_acc, _ = self.query_by_key(
                        **best_key, epoch=e, mode=mode, enable_log=False
                    )
                    final_accs.append(final_acc)
                    self.logger.log(
                        logging.INFO if self.verbose else logging.DEBUG,
                        "%s-epoch %s accuracy is %.2f%%",
                        e,
                        mode,
                        final_acc,
                    )
            self.final_accs = final_accs
            return {
                "acc_trans": list(self.acc_trans),
                "key_trans": list(self.key_trans),
                "best_acc_trans": list(self.best_acc_trans),
                "best_key_trans": list(self.best_key_trans),
                "total_cost_trans": list(self.total_cost_trans),
                "final_accs": list(final_accs),
            }

    def reset_logdata(
        self, logger: logging.Logger | None = None, verbose: bool | None = None
    ) -> None:
        """Clears the transitions and the total cost (before each run of a search).

        Args:
            logger: Replace the logger.
            verbose: Replace the verbosity.
        """
        if logger is not None:
            self.logger = logger
        if verbose is not None:
            self.verbose = verbose
        self._init_logdata()

    #: The official README's spelling.
    reset_log_data = reset_logdata

    def get_random_key(self) -> dict[str, Any]:
        """A uniformly random configuration from this object's RNG.

        Returns:
            ``{'cellcode', 'lr', 'batch_size'}``.
        """
        with self._lock:
            return {
                "cellcode": self._rng.choice(self.cellcodes),
                "lr": self._rng.choice(self.lrs),
                "batch_size": self._rng.choice(self.batch_sizes),
            }

    def get_search_space(self) -> tuple[list[str], list[float], list[int]]:
        """Returns ``(cellcodes, lrs, batch_sizes)`` (sorted, copies)."""
        return list(self.cellcodes), list(self.lrs), list(self.batch_sizes)

    def set_seed(self, seed: int) -> None:
        """Selects the training seed whose runs 12-epoch queries read.

        Raises:
            OutOfDomainError: Not one of :attr:`seeds`.
        """
        index = self._seed_index.get(seed)
        if index is None or isinstance(seed, bool):
            raise OutOfDomainError(f"unknown seed {seed!r}: choose a seed value from {self.seeds}")
        with self._lock:
            self.seed, self._seed_idx = seed, index

    # -- bulk -----------------------------------------------------------------------------
    def preload(self) -> None:
        """Loads every run, all 12 epochs, into memory (about 135 MB for the full benchmark).

        Later queries, single or bulk, are then answered from arrays without SQLite; without
        it each single query is one indexed SQLite lookup and ``query_many`` loads what it
        needs (the 12-epoch values, or every epoch for ``iepoch`` < 12).
        """
        self._dense_runs(epochs=True)

    def _dense_runs(self, epochs: bool = False) -> tuple[Any, Any, Any, Any]:
        """(runs[run_id, 75], run present, surrogate[conf_id], surrogate present), loaded once.

        Args:
            epochs: Also fill the per-epoch values (not only epoch 12's and the totals).
        """
        from nasbench_lite.benchmarks.nashpobench2.bulk import load_dense, load_epochs

        with self._lock:
            if self._dense is None:
                self._dense = load_dense(
                    self._db, (max(self._hash_list) + 1) * self._per_cell, self._num_seeds
                )
            if epochs and not self._dense_epochs:
                load_epochs(self._db, self._dense[0], self._dense[1])
                self._dense_epochs = True
            return self._dense

    def _epoch_columns(self, mode: str, last: int) -> tuple[Any, Any]:
        """(acc[run_id], cost[run_id]) of one mode after epoch ``last``, loaded once each."""
        from nasbench_lite.benchmarks.nashpobench2.bulk import load_epoch

        with self._lock:
            key = (mode, last)
            if key not in self._epoch_cache:
                size = len(self._dense_runs()[1])
                self._epoch_cache[key] = load_epoch(self._db, size, _MODE_INDEX[mode], last)
            return self._epoch_cache[key]

    def query_many(
        self,
        cellcodes: Sequence[str] | None = None,
        lrs: Sequence[float] | None = None,
        batch_sizes: Sequence[int] | None = None,
        epoch: int = 12,
        mode: str = "valid",
        iepoch: int | None = None,
        seed: str | int = "current",
    ) -> pa.Table:
        """Accuracy and cost of every configuration of a grid, in one pass (no logging).

        Args:
            cellcodes: Codes (default all, sorted).
            lrs: Learning rates (default all).
            batch_sizes: Batch sizes (default all).
            epoch: 12 or 200.
            mode: ``'train'``, ``'valid'`` or ``'test'`` (12 epochs).
            iepoch: Epoch 1..12 to read (default 12).
            seed: ``'current'`` (the object's seed, like ``query_by_key``), a seed value,
                ``'mean'`` (mean of acc and cost over the seeds present) or ``'all'`` (one row
                per seed). Ignored for 200 epochs.

        Returns:
            ``pyarrow.Table``, cell-major then lr then batch size (then seed), with ``index``
            (the official flat index), ``cellcode``, ``lr``, ``batch_size``, ``seed`` (null for
            ``'mean'`` and 200 epochs), ``found``, ``acc``, ``cost`` (null when not found and
            for 200 epochs). Values equal ``query_by_key``'s bit for bit.

        Raises:
            OutOfDomainError: An unknown code, lr, batch size, epoch, mode, iepoch or seed.
            InvalidInputError: A bad ``seed`` policy.
        """
        from nasbench_lite.benchmarks.nashpobench2.bulk import query_grid

        return query_grid(self, cellcodes, lrs, batch_sizes, epoch, mode, iepoch, seed)
