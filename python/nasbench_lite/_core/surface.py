"""One query surface for every benchmark with results: the generic part (knows no benchmark).

A kind supplies a thin adapter (``benchmarks/<kind>/surface.py``): an
:class:`~nasbench_lite._core.archspace.ArchSpace` (ids, sampling, neighbours, encodings), its
:class:`Fidelity` and :class:`Objective` declarations and one method, :meth:`Surface._fetch`,
that maps a batch of canonical ids onto the reader's own bulk methods and returns every stored
seed of every id as long arrays (:class:`Fetched`). This module checks the arguments (typed
errors from :mod:`nasbench_lite.errors`) and answers ``query`` / ``query_one`` / ``curve`` /
``best``; :mod:`nasbench_lite._core.surface_table` picks or averages seeds, reports missing
seeds and assembles the Arrow table, once for every kind.

Units are one per quantity across benchmarks: accuracies in percent, times in seconds,
parameters in millions, FLOPs in MFLOPs (adapters convert, and say so in
:attr:`Objective.stored_as`). Seeds are never imputed: ``seed='mean'`` averages the seeds a
configuration has (``n_seeds`` says how many), ``missing_seeds`` lists the expected seeds it
lacks, and an unavailable value is null.
"""

from __future__ import annotations

import math
import random
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from nasbench_lite._core.archspace import ArchSpace, check_public, make_rng
from nasbench_lite._core.surface_table import (
    BASE_COLUMNS,
    UNITS,
    Fetched,
    Fidelity,
    Objective,
    assemble,
    declare_objectives,
    sequential_mean,
)
from nasbench_lite.errors import InvalidInputError, OutOfDomainError, echo

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "BASE_COLUMNS",
    "UNITS",
    "ArchSpace",
    "Fetched",
    "Fidelity",
    "Objective",
    "Surface",
    "declare_objectives",
    "make_rng",
]


