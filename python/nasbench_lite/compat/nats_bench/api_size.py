"""``nats_bench.api_size``: the size search space (sss, 32,768 channel configurations).

:class:`NATSsize` takes the official ``-simple`` folder, the ``.pickle.pbz2`` file, None (the
official default location) or a nasbench_lite database, and answers every official method
with the official values, types, printed text and global-``random`` draws.
"""

from __future__ import annotations

from typing import Any

from nasbench_lite.compat.nats_bench._common import (
    PICKLE_EXT,
    get_torch_home,
    nats_is_dir,
    nats_is_file,
    pickle_load,
    time_string,
)
from nasbench_lite.compat.nats_bench._meta import NASBenchMetaAPI
from nasbench_lite.compat.nats_bench._printing import information_lines
from nasbench_lite.compat.nats_bench._results import ArchResults

__all__ = [
    "ALL_BASE_NAMES",
    "PICKLE_EXT",
    "ArchResults",
    "NASBenchMetaAPI",
    "NATSsize",
    "get_torch_home",
    "nats_is_dir",
    "nats_is_file",
    "pickle_load",
    "print_information",
    "time_string",
]

#: Base names of the official size files (``NATS-sss-[version]-[md5]``), newest last.
ALL_BASE_NAMES = ["NATS-sss-v1_0-50262"]


def print_information(
    information: ArchResults, extra_info: Any = None, show: bool = False
) -> list[str]:
    """The text lines describing an :class:`ArchResults` (printed too if ``show``)."""
    strings = information_lines(information, extra_info, cifar10_valid_test=True)
    if show:
        print("\n".join(strings))
    return strings


class NATSsize(NASBenchMetaAPI):
    """The NATS-Bench size-space API (32,768 configurations; hp ``'01'``/``'12'``/``'90'``)."""

    _space = "sss"
    _label = "size"
    _base_names = ALL_BASE_NAMES
    _epochs = 90

    @property
    def is_size(self) -> bool:
        return True

    @property
    def is_topology(self) -> bool:
        return False

    @property
    def full_epochs_in_paper(self) -> int:
        return 90

    def query_info_str_by_arch(self, arch: Any, hp: str = "12") -> str | None:
        """The official information text of an architecture for ``hp`` (None: no results)."""
        self._say(f"{time_string()} Call query_info_str_by_arch with arch={arch}and hp={hp}")
        return self._query_info_str_by_arch(arch, hp, print_information)

    def get_more_info(
        self,
        index: Any,
        dataset: str,
        iepoch: int | None = None,
        hp: str = "12",
        is_random: bool | int = True,
    ) -> dict[str, Any]:
        """Loss, accuracy and times of one architecture on ``dataset``.

        ``is_random=True`` picks the trial with ``random.choice`` of the global ``random``.
        Where the file has no times, the per-time values are None (the official API raises
        TypeError dividing None).
        """
        return self._get_more_info(index, dataset, iepoch, hp, is_random)

    def show(self, index: int = -1) -> None:
        """Prints the information of one architecture (all evaluated ones if negative)."""
        self._show(index, print_information)
