"""``nats_bench.api_utils``: the base API class, ``ArchResults``, ``ResultsCount``, helpers.

Same names as ``nats_bench`` 1.8 (see :mod:`nasbench_lite.compat.nats_bench`); the classes
answer from a nasbench_lite database. :class:`NotOfferedError` (not an official name) is what
the features raise that the databases cannot serve: trained weights and the methods that wrote
the benchmark files.
"""

from __future__ import annotations

from nasbench_lite.compat.nats_bench._common import (
    PICKLE_EXT,
    get_file_system,
    get_torch_home,
    mean,
    nats_is_dir,
    nats_is_file,
    pickle_load,
    pickle_save,
    remap_dataset_set_names,
    reset_file_system,
    time_string,
)
from nasbench_lite.compat.nats_bench._meta import NASBenchMetaAPI
from nasbench_lite.compat.nats_bench._results import ArchResults, NotOfferedError, ResultsCount

__all__ = [
    "PICKLE_EXT",
    "ArchResults",
    "NASBenchMetaAPI",
    "NotOfferedError",
    "ResultsCount",
    "get_file_system",
    "get_torch_home",
    "mean",
    "nats_is_dir",
    "nats_is_file",
    "pickle_load",
    "pickle_save",
    "remap_dataset_set_names",
    "reset_file_system",
    "time_string",
]

NASBenchMetaAPI.__module__ = __name__
