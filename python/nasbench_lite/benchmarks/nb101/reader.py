"""``NASBench``: the official ``nasbench.api.NASBench`` on a built database (no TensorFlow).

Port existing code by changing the import::

    from nasbench_lite.nb101 import api          # was: from nasbench import api
    nasbench = api.NASBench("nb101.sqlite", seed=0)  # was: the .tfrecord path
    spec = api.ModelSpec(matrix, ops)
    data = nasbench.query(spec)

``query(spec, epochs=108, stop_halfway=False)`` returns a dict with keys ``module_adjacency``
(int8 ndarray, the dataset's stored graph), ``module_operations`` (list of str),
``trainable_parameters`` (int), ``training_time`` (seconds), ``train_accuracy``,
``validation_accuracy``, ``test_accuracy`` (floats, halfway values when ``stop_halfway``).
``get_metrics_from_hash(h)`` returns ``(fixed_stats, computed_stats)`` where ``fixed_stats`` has
``module_adjacency``, ``module_operations``, ``trainable_parameters`` and ``computed_stats`` maps
each epoch budget to a list (file order) of dicts with ``halfway_training_time``,
``halfway_train_accuracy``, ``halfway_validation_accuracy``, ``halfway_test_accuracy``,
``final_training_time``, ``final_train_accuracy``, ``final_validation_accuracy``,
``final_test_accuracy``.

``fixed_statistics`` / ``computed_statistics`` are read-only mappings with the official dicts'
shapes, read lazily from the database (:mod:`nasbench_lite.benchmarks.nb101.stats`). ``query(...,
repeat=i)`` returns repeat ``i``; ``repeat=callable`` lets the caller draw it, and
``repeat=random.Random(...)`` draws it from that generator (the compat layer passes the global
``random`` module's generator this way).

``config`` is the official ``build_config()`` dict and is read as the official class reads it:
``is_valid``, ``query`` and ``get_metrics_from_spec`` check specs against its
``module_vertices``, ``max_edges`` and ``available_ops`` (hashing with the latter's order), and
``query`` draws among ``num_repeats``; ``query_many`` checks specs against it too.

Deliberate differences from the official API (documented in the README):

* the repeat drawn by ``query`` comes from this object's own ``random.Random(seed)``, never the
  global ``random`` module; ``NASBench(path, seed=s)`` draws the same repeat sequence as the
  official API after ``random.seed(s)`` (both call ``randint(0, 2)`` once per query);
* specs with more than 7 vertices raise the intended ``OutOfDomainError``, not ``TypeError``;
* unknown hashes raise :class:`~nasbench_lite.errors.NotInDatabaseError` (a ``KeyError``).

Thread safety: one read-only connection per object, guarded by a lock together with the RNG
and the budget counters, so an object can be shared by threads; separate processes may open the
same file at the same time.
"""

from __future__ import annotations

import sys
from random import Random

import apsw

