"""``nasbench.api``: the official ``NASBench`` interface on a nasbench_lite database.

Usage is the official one::

    from nasbench_lite.compat.nasbench import api

    nasbench = api.NASBench("/path/to/nasbench_only108.tfrecord")  # or an NB101 database
    spec = api.ModelSpec(matrix=[[0, 1, 1], [0, 0, 1], [0, 0, 0]],
                         ops=["input", "conv3x3-bn-relu", "output"])
    data = nasbench.query(spec)

``query(spec, epochs=108, stop_halfway=False)`` returns a dict with ``module_adjacency`` (int8
ndarray of the dataset's stored graph), ``module_operations`` (list of str),
``trainable_parameters`` (int), ``training_time`` (seconds), ``train_accuracy``,
``validation_accuracy`` and ``test_accuracy`` (floats; the halfway evaluation with
``stop_halfway``). ``get_metrics_from_spec`` / ``get_metrics_from_hash`` return
``(fixed_stats, computed_stats)``: ``fixed_stats`` holds ``module_adjacency``,
``module_operations`` and ``trainable_parameters``; ``computed_stats[epochs][repeat]`` holds
``halfway_training_time``, ``halfway_train_accuracy``, ``halfway_validation_accuracy``,
``halfway_test_accuracy`` and the same four ``final_*`` keys. ``fixed_statistics`` and
``computed_statistics`` map every hash to those two values, as the official attributes do,
but read lazily from the database (nothing is loaded at start-up) and read-only.

Randomness is the official one: the constructor calls ``random.seed(seed)`` on the global
``random`` module and every successful ``query`` draws its repeat with
``random.randint(0, num_repeats - 1)`` there, after the checks, so client code seeded with
``random.seed(s)`` sees the published sequence. The lookup itself is
:meth:`nasbench_lite.nb101.api.NASBench.query`.

Differences from the official class (all deliberate):

* a spec with more than 7 vertices after pruning raises the intended ``OutOfDomainError``
  (the official raises ``TypeError`` there);
* an unknown hash raises :class:`~nasbench_lite.errors.NotInDatabaseError`, a ``KeyError``
  like the official one, with a readable message;
* ``evaluate`` raises :class:`TrainingNotOfferedError`: no training without TensorFlow;
* ``fixed_statistics`` / ``computed_statistics`` are read-only mappings whose values are fresh
  copies (writes to a returned dict change nothing).
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import KeysView
from pathlib import Path
from typing import Any

from nasbench_lite.compat.nasbench.lib import config
from nasbench_lite.compat.nasbench.lib.model_spec import ModelSpec
from nasbench_lite.errors import NasbenchLiteError, OutOfDomainError
from nasbench_lite.nb101 import api as _native_api

__all__ = ["NASBench", "ModelSpec", "OutOfDomainError", "TrainingNotOfferedError"]

_SQLITE_MAGIC = b"SQLite format 3\x00"


class TrainingNotOfferedError(NasbenchLiteError, NotImplementedError):
    """Training a spec from scratch (``NASBench.evaluate``), which needs TensorFlow and is not
    part of nasbench_lite: only the tabulated results can be queried."""


def _global_repeat(num_repeats: int) -> int:
    # Looked up at call time, so clients that patch the random module are honoured too.
    return random.randint(0, num_repeats - 1)


#: ``random.randint`` as the random module binds it (to its hidden global ``Random``), and that
#: generator: while ``random.randint`` is unpatched, the native query draws the repeat from it
#: directly, exactly as ``randint(0, num_repeats - 1)`` there would (tested against
#: ``random.randint``), without two Python calls per query.
_RANDINT = random.randint
_GLOBAL_RANDOM = random._inst


def _database_path(dataset_file: str | os.PathLike[str]) -> Path:
    """A database path for ``dataset_file``: itself when it is a nasbench_lite database, else
    the cached database built from the official ``.tfrecord``."""
    path = Path(dataset_file)
    try:
        with open(path, "rb") as handle:
            if handle.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC:
                return path
    except OSError:
        pass  # database_for names the missing source and what to download
    from nasbench_lite.compat._cache import database_for

    return database_for(dataset_file, kind="nb101")


class NASBench:
    """User-facing API of the NAS-Bench-101 dataset (the official ``nasbench.api.NASBench``).

    Args:
        dataset_file: The official ``nasbench_full.tfrecord`` / ``nasbench_only108.tfrecord``
            (built once into the nasbench_lite cache, then reused by every process) or a
            database built by ``nasbench-lite build nb101``.
        seed: Passed to the global ``random.seed``, as the official constructor does; None
            seeds from OS entropy.

    Raises:
        SourceNotFoundError: No file at ``dataset_file``.
        CorruptSourceError: The ``.tfrecord`` is not a valid NAS-Bench-101 file.
        DatabaseError: A database of another kind or an unreadable one.

    Attributes:
        config: ``lib.config.build_config()``.
        dataset_file: The path given to the constructor.
        fixed_statistics: ``hash -> fixed stats`` (read-only mapping).
        computed_statistics: ``hash -> {epochs: [metrics per repeat]}`` (read-only mapping).
        valid_epochs: Set of the epoch budgets in the data.
        history: Empty dict, as in the official class.
        training_time_spent: Seconds of training the queries so far would have cost.
        total_epochs_spent: Epochs the queries so far would have trained.
    """

    def __init__(self, dataset_file: str | os.PathLike[str], seed: int | None = None) -> None:
        official_config = config.build_config()
        random.seed(seed)
        print("Loading dataset from file... This may take a few minutes...")
        start = time.time()
        self.dataset_file = dataset_file
        # The native object's own generator is never used: query() passes the global draw.
        self._api = _native_api.NASBench(_database_path(dataset_file), seed=0)
        self._api.config = official_config  # read by the lookup layer at every check
        self._api._plain_answers = True  # official type: a plain dict, ndarray built
        self._bind()
        self.history: dict[str, Any] = {}
        print("Loaded dataset in %d seconds" % (time.time() - start))  # noqa: UP031 - official text

    def _bind(self) -> None:
        """The attributes taken from the native object: by the constructor and for a copy."""
        # Bound once: a search calls query() once per step and is_valid() once per spec.
        self._query = self._api.query
        self._is_valid = self._api.is_valid
        self.fixed_statistics = self._api.fixed_statistics
        self.computed_statistics = self._api.computed_statistics

    def __getstate__(self) -> dict[str, Any]:
        """A pickled copy (a worker process, ``copy.deepcopy``), as the official object can be
        pickled: the native object (which opens the file again in the copy, config, counters
        and all) and this object's own attributes. Unpickling prints nothing and leaves the
        global ``random`` alone, as unpickling the official object does.

        Raises:
            NotCopyableError: The database was closed.
        """
        bound = {"_query", "_is_valid", "fixed_statistics", "computed_statistics"}
        return {key: value for key, value in self.__dict__.items() if key not in bound}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._bind()

    def close(self) -> None:
        """Closes the database (a nasbench_lite addition; the official class holds no file)."""
        self._api.close()

    def __enter__(self) -> NASBench:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # config and valid_epochs live in the native object, which reads them at every check: an
    # attribute assigned here (nasbench.config = {...}) must reach it, as in the official class.
    @property
    def config(self) -> dict[str, Any]:
        """``lib.config.build_config()``; ``is_valid`` / ``query`` read it at every check."""
        return self._api.config

    @config.setter
    def config(self, value: dict[str, Any]) -> None:
        self._api.config = value

    @property
    def valid_epochs(self) -> set[int]:
        """The epoch budgets in the data; ``query`` checks ``epochs`` against it."""
        return self._api.valid_epochs

    @valid_epochs.setter
    def valid_epochs(self, value: set[int]) -> None:
        self._api.valid_epochs = value

    # Budget counters live in the native object, which updates them on each query.
    @property
    def training_time_spent(self) -> float:
        """Training seconds spent by the queries since the last reset."""
        return self._api.training_time_spent

    @training_time_spent.setter
    def training_time_spent(self, value: float) -> None:
        self._api.training_time_spent = value

    @property
    def total_epochs_spent(self) -> int:
        """Training epochs spent by the queries since the last reset."""
        return self._api.total_epochs_spent

    @total_epochs_spent.setter
    def total_epochs_spent(self, value: int) -> None:
        self._api.total_epochs_spent = value

    def query(
        self, model_spec: ModelSpec, epochs: int = 108, stop_halfway: bool = False
    ) -> dict[str, Any]:
        """Fetches one evaluation of the spec, drawing the repeat from the global ``random``.

        Args:
            model_spec: The cell.
            epochs: One of :attr:`valid_epochs`.
            stop_halfway: Return the evaluation at half the epochs (and count half of them).

        Returns:
            The dict described in the module docstring; the budget counters grow by its
            ``training_time`` and by the epochs trained.

        Raises:
            OutOfDomainError: ``epochs`` (checked first) or the spec is outside the space.
            NotInDatabaseError: A valid spec that the data do not hold (a ``KeyError``).
        """
        # A patched random.randint is called as the official code calls it (through
        # _global_repeat); otherwise the native query draws from the same generator itself.
        if random.randint is _RANDINT:
            return self._query(model_spec, epochs, stop_halfway, repeat=_GLOBAL_RANDOM)
        return self._query(model_spec, epochs, stop_halfway, repeat=_global_repeat)

    def is_valid(self, model_spec: ModelSpec) -> bool:
        """True when the spec is inside the search space (no budget change).

        Args:
            model_spec: The cell.

        Returns:
            Whether every check of ``query`` on the spec passes.
        """
        return self._is_valid(model_spec)

    def get_budget_counters(self) -> tuple[float, int]:
        """Returns ``(training_time_spent, total_epochs_spent)``."""
        return self._api.get_budget_counters()

    def reset_budget_counters(self) -> None:
        """Sets both budget counters back to zero."""
        self._api.reset_budget_counters()

    def evaluate(self, model_spec: ModelSpec, model_dir: str) -> dict[str, Any]:
        """Would train the spec from scratch; not offered.

        Args:
            model_spec: The cell.
            model_dir: Where the official code writes checkpoints.

        Raises:
            TrainingNotOfferedError: Always (training needs TensorFlow and a TPU/GPU setup;
                query the tabulated results with :meth:`query` instead).
        """
        raise TrainingNotOfferedError(
            "NASBench.evaluate trains the network with TensorFlow, which nasbench_lite does not"
            " offer; use query() / get_metrics_from_spec() for the tabulated results, or the"
            " official google-research/nasbench package to train"
        )

    def hash_iterator(self) -> KeysView[str]:
        """Every module hash of the data, in order of first appearance in the source file."""
        return self.fixed_statistics.keys()

    def get_metrics_from_hash(
        self, module_hash: str
    ) -> tuple[dict[str, Any], dict[int, list[dict[str, float]]]]:
        """All data of one cell, for analysis (no budget change).

        Args:
            module_hash: A hash from :meth:`hash_iterator`.

        Returns:
            ``(fixed_stats, computed_stats)``, fresh copies.

        Raises:
            NotInDatabaseError: Unknown hash (a ``KeyError``).
        """
        return self._api.get_metrics_from_hash(module_hash)

    def get_metrics_from_spec(
        self, model_spec: ModelSpec
    ) -> tuple[dict[str, Any], dict[int, list[dict[str, float]]]]:
        """All data of a spec's cell, for analysis (no budget change).

        Args:
            model_spec: The cell.

        Returns:
            ``(fixed_stats, computed_stats)``.

        Raises:
            OutOfDomainError: The spec is outside the space.
            NotInDatabaseError: A valid spec that the data do not hold.
        """
        return self._api.get_metrics_from_spec(model_spec)

    def _check_spec(self, model_spec: ModelSpec) -> None:
        """Raises ``OutOfDomainError`` unless the spec is inside the space."""
        self._api._check_spec(model_spec)

    def _hash_spec(self, model_spec: ModelSpec) -> str:
        """The module hash of a spec, labelled by ``config['available_ops']``."""
        return model_spec.hash_spec(self.config["available_ops"])
