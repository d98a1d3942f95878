"""The official pickles' dict layout as read-only views over a NAS-HPO-Bench-II database.

The official API holds ``bench12`` (``{column: {(cell_hash, lr, batch_size, seed): value}}``)
and ``avgaccs200`` (``{'avg_acc': {(cell_hash, lr, batch_size): accuracy}}``) in memory; code
that reads them directly gets the same shapes here without loading anything: each lookup is
one indexed query, iteration yields the keys in database order (cell hashes by their first
sorted cell code, then lr, batch size, seed), not the file's order. Rows the builder dropped
(hashes no cell code maps to, unreachable through the API) are absent.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from nasbench_lite._core.database import Database
from nasbench_lite.benchmarks.nashpobench2.layout import (
    CURVE_COLUMNS,
    EPOCH_METRICS,
    NUM_EPOCHS,
    SURROGATE_SQL,
    TOTAL_COLUMNS,
    exact_value,
)
from nasbench_lite.benchmarks.nashpobench2.layout import conf_id as _conf_of
from nasbench_lite.benchmarks.nashpobench2.layout import run_id as _run_of
from nasbench_lite.errors import NotInDatabaseError

__all__ = ["OfficialTables"]

_KEY_COLUMNS = ("lr", "batch_size", "seed")
#: Official per-epoch column -> (epochs.<metric> position, epoch 1..12).
_CURVE_PLACE = {name: (i // NUM_EPOCHS, i % NUM_EPOCHS + 1) for i, name in enumerate(CURVE_COLUMNS)}


class OfficialTables:
    """Decoding tables shared by the views (official values <-> database ids).

    Args:
        db: An open NAS-HPO-Bench-II database.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.hashes: list[Any] = [
            h for (h,) in db.query("SELECT cell_hash FROM hashes ORDER BY hash_id")
        ]
        self.lrs = [v for (v,) in db.query("SELECT lr FROM lrs ORDER BY lr_idx")]
        self.batch_sizes = [
            v for (v,) in db.query("SELECT batch_size FROM batch_sizes ORDER BY bs_idx")
        ]
        self.seeds = [v for (v,) in db.query("SELECT seed FROM seeds ORDER BY seed_idx")]
        self._ids = [
            {v: i for i, v in enumerate(values)}
            for values in (self.hashes, self.lrs, self.batch_sizes, self.seeds)
        ]

    def ids(self, key: Any, width: int) -> tuple[int, ...] | None:
        """Database ids of an official key tuple of ``width`` parts (None: not in the data)."""
        if not isinstance(key, tuple) or len(key) != width:
            return None
        try:
            found = tuple(table.get(part) for table, part in zip(self._ids, key, strict=False))
        except TypeError:  # an unhashable part
            return None
        return None if None in found else found  # type: ignore[return-value]

    def bench12(self) -> Mapping[str, Mapping[tuple[Any, ...], Any]]:
        """``bench12.pkl``: column name -> ``{(cell_hash, lr, batch_size, seed): value}``."""
        names = (*_KEY_COLUMNS, *CURVE_COLUMNS, *TOTAL_COLUMNS)
        return _Columns({name: _RunColumn(self, name) for name in names})

    def cellinfo(self) -> dict[str, dict[str, Any]]:
        """``cellinfo.pkl``'s ``'hash'`` table: ``{'hash': {cellcode: cell hash}}`` (a new dict).

        The hashes keep the file's values and types; the file's other columns are not stored.
        """
        rows = self.db.query(
            "SELECT cellcode, cell_hash FROM cells JOIN hashes USING (hash_id) ORDER BY cell_idx"
        )
        return {"hash": {str(code): cell_hash for code, cell_hash in rows}}

    def avgaccs200(self) -> Mapping[str, Mapping[tuple[Any, ...], Any]]:
        """``avgaccs200.pkl``: ``{'avg_acc': {(cell_hash, lr, batch_size): accuracy}}``."""
        return _Columns({"avg_acc": _SurrogateColumn(self)})


