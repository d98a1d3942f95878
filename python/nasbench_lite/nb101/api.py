"""Drop-in for the official ``nasbench.api`` module (``from nasbench_lite.nb101 import api``).

The reader lives in :mod:`nasbench_lite.benchmarks.nb101.reader`; this module keeps the public
import path that ported code and :mod:`nasbench_lite.compat` use.
"""

from nasbench_lite._core.arguments import check_public
from nasbench_lite.benchmarks.nb101.reader import (
    METRIC_FIELDS,
    ModelSpec,
    NASBench,
    OutOfDomainError,
    decode_cell,
)

__all__ = ["METRIC_FIELDS", "NASBench", "ModelSpec", "OutOfDomainError", "decode_cell"]

check_public(globals())
