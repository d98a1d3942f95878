"""NATS-Bench (tss and sss) on the uniform surface: a thin adapter over the reader's queries.

Architectures are named by their arch string (official indexes are accepted too). Metrics are
``'<dataset>/<set>/<accuracy|loss|time>'`` for the sets the dataset has (``train``,
``x-valid``, ``x-test``, ``ori-test`` -- the official names, so ``ori-test`` is never passed
off as validation) and ``'<dataset>/<flops|params|latency>'``. Fidelities: ``epoch`` (1-based
epoch of the run) and ``hp`` (the training schedule, a separate run per value). Values come
from ``query_many`` (many architectures) or ``get_more_info`` / ``get_cost_info`` (a few,
served by the reader's cache) with a seed given explicitly, so both are the official values;
NATS stores percent, so nothing is converted.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import numpy.typing as npt

from nasbench_lite._core.surface import Fetched, Fidelity, Objective, Surface, declare_objectives
from nasbench_lite._core.surface_arrays import onehot
from nasbench_lite._core.surface_space import IndexedSpace
from nasbench_lite.benchmarks.nats.bulk import output_sets
from nasbench_lite.benchmarks.nats.layout import DATASETS
from nasbench_lite.errors import InvalidInputError, NotInDatabaseError, OutOfDomainError, echo
from nasbench_lite.spaces.nb201.arch import OPS, parse_arch
from nasbench_lite.spaces.nb201.space import SIZE_CHOICES

__all__ = ["NATSSpace", "NATSSurface", "open_surface"]

#: Below this many distinct architectures, per-architecture cached calls beat bulk scans.
_SMALL = 32

_TRAINED_ON = {
    "cifar10-valid": "CIFAR-10 train half (25k)",
    "cifar10": "CIFAR-10 train + valid (50k)",
    "cifar100": "CIFAR-100 train (50k)",
    "ImageNet16-120": "ImageNet16-120 train",
}
_SPLIT = {
    ("cifar10-valid", "x-valid"): "x-valid: the 25k CIFAR-10 train images held out (validation)",
    ("cifar10-valid", "ori-test"): "ori-test: the CIFAR-10 test set (10k)",
    ("cifar10", "ori-test"): "ori-test: the CIFAR-10 test set (10k)",
    ("cifar100", "x-valid"): "x-valid: half of the CIFAR-100 test set (5k, validation)",
    ("cifar100", "x-test"): "x-test: the other half of the CIFAR-100 test set (5k)",
    ("cifar100", "ori-test"): (
        "ori-test: the whole CIFAR-100 test set (10k = x-valid + x-test: contains the "
        "validation half, never use it as validation)"
    ),
    ("ImageNet16-120", "x-valid"): "x-valid: half of the ImageNet16-120 test set (validation)",
    ("ImageNet16-120", "x-test"): "x-test: the other half of the ImageNet16-120 test set",
    ("ImageNet16-120", "ori-test"): (
        "ori-test: the whole ImageNet16-120 test set (= x-valid + x-test: contains the "
        "validation half, never use it as validation)"
    ),
}


def _objectives() -> tuple[Objective, ...]:
    out: list[Objective] = []
    for dataset in DATASETS:
        splits = {}
        for _, setname in output_sets(dataset):
            split = _SPLIT.get((dataset, setname), f"the {_TRAINED_ON[dataset]} images themselves")
            spent = "training" if setname == "train" else "evaluating"
            splits[f"{dataset}/{setname}/accuracy"] = split
            splits[f"{dataset}/{setname}/loss"] = split
            splits[f"{dataset}/{setname}/time"] = (
                f"seconds spent {spent} on {setname} up to this epoch "
                f"(the official '{setname}' all-time)"
            )
        out += declare_objectives(
            dataset, splits, stored_as="as stored (percent / cross-entropy / seconds)"
        )
        out += declare_objectives(
            dataset,
            {
                f"{dataset}/flops": (
                    "FLOPs of the network for this dataset's input size and classes"
                ),
                f"{dataset}/params": "parameters of the network for this dataset's classes",
                f"{dataset}/latency": "mean latency over the trials, batch 256",
            },
            stored_as="as stored (official get_cost_info, per schedule hp)",
            per_seed=False,
        )
    return tuple(out)


OBJECTIVES = _objectives()


class NATSSpace(IndexedSpace):
    """Every architecture of the database's NATS space (with or without results).

    Args:
        api: The open ``NATStopology`` / ``NATSsize``.
    """

    def __init__(self, api: Any) -> None:
        self._api = api
        super().__init__(api.meta_archs, "architecture")
        self.topology = bool(api.is_topology)
        self.encodings = (
            ("onehot", "nar-cifar10-valid", "nar-cifar100", "nar-ImageNet16-120")
            if self.topology
            else ("channels", "onehot")
        )

    def id(self, arch: Any) -> str:
        """The arch string of an arch string or an official index.

        Raises:
            OutOfDomainError: Not an architecture of this space.
            InvalidInputError: Neither a str nor an int.
        """
        at_index = self._at_index(arch)
        if at_index is not None:
            return at_index
        if not isinstance(arch, str):
            raise InvalidInputError(
                f"a NATS architecture is an arch string or an index, got {echo(arch)}"
            )
        if arch not in self._position:
            raise OutOfDomainError(f"{echo(arch)} is not an architecture of this space")
        return arch

    def neighbours(self, arch: Any) -> list[str]:
        """Architectures differing in one edge op (tss, 24) or one layer's channels (sss, 35)."""
        own = self.id(arch)
        out = []
        if self.topology:
            ops = list(parse_arch(own))
            for edge in range(len(ops)):
                for op in OPS:
                    if op != ops[edge]:
                        out.append(_arch_string([*ops[:edge], op, *ops[edge + 1 :]]))
        else:
            channels = [int(c) for c in own.split(":")]
            for layer in range(len(channels)):
                for c in SIZE_CHOICES:
                    if c != channels[layer]:
                        changed = [*channels[:layer], c, *channels[layer + 1 :]]
                        out.append(":".join(str(x) for x in changed))
        return [a for a in out if a in self._position]

    def _encode(self, ids: list[str], kind: str) -> npt.NDArray[Any]:
        if kind.startswith("nar-"):
            from nasbench_lite.spaces.nb201.cost import encode_many

            result: npt.NDArray[Any] = encode_many(ids, kind[4:])
            return result
        if self.topology:
            codes = [[OPS.index(op) for op in parse_arch(a)] for a in ids]
            return onehot(codes, len(OPS))
        channels = np.asarray([[int(c) for c in a.split(":")] for a in ids], dtype=np.float64)
        if kind == "channels":
            return channels.reshape(len(ids), 5)
        return onehot(channels.astype(np.int64) // 8 - 1, len(SIZE_CHOICES))


def _arch_string(ops: list[str]) -> str:
    a, b, c, d, e, f = ops
    return f"|{a}~0|+|{b}~0|{c}~1|+|{d}~0|{e}~1|{f}~2|"


class NATSSurface(Surface):
    """The uniform surface of a NATS-Bench database (tss or sss).

    Args:
        api: The open reader; closed by :meth:`close`.

    Raises:
        NotInDatabaseError: The database holds no results.
    """

    space: NATSSpace
    curve_axis = "epoch"
    objectives = OBJECTIVES

    def __init__(self, api: Any) -> None:
        super().__init__(api, NATSSpace(api))
        # The run lengths per schedule are facts of the runs table (not of the hp name: the
        # tss '200' schedule runs 200 epochs in the real data, fewer in small test files).
        rows = api._db.query("SELECT hp, max(epochs) FROM runs GROUP BY hp")
        self._epochs = {str(hp): int(n) for hp, n in rows}
        if not self._epochs:
            raise NotInDatabaseError(f"{api.path} holds no training runs")
        hps = tuple(sorted(self._epochs, key=int))
        self._expected: dict[tuple[str, str], tuple[int, ...]] = {}
        self.fidelities = (
            Fidelity(
                "epoch",
                tuple(range(1, max(self._epochs.values()) + 1)),
                self._epochs[hps[-1]],
                "epochs",
                "1-based epoch of the run (values after the last epoch of a schedule refused)",
            ),
            Fidelity(
                "hp",
                hps,
                hps[-1],
                "epochs (schedule length)",
                "training schedule; each value is a separate run with its own learning-rate "
                "schedule",
            ),
        )

    def _check_fidelity(self, chosen: dict[str, Any], given: dict[str, Any]) -> None:
        last = self._epochs[chosen["hp"]]
        if "epoch" not in given:
            chosen["epoch"] = last
        elif chosen["epoch"] > last:
            raise OutOfDomainError(
                f"epoch {chosen['epoch']} is after the last epoch ({last}) of hp={chosen['hp']!r}"
            )

    def _seeds(self, hp: str, dataset: str, indexes: list[int]) -> dict[int, list[int]]:
        """Seeds of each architecture in file order, and the seeds the schedule ran at all."""
        key = (hp, dataset)
        if key not in self._expected:
            rows = self.reader._db.query(
                "SELECT DISTINCT seed FROM runs WHERE hp = ? AND dataset = ? ORDER BY seed", key
            )
            self._expected[key] = tuple(int(r[0]) for r in rows)
        rows = self.reader._db.query(
            "SELECT arch_index, seed FROM runs WHERE hp = ? AND dataset = ?"
            " AND arch_index IN (SELECT value FROM json_each(?))"
            " ORDER BY arch_index, seed_order",
            (hp, dataset, json.dumps(sorted(set(indexes)))),
        )
        seeds: dict[int, list[int]] = {}
        for arch, seed in rows:
            seeds.setdefault(int(arch), []).append(int(seed))
        return seeds

    def _fetch(self, ids: list[str], fidelity: dict[str, Any], metrics: list[str]) -> Fetched:
        hp, epoch = fidelity["hp"], fidelity["epoch"]
        iepoch = None if epoch == self._epochs[hp] else epoch - 1
        indexes = [self.space.index(a) for a in ids]
        per_seed = [m for m in metrics if self.objective(m).per_seed]
        per_arch = [m for m in metrics if not self.objective(m).per_seed]
        # Per-seed metrics of one query share one dataset (checked by the core).
        dataset = self.objective(per_seed[0]).dataset if per_seed else None
        datasets = {self.objective(m).dataset for m in metrics}
        found = np.ones(len(ids), dtype=bool)
        by_dataset = {d: self._seeds(hp, d, indexes) for d in datasets}
        for d in datasets:
            found &= np.asarray([i in by_dataset[d] for i in indexes], dtype=bool)
        seeds_of = by_dataset[dataset] if dataset is not None else {}
        position: list[int] = []
        seed: list[int] = []
        for k, index in enumerate(indexes):
            if dataset is not None and found[k]:
                for s in seeds_of[index]:
                    position.append(k)
                    seed.append(s)
        fetched = Fetched(
            found=found,
            position=np.asarray(position, dtype=np.int64),
            seed=np.asarray(seed, dtype=np.int64),
            expected_seeds=self._expected[(hp, dataset)] if dataset else (),
        )
        labels = {s: label for label, s in output_sets(dataset)} if dataset else {}
        columns = {}
        for name in per_seed:
            _, setname, quantity = name.split("/")
            suffix = "all-time" if quantity == "time" else quantity
            columns[name] = f"{labels[setname]}-{suffix}"
        values = {name: np.full(len(position), np.nan) for name in per_seed}
        present = {name: np.zeros(len(position), dtype=bool) for name in per_seed}
        if per_seed:
            assert dataset is not None
            wanted = sorted({i for i, f in zip(indexes, found.tolist(), strict=True) if f})
            answers = self._per_seed(wanted, seeds_of, dataset, hp, iepoch)
            for row, (k, s) in enumerate(zip(position, seed, strict=True)):
                info = answers[(indexes[k], s)]
                for name, column in columns.items():
                    value = info.get(column)
                    if value is not None:
                        values[name][row] = value
                        present[name][row] = True
        fetched.values, fetched.present = values, present
        for name in per_arch:
            d, quantity = name.split("/")
            costs = self._costs(sorted(by_dataset[d]), d, hp)
            data = np.asarray([costs.get(i, {}).get(quantity) for i in indexes], dtype=object)
            fetched.arch_present[name] = np.asarray([v is not None for v in data], dtype=bool)
            fetched.arch_values[name] = np.asarray(
                [np.nan if v is None else v for v in data], np.float64
            )
        return fetched

    def _per_seed(
        self,
        wanted: list[int],
        seeds_of: dict[int, list[int]],
        dataset: str,
        hp: str,
        iepoch: int | None,
    ) -> dict[tuple[int, int], dict[str, Any]]:
        """``(index, seed) -> get_more_info``-style answer for each of ``wanted`` (ascending
        indexes of found architectures), at every seed of ``seeds_of``."""
        answers: dict[tuple[int, int], dict[str, Any]] = {}
        if len(wanted) <= _SMALL:
            for index in wanted:
                for s in seeds_of[index]:
                    answers[(index, s)] = self.reader.get_more_info(
                        index, dataset, iepoch=iepoch, hp=hp, is_random=s
                    )
            return answers
        for s in sorted({s for i in wanted for s in seeds_of[i]}):
            group = [i for i in wanted if s in seeds_of[i]]
            table = self.reader.query_many(group, dataset, hp=hp, is_random=s, iepoch=iepoch)
            for row in table.to_pylist():
                answers[(int(row["arch_index"]), s)] = row
        return answers

    def _costs(self, wanted: list[int], dataset: str, hp: str) -> dict[int, dict[str, Any]]:
        """``index -> get_cost_info``-style answer for each of ``wanted`` (ascending indexes of
        architectures with runs of ``dataset``) that has costs."""
        if len(wanted) <= _SMALL:
            out = {}
            for index in wanted:
                try:
                    info = self.reader.get_cost_info(index, dataset, hp=hp)
                except NotInDatabaseError:
                    continue
                out[index] = info
            return out
        table = self.reader.query_many(wanted, dataset, hp=hp, is_random="mean")
        return {int(r["arch_index"]): r for r in table.to_pylist()}


def open_surface(api: Any) -> NATSSurface:
    """The uniform surface of an open NATS reader (the registry's factory).

    Raises:
        InvalidInputError: Not a NATS reader.
    """
    if not hasattr(api, "meta_archs"):
        raise InvalidInputError(f"not a NATS reader: {echo(api)}")
    return NATSSurface(api)