class Surface(ABC):
    """The uniform surface of one open database (see the module docstring).

    Subclasses pass :attr:`reader` and :attr:`space` to ``__init__``, set :attr:`fidelities`,
    :attr:`objectives`, :attr:`curve_axis` and implement :meth:`_fetch`.
    """

    space: ArchSpace
    fidelities: tuple[Fidelity, ...]
    objectives: tuple[Objective, ...]
    #: The fidelity that :meth:`curve` walks along.
    curve_axis: str
    #: The kind's native reader (its official-compatible methods are unchanged).
    reader: Any

    def __init__(self, reader: Any, space: ArchSpace) -> None:
        """Binds the surface to an open reader and the architecture space over it.

        Args:
            reader: The kind's open native reader (queried by :meth:`_fetch`, closed by
                :meth:`close`).
            space: The kind's architecture space over ``reader``.
        """
        self._rng = random.Random()
        self.reader = reader
        self.space = space

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Wraps public methods with :func:`checked` (builtin errors become typed ones)."""
        super().__init_subclass__(**kwargs)
        check_public(cls)

    @abstractmethod
    def _fetch(self, ids: list[str], fidelity: dict[str, Any], metrics: list[str]) -> Fetched:
        """Every stored seed of ``ids`` at ``fidelity`` for ``metrics`` (checked names)."""

    # ------------------------------------------------------------------ metadata
    @property
    def kind(self) -> str:
        """The database kind (``meta.kind``)."""
        return str(self.reader.meta.get("kind", ""))

    def objective(self, name: str) -> Objective:
        """The declaration of metric ``name``.

        Raises:
            OutOfDomainError: Unknown metric.
        """
        for objective in self.objectives:
            if objective.name == name:
                return objective
        raise OutOfDomainError(
            f"unknown metric {echo(name)} for {self.kind} (metrics: "
            f"{[o.name for o in self.objectives]})"
        )

    def close(self) -> None:
        """Closes the underlying reader (idempotent)."""
        self.reader.close()

    def __enter__(self) -> Surface:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.kind!r}, {self.space.size:,} architectures)"

    # ------------------------------------------------------------------ arguments
    def _fidelity(self, fidelity: Any) -> dict[str, Any]:
        """``fidelity`` (None, a value of the first dimension, or a mapping) resolved."""
        chosen = {f.name: f.default for f in self.fidelities}
        if fidelity is None:
            given: dict[str, Any] = {}
        elif isinstance(fidelity, Mapping):
            given = dict(fidelity)
        else:
            given = {self.fidelities[0].name: fidelity}
        for name, value in given.items():
            declared = next((f for f in self.fidelities if f.name == name), None)
            if declared is None:
                raise OutOfDomainError(
                    f"unknown fidelity {echo(name)} (fidelities: "
                    f"{[f.name for f in self.fidelities]})"
                )
            matches = [v for v in declared.values if _same_value(v, value)]
            if not matches:
                raise OutOfDomainError(
                    f"fidelity {name}={echo(value)} is not one of {list(declared.values)}"
                )
            chosen[name] = matches[0]  # the declared value (a numpy integer becomes an int)
        self._check_fidelity(chosen, given)
        return chosen

    def _check_fidelity(self, chosen: dict[str, Any], given: dict[str, Any]) -> None:
        """Hook for constraints between dimensions (may adjust defaults in ``chosen``)."""
        del chosen, given  # no constraints unless a kind declares some

    def _metrics(self, metrics: Any) -> list[str]:
        """Checked metric names; None = every metric of the first dataset.

        Per-seed metrics of one query must come from the same runs (one dataset): seeds of
        different datasets are different trainings, and a mean over one set of seeds must
        not sit beside a mean over another in one row.
        """
        if metrics is None:
            first = self.objectives[0].dataset
            return [o.name for o in self.objectives if o.dataset == first]
        if isinstance(metrics, str):
            metrics = [metrics]
        if not isinstance(metrics, Sequence) or not metrics:
            raise InvalidInputError(
                f"metrics must be a non-empty list of names, got {echo(metrics)}"
            )
        names = []
        for name in metrics:
            if not isinstance(name, str):
                raise InvalidInputError(f"metric names must be str, got {echo(name)}")
            self.objective(name)
            if name not in names:
                names.append(name)
        runs = sorted({self.objective(n).dataset for n in names if self.objective(n).per_seed})
        if len(runs) > 1:
            raise OutOfDomainError(
                f"per-seed metrics of one query must come from one dataset's runs, got {runs}: "
                "query each dataset separately (their seeds are different trainings)"
            )
        return names

    @staticmethod
    def _seed_policy(seed: Any) -> str | int:
        if seed in ("mean", "random", "all") and isinstance(seed, str):
            return str(seed)
        if isinstance(seed, int | np.integer) and not isinstance(seed, bool):
            return int(seed)
        raise InvalidInputError(f"seed must be 'mean', 'random', 'all' or an int, got {echo(seed)}")

    # ------------------------------------------------------------------ queries
    def query(
        self,
        archs: Any,
        fidelity: Any = None,
        seed: str | int = "mean",
        metrics: Sequence[str] | str | None = None,
        *,
        random_state: Any = None,
    ) -> pa.Table:
        """Looks up many architectures at one fidelity.

        Args:
            archs: A sequence of architectures (canonical ids or any form :attr:`space`
                accepts).
            fidelity: None (every dimension at its default, the full budget), a value of the
                first dimension, or ``{name: value}``.
            seed: ``'mean'`` (mean over the seeds present), ``'random'`` (one present seed per
                row, drawn from ``random_state``), ``'all'`` (one row per present seed) or a
                seed value.
            metrics: Metric names (default every objective).
            random_state: Generator for ``seed='random'`` (default this surface's own).

        Returns:
            ``pyarrow.Table`` in input order (one row per input, per seed with ``'all'``):
            ``index`` (input position), ``id``, ``found``, ``seed`` (null for means and
            not-found rows), ``n_seeds`` (seeds behind the row), ``missing_seeds`` (expected
            seeds the architecture lacks at this fidelity), one column per fidelity
            dimension, then the metrics (float64, null when absent; never imputed).

        Raises:
            InvalidInputError: Wrong argument types.
            OutOfDomainError: Unknown architecture, fidelity or metric.
        """
        ids = self.space.ids_of(archs)
        chosen = self._fidelity(fidelity)
        names = self._metrics(metrics)
        policy = self._seed_policy(seed)
        rng = self._rng if random_state is None else make_rng(random_state)
        fetched = self._fetch(ids, chosen, names)
        per_seed = [m for m in names if self.objective(m).per_seed]
        per_arch = [m for m in names if not self.objective(m).per_seed]
        fidelity_names = [f.name for f in self.fidelities]
        return assemble(ids, chosen, per_seed, per_arch, fidelity_names, policy, rng, fetched)

    def query_one(
        self,
        arch: Any,
        fidelity: Any = None,
        seed: str | int = "mean",
        metrics: Sequence[str] | str | None = None,
        *,
        random_state: Any = None,
    ) -> dict[str, Any]:
        """:meth:`query` for one architecture, as a dict.

        Returns:
            The row as ``{column: value}``.

        Raises:
            InvalidInputError: ``seed='all'`` (several rows: use :meth:`query`).
        """
        if seed == "all":
            raise InvalidInputError("query_one() returns one row: use query() for seed='all'")
        table = self.query([arch], fidelity, seed, metrics, random_state=random_state)
        row: dict[str, Any] = table.to_pylist()[0]
        return row

    def curve(
        self,
        arch: Any,
        metric: str,
        seed: str | int = "mean",
        fidelity: Any = None,
        *,
        random_state: Any = None,
    ) -> tuple[npt.NDArray[Any], npt.NDArray[np.float64]]:
        """A metric along :attr:`curve_axis` (epochs), ready for ``plt.plot(x, y)``.

        Args:
            arch: One architecture.
            metric: A per-seed metric name.
            seed: As in :meth:`query`; ``'random'`` draws one seed for the whole curve, ``'all'``
                gives one row of ``y`` per seed the architecture has.
            fidelity: Values of the other fidelity dimensions (``{name: value}``).
            random_state: Generator for ``seed='random'``.

        Returns:
            ``(x, y)``: ``x`` the fidelity values; ``y`` float64 shaped like ``x`` (``(seeds,
            len(x))`` for ``'all'``), NaN where a value is absent.

        Raises:
            NotInDatabaseError: The architecture has no results.
            OutOfDomainError: Unknown metric, a metric without a curve, or a bad fidelity.
        """
        from nasbench_lite.errors import NotInDatabaseError

        ident = self.space.id(arch)
        if not self.objective(metric).per_seed:
            raise OutOfDomainError(f"{metric} is an architecture property: it has no curve")
        if fidelity is not None and not isinstance(fidelity, Mapping):
            raise InvalidInputError(f"fidelity must be a mapping here, got {echo(fidelity)}")
        axis = next(f for f in self.fidelities if f.name == self.curve_axis)
        base = self._fidelity({k: v for k, v in (fidelity or {}).items() if k != axis.name})
        xs = [x for x in axis.values if self._fits(base, axis.name, x)]
        policy = self._seed_policy(seed)
        final = self._fetch([ident], base, [metric])
        if not final.found[0]:
            raise NotInDatabaseError(f"{ident} has no results at {base}")
        seeds = [int(s) for s in final.seed.tolist()]
        if policy == "random":
            rng = self._rng if random_state is None else make_rng(random_state)
            policy = rng.choice(seeds)
        if isinstance(policy, int) and policy not in seeds:
            raise OutOfDomainError(f"{ident} has no seed {policy} (seeds {seeds})")
        rows = []
        for x in xs:
            fetched = self._fetch([ident], {**base, axis.name: x}, [metric])
            by_seed = {
                int(s): (v if p else math.nan)
                for s, v, p in zip(
                    fetched.seed.tolist(),
                    fetched.values[metric].tolist(),
                    fetched.present[metric].tolist(),
                    strict=True,
                )
            }
            rows.append([by_seed.get(s, math.nan) for s in seeds])
        per_seed = np.asarray(rows, dtype=np.float64).reshape(len(xs), len(seeds)).T
        if policy == "all":
            y = per_seed
        elif policy == "mean":
            y = sequential_mean(per_seed)
        else:
            y = per_seed[seeds.index(int(policy))]
        return np.asarray(xs), y

    def _fits(self, base: dict[str, Any], name: str, value: Any) -> bool:
        try:
            self._check_fidelity({**base, name: value}, {name: value})
        except OutOfDomainError:
            return False
        return True

    def best(
        self,
        metric: str,
        where: Mapping[str, tuple[float | None, float | None]] | None = None,
        fidelity: Any = None,
        seed: str | int = "mean",
        *,
        among: Any = None,
    ) -> dict[str, Any] | None:
        """The architecture with the best ``metric`` (by its direction) under constraints.

        Args:
            metric: The metric to optimise.
            where: ``{metric: (low, high)}``: keep rows with ``low <= value < high`` (None: no
                bound). Rows whose constrained value is null are dropped.
            fidelity: As in :meth:`query`.
            seed: ``'mean'`` or a seed value.
            among: Architectures to search (default the whole space).

        Returns:
            The best row (as :meth:`query_one`), ties to the first in space order; None when
            nothing qualifies.

        Raises:
            OutOfDomainError: Unknown metric.
            InvalidInputError: A malformed ``where``.
        """
        target = self.objective(metric)
        bounds = _bounds(where)
        if seed in ("random", "all"):
            raise InvalidInputError("best() needs seed='mean' or a seed value")
        names = self._metrics([metric, *bounds])
        archs = self.space.ids() if among is None else among
        table = self.query(archs, fidelity, seed, names)
        columns = table.to_pydict()
        keep = np.asarray(columns["found"], dtype=bool)
        values = np.asarray([math.nan if v is None else v for v in columns[metric]], float)
        keep &= ~np.isnan(values)
        for name, (low, high) in bounds.items():
            data = np.asarray([math.nan if v is None else v for v in columns[name]], float)
            ok = ~np.isnan(data)
            if low is not None:
                ok &= data >= low
            if high is not None:
                ok &= data < high
            keep &= ok
        if not keep.any():
            return None
        score = np.where(keep, values if target.higher_is_better else -values, -np.inf)
        row = int(np.argmax(score))
        return {name: columns[name][row] for name in columns}


def _same_value(declared: Any, value: Any) -> bool:
    """Equal as the native APIs compare: no ``True == 1``; an int names a str value by its
    digits (NATS ``hp=200`` is ``'200'``, as in ``get_more_info``)."""
    if isinstance(value, bool | np.bool_):
        return False
    if isinstance(declared, str):
        if isinstance(value, int | np.integer):
            return str(int(value)) == declared
        return isinstance(value, str) and value == declared
    return isinstance(value, int | np.integer) and int(value) == declared


def _bounds(where: Any) -> dict[str, tuple[float | None, float | None]]:
    if where is None:
        return {}
    if not isinstance(where, Mapping):
        raise InvalidInputError(
            f"where must be a {{metric: (low, high)}} mapping, got {echo(where)}"
        )
    out = {}
    for name, bound in where.items():
        if not isinstance(bound, tuple | list) or len(bound) != 2:
            raise InvalidInputError(
                f"where[{name!r}] must be a (low, high) pair, got {echo(bound)}"
            )
        for value in bound:
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float)
            ):
                raise InvalidInputError(f"where[{name!r}] bounds must be numbers or None")
        out[str(name)] = (bound[0], bound[1])
    return out


check_public(Surface)
