"""The lifecycle every reader shares: :class:`ReaderBase`.

A reader owns one read-only :class:`~nasbench_lite._core.database.Database` handle checked
against its kind's schema, the ``meta`` entries, one per-object ``random.Random(random_state)``
(never the global ``random``), one re-entrant lock guarding that generator and any per-object
state, ``close()`` / context manager and a ``repr``. Kinds subclass it and add queries; every
SQL statement goes through the handle, which serialises threads itself.
"""

from __future__ import annotations

import os
import random
from _thread import RLock  # what threading.RLock() returns, without importing threading
from types import FunctionType

from nasbench_lite._core.arguments import checked
from nasbench_lite._core.database import Database
from nasbench_lite._core.schema import load_schema
from nasbench_lite.errors import CorruptDatabaseError, NotCopyableError

# Opening a reader is on the cold path of a first query: typing, pathlib, inspect and
# threading are imported only for type checking (typing.TYPE_CHECKING without typing).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import threading
    from collections.abc import Callable
    from contextlib import AbstractContextManager
    from pathlib import Path
    from typing import Any, ClassVar, TypeVar

    from nasbench_lite._core.database import Bindings
    from nasbench_lite._core.schema import Schema

    _R = TypeVar("_R", bound="ReaderBase")
    _T = TypeVar("_T")

__all__ = ["ReaderBase"]

#: SQLite's storage class of each value type apsw returns.
_STORAGE = {int: "INTEGER", float: "REAL", str: "TEXT", bytes: "BLOB"}


def _fits(declared: str, value: object) -> bool:
    """Whether a non-NULL value has a storage class its column's affinity can hold.

    The affinity follows SQLite's rules on the declared type (INT: integer; CHAR, CLOB or
    TEXT: text; BLOB: anything; REAL, FLOA, DOUB and the rest: numeric). Numeric columns take
    either number (SQLite keeps 0.5 in an INTEGER column, reads integral REALs as floats).
    """
    upper = declared.upper()
    if "INT" in upper:
        return isinstance(value, int | float)
    if "CHAR" in upper or "CLOB" in upper or "TEXT" in upper:
        return isinstance(value, str)
    if "BLOB" in upper:
        return True
    return isinstance(value, int | float)


