"""The NATS-Bench query API (``create``, ``NATStopology``, ``NATSsize``) at its public path.

The reader lives in :mod:`nasbench_lite.benchmarks.nats.reader`.
"""

from nasbench_lite._core.arguments import check_public
from nasbench_lite.benchmarks.nats.reader import (
    NATSsize,
    NATStopology,
    create,
    remap_dataset_set_names,
)

__all__ = ["NATSsize", "NATStopology", "create", "remap_dataset_set_names"]

check_public(globals())
