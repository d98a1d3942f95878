"""``nashpobench2api.api``: ``NASHPOBench2API`` on the native ``nasbench_lite.nashpobench2.API``.

Same constructor (``data_dir, seed=None, logger=None, verbose=True``), methods, attributes,
return values, global-``random`` draws (:meth:`NASHPOBench2API.get_random_key` makes the three
``random.choice`` calls of the official one, in its order) and logged text (to the
``'nashpobench2api.api'`` logger with a stderr handler, as the official one does). Queries run
in the native API; this class checks arguments the official way, formats the log and keeps the
official quirks that results depend on: ``seed=0`` keeps the current seed (``if seed:``), an
``iepoch`` below 1 is a ``KeyError`` (a missing column there), negative flat indexes use the
official arithmetic.

Differences, each for a reason: ``data_dir`` is a data folder *or* a nasbench_lite database,
and the folder is built once into ``$NASBENCH_LITE_CACHE`` instead of unpickled on every start;
the pickled dicts ``bench12`` and ``avgaccs200`` are read-only views over the database (same
keys and values, one indexed query per lookup, nothing loaded) and ``cellinfo`` holds only its
``'hash'`` table, the part the official class reads; the official
``assert`` checks raise :class:`~nasbench_lite.errors.CompatAssertionError` (an
``AssertionError``) also under ``python -O``; errors are nasbench_lite's typed errors deriving
from the builtin the official code raises (``ValueError``, ``KeyError``, ``FileNotFoundError``).
"""

from __future__ import annotations

import logging
import operator
import os
import random
from collections.abc import Mapping
from logging import Logger
from typing import Any

from nasbench_lite.compat._cache import database_for
from nasbench_lite.errors import CompatAssertionError, NotInDatabaseError, OutOfDomainError
from nasbench_lite.nashpobench2.api import API

__all__ = ["NASHPOBench2API"]

# The official module's logger (``logging.getLogger(__name__)`` in ``nashpobench2api.api``), so
# logging configuration written for the official package applies unchanged.
_LOGGER_NAME = "nashpobench2api.api"
_HINT = (
    "HINT: Download the API data from Google Drive, and set the path like "
    'NASHPOBench2API("path/to/data")'
)
_MODES = ("train", "valid", "test")


