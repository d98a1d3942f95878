"""NAS-HPO-Bench-II on the uniform surface: a thin adapter over ``API.query_many``.

An architecture here is a whole configuration (cell code, learning rate, batch size), named
``'<cellcode>,lr=<lr>,bs=<batch size>'`` in the official flat-index order (dicts
``{'cellcode', 'lr', 'batch_size'}``, ``(cellcode, lr, batch_size)`` tuples and flat indexes
are accepted too). The fidelity is the epoch (1..12) of the 12-epoch run; the 200-epoch
surrogate stays on the native API (it is a prediction, not a training run). NAS-HPO-Bench-II
stores percent and seconds, so nothing is converted; the three times are the official costs
of the three modes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from nasbench_lite._core.surface import Fetched, Fidelity, Surface, declare_objectives
from nasbench_lite._core.surface_arrays import column_floats, onehot
from nasbench_lite._core.surface_space import IndexedSpace
from nasbench_lite.benchmarks.nashpobench2.reader import API
from nasbench_lite.errors import InvalidInputError, OutOfDomainError, echo

__all__ = ["NHB2Space", "NHB2Surface"]

_NUM_EPOCHS = 12

#: Uniform metric -> (query_many mode, query_many column).
_SOURCE = {
    "cifar10/train/accuracy": ("train", "acc"),
    "cifar10/valid/accuracy": ("valid", "acc"),
    "cifar10/test/accuracy": ("test", "acc"),
    "cifar10/train/time": ("train", "cost"),
    "cifar10/train+valid/time": ("valid", "cost"),
    "cifar10/train+valid+test/time": ("test", "cost"),
}

OBJECTIVES = declare_objectives(
    "cifar10",
    {
        "cifar10/train/accuracy": "train: the training images themselves",
        "cifar10/valid/accuracy": (
            "valid: NAS-HPO-Bench-II's validation images, held out of the CIFAR-10 training set"
        ),
        "cifar10/test/accuracy": "test: the CIFAR-10 test set",
        "cifar10/train/time": "training seconds up to this epoch (the official mode='train' cost)",
        "cifar10/train+valid/time": (
            "training + validation seconds up to this epoch (the official mode='valid' cost)"
        ),
        "cifar10/train+valid+test/time": (
            "training + validation + test seconds up to this epoch (the official mode='test' cost)"
        ),
    },
    stored_as="as stored (percent / seconds)",
)


def config_id(cellcode: str, lr: float, batch_size: int) -> str:
    """The uniform id of a configuration, e.g. ``'0|10|210,lr=0.1,bs=256'``."""
    return f"{cellcode},lr={lr!r},bs={batch_size}"


class NHB2Space(IndexedSpace):
    """Every (cell code, lr, batch size) configuration of the database.

    Args:
        api: The open :class:`~nasbench_lite.benchmarks.nashpobench2.reader.API`.
    """

    encodings = ("onehot", "ordinal")

    def __init__(self, api: API) -> None:
        self._api = api
        self._keys = [
            (code, lr, bs) for code in api.cellcodes for lr in api.lrs for bs in api.batch_sizes
        ]
        super().__init__([config_id(*key) for key in self._keys], "configuration")
        self._codes = set(api.cellcodes)

    def key(self, arch: Any) -> dict[str, Any]:
        """The official ``{'cellcode', 'lr', 'batch_size'}`` key of a configuration."""
        code, lr, bs = self._keys[self.index(arch)]
        return {"cellcode": code, "lr": lr, "batch_size": bs}

    def id(self, arch: Any) -> str:
        """The id of an id string, a key dict, a ``(cellcode, lr, batch_size)`` tuple or an index.

        Raises:
            OutOfDomainError: Not a configuration of this database.
            InvalidInputError: A value of another type.
        """
        at_index = self._at_index(arch)
        if at_index is not None:
            return at_index
        if isinstance(arch, Mapping):
            if set(arch) != {"cellcode", "lr", "batch_size"}:
                raise InvalidInputError(
                    f"a configuration dict has keys cellcode, lr, batch_size; got {echo(arch)}"
                )
            arch = (arch["cellcode"], arch["lr"], arch["batch_size"])
        if isinstance(arch, tuple) and len(arch) == 3:
            code, lr, bs = arch
            self._api.get_idx_from_key({"cellcode": code, "lr": lr, "batch_size": bs})
            arch = config_id(code, self._api.lrs[self._api.lrs.index(lr)], int(bs))
        if not isinstance(arch, str):
            raise InvalidInputError(
                "a NAS-HPO-Bench-II configuration is an id string, a key dict, a "
                f"(cellcode, lr, batch_size) tuple or an index, got {echo(arch)}"
            )
        if arch not in self._position:
            raise OutOfDomainError(f"{echo(arch)} is not a configuration of this database")
        return arch

    def neighbours(self, arch: Any) -> list[str]:
        """Configurations differing in one cell-code digit, the lr or the batch size."""
        code, lr, bs = self._keys[self.index(arch)]
        out = []
        for position, digit in enumerate(code):
            if digit == "|":
                continue
            for other in "0123":
                if other != digit:
                    changed = code[:position] + other + code[position + 1 :]
                    if changed in self._codes:
                        out.append(config_id(changed, lr, bs))
        out += [config_id(code, x, bs) for x in self._api.lrs if x != lr]
        out += [config_id(code, lr, x) for x in self._api.batch_sizes if x != bs]
        return out

    def _encode(self, ids: list[str], kind: str) -> npt.NDArray[Any]:
        keys = [self._keys[self._position[i]] for i in ids]
        digits = np.asarray([[int(c) for c in k[0] if c != "|"] for k in keys], np.int64)
        lr = np.asarray([self._api.lrs.index(k[1]) for k in keys], np.int64)
        bs = np.asarray([self._api.batch_sizes.index(k[2]) for k in keys], np.int64)
        digits = digits.reshape(len(ids), 6)
        if kind == "ordinal":
            return np.concatenate([digits, lr[:, None], bs[:, None]], axis=1).astype(np.float64)
        return np.concatenate(
            [
                onehot(digits, 4),
                onehot(lr[:, None], len(self._api.lrs)),
                onehot(bs[:, None], len(self._api.batch_sizes)),
            ],
            axis=1,
        )


class NHB2Surface(Surface):
    """The uniform surface of a NAS-HPO-Bench-II database.

    Args:
        api: The open reader; closed by :meth:`close`.
    """

    space: NHB2Space
    curve_axis = "epoch"
    objectives = OBJECTIVES

    def __init__(self, api: API) -> None:
        super().__init__(api, NHB2Space(api))
        self.fidelities = (
            Fidelity(
                "epoch",
                tuple(range(1, _NUM_EPOCHS + 1)),
                _NUM_EPOCHS,
                "epochs",
                "1-based epoch of the 12-epoch run (one run, read after that epoch)",
            ),
        )

    def _fetch(self, ids: list[str], fidelity: dict[str, Any], metrics: list[str]) -> Fetched:
        api = self.reader
        epoch = fidelity["epoch"]
        flat = np.asarray([self.space.index(i) for i in ids], dtype=np.int64)
        codes = sorted({self.space.key(i)["cellcode"] for i in set(ids)}, key=api.cellcodes.index)
        seeds = np.asarray(api.seeds, dtype=np.int64)  # sorted: the official seed order
        width = len(seeds)
        # Every (input, seed) pair, input-major: the long rows if the run exists.
        wanted = (flat[:, None] * width + np.arange(width)[None, :]).reshape(-1)
        exists = np.zeros(len(wanted), dtype=bool)
        columns: dict[str, tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]] = {}
        for mode in sorted({_SOURCE[m][0] for m in metrics}):
            table = api.query_many(
                cellcodes=codes,
                epoch=12,
                mode=mode,
                iepoch=None if epoch == _NUM_EPOCHS else epoch,
                seed="all",
            )
            index = np.asarray(table["index"].to_numpy(), dtype=np.int64)
            seed = np.asarray(table["seed"].to_numpy(zero_copy_only=False), dtype=np.int64)
            keys = index * width + np.searchsorted(seeds, seed)
            order = np.argsort(keys, kind="stable")
            at = np.minimum(np.searchsorted(keys[order], wanted), max(len(keys) - 1, 0))
            hit = (keys[order][at] == wanted) if len(keys) else np.zeros(len(wanted), bool)
            row = order[at]
            exists = np.asarray(table["found"].to_numpy(zero_copy_only=False), bool)[row] & hit
            for column in ("acc", "cost"):
                data = table[column]
                columns[f"{mode}/{column}"] = (
                    column_floats(data)[row],
                    ~np.asarray(data.is_null(), dtype=bool)[row] & hit,
                )
        long = np.flatnonzero(exists)
        fetched = Fetched.of_rows(
            len(ids),
            (long // width).astype(np.int64),
            seeds[long % width],
            tuple(int(s) for s in seeds.tolist()),
        )
        for name in metrics:
            mode, column = _SOURCE[name]
            values, present = columns[f"{mode}/{column}"]
            fetched.values[name] = values[long]
            fetched.present[name] = present[long]
        return fetched
