"""The architectures of one benchmark database, generic part: :class:`ArchSpace`.

A kind's adapter subclasses it with its ids, neighbours and encodings; iteration, membership,
batch id resolution and sampling (from a private ``random.Random``, never the global one) are
written once here.
"""

from __future__ import annotations

import inspect
import random
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy.typing as npt

from nasbench_lite._core.arguments import checked
from nasbench_lite.errors import InvalidInputError, OutOfDomainError, echo

__all__ = ["ArchSpace", "check_public", "make_rng"]


def check_public(cls: type) -> None:
    """Wraps the public functions defined on ``cls`` with :func:`checked` (typed errors)."""
    for name, member in list(vars(cls).items()):
        if not name.startswith("_") and inspect.isfunction(member):
            setattr(cls, name, checked(member))


def make_rng(random_state: Any) -> random.Random:
    """A private generator: ``random_state`` itself when it is a ``random.Random``.

    Args:
        random_state: None (OS entropy), an int seed, or a ``random.Random``.

    Returns:
        The generator (never the global ``random`` module).

    Raises:
        InvalidInputError: Another type.
    """
    if isinstance(random_state, random.Random):
        return random_state
    if random_state is None or (
        isinstance(random_state, int) and not isinstance(random_state, bool)
    ):
        return random.Random(random_state)
    raise InvalidInputError(
        f"random_state must be None, an int or a random.Random, got {echo(random_state)}"
    )


class ArchSpace(ABC):
    """The architectures of one benchmark database, named by canonical string ids.

    Subclasses implement :meth:`ids`, :meth:`id`, :meth:`neighbours`, :meth:`encode` and
    :attr:`encodings`; sampling, iteration and membership are generic.
    """

    #: Names accepted by :meth:`encode`.
    encodings: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Wraps public methods with :func:`checked` (builtin errors become typed ones)."""
        super().__init_subclass__(**kwargs)
        check_public(cls)

    @abstractmethod
    def ids(self) -> Sequence[str]:
        """Every canonical id, in the benchmark's own order (cached by subclasses)."""

    @abstractmethod
    def id(self, arch: Any) -> str:
        """The canonical id of an architecture given in any form the benchmark accepts.

        Raises:
            OutOfDomainError: Not an architecture of this space.
            InvalidInputError: A value of the wrong type.
        """

    @abstractmethod
    def neighbours(self, arch: Any) -> list[str]:
        """Ids of the architectures one elementary change away (the arch itself excluded)."""

    @abstractmethod
    def _encode(self, ids: list[str], kind: str) -> npt.NDArray[Any]:
        """The encoding ``kind`` (already checked) of canonical ids."""

    @property
    def size(self) -> int:
        """Number of architectures."""
        return len(self.ids())

    def __len__(self) -> int:
        return self.size

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids())

    def __contains__(self, arch: object) -> bool:
        try:
            self.id(arch)
        except (OutOfDomainError, InvalidInputError):
            return False
        return True

    def ids_of(self, archs: Any) -> list[str]:
        """Canonical ids of a batch (a str, a dict or a spec is one architecture, not a batch).

        Raises:
            InvalidInputError: ``archs`` is not a sequence, or an element has a wrong type.
            OutOfDomainError: An element is not in this space (``.row`` names it).
        """
        if isinstance(archs, str | bytes | Mapping) or not hasattr(archs, "__iter__"):
            raise InvalidInputError(
                f"archs must be a sequence of architectures, got {type(archs).__name__}"
                " (wrap a single one in a list, or use query_one)"
            )
        out = []
        for row, arch in enumerate(archs):
            try:
                out.append(self.id(arch))
            except (OutOfDomainError, InvalidInputError) as exc:
                exc.row = row
                raise
        return out

    def sample(self, n: int, random_state: Any = None) -> list[str]:
        """``n`` distinct ids drawn uniformly (``random.Random.sample`` over :meth:`ids`).

        Args:
            n: How many, ``0 <= n <= size``.
            random_state: None, an int seed or a ``random.Random`` (never the global one).

        Returns:
            The ids, in draw order; the same ``random_state`` gives the same list.

        Raises:
            OutOfDomainError: ``n`` outside ``[0, size]``.
            InvalidInputError: Wrong types.
        """
        if isinstance(n, bool) or not isinstance(n, int):
            raise InvalidInputError(f"n must be an int, got {echo(n)}")
        ids = self.ids()
        if not 0 <= n <= len(ids):
            raise OutOfDomainError(f"n must be in 0..{len(ids)}, got {n}")
        rng = make_rng(random_state)
        return [ids[i] for i in rng.sample(range(len(ids)), n)]

    def encode(self, archs: Any, kind: str | None = None) -> npt.NDArray[Any]:
        """Encodes a batch for a predictor.

        Args:
            archs: Architectures in any accepted form.
            kind: One of :attr:`encodings` (default the first).

        Returns:
            A numpy array, one leading row per architecture.

        Raises:
            OutOfDomainError: Unknown encoding or architecture.
        """
        name = self.encodings[0] if kind is None else kind
        if name not in self.encodings:
            raise OutOfDomainError(f"unknown encoding {echo(kind)} (choices: {self.encodings})")
        ids = self.ids_of(archs)
        if not ids and self.size:
            # Zero rows of the encoding's width and dtype: every kind's encoder then only
            # handles non-empty batches (an empty one used to fail inside numpy).
            return self._encode([self.ids()[0]], name)[:0]
        return self._encode(ids, name)


check_public(ArchSpace)