class _Columns(Mapping[str, Mapping[tuple[Any, ...], Any]]):
    def __init__(self, columns: dict[str, Mapping[tuple[Any, ...], Any]]) -> None:
        self._columns = columns

    def __getitem__(self, name: str) -> Mapping[tuple[Any, ...], Any]:
        return self._columns[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)


class _RunColumn(Mapping[tuple[Any, ...], Any]):
    """One ``bench12`` column: ``(cell_hash, lr, batch_size, seed) -> value``."""

    def __init__(self, tables: OfficialTables, name: str) -> None:
        self._tables, self._name = tables, name

    def _run_id(self, key: Any) -> int:
        ids = self._tables.ids(key, 4)
        if ids is None:
            raise NotInDatabaseError(key)
        t = self._tables
        hash_id, lr_idx, bs_idx, seed_idx = ids
        conf = _conf_of(hash_id, lr_idx, bs_idx, len(t.lrs), len(t.batch_sizes))
        return int(_run_of(conf, seed_idx, len(t.seeds)))

    def __getitem__(self, key: tuple[Any, ...]) -> Any:
        run_id, t = self._run_id(key), self._tables
        if self._name in _CURVE_PLACE:
            metric, epoch = _CURVE_PLACE[self._name]
            rows = t.db.query(
                f"SELECT {EPOCH_METRICS[metric]}, special_mask FROM epochs"
                " WHERE run_id = ? AND epoch = ?",
                (run_id, epoch),
            )
            if not rows:
                raise NotInDatabaseError(key)
            return exact_value(rows[0][0], rows[0][1], metric)
        rows = t.db.query(
            "SELECT lr_idx, bs_idx, seed_idx, total_train_time, total_trainval_time,"
            " total_test_time, special_mask FROM runs WHERE run_id = ?",
            (run_id,),
        )
        if not rows:
            raise NotInDatabaseError(key)
        row = rows[0]
        if self._name in _KEY_COLUMNS:
            position = _KEY_COLUMNS.index(self._name)
            return (t.lrs, t.batch_sizes, t.seeds)[position][row[position]]
        position = TOTAL_COLUMNS.index(self._name)
        return exact_value(row[3 + position], row[6], position)

    def __contains__(self, key: object) -> bool:
        try:
            run_id = self._run_id(key)
        except KeyError:
            return False
        return bool(self._tables.db.query("SELECT 1 FROM runs WHERE run_id = ?", (run_id,)))

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        t = self._tables
        rows = t.db.query("SELECT hash_id, lr_idx, bs_idx, seed_idx FROM runs ORDER BY run_id")
        for h, lr, bs, seed in rows:
            yield (t.hashes[h], t.lrs[lr], t.batch_sizes[bs], t.seeds[seed])

    def __len__(self) -> int:
        return int(self._tables.db.query("SELECT count(*) FROM runs")[0][0])


class _SurrogateColumn(Mapping[tuple[Any, ...], Any]):
    """``avgaccs200['avg_acc']``: ``(cell_hash, lr, batch_size) -> accuracy``."""

    def __init__(self, tables: OfficialTables) -> None:
        self._tables = tables

    def _conf_id(self, key: Any) -> int:
        ids = self._tables.ids(key, 3)
        if ids is None:
            raise NotInDatabaseError(key)
        t = self._tables
        return int(_conf_of(ids[0], ids[1], ids[2], len(t.lrs), len(t.batch_sizes)))

    def __getitem__(self, key: tuple[Any, ...]) -> Any:
        rows = self._tables.db.query(SURROGATE_SQL, (self._conf_id(key),))
        if not rows:
            raise NotInDatabaseError(key)
        return rows[0][0]

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        t = self._tables
        rows = t.db.query("SELECT hash_id, lr_idx, bs_idx FROM surrogate ORDER BY conf_id")
        for h, lr, bs in rows:
            yield (t.hashes[h], t.lrs[lr], t.batch_sizes[bs])

    def __len__(self) -> int:
        return int(self._tables.db.query("SELECT count(*) FROM surrogate")[0][0])