class _Native:
    """An attribute of the compat object that lives on its native :class:`API`."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        return getattr(instance._api, self.name)

    def __set__(self, instance: Any, value: Any) -> None:
        setattr(instance._api, self.name, value)


def _header() -> str:
    return "   {:<8}   {:<8}    {} {:<7} {:<3}".format(
        "valid acc", "cost", "cellcode", "lr", "batch_size"
    )


def _line(acc: Any, cost: Any, key: Any) -> str:
    # An f-string formats left to right: with no logged query yet the cost (None) fails
    # first, with the official TypeError, before the missing key is looked at.
    return (
        f"{acc:>8.2f} %   {cost:>8.2f} sec  "
        f"{key['cellcode']} {key['lr']:<7.5f} {key['batch_size']:<3}"
    )


def _contains(values: set[Any], listed: list[Any], item: Any) -> bool:
    """``item in listed`` (the official test) through a set when ``item`` is hashable."""
    try:
        return item in values
    except TypeError:
        return item in listed


class NASHPOBench2API:
    """The official NAS-HPO-Bench-II API on a nasbench_lite database.

    Args:
        data_dir: The official data folder (``bench12.pkl``, ``cellinfo.pkl``,
            ``avgaccs200.pkl``; built once into the cache) or a nasbench_lite database.
        seed: Training seed to read (a falsy value keeps the first, as officially).
        logger: Logger of the query log (default: ``'nashpobench2api.api'`` with a new stderr
            handler, as officially).
        verbose: Log each query (DEBUG level) besides the results (INFO).

    Raises:
        SourceNotFoundError: No data at ``data_dir`` (a ``FileNotFoundError``; the official
            hint is logged first, as for any loading error).
        ValueError: ``seed`` is not a training seed of the data.
    """

    acc_trans = _Native()
    best_acc = _Native()
    best_acc_trans = _Native()
    total_cost = _Native()
    total_cost_trans = _Native()
    best_cost = _Native()
    key_trans = _Native()
    best_key = _Native()
    best_key_trans = _Native()
    cellcodes = _Native()
    lrs = _Native()
    batch_sizes = _Native()
    seeds = _Native()
    epochs = _Native()

    def __init__(
        self,
        data_dir: str | os.PathLike[str] = "data",
        seed: int | None = None,
        logger: Logger | None = None,
        verbose: bool = True,
    ) -> None:
        self.data_dir = data_dir
        self.logger: Logger = logger if logger is not None else logging.getLogger(_LOGGER_NAME)
        self.verbose = verbose
        if logger is None:
            self.logger.addHandler(logging.StreamHandler())
            self.logger.propagate = False
        try:
            path = database_for(data_dir, "nashpobench2")
            # The native object's own log stays silent: this class logs the official text.
            silent = logging.getLogger("nasbench_lite.compat.nashpobench2api.native")
            self._api = API(path, logger=silent)
        except Exception:
            self.logger.error(_HINT)
            raise
        self._cell_set = set(self._api.cellcodes)
        self._lr_set = set(self._api.lrs)
        self._bs_set = set(self._api.batch_sizes)
        self._cellinfo: dict[str, Any] | None = None
        self._init_logdata()
        if seed:
            self.set_seed(seed)
        else:
            self._api.set_seed(self._api.seeds[0])

    # -- state --------------------------------------------------------------------------
    @property
    def seed(self) -> int:
        """The training seed 12-epoch queries read."""
        return self._api.seed

    @seed.setter
    def seed(self, value: int) -> None:
        self.set_seed(value)

    @property
    def cellinfo(self) -> dict[str, Any]:
        """``{'hash': {cellcode: cell hash}}``, the official grouping of isomorphic codes."""
        if self._cellinfo is None:
            self._cellinfo = self._api.official_tables().cellinfo()
        return self._cellinfo

    @property
    def bench12(self) -> Mapping[str, Mapping[tuple[Any, ...], Any]]:
        """``bench12.pkl`` as read-only views: ``[column][(hash, lr, batch_size, seed)]``."""
        return self._api.official_tables().bench12()

    @property
    def avgaccs200(self) -> Mapping[str, Mapping[tuple[Any, ...], Any]]:
        """``avgaccs200.pkl`` as a read-only view: ``['avg_acc'][(hash, lr, batch_size)]``."""
        return self._api.official_tables().avgaccs200()

    def _init_logdata(self) -> None:
        self._api.reset_logdata()
        self.logger.setLevel(logging.DEBUG if self.verbose else logging.INFO)

    def __len__(self) -> int:
        return len(self._api)

    def __str__(self) -> str:
        return "NAS-HPO-Bench-II"

    # -- keys -----------------------------------------------------------------------------
    def get_key_from_idx(self, idx: int) -> dict[str, Any]:
        """The configuration at a flat index, with the official arithmetic.

        Args:
            idx: Flat index (cell-major, then lr, then batch size).

        Returns:
            ``{'cellcode', 'lr', 'batch_size'}``.

        Raises:
            IndexError: Past the end (ends ``for x in api`` loops, as officially).
        """
        per_lr = len(self.batch_sizes)
        per_cell = len(self.lrs) * per_lr
        # int(a / b) and Python's % on lists, exactly as the official code indexes them.
        return {
            "cellcode": self.cellcodes[int(idx / per_cell)],
            "lr": self.lrs[int(idx / per_lr) % len(self.lrs)],
            "batch_size": self.batch_sizes[idx % per_lr],
        }

    def get_idx_from_key(self, key: dict[str, Any]) -> int:
        """The flat index of ``{'cellcode', 'lr', 'batch_size'}``.

        Raises:
            ValueError: A value outside the search space.
        """
        return self._api.get_idx_from_key(key)

    def __getitem__(self, idx: int) -> tuple[Any, Any]:
        return self.query_by_key(**self.get_key_from_idx(idx))

    # -- queries --------------------------------------------------------------------------
    def query_by_index(
        self,
        cell_idx: int,
        lr_idx: int,
        batch_size_idx: int,
        epoch: int | str = 12,
        iepoch: int | None = None,
        seed: int | None = None,
    ) -> tuple[Any, Any]:
        """:meth:`query_by_key` by positions in the ``cellcodes``/``lrs``/``batch_sizes`` lists."""
        cellcode = self.cellcodes[cell_idx]
        lr = self.lrs[lr_idx]
        batch_size = self.batch_sizes[batch_size_idx]
        if seed:
            self.set_seed(seed)
        return self.query_by_key(cellcode, lr, batch_size, epoch=epoch, iepoch=iepoch)

    def query_by_key(
        self,
        cellcode: str,
        lr: float,
        batch_size: int,
        epoch: int | str = 12,
        mode: str = "valid",
        iepoch: int | None = None,
        seed: int | None = None,
        enable_log: bool = True,
    ) -> tuple[Any, Any]:
        """Accuracy (%) and cost (s) of one configuration, as the official method.

        Args:
            cellcode: ``'A|BC|DEF'``.
            lr: A learning rate of ``lrs``.
            batch_size: A batch size of ``batch_sizes``.
            epoch: 12 (trained runs) or 200 (surrogate; returns ``(acc, None)``).
            mode: ``'train'``, ``'valid'`` or ``'test'``.
            iepoch: Epoch to read (12-epoch queries; default 12).
            seed: Switch to this training seed first (a falsy value keeps the current one).
            enable_log: Log the query and add it to the transitions (12 epochs).

        Returns:
            ``(accuracy, cost)``.

        Raises:
            ValueError: A key, epoch or seed outside the data (official messages).
            AssertionError: A bad ``mode``/``iepoch`` (a CompatAssertionError).
            KeyError: An ``iepoch`` below 1 or not an int, or a configuration without data.
        """
        self._check_key(cellcode, lr, batch_size, epoch)
        if mode not in _MODES:
            raise CompatAssertionError(f"mode {mode} should be train, valid, or test")
        if epoch != 12 and iepoch is not None:
            raise CompatAssertionError(f"iepoch is not available in epoch {epoch}")
        if iepoch is None:
            iepoch = epoch  # type: ignore[assignment]  # as officially: 12 or 200
        if not iepoch <= epoch:  # type: ignore[operator]
            raise CompatAssertionError(f"iepoch {iepoch} is graeter than epoch {epoch}")
        if seed:
            self.set_seed(seed)
        if epoch == 200:
            return self._api.query_by_key(cellcode, lr, batch_size, epoch=200, enable_log=False)
        try:
            last = operator.index(iepoch)  # type: ignore[arg-type]
        except TypeError:
            last = 0  # e.g. 5.0: the official code looks up a column that does not exist
        if last < 1 or isinstance(iepoch, float):
            raise NotInDatabaseError(f"{mode}_acc_{iepoch - 1}")  # type: ignore[operator]
        acc, cost = self._api.query_by_key(
            cellcode, lr, batch_size, epoch=12, mode=mode, iepoch=last, enable_log=False
        )
        if enable_log:
            self._write_log(acc, cost, {"cellcode": cellcode, "lr": lr, "batch_size": batch_size})
        return acc, cost

    def _write_log(self, acc: float, cost: Any, key: dict[str, Any]) -> None:
        native = self._api
        # The text is only built when it will be emitted (the official code always builds it;
        # the key was checked, so formatting it cannot fail either way).
        if self.logger.isEnabledFor(logging.DEBUG):
            if len(native.acc_trans) == 0:
                self.logger.debug(_header())
            self.logger.debug(_line(acc, cost, key))
        native.record_query(acc, cost, key)

    def get_total_cost(self) -> float:
        """Sum of the costs of the logged queries since the last reset."""
        return self._api.get_total_cost()

    def get_results(
        self,
        epoch: int | str = "both",
        mode: str = "test",
    ) -> dict[str, Any]:
        """Logs the best configuration and returns the transitions, as the official method.

        Args:
            epoch: 12, 200 or ``'both'`` for ``final_accs``.
            mode: Accuracy read for ``final_accs``.

        Returns:
            ``acc_trans``, ``key_trans``, ``best_acc_trans``, ``best_key_trans``,
            ``total_cost_trans`` (the live lists, as officially) and ``final_accs``.

        Raises:
            TypeError: No logged query yet (the official formatting of a missing cost).
        """
        log = self.logger.info
        log("-" * 23 + " finished " + "-" * 23)
        log("The best setting is")
        log(_header())
        best = self.best_key
        log(_line(self.best_acc, self.best_cost, best))
        log(f" in {len(self.key_trans)} trials ({self.total_cost:.2f} sec)")
        epochs = [12, 200] if epoch == "both" else [epoch]
        log("-" * 56)
        self.final_accs: list[Any] = []
        for e in epochs:
            final_acc, _ = self.query_by_key(**best, epoch=e, mode=mode, enable_log=False)
            self.final_accs.append(final_acc)
            log(f"{e}-epoch {mode} accuracy is {final_acc:.2f}%")
        log("-" * 56)
        return {
            "acc_trans": self.acc_trans,
            "key_trans": self.key_trans,
            "best_acc_trans": self.best_acc_trans,
            "best_key_trans": self.best_key_trans,
            "total_cost_trans": self.total_cost_trans,
            "final_accs": self.final_accs,
        }

    def reset_logdata(
        self,
        logger: Logger | None = None,
        verbose: bool | None = None,
    ) -> None:
        """Clears the transitions (between runs of a search); optionally a new logger/verbosity."""
        if logger is not None:
            self.logger = logger
        if verbose is not None:
            self.verbose = verbose
        self._init_logdata()

    def _cellcode2hash(self, cellcode: str) -> Any:
        return self.cellinfo["hash"][cellcode]

    def get_random_key(self) -> dict[str, Any]:
        """A random configuration drawn from the global ``random`` module, as officially.

        Returns:
            ``{'cellcode', 'lr', 'batch_size'}`` (three ``random.choice`` calls in this order).
        """
        cellcode = random.choice(self.cellcodes)
        lr = random.choice(self.lrs)
        batch_size = random.choice(self.batch_sizes)
        return {"cellcode": cellcode, "lr": lr, "batch_size": batch_size}

    def _check_key(self, cellcode: str, lr: float, batch_size: int, epoch: Any) -> None:
        native = self._api
        if not _contains(self._cell_set, native.cellcodes, cellcode):
            raise OutOfDomainError(f"choose a cellcode {cellcode} from search space.")
        if not _contains(self._lr_set, native.lrs, lr):
            raise OutOfDomainError(f"choose lr from {native.lrs}.")
        if not _contains(self._bs_set, native.batch_sizes, batch_size):
            raise OutOfDomainError(f"choose batch size from {native.batch_sizes}.")
        if epoch not in native.epochs:
            raise OutOfDomainError(f"choose epoch from {native.epochs}.")

    def get_search_space(self) -> tuple[list[str], list[float], list[int]]:
        """``(cellcodes, lrs, batch_sizes)``, the object's own lists (as officially)."""
        return self.cellcodes, self.lrs, self.batch_sizes

    def set_seed(self, seed: int) -> None:
        """Selects the training seed 12-epoch queries read.

        Raises:
            ValueError: Not one of ``seeds`` (the official message).
        """
        if seed not in self.seeds:
            raise OutOfDomainError(f"choose a seed value from {self.seeds}.")
        self._api.set_seed(seed)
