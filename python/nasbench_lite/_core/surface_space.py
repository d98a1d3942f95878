"""An :class:`ArchSpace` over ids in one official order (knows no benchmark).

NATS-Bench architectures and NAS-HPO-Bench-II configurations both have an official flat
index: the id list, the index of an id and the id at an index (numpy integers too, never a
bool) are written once here for every such kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nasbench_lite._core.archspace import ArchSpace
from nasbench_lite.errors import OutOfDomainError

__all__ = ["IndexedSpace"]


class IndexedSpace(ArchSpace):
    """An architecture space whose ids stand in the benchmark's official index order.

    Subclasses pass the ids to ``__init__`` and let :meth:`_at_index` answer integer
    architectures first in their :meth:`id`.

    Args:
        ids: Every canonical id, at its official index.
        noun: What one id names, for messages (``'architecture'``, ``'configuration'``).
    """

    def __init__(self, ids: list[str], noun: str) -> None:
        self._ids = ids
        self._position = {ident: i for i, ident in enumerate(ids)}
        self._noun = noun

    def ids(self) -> Sequence[str]:
        """Every id, in official index order."""
        return self._ids

    def index(self, arch: Any) -> int:
        """The official index of an architecture (see :meth:`id`)."""
        return self._position[self.id(arch)]

    def _at_index(self, arch: Any) -> str | None:
        """The id at official index ``arch`` if it is an integer; None for any other type.

        Raises:
            OutOfDomainError: An index outside the space.
        """
        if isinstance(arch, np.integer):
            arch = int(arch)
        if not isinstance(arch, int) or isinstance(arch, bool):
            return None
        if not 0 <= arch < len(self._ids):
            raise OutOfDomainError(f"{self._noun} index {arch} outside 0..{len(self._ids) - 1}")
        return self._ids[arch]
