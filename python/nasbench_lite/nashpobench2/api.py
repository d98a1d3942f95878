"""The NAS-HPO-Bench-II query API (:class:`API`) at its public path.

The reader lives in :mod:`nasbench_lite.benchmarks.nashpobench2.reader`.
"""

from nasbench_lite.benchmarks.nashpobench2.reader import API, MODES

__all__ = ["API", "MODES"]
