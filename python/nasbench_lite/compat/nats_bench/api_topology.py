"""``nats_bench.api_topology``: the topology search space (tss, = NAS-Bench-201).

:class:`NATStopology` takes the official ``-simple`` folder, the ``.pickle.pbz2`` file, None
(the official default location) or a nasbench_lite database, and answers every official
method with the official values, types, printed text and global-``random`` draws.
"""

from __future__ import annotations

from typing import Any

from nasbench_lite import nats
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
from nasbench_lite.compat.nats_bench.genotype_utils import topology_str2structure

__all__ = [
    "ALL_BASE_NAMES",
    "PICKLE_EXT",
    "ArchResults",
    "NASBenchMetaAPI",
    "NATStopology",
    "get_torch_home",
    "nats_is_dir",
    "nats_is_file",
    "pickle_load",
    "print_information",
    "time_string",
    "topology_str2structure",
]

#: Base names of the official topology files (``NATS-tss-[version]-[md5]``), newest last.
ALL_BASE_NAMES = ["NATS-tss-v1_0-3ffb9"]
_OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")


def print_information(
    information: ArchResults, extra_info: Any = None, show: bool = False
) -> list[str]:
    """The text lines describing an :class:`ArchResults` (printed too if ``show``)."""
    strings = information_lines(information, extra_info, cifar10_valid_test=False)
    if show:
        print("\n".join(strings))
    return strings


class NATStopology(NASBenchMetaAPI):
    """The NATS-Bench topology-space API (15,625 cells; hp ``'12'`` / ``'200'``)."""

    _space = "tss"
    _label = "topology"
    _base_names = ALL_BASE_NAMES
    _epochs = 200

    @property
    def is_size(self) -> bool:
        return False

    @property
    def is_topology(self) -> bool:
        return True

    @property
    def full_epochs_in_paper(self) -> int:
        return 200

    def get_unique_str(self, arch: Any) -> str:
        """The isomorphism-identifying string of an architecture (index, string, object).

        Raises:
            OutOfDomainError: Unknown architecture (the official API answers for the last
                architecture there).
        """
        index = self.query_index_by_arch(arch)
        unique: str = self._api.get_unique_str(index)
        return unique

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
        """
        return self._get_more_info(index, dataset, iepoch, hp, is_random)

    def show(self, index: int = -1) -> None:
        """Prints the information of one architecture (all evaluated ones if negative)."""
        self._show(index, print_information)

    @staticmethod
    def str2lists(arch_str: str) -> list[tuple[tuple[str, int], ...]]:
        """Per node, its ``(op, input node)`` pairs."""
        return nats.str2lists(arch_str)

    @staticmethod
    def str2matrix(arch_str: str, search_space: Any = _OPS) -> Any:
        """The NAS-Bench-101-style matrix, ``[node, input] = op index`` (float64)."""
        return nats.str2matrix(arch_str, tuple(search_space))
