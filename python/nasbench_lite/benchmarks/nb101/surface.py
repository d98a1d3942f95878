"""NAS-Bench-101 on the uniform surface: a thin adapter over ``NASBench.query_many``.

Architectures are named by their module hash (``ModelSpec`` objects are accepted too); seeds
are the repeat indexes 0..2; the fidelities are the epoch budget (4/12/36/108, each a
separate training run) and the evaluation point (``'final'``, or ``'halfway'``: after
epochs / 2 of the same run). Accuracies are stored as fractions and converted to percent here
(``x * 100``, value by value, before any mean); parameters are converted to millions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from nasbench_lite._core.surface import ArchSpace, Fetched, Fidelity, Surface, declare_objectives
from nasbench_lite._core.surface_arrays import column_floats
from nasbench_lite.benchmarks.nb101.reader import NASBench
from nasbench_lite.errors import InvalidInputError, NotInDatabaseError, OutOfDomainError, echo
from nasbench_lite.spaces.nb101.spec import AVAILABLE_OPS, ModelSpec

__all__ = ["NB101Space", "NB101Surface"]

_FRACTION = "fraction 0-1 in the database (runs), multiplied by 100 here"

#: Uniform metric -> (query_many column, conversion factor).
_PER_SEED = {
    "cifar10/train/accuracy": ("train_accuracy", 100.0),
    "cifar10/validation/accuracy": ("validation_accuracy", 100.0),
    "cifar10/test/accuracy": ("test_accuracy", 100.0),
    "cifar10/train/time": ("training_time", 1.0),
}

OBJECTIVES = (
    *declare_objectives(
        "cifar10",
        {
            "cifar10/train/accuracy": "the 40k training images themselves",
            "cifar10/validation/accuracy": (
                "validation: the 10k images held out of CIFAR-10 train (never trained on)"
            ),
            "cifar10/test/accuracy": "test: the CIFAR-10 test set (10k images)",
        },
        stored_as=_FRACTION,
    ),
    *declare_objectives(
        "cifar10",
        {
            "cifar10/train/time": (
                "training time of the run up to the evaluation point "
                "(final_ / halfway_training_time)"
            ),
        },
        stored_as="seconds (as stored)",
    ),
    *declare_objectives(
        "cifar10",
        {"params": "trainable parameters of the whole network"},
        stored_as="count in the database (cells), divided by 1e6 here",
        per_seed=False,
    ),
)


class NB101Space(ArchSpace):
    """The cells of an NB101 database, named by module hash.

    Args:
        api: The open :class:`~nasbench_lite.benchmarks.nb101.reader.NASBench`.
    """

    encodings = ("adjacency_onehot", "nar")

    def __init__(self, api: NASBench) -> None:
        self._api = api
        self._ids: list[str] | None = None
        self._known: set[str] | None = None

    def ids(self) -> Sequence[str]:
        """Every module hash, in order of first appearance in the source."""
        if self._ids is None:
            self._ids = list(self._api.hash_iterator())
            self._known = set(self._ids)
        return self._ids

    def id(self, arch: Any) -> str:
        """The module hash of a hash string or a :class:`ModelSpec` in the database.

        Raises:
            OutOfDomainError: An invalid spec, or a cell not in the database.
            InvalidInputError: Neither a str nor a ModelSpec.
        """
        if isinstance(arch, ModelSpec):
            if not self._api.is_valid(arch):
                raise OutOfDomainError(f"invalid NB101 spec {echo(arch)}")
            arch = arch.hash_spec(AVAILABLE_OPS)
        if not isinstance(arch, str):
            raise InvalidInputError(
                f"an NB101 architecture is a module hash or a ModelSpec, got {echo(arch)}"
            )
        self.ids()
        assert self._known is not None
        if arch not in self._known:
            raise OutOfDomainError(f"cell {echo(arch)} is not in {self._api.path}")
        return arch

    def spec(self, arch: Any) -> tuple[npt.NDArray[Any], list[str]]:
        """The stored (pruned) adjacency matrix and ops of a cell."""
        fixed = self._api.fixed_statistics[self.id(arch)]
        return fixed["module_adjacency"], list(fixed["module_operations"])

    def neighbours(self, arch: Any) -> list[str]:
        """Cells one edge flip or one interior op change away that are in the database.

        Returns:
            Distinct hashes (the cell's own hash and invalid variants dropped), edges first.
        """
        from nasbench_lite.spaces.nb101.batch import hash_many

        own = self.id(arch)
        matrix, ops = self.spec(own)
        size = len(ops)
        variants: list[tuple[npt.NDArray[Any], list[str]]] = []
        for i in range(size):
            for j in range(i + 1, size):
                flipped = np.array(matrix, dtype=np.int8)
                flipped[i, j] ^= 1
                variants.append((flipped, ops))
        for v in range(1, size - 1):
            for op in AVAILABLE_OPS:
                if op != ops[v]:
                    variants.append(
                        (np.array(matrix, dtype=np.int8), [*ops[:v], op, *ops[v + 1 :]])
                    )
        matrices = np.zeros((len(variants), size, size), dtype=np.int8)
        labels = np.full((len(variants), size), "", dtype=object)
        for k, (m, o) in enumerate(variants):
            matrices[k] = m
            labels[k] = o
        hashes = hash_many(matrices, labels.astype(str), errors="ignore").tolist()
        assert self._known is not None
        seen = {own}
        out = []
        for h in hashes:
            if h and h in self._known and h not in seen:
                seen.add(h)
                out.append(h)
        return out

    def _encode(self, ids: list[str], kind: str) -> npt.NDArray[Any]:
        from nasbench_lite.spaces.nb101.encode import encode_many

        matrices = np.zeros((len(ids), 7, 7), dtype=np.int8)
        ops = np.full((len(ids), 7), "", dtype=object)
        for row, ident in enumerate(ids):
            matrix, names = self.spec(ident)
            n = len(names)
            matrices[row, :n, :n] = matrix
            ops[row, :n] = names
        if kind == "nar":
            return encode_many(matrices, ops.astype(str), "nar")
        return encode_many(matrices, ops.astype(str), "adjacency_onehot")


class NB101Surface(Surface):
    """The uniform surface of an NB101 database (see :mod:`nasbench_lite._core.surface`).

    Args:
        api: The open reader; closed by :meth:`close`.
    """

    space: NB101Space
    curve_axis = "epochs"
    objectives = OBJECTIVES

    def __init__(self, api: NASBench) -> None:
        super().__init__(api, NB101Space(api))
        budgets = tuple(sorted(api.valid_epochs))
        if not budgets:
            raise NotInDatabaseError(f"{api.path} holds no training runs")
        self.fidelities = (
            Fidelity(
                "epochs",
                budgets,
                budgets[-1],
                "epochs",
                "training budget; each value is a separate training run (own schedule)",
            ),
            Fidelity(
                "point",
                ("final", "halfway"),
                "final",
                "evaluation point",
                "'final': after the last epoch of the run; 'halfway': the evaluation the same "
                "run made after epochs / 2 (the official stop_halfway)",
            ),
        )

    def _fetch(self, ids: list[str], fidelity: dict[str, Any], metrics: list[str]) -> Fetched:
        table = self.reader.query_many(
            ids,
            epochs=fidelity["epochs"],
            stop_halfway=fidelity["point"] == "halfway",
            repeat="all",
        )
        table = table.filter(table["found"])  # found rows carry a repeat and every value
        position = column_floats(table["index"]).astype(np.int64)
        fetched = Fetched.of_rows(
            len(ids),
            position,
            column_floats(table["repeat"]).astype(np.int64),
            tuple(range(self.reader.config["num_repeats"])),
        )
        for name in metrics:
            if name in _PER_SEED:
                column, factor = _PER_SEED[name]
                fetched.present[name] = ~np.asarray(table[column].is_null(), dtype=bool)
                fetched.values[name] = column_floats(table[column]) * factor
        if "params" in metrics:
            params = np.full(len(ids), np.nan)
            # Division is correctly rounded, so p < 1e6 <=> p / 1e6 < 1.0 exactly.
            params[position] = column_floats(table["trainable_parameters"]) / 1e6
            fetched.arch_values["params"] = params
            fetched.arch_present["params"] = fetched.found.copy()
        return fetched