from nasbench_lite._core.arguments import raise_checked
from nasbench_lite._core.reader import ReaderBase
from nasbench_lite._native import nb101_adjacency, nb101_computed_stats, nb101_first_sight_runs
from nasbench_lite.benchmarks.nb101.layout import (
    METRIC_FIELDS,
    load_special,
    restore,
    special_count,
)
from nasbench_lite.benchmarks.nb101.result import Cell, QueryResult
from nasbench_lite.errors import (
    InvalidInputError,
    NasbenchLiteError,
    NotInDatabaseError,
    OutOfDomainError,
)
from nasbench_lite.spaces.nb101.spec import (
    AVAILABLE_OPS,
    INPUT,
    OUTPUT,
    ModelSpec,
    check_spec_against,
    spec_verdict,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the cold path
if TYPE_CHECKING:
    import os
    from collections.abc import Callable, Iterator
    from typing import Any

    import pyarrow as pa

    from nasbench_lite.benchmarks.nb101.stats import ComputedStatistics, FixedStatistics

__all__ = ["METRIC_FIELDS", "NASBench", "ModelSpec", "OutOfDomainError", "decode_cell"]

#: Keys of ``nasbench.lib.config.build_config()`` that the API uses, with their defaults.
DEFAULT_CONFIG: dict[str, Any] = {
    "module_vertices": 7,
    "max_edges": 9,
    "num_repeats": 3,
    "available_ops": list(AVAILABLE_OPS),
    "stem_filter_size": 128,
    "num_stacks": 3,
    "num_modules_per_stack": 3,
    "num_labels": 10,
    "train_epochs": 108,
}


#: ``(num_vertices, op_codes)`` -> the op names (shared, never handed out; a valid database
#: has at most 364 combinations, a hostile one does not grow it past the bound).
_OPS: dict[tuple[int, int], list[str]] = {}
_OPS_CACHE_SIZE = 1024


def _decode_ops(num_vertices: int, op_codes: int) -> list[str]:
    """The ``module_operations`` of stored ``op_codes`` (see ``sql/nb101.sql``), shared."""
    ops = _OPS.get((num_vertices, op_codes))
    if ops is None:
        interior: list[str] = []
        codes = op_codes
        for _ in range(num_vertices - 2):
            interior.append(AVAILABLE_OPS[codes % 3])
            codes //= 3
        ops = [INPUT, *reversed(interior), OUTPUT]
        if len(_OPS) < _OPS_CACHE_SIZE:
            _OPS[num_vertices, op_codes] = ops
    return ops


def _decode_flat(num_vertices: int, edge_bits: int, op_codes: int) -> Cell:
    """The stored graph of a cell (adjacency decoded when first needed) and its ops."""
    return Cell(num_vertices, edge_bits, _decode_ops(num_vertices, op_codes))


def decode_cell(num_vertices: int, edge_bits: int, op_codes: int) -> tuple[Any, list[str]]:
    """Decodes the stored ``edge_bits`` / ``op_codes`` of a cell (see ``sql/nb101.sql``).

    Args:
        num_vertices: V (2..7).
        edge_bits: ``gen_is_edge_fn`` bits.
        op_codes: Base-3 interior ops, first interior vertex most significant.

    Returns:
        ``(module_adjacency as V x V int8 ndarray, module_operations list)``.
    """
    cell = _decode_flat(num_vertices, edge_bits, op_codes)
    return cell.adjacency(), list(cell.ops)


def _as_repeat_index(value: Any) -> int:
    """A repeat index given as another integer type (numpy integers), else InvalidInputError."""
    numpy = sys.modules.get("numpy")
    integer_types: tuple[type, ...] = (int,) if numpy is None else (int, numpy.integer)
    if isinstance(value, bool) or not isinstance(value, integer_types):
        raise InvalidInputError(f"repeat must be an int, got {value!r}")
    index: Any = value  # an int or numpy integer, checked just above
    return int(index)


#: ``(hash, epochs)`` -> decoded row entries kept per NASBench object (< 1 kB each); a search
#: of 100k steps fits, a full sweep of the database is cleared and refilled as it goes.
_ROW_CACHE_SIZE = 100_000


def _first_sight_sql(metrics: tuple[str, ...], cell_id: bool = False) -> str:
    """The first-sight statement returning ``metrics`` (see :data:`_FIRST_SIGHT_SQL`)."""
    return (
        "SELECT c.num_vertices, c.edge_bits, c.op_codes, c.trainable_parameters, r.repeat,"
        f" {' + '.join('r.' + m for m in metrics)}, {', '.join('r.' + m for m in metrics)}"
        + (", c.cell_id" if cell_id else "")
        + " FROM cells c LEFT JOIN runs r ON r.cell_id = c.cell_id AND r.epochs = ?"
        " WHERE c.hash = ?"
    )


#: First sight of (cell, budget, half), one statement per ``stop_halfway``: the cell's entry of
#: the covering hash index (``sql/nb101.sql``) and every repeat at the budget (stored next to
#: each other in ``runs``), so a later visit drawing another repeat needs no SQL. Only the four
#: values ``query`` returns are read: each value read costs about 0.1 us in SQLite and apsw,
#: a third of the statement. No repeat: one row of NULLs. Column 5 is NULL when some value may
#: be NULL (a sum with a NULL is NULL; so is inf + -inf, a harmless false alarm): cheaper in
#: SQLite than testing the values in Python.
_FIRST_SIGHT_SQL = {
    False: _first_sight_sql(METRIC_FIELDS[4:]),
    True: _first_sight_sql(METRIC_FIELDS[:4]),
}
#: The same with all eight values and the cell id (its exact NaN / -0.0 values: databases that
#: have some, see ``special_values``).
_FIRST_SIGHT_EXACT_SQL = _first_sight_sql(METRIC_FIELDS, cell_id=True)
#: Every budget of one cell (``get_metrics_from_hash``).
_CELL_SQL = (
    "SELECT c.cell_id, c.num_vertices, c.edge_bits, c.op_codes, c.trainable_parameters,"
    f" r.epochs, r.repeat, {', '.join('r.' + m for m in METRIC_FIELDS)}"
    " FROM cells c LEFT JOIN runs r USING (cell_id) WHERE c.hash = ? ORDER BY r.epochs, r.repeat"
)


def _read_as_stored(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """The values of a first-sight row, a NULL read as NaN (``restore`` without exact bits)."""
    values = row[6:]
    if row[5] is None and None in values:
        return restore(values, None)
    return values


class _HashView:
    """Iterable, sized view of every hash in the database (first-appearance order)."""

    def __init__(self, api: NASBench) -> None:
        self._api = api

    def __iter__(self) -> Iterator[str]:
        rows = self._api._query("SELECT hash FROM cells ORDER BY cell_id")
        return (row[0] for row in rows)

    def __len__(self) -> int:
        return int(self._api._query("SELECT count(*) FROM cells")[0][0])

    def __repr__(self) -> str:
        return f"<hashes of {self._api!r}>"

    def __contains__(self, module_hash: object) -> bool:
        return isinstance(module_hash, str) and bool(
            self._api._query("SELECT 1 FROM cells WHERE hash = ?", (module_hash,))
        )


class NASBench(ReaderBase):
    """The official ``api.NASBench`` interface, answered from a nasbench_lite database.

    Args:
        dataset_file: Database built by ``nasbench-lite build nb101``.
        seed: Seed of this object's repeat sampler (``random.Random(seed)``); None draws from
            OS entropy like the official ``random.seed(None)``.

    Raises:
        DatabaseError: The file is missing or is not an NB101 data database.
        SchemaVersionError: Built by an incompatible nasbench_lite.
    """

    def __init__(self, dataset_file: str | os.PathLike[str], seed: int | None = None) -> None:
        super().__init__(dataset_file, random_state=seed)
        # A list of its own, as build_config() gives every object: an in-place change to one
        # object's available_ops must not reach other objects (or DEFAULT_CONFIG).
        self.config: dict[str, Any] = {**DEFAULT_CONFIG, "available_ops": list(AVAILABLE_OPS)}
        self.valid_epochs: set[int] = {
            int(e) for e in self._db.meta.get("valid_epochs", "").split(",") if e
        }
        self.training_time_spent = 0.0
        self.total_epochs_spent = 0
        self.history: dict[str, Any] = {}
        self._opened()

    def _opened(self) -> None:
        """The per-open state (:attr:`_OPENED`): by the constructor, and for a copy."""
        # (hash, epochs, stop_halfway) -> (decoded cell, parameters, {repeat: the four values
        # query returns}): repeated queries of a cell (evolution revisits many) skip SQL and
        # decoding.
        self._rows: dict[tuple[str, int, bool], tuple[Cell, int, dict[int, Any]]] = {}
        # Plans fixed by the statement text, not by the bound values: with the ANALYZE data
        # (sqlite_stat4) SQLite would otherwise prepare a lookup again for every new hash or
        # cell id bound to it (measured: 2-3x the cost of the lookup itself).
        self._db.connection.config(apsw.SQLITE_DBCONFIG_ENABLE_QPSG, 1)
        # NaN / -0.0 values kept exactly in `special_values` (normally none: no lookups then).
        self._has_special = special_count(self._db.meta) > 0
        # First sights, one point lookup each: a cursor kept on a connection of their own with
        # a page cache of their own (Database.point_query), opened after the plan setting
        # above. 4 MiB, not the default 2: the inner pages a lookup descends (runs ~553 and
        # cells_hash ~82 pages of 4 KiB on the full 108-epoch database) evicted each other at
        # 2 MiB; measured in a 10k-step random search, preads per first sight 1.93 -> 1.53.
        # Larger caches cut reads further but cost more page faults than they save.
        self._lookup = self._db.point_query(4 * 1024)

    KIND = "nb101"
    # A copy (pickle: a worker process; copy.deepcopy) opens the file again and carries the
    # config, the budget counters, history and the generator's state.
    _COPYABLE = True
    _OPENED = ReaderBase._OPENED | {"_rows", "_has_special", "_lookup", "_bulk_state"}
    #: What ``query`` answers with: a :class:`QueryResult` (False: adjacency built on read) or
    #: the official plain dict with the ndarray built (True: the compat layer sets it on its
    #: object; built inline, one Python call less per query).
    _plain_answers = False

    # -- official API -----------------------------------------------------------------------
    def is_valid(self, model_spec: ModelSpec) -> bool:
        """True when the spec is inside the space (no budget change, no database access).

        Args:
            model_spec: The spec.

        Returns:
            Whether ``_check_spec`` passes.
        """
        # Called once or more per search step: translates its own argument errors, as query.
        try:
            # The check made at construction, while it and the config's limits still hold.
            verdict = spec_verdict(model_spec, self.config)
            if verdict is not None:
                return verdict != ""
            try:
                self._check_spec(model_spec)
            except OutOfDomainError:
                return False
            return True
        except Exception as exc:  # noqa: BLE001 - translated exactly as checked() would
            if isinstance(exc, NasbenchLiteError) and not getattr(exc, "_from_checked", False):
                raise
            raise_checked(NASBench.is_valid, exc, self, model_spec)

    def _check_spec(self, model_spec: ModelSpec) -> None:
        # The limits and ops of self.config, as the official _check_spec reads them.
        check_spec_against(model_spec, self.config)

    def get_budget_counters(self) -> tuple[float, int]:
        """Returns ``(training_time_spent, total_epochs_spent)``."""
        with self._lock:
            return self.training_time_spent, self.total_epochs_spent

    def reset_budget_counters(self) -> None:
        """Resets both budget counters to zero."""
        with self._lock:
            self.training_time_spent = 0.0
            self.total_epochs_spent = 0

    @property
    def fixed_statistics(self) -> FixedStatistics:
        """Read-only ``hash -> fixed stats`` mapping over the database (the official dict's
        shape, see :mod:`nasbench_lite.benchmarks.nb101.stats`); nothing is loaded up front."""
        from nasbench_lite.benchmarks.nb101.stats import FixedStatistics

        return FixedStatistics(self)

    @property
    def computed_statistics(self) -> ComputedStatistics:
        """Read-only ``hash -> {epochs: [metrics per repeat]}`` mapping over the database."""
        from nasbench_lite.benchmarks.nb101.stats import ComputedStatistics

        return ComputedStatistics(self)

    def hash_iterator(self) -> _HashView:
        """Every module hash in the database, in order of first appearance in the source."""
        return _HashView(self)

    def get_metrics_from_hash(
        self, module_hash: str
    ) -> tuple[dict[str, Any], dict[int, list[dict[str, float]]]]:
        """All stored data of one cell (no budget change).

        Args:
            module_hash: 32-char module hash.

        Returns:
            ``(fixed_stats, computed_stats)`` as described in the module docstring.

        Raises:
            NotInDatabaseError: Unknown hash (a ``KeyError``).
        """
        # A point lookup (analysis code calls this for every hash of the space), the dicts
        # built natively unless some value needs its exact bits back (NaN / -0.0).
        rows = self._lookup(_CELL_SQL, (module_hash,))
        if not rows:
            raise NotInDatabaseError(f"hash {module_hash!r} is not in {self._db.path}")
        from nasbench_lite.benchmarks.nb101.stats import computed_from_rows, fixed_from_row

        cell_id = rows[0][0]
        fixed = fixed_from_row(*rows[0][1:5])
        computed = None if self._has_special else nb101_computed_stats(rows, METRIC_FIELDS)
        if computed is None:
            special = self._special(cell_id) if self._has_special else None
            computed = computed_from_rows([row[5:] for row in rows], cell_id, special)
        return fixed, computed

    def _special(self, cell_id: int) -> Any:
        """The exact NaN / -0.0 values of one cell (``special_values``)."""
        return load_special(self._query, cell_id, cell_id)

    def get_metrics_from_spec(
        self, model_spec: ModelSpec
    ) -> tuple[dict[str, Any], dict[int, list[dict[str, float]]]]:
        """As :meth:`get_metrics_from_hash` for a spec (checked first).

        Args:
            model_spec: The spec.

        Returns:
            ``(fixed_stats, computed_stats)``.

        Raises:
            OutOfDomainError: The spec is outside the space.
            NotInDatabaseError: The spec's hash is not in the database.
        """
        self._check_spec(model_spec)
        return self.get_metrics_from_hash(model_spec.hash_spec(self.config["available_ops"]))

    def query(
        self,
        model_spec: ModelSpec,
        epochs: int = 108,
        stop_halfway: bool = False,
        *,
        repeat: int | Random | Callable[[int], int] | None = None,
    ) -> dict[str, Any]:
        """Trains (looks up) a spec: one repeat drawn at random, budget counters updated.

        Args:
            model_spec: The spec.
            epochs: Epoch budget, one of :attr:`valid_epochs`.
            stop_halfway: Return the halfway evaluation (and count half the epochs).
            repeat: Which repeat to return. None (default) draws it from this object's
                generator; an int picks it; a ``random.Random`` (exactly that class) draws
                it as its ``randint(0, num_repeats - 1)`` would (``nasbench_lite.compat``
                passes the global ``random`` module's generator this way); a callable is
                called with ``num_repeats`` and returns the index. Draws happen once the
                spec has passed every check and been found, where the official API draws.

        Returns:
            The dict described in the module docstring, as a
            :class:`~nasbench_lite.benchmarks.nb101.result.QueryResult`: a ``dict`` whose
            ``module_adjacency`` ndarray is built when first read (so a loop reading only
            the accuracies never imports numpy).

        Raises:
            OutOfDomainError: Invalid epochs (checked first) or spec.
            NotInDatabaseError: The spec's hash is not in the database.
        """
        # The hot path of every search loop. ReaderBase's argument check would wrap it in one
        # more Python call; it translates failures itself instead (raise_checked, below).
        try:
            if epochs not in self.valid_epochs:
                raise OutOfDomainError(
                    f"invalid number of epochs, must be one of {self.valid_epochs}"
                )
            # A spec whose construction-time check still holds, under a config with the
            # official limits and ops, brings its hash (check_spec and hash_spec answered at
            # once); anything else takes the checks against the config.
            module_hash = spec_verdict(model_spec, self.config)
            if not module_hash:
                self._check_spec(model_spec)
                module_hash = model_spec.hash_spec(self.config["available_ops"])
            # The cache key: 1 and True alike (stop_halfway itself kept for the error path).
            half = stop_halfway if type(stop_halfway) is bool else bool(stop_halfway)
            entry = self._rows.get((module_hash, epochs, half))
            if entry is None:
                entry = self._first_sight(module_hash, epochs, half)
            cell, params, runs = entry
            if repeat is not None and callable(repeat):  # the caller's code: outside the lock
                sampled_index = repeat(self.config["num_repeats"])
            with self._lock:
                if repeat is None or type(repeat) is Random:
                    source = self._rng if repeat is None else repeat
                    num_repeats = self.config["num_repeats"]
                    if type(num_repeats) is int and num_repeats > 0:
                        # randint(0, n - 1) of a Random is randrange(n) -> _randbelow(n):
                        # getrandbits(bit_length(n)) until below n, here without its two
                        # Python calls (the same draws: tested against randint).
                        getrandbits = source.getrandbits
                        bits = num_repeats.bit_length()
                        sampled_index = getrandbits(bits)
                        while sampled_index >= num_repeats:
                            sampled_index = getrandbits(bits)
                    else:  # randint raises its own error for a bad config
                        sampled_index = source.randint(0, num_repeats - 1)
                elif not callable(repeat):
                    sampled_index = repeat  # type: ignore[assignment]  # checked just below
                if type(sampled_index) is not int:
                    sampled_index = _as_repeat_index(sampled_index)
                values = runs.get(sampled_index)
                if values is None:
                    raise self._no_repeat(module_hash, epochs, sampled_index, len(runs))
                training_time, train, validation, test = values
                self.total_epochs_spent += epochs // 2 if half else epochs
                self.training_time_spent += training_time
            if self._plain_answers:
                # The official answer: a fresh graph and ops list (the official API deep-copies
                # them), the array decoded natively here rather than in a helper call.
                array = nb101_adjacency(cell.size, cell.edge_bits)
                return {
                    "module_adjacency": cell.adjacency() if array is None else array,
                    "module_operations": cell.ops[:],
                    "trainable_parameters": params,
                    "training_time": training_time,
                    "train_accuracy": train,
                    "validation_accuracy": validation,
                    "test_accuracy": test,
                }
            # The adjacency ndarray (and numpy) is built only when the caller reads it.
            return QueryResult.build(cell, params, training_time, train, validation, test)
        except Exception as exc:  # noqa: BLE001 - translated exactly as checked() would
            if isinstance(exc, NasbenchLiteError) and not getattr(exc, "_from_checked", False):
                raise  # what checked() does with our own errors, without its cost
            raise_checked(
                NASBench.query, exc, self, model_spec, epochs, stop_halfway, repeat=repeat
            )

    def _first_sight(
        self, module_hash: str, epochs: int, stop_halfway: bool
    ) -> tuple[Cell, int, dict[int, Any]]:
        """The decoded cell of a hash and its stored repeats' four values (halfway or final)
        at ``epochs``, cached.

        Raises:
            NotInDatabaseError: Unknown hash (not cached: it stays an error).
        """
        if self._has_special:
            rows = self._lookup(_FIRST_SIGHT_EXACT_SQL, (epochs, module_hash))
        else:
            rows = self._lookup(_FIRST_SIGHT_SQL[stop_halfway], (epochs, module_hash))
        if not rows:
            raise NotInDatabaseError(f"hash {module_hash!r} is not in {self._db.path}")
        first = rows[0]
        num_vertices = first[0]
        op_codes = first[2]
        ops = _OPS.get((num_vertices, op_codes))
        if ops is None:
            ops = _decode_ops(num_vertices, op_codes)
        cell = Cell(num_vertices, first[1], ops)
        runs: dict[int, Any] | None
        if self._has_special:
            runs = self._exact_runs(rows, epochs, stop_halfway) if first[4] is not None else {}
        else:
            # Repeats of plain floats, as every valid cell has: `repeat -> row[6:]` of all
            # rows in one native call (cheaper than the dict display it replaced).
            runs = nb101_first_sight_runs(rows)
            if runs is None and first[4] is None:  # the LEFT JOIN's row: no runs at `epochs`
                runs = {}
            elif runs is None:  # some value may be NULL (read as NaN)
                runs = {row[4]: _read_as_stored(row) for row in rows}
        # Shared, never handed out: query() returns copies.
        entry = (cell, first[3], runs)
        if len(self._rows) >= _ROW_CACHE_SIZE:
            self._rows.clear()
        self._rows[module_hash, epochs, stop_halfway] = entry
        return entry

    def _exact_runs(self, rows: list[Any], epochs: int, stop_halfway: bool) -> dict[int, Any]:
        """``repeat -> values`` of :data:`_FIRST_SIGHT_EXACT_SQL` rows, with the exact NaN /
        -0.0 values, cut to the half ``query`` returns."""
        cell_id = rows[0][-1]
        special = self._special(cell_id)
        half = slice(0, 4) if stop_halfway else slice(4, 8)
        return {
            row[4]: restore(row[6:14], special.get((cell_id, epochs, row[4])))[half] for row in rows
        }

    def _no_repeat(self, module_hash: str, epochs: int, index: int, count: int) -> Exception:
        """The error for a drawn repeat index the cell does not have at ``epochs``."""
        if index < 0:
            return InvalidInputError(f"repeat must be >= 0, got {index}")
        return NotInDatabaseError(
            f"cell {module_hash} has {count} repeats at {epochs} epochs; repeat {index} was drawn"
        )

    # -- bulk -----------------------------------------------------------------------------
    def query_many(
        self,
        models: Any,
        epochs: int = 108,
        stop_halfway: bool = False,
        repeat: str | int = "random",
        *,
        count_budget: bool = False,
    ) -> pa.Table:
        """Looks up many cells in one database round trip.

        Args:
            models: A sequence of :class:`ModelSpec`; or a ``(matrices, ops)`` pair of arrays in
                the :func:`~nasbench_lite.nb101.hash_many` layout; or a sequence/array of module
                hashes (str).
            epochs: Epoch budget, one of :attr:`valid_epochs`.
            stop_halfway: Return halfway values instead of final ones.
            repeat: ``'random'`` (one repeat per row from this object's RNG, like ``query``),
                ``'mean'`` (mean over repeats), ``'all'`` (one output row per repeat) or an
                int repeat index.
            count_budget: Add the returned rows to the budget counters as if each found row
                had been queried (only with ``'random'`` or an int repeat). Off by default:
                bulk lookups are usually analysis, not search.

        Returns:
            ``pyarrow.Table``, one row per input (per repeat with ``'all'``) in input order:
            ``index``, ``hash`` (null for invalid specs), ``valid``, ``found``, ``epochs``,
            ``repeat`` (null for ``'mean'``), ``trainable_parameters``, ``training_time``,
            ``train_accuracy``, ``validation_accuracy``, ``test_accuracy`` (null when not
            found). Unknown or invalid cells never raise. ``valid`` is ``is_valid``'s
            verdict: specs are checked against :attr:`config`, as ``query`` checks them.

        Raises:
            OutOfDomainError: Invalid ``epochs``.
            InvalidInputError: Bad ``repeat``/``count_budget`` combination or malformed input;
                ``(matrices, ops)`` while :attr:`config` holds other limits or ops than the
                official ones (that batch check knows only those: pass ModelSpecs).
        """
        from nasbench_lite.benchmarks.nb101.bulk import query_many

        return query_many(self, models, epochs, stop_halfway, repeat, count_budget)

    def _draw_repeats(self, count: int) -> Any:
        """``count`` repeat indices from this object's RNG: the very draws ``count`` calls of
        ``query`` would make (``randint(0, num_repeats - 1)``), computed faster."""
        import numpy as np

        top = self.config["num_repeats"]
        bits = top.bit_length()
        draws = np.empty(count, dtype=np.int64)
        with self._lock:
            getrandbits = self._rng.getrandbits
            # CPython's randint(0, n - 1) is randrange(n) -> _randbelow(n): getrandbits(k) with
            # k = bit_length(n) (one 32-bit Mersenne Twister word, its top k bits), rejecting
            # values >= n. getrandbits(32 * m) returns the next m words, the first one least
            # significant, so whole rounds of words can be drawn at once: each round draws as
            # many words as draws are missing, so no word beyond the last accepted one is
            # consumed and the stream is exactly that of `count` query() calls (tested).
            if not 1 <= bits <= 32:
                for i in range(count):
                    r = getrandbits(bits)
                    while r >= top:
                        r = getrandbits(bits)
                    draws[i] = r
                return draws
            done = 0
            while done < count:
                missing = count - done
                words = np.frombuffer(
                    getrandbits(32 * missing).to_bytes(4 * missing, "little"), dtype="<u4"
                )
                values = (words >> np.uint32(32 - bits)).astype(np.int64)
                accepted = values[values < top]
                draws[done : done + len(accepted)] = accepted
                done += len(accepted)
        return draws


# query() and is_valid() translate their own argument errors (see there): undo ReaderBase's
# wrapper, one Python call per search step each.
for _name in ("query", "is_valid"):
    _method = vars(NASBench)[_name]
    setattr(NASBench, _name, getattr(_method, "__wrapped__", _method))
del _name, _method
