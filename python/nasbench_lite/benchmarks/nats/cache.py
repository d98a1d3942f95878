"""A bounded least-recently-used cache of decoded NATS trials, one per API object.

The official API keeps every architecture it has touched in memory, so its repeated calls
cost dictionary lookups. :class:`LRUCache` gives ours the same warm path with a memory bound:
at most ``maxsize`` entries (one per ``(architecture, hp, dataset)``, see
:class:`nasbench_lite.benchmarks.nats.results.Trials`), the least recently used one evicted first.

Thread-safe: every read and write holds the lock given at construction (the API object's own
lock), so threads sharing one API object see a consistent cache. The values themselves are
filled in outside the lock; racing threads may compute one entry twice, never a wrong one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any, Generic, TypeVar

from nasbench_lite.errors import InvalidInputError

__all__ = ["DEFAULT_CACHE_SIZE", "LRUCache", "check_cache_size"]

#: Default entries per API object. An entry is one (arch, hp, dataset): a few kB of final
#: scalars and answers, plus its curves blobs once a mid-run epoch was asked for (values are
#: read from the blobs at fixed offsets, not decoded into arrays; at most ~21 kB per
#: 200-epoch tss trial), so the default bounds the cache to well under 100 MB in the worst
#: case (the official API keeps ~2 MB per tss architecture).
DEFAULT_CACHE_SIZE = 1024

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def check_cache_size(value: Any) -> int:
    """``cache_size`` must be a non-negative int (0 turns the cache off).

    Raises:
        InvalidInputError: Anything else (a bool included).
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInputError(f"cache_size must be an int >= 0, got {value!r}")
    return value


class LRUCache(Generic[K, V]):
    """At most ``maxsize`` key/value pairs; the least recently used one is evicted first.

    Args:
        maxsize: Capacity (0: nothing is kept).
        lock: The lock held by every operation (default: a new one).

    Raises:
        InvalidInputError: ``maxsize`` is not an int >= 0.
    """

    def __init__(self, maxsize: int, lock: threading.Lock | threading.RLock | None = None) -> None:
        self._maxsize = check_cache_size(maxsize)
        self._lock = threading.Lock() if lock is None else lock
        self._data: OrderedDict[K, V] = OrderedDict()
        self.hits = 0
        self.misses = 0

    @property
    def maxsize(self) -> int:
        """The capacity."""
        return self._maxsize

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._data

    def get(self, key: K) -> V | None:
        """The value of ``key`` (now the most recently used), or None."""
        with self._lock:
            value = self._data.get(key)
            if value is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: K, value: V) -> V:
        """Stores ``value`` (the one already stored wins if another thread was first).

        Returns:
            The value now cached for ``key`` (``value`` itself when the cache is off).
        """
        if self._maxsize == 0:
            return value
        with self._lock:
            stored = self._data.get(key)
            if stored is not None:
                self._data.move_to_end(key)
                return stored
            self._data[key] = value
            while len(self._data) > self._maxsize:
                self._data.popitem(last=False)
            return value

    def clear(self) -> None:
        """Drops every entry (the hit/miss counters too)."""
        with self._lock:
            self._data.clear()
            self.hits = self.misses = 0

    def info(self) -> dict[str, int]:
        """``{'size', 'maxsize', 'hits', 'misses'}``."""
        with self._lock:
            return {
                "size": len(self._data),
                "maxsize": self._maxsize,
                "hits": self.hits,
                "misses": self.misses,
            }
