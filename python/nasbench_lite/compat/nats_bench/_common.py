"""The module-level helpers of ``nats_bench.api_utils`` (re-exported there).

``pickle_load`` reads through nasbench_lite's native restricted reader (nothing a file names is
called; NumPy scalars come back as Python numbers). Only the local file system is served:
``reset_file_system('google')`` is accepted, but the helpers then raise
:class:`~nasbench_lite.compat.nats_bench.api_utils.NotOfferedError` (it needs TensorFlow).
"""

from __future__ import annotations

import bz2
import os
import pickle
import time
from collections.abc import Sequence
from typing import Any

from nasbench_lite.compat.nats_bench._results import NotOfferedError
from nasbench_lite.errors import InvalidInputError, OutOfDomainError

__all__ = [
    "PICKLE_EXT",
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

PICKLE_EXT = "pickle.pbz2"
_FILE_SYSTEM = ["default"]  # a list so that the state is shared with api_utils' re-export


def mean(xlist: Sequence[Any]) -> Any:
    """``sum(xlist) / len(xlist)``."""
    return sum(xlist) / len(xlist)


def time_string() -> str:
    """``[YYYY-mm-dd HH:MM:SS]`` in UTC, the prefix of the official messages."""
    return "[{:}]".format(time.strftime("%Y-%m-%d %X", time.gmtime(time.time())))


def reset_file_system(lib: str = "default") -> None:
    """Selects the file-system library (only ``'default'`` is served)."""
    _FILE_SYSTEM[0] = lib


def get_file_system() -> str:
    """The selected file-system library."""
    return _FILE_SYSTEM[0]


def _check_file_system() -> None:
    if _FILE_SYSTEM[0] == "google":
        raise NotOfferedError("the 'google' file system needs TensorFlow; use 'default'")
    if _FILE_SYSTEM[0] != "default":
        raise OutOfDomainError(f"Unknown file system lib: {_FILE_SYSTEM[0]}")


def get_torch_home() -> str:
    """``$TORCH_HOME``, else ``$HOME/.torch`` (where the official files are looked for).

    Raises:
        InvalidInputError: Neither variable is set (a ValueError, as the official).
    """
    if "TORCH_HOME" in os.environ:
        return os.environ["TORCH_HOME"]
    if "HOME" in os.environ:
        return os.path.join(os.environ["HOME"], ".torch")
    raise InvalidInputError(
        "Did not find HOME in os.environ. Please at least setup the path of HOME or TORCH_HOME "
        "in the environment."
    )


def nats_is_dir(file_path: str) -> bool:
    """Whether ``file_path`` is a directory."""
    _check_file_system()
    return os.path.isdir(file_path)


def nats_is_file(file_path: str) -> bool:
    """Whether ``file_path`` is a file."""
    _check_file_system()
    return os.path.isfile(file_path)


def pickle_save(obj: Any, file_path: Any, ext: str = ".pbz2", protocol: int = 4) -> None:
    """Writes ``obj`` as a bz2-compressed pickle to ``file_path + ext``."""
    _check_file_system()
    with bz2.BZ2File(str(file_path) + ext, "wb") as handle:
        pickle.dump(obj, handle, protocol=protocol)


def pickle_load(file_path: Any, ext: str = ".pbz2") -> Any:
    """Reads ``file_path`` (else ``file_path + ext``) through the native restricted reader.

    Raises:
        UnsafePickleError: The file names a global outside the allow-list (nothing called).
        CorruptSourceError: A missing, truncated or malformed file.
    """
    from nasbench_lite.nats import load_pickle

    path = str(file_path) if nats_is_file(str(file_path)) else str(file_path) + ext
    return load_pickle(path)


def remap_dataset_set_names(
    dataset: str, metric_on_set: str, verbose: bool = False
) -> tuple[str, str]:
    """``find_best``'s ``(dataset, 'valid'|'test'|...)`` as internal names (printed if verbose)."""
    from nasbench_lite.nats import remap_dataset_set_names as remap

    if verbose:
        print(
            f"Call internal function _remap_dataset_set_names with dataset={dataset} "
            f"and metric_on_set={metric_on_set}"
        )
    dataset, metric_on_set = remap(dataset, metric_on_set)
    if verbose:
        print(f"  return dataset={dataset} and metric_on_set={metric_on_set}")
    return dataset, metric_on_set