class ReaderBase:
    """Base of every reader.

    Subclasses set :attr:`KIND` (a packaged kind, schema ``sql/<KIND>.sql``) or override
    :meth:`schema` (a kind defined outside the package).

    Args:
        path: The database file.
        random_state: Seed of this object's generator (None: OS entropy).
        lock: The re-entrant lock to use (for state a subclass built before the open).

    Raises:
        DatabaseError: Missing, non-SQLite or foreign file.
        SchemaVersionError: Another schema version (the message names the rebuild command).
    """

    KIND: ClassVar[str] = ""
    #: Whether ``pickle`` / ``copy`` of an object is offered: the copy opens the same file
    #: again and carries every instance attribute except :attr:`_OPENED` ones (a kind opts in
    #: once its per-open state is listed there and made in :meth:`_opened`).
    _COPYABLE: ClassVar[bool] = False
    #: Instance attributes a copy never takes: made when the file is opened (connections,
    #: locks, caches of database rows); the copy makes its own (:meth:`__setstate__`).
    _OPENED: ClassVar[frozenset[str]] = frozenset({"_lock", "_db"})

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Wraps the subclass's public methods and ``__init__`` with :func:`checked`."""
        super().__init_subclass__(**kwargs)
        for name, member in list(vars(cls).items()):
            public = not name.startswith("_") or name == "__init__"
            if public and isinstance(member, FunctionType) and not hasattr(member, "__wrapped__"):
                setattr(cls, name, checked(member))

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        random_state: Any = None,
        lock: threading.RLock | None = None,
    ) -> None:
        self._lock = RLock() if lock is None else lock
        self._db = Database(path, schema=self.schema())
        self._rng = random.Random(random_state)

    def _opened(self) -> None:
        """Makes a subclass's per-open state (:attr:`_OPENED`) once the handle is open: by its
        constructor and by :meth:`__setstate__` for a copy (there after the carried
        attributes are restored). Nothing here."""

    def __getstate__(self) -> dict[str, Any]:
        """What a pickled copy (a worker process, ``copy.deepcopy``) starts from: the
        database's absolute path and the carried attributes (generator state included, so a
        copy draws what the original would draw next).

        Raises:
            NotCopyableError: The kind offers no copies, or the reader is closed.
        """
        if not self._COPYABLE:
            raise NotCopyableError(
                f"{type(self).__name__} objects cannot be pickled or copied; open the file"
                " in each process instead"
            )
        with self._lock:
            if self._db.closed:
                raise NotCopyableError(f"{type(self).__name__} is closed: nothing to copy")
            carried = {k: v for k, v in self.__dict__.items() if k not in self._OPENED}
            return {"path": os.path.abspath(self._db.path), "attributes": carried}

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Opens the pickled reader's file again (read-only, checked as by the constructor),
        restores the carried attributes and makes the per-open state (after them: a kind's
        :meth:`_opened` may read carried settings, e.g. a cache size).

        Raises:
            DatabaseError: The file cannot be opened (moved, replaced by another kind...).
        """
        self._lock = RLock()
        self._db = Database(state["path"], schema=self.schema())
        self.__dict__.update(state["attributes"])
        self._opened()

    @classmethod
    def schema(cls) -> Schema:
        """The schema this reader accepts."""
        return load_schema(cls.KIND)

    @property
    def path(self) -> Path:
        """The database file."""
        return self._db.path

    @property
    def meta(self) -> dict[str, str]:
        """The database's ``meta`` entries (a copy)."""
        return dict(self._db.meta)

    @checked
    def draw(self, sample: Callable[[random.Random], _T]) -> _T:
        """Runs ``sample(rng)`` on this object's generator under its lock.

        Bulk helpers draw through this instead of touching the generator, so the sequence of
        draws is the same whether calls come from one thread or many.

        Args:
            sample: Uses the generator, e.g. ``lambda rng: rng.choice(seeds)``.

        Returns:
            What ``sample`` returns.
        """
        with self._lock:
            return sample(self._rng)

    def locked(self) -> AbstractContextManager[Any]:
        """The lock guarding this object's mutable state (budget counters, logs, generator).

        Returns:
            A re-entrant lock usable as ``with reader.locked(): ...``.
        """
        return self._lock

    def _query(self, sql: str, bindings: Bindings = ()) -> list[Any]:
        """One read statement through the locked handle."""
        return self._db.query(sql, bindings)

    def _first_row(self, sql: str, bindings: Bindings = ()) -> dict[str, Any] | None:
        """The first row of a statement as ``{column: value}``, or None when there is none.

        Raises:
            CorruptDatabaseError: A value of another storage class than its column declares.
        """
        rows = self._db.query(sql, bindings)
        if not rows:
            return None
        record: dict[str, Any] = {}
        for (name, declared), value in zip(self._db.columns(sql, bindings), rows[0], strict=True):
            if value is not None and declared and not _fits(declared, value):
                # A damaged record header (the builders write every value with its column's
                # storage class): bytes or text in a numeric column would reach the caller.
                raise CorruptDatabaseError(
                    f"{self._db.path}: {name} holds a {_STORAGE.get(type(value), '?')} value, "
                    f"its column is declared {declared} (a damaged row: `nasbench-lite verify` "
                    "checks every row)",
                    self._db.path,
                )
            record[name] = value
        return record

    def close(self) -> None:
        """Closes the database (idempotent)."""
        self._db.close()

    def __enter__(self: _R) -> _R:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _repr_facts(self) -> list[str]:
        """Key facts for ``repr``: the row counts the build recorded (``rows.<table>``)."""
        meta = self._db.meta
        return [
            f"{key[5:]}={int(value):,}"
            for key, value in sorted(meta.items())
            if key.startswith("rows.") and value.isdigit()
        ]

    def __repr__(self) -> str:
        meta = self._db.meta
        facts = [
            f"kind={meta.get('kind', '?')!r}",
            f"schema_version={meta.get('schema_version', '?')}",
            *self._repr_facts(),
        ]
        return f"{type(self).__name__}({str(self._db.path)!r}, {', '.join(facts)})"
