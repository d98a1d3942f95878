"""Reading the official NATS-Bench files: layout checks and per-architecture run records.

Two official forms are read (``../formats/nats.md``):

* the ``-simple`` (or ``-full``) archive directory: ``meta.pickle.pbz2`` with ``meta_archs``
  plus one ``{index:06d}.pickle.pbz2`` per architecture, possibly only some of them;
* the single ``NATS-{tss,sss}-v1_0-*.pickle.pbz2`` file, streamed architecture by
  architecture by :mod:`nasbench_lite._core.formats.stream_pickle`.

Archive files are unpickled by the native restricted reader
:mod:`nasbench_lite._core.formats.native_pickle` (bounded per file kind; no code in a file can
run), the single file by the streaming reader.
:func:`parse_arch` checks one architecture's ``OrderedDict{hp: ArchResults-state}`` against the
official layout and turns each trial into a :class:`RunRecord`; any deviation raises
:class:`~nasbench_lite.errors.CorruptSourceError` naming the file and the key. It is the
reference; :func:`read_arch_files` does the same for archive files in Rust
(``rust/core/src/nats``: read, bz2, parse and walk in parallel, GIL released, no Python object
per value) and hands any file outside the strict official layout back to :func:`parse_arch`, so
both give the same runs and the same errors (the tests compare them on every fixture).
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nasbench_lite import _native
from nasbench_lite._core.formats.native_pickle import (
    NATS_ARCH_LIMITS,
    NATS_META_LIMITS,
    load_path,
)
from nasbench_lite._core.formats.stream_pickle import KeyPolicy
from nasbench_lite.benchmarks.nats.layout import (
    DATASETS,
    EVAL_SETS,
    FINAL_FIELDS,
    SET_COLUMNS,
    TRAIN_SERIES,
    Unavailable,
    config_from_json,
    finals_to_row,
)
from nasbench_lite.benchmarks.nats.trial import Trial
from nasbench_lite.errors import CorruptSourceError

#: How the streaming reader walks a NATS-Bench single-file benchmark (`NATS-*.pickle.pbz2`):
#: the per-architecture records sit under ``arch2infos``, keyed by the int arch index.
SINGLE_FILE_POLICY = KeyPolicy("arch2infos", "arch", int, "a NATS-Bench single-file benchmark")

__all__ = [
    "DATASETS",
    "SINGLE_FILE_POLICY",
    "ArchRuns",
    "RunRecord",
    "StoredRun",
    "archive_files",
    "config_from_json",
    "detect_space",
    "parse_arch",
    "read_arch_files",
    "read_build_batch",
    "read_meta",
    "stored_runs",
]

_ARCH_FILE = re.compile(r"^(\d+)\.pickle\.pbz2$")
_SIZE_ARCH = re.compile(r"^\d+(:\d+)+$")


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass
class RunRecord:
    """One trial as it is stored (see ``sql/nats.sql``)."""

    hp: str
    hp_order: int
    dataset: str
    dataset_order: int
    seed: int
    seed_order: int
    seed_label: str | None
    epochs: int
    eval_names: tuple[str, ...]
    config: str | None
    params: float | None
    flops: float | None
    trial: Trial
    times: dict[str, float | None] | None  # None: the finals came from the native walker


#: A run as stored: ``(record, FINAL_FIELDS values (NaN as None), NaN mask, curves blob)``.
StoredRun = tuple[RunRecord, list[float | None], int, bytes]
#: One file's runs per hp: ``[(hp, hp_order, [StoredRun, ...]), ...]`` in file order.
ArchRuns = list[tuple[str, int, list[StoredRun]]]


def detect_space(meta_archs: list[str], path: Path) -> str:
    """``'tss'`` or ``'sss'`` from the first architecture string."""
    first = meta_archs[0] if meta_archs else ""
    if first.startswith("|"):
        return "tss"
    if _SIZE_ARCH.match(first):
        return "sss"
    raise CorruptSourceError(
        f"{path}: cannot tell the search space from arch string {first!r}; use --space", path
    )


def read_meta(data: Any, path: Path) -> list[str]:
    """Checks a benchmark dict's ``meta_archs`` / ``total_archs`` and returns the arch list."""
    if not isinstance(data, dict):
        raise CorruptSourceError(f"{path}: expected a dict, found {type(data).__name__}", path)
    archs = data.get("meta_archs")
    if not isinstance(archs, list) or not all(isinstance(a, str) for a in archs):
        raise CorruptSourceError(f"{path}: key 'meta_archs' must be a list of strings", path)
    total = data.get("total_archs", len(archs))
    if total != len(archs):
        raise CorruptSourceError(
            f"{path}: 'total_archs' is {total!r} but 'meta_archs' lists {len(archs)}", path
        )
    if len(set(archs)) != len(archs):
        raise CorruptSourceError(f"{path}: 'meta_archs' lists an architecture twice", path)
    return archs


def archive_files(directory: Path, total: int) -> Iterator[tuple[int, Path]]:
    """``(index, path)`` of the per-architecture files of an archive directory, by index."""
    found: dict[int, Path] = {}
    with os.scandir(directory) as entries:
        for entry in entries:
            match = _ARCH_FILE.match(entry.name)
            if match is None or not entry.is_file():
                continue
            index = int(match.group(1))
            if index >= total:
                raise CorruptSourceError(
                    f"{entry.path}: architecture index {index} but meta lists {total}", entry.path
                )
            if index in found:
                raise CorruptSourceError(
                    f"{entry.path}: index {index} also in {found[index].name}", entry.path
                )
            found[index] = Path(entry.path)
    for index in sorted(found):
        yield index, found[index]


class _Checker:
    """Raises CorruptSourceError with the file and the key path of the offending value."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, message: str) -> CorruptSourceError:
        return CorruptSourceError(f"{self.path}: {where}: {message}", self.path)

    def dict_(self, value: Any, where: str) -> dict[Any, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"expected a dict, found {type(value).__name__}")
        return value

    def key(self, state: dict[Any, Any], key: str, where: str) -> Any:
        if key not in state:
            raise self.fail(where, f"missing key {key!r}")
        return state[key]


_NUMBER_TYPES = frozenset((int, float))


def _plain_numbers(values: list[Any]) -> bool:
    """All values are exactly int or float (bool, str, None... are not): checked in C."""
    return set(map(type, values)) <= _NUMBER_TYPES


def _epoch_series(check: _Checker, data: Any, epochs: int, where: str) -> tuple[Any, Any]:
    """A ``{epoch: value}`` dict as (values, present) rows; None stays None."""
    values = np.zeros(epochs)
    present = np.zeros(epochs, dtype=bool)
    if data is None:
        return values, None
    data = check.dict_(data, where)
    keys, items = list(data), list(data.values())
    if (
        set(map(type, keys)) <= {int}
        and (not keys or (min(keys) >= 0 and max(keys) < epochs))
        and _plain_numbers(items)
    ):  # the fast path every well-formed file takes
        values[keys] = items
        present[keys] = True
        return values, present
    for epoch, value in data.items():
        if not isinstance(epoch, int) or isinstance(epoch, bool) or not 0 <= epoch < epochs:
            raise check.fail(where, f"key {epoch!r} is not an epoch in [0, {epochs})")
        if not _number(value):
            raise check.fail(where, f"value of epoch {epoch} is {type(value).__name__}")
    raise AssertionError("unreachable")  # pragma: no cover


@functools.lru_cache(maxsize=256)
def _eval_slots(names: tuple[str, ...], epochs: int) -> dict[str, int]:
    """``'<set>@<epoch>'`` -> flat position ``set_row * epochs + epoch``."""
    return {f"{name}@{e}": i * epochs + e for i, name in enumerate(names) for e in range(epochs)}


def _eval_series(
    check: _Checker, data: Any, names: tuple[str, ...], epochs: int, where: str
) -> tuple[np.ndarray, np.ndarray]:
    values = np.zeros(len(names) * epochs)
    present = np.zeros(len(names) * epochs, dtype=bool)
    data = check.dict_(data, where)
    slots = _eval_slots(names, epochs)
    try:
        positions = [slots[key] for key in data]
    except (KeyError, TypeError):
        positions = None
    items = list(data.values())
    if positions is not None and _plain_numbers(items):  # every well-formed file
        values[positions] = items
        present[positions] = True
        return values.reshape(len(names), epochs), present.reshape(len(names), epochs)
    for key, value in data.items():
        name, sep, epoch_text = key.rpartition("@") if isinstance(key, str) else ("", "", "")
        if not sep or name not in names or not epoch_text.isdigit():
            raise check.fail(where, f"key {key!r} is not '<eval set>@<epoch>' of {list(names)}")
        if int(epoch_text) >= epochs or key not in slots:
            raise check.fail(where, f"key {key!r} is beyond {epochs} epochs")
        if not _number(value):
            raise check.fail(where, f"value of {key!r} is {type(value).__name__}")
    raise AssertionError("unreachable")  # pragma: no cover


def _official_times(rc: dict[str, Any], names: tuple[str, ...]) -> dict[str, float | None]:
    """``ResultsCount.get_times`` on the raw state (file dict order, official arithmetic)."""
    times: dict[str, float | None] = {"T-train@epoch": None, "T-train@total": None}
    train_times = rc.get("train_times")
    if isinstance(train_times, dict) and train_times:
        values = list(train_times.values())
        times = {"T-train@epoch": sum(values) / len(values), "T-train@total": sum(values)}
    eval_times = rc.get("eval_times") or {}
    for name in names:
        try:
            xtimes = [eval_times[f"{name}@{i}"] for i in range(rc["epochs"])]
            times[f"T-{name}@epoch"] = sum(xtimes) / len(xtimes)
            times[f"T-{name}@total"] = sum(xtimes)
        except (KeyError, ZeroDivisionError):
            times[f"T-{name}@epoch"] = None
            times[f"T-{name}@total"] = None
    return times


def _config_json(check: _Checker, config: Any, arch_str: str, where: str) -> str | None:
    """``arch_config`` as JSON with the architecture's own string factored out (see sql)."""
    if config is None:
        return None
    config = dict(check.dict_(config, where))
    own = sorted(k for k, v in config.items() if v == arch_str and isinstance(v, str))
    if "$arch" in config:
        raise check.fail(where, "unexpected key '$arch'")
    for key in own:
        config[key] = None
    if own:
        config["$arch"] = own
    try:
        return json.dumps(config, sort_keys=True, allow_nan=True)
    except TypeError as exc:
        raise check.fail(where, f"not plain data ({exc})") from None


def _parse_trial(
    check: _Checker, rc: Any, dataset: str, where: str
) -> tuple[Trial, dict[str, Any]]:
    rc = check.dict_(rc, where)
    name = check.key(rc, "name", where)
    if name != dataset:
        raise check.fail(where, f"'name' is {name!r}, expected {dataset!r}")
    epochs = check.key(rc, "epochs", where)
    if not isinstance(epochs, int) or isinstance(epochs, bool) or not 0 < epochs < 100_000:
        raise check.fail(where, f"'epochs' is {epochs!r}")
    names = check.key(rc, "eval_names", where)
    if (
        not isinstance(names, list | tuple)
        or any(n not in EVAL_SETS for n in names)
        or len(set(names)) != len(names)
    ):
        raise check.fail(
            where, f"'eval_names' is {names!r}; expected distinct names of {EVAL_SETS}"
        )
    names = tuple(names)
    rows, masks, dict_present = [], [], []
    for field in TRAIN_SERIES:
        values, present = _epoch_series(check, rc.get(field), epochs, f"{where}[{field!r}]")
        rows.append(values)
        masks.append(present if present is not None else np.zeros(epochs, dtype=bool))
        dict_present.append(present is not None)
    evals = [
        _eval_series(check, check.key(rc, field, where), names, epochs, f"{where}[{field!r}]")
        for field in ("eval_acc1es", "eval_losses", "eval_times")
    ]
    for i in range(len(names)):
        for values, present in evals:
            rows.append(values[i])
            masks.append(present[i])
            dict_present.append(True)
    latency = rc.get("latency")
    if latency is not None and (
        not isinstance(latency, list | tuple) or not latency or not all(map(_number, latency))
    ):
        raise check.fail(f"{where}['latency']", "expected a non-empty list of seconds or None")
    for key in ("params", "flop"):
        if rc.get(key) is not None and not _number(rc[key]):
            raise check.fail(f"{where}[{key!r}]", f"expected a number, found {rc[key]!r}")
    trial = Trial(
        epochs,
        names,
        np.vstack(rows),
        np.vstack(masks),
        dict_present,
        None if latency is None else [float(x) for x in latency],
    )
    return trial, rc


def parse_arch(
    index: int, arch_str: str, data: Any, path: Path
) -> list[tuple[str, int, list[RunRecord]]]:
    """Checks one architecture's results and returns ``(hp, hp_order, runs)`` per hp.

    Args:
        index: Official index (from the file name or the arch2infos key).
        arch_str: The meta file's architecture string at ``index``.
        data: The unpickled ``OrderedDict{hp: ArchResults-state}``.
        path: The file, for error messages.

    Raises:
        CorruptSourceError: Any deviation from the official layout.
    """
    check = _Checker(path)
    out = []
    for hp_order, (hp, state) in enumerate(check.dict_(data, f"architecture {index}").items()):
        where = f"[{hp!r}]"
        if not isinstance(hp, str) or not hp:
            raise check.fail(where, "hyper-parameter keys must be strings like '12'")
        state = check.dict_(state, where)
        if check.key(state, "arch_index", where) != index:
            raise check.fail(f"{where}['arch_index']", f"is {state['arch_index']!r}, not {index}")
        if check.key(state, "arch_str", where) != arch_str:
            raise check.fail(
                f"{where}['arch_str']", f"{state['arch_str']!r} differs from meta {arch_str!r}"
            )
        dataset_seed = check.dict_(
            check.key(state, "dataset_seed", where), f"{where}['dataset_seed']"
        )
        results = check.dict_(check.key(state, "all_results", where), f"{where}['all_results']")
        expected = set()
        runs = []
        for dataset_order, (dataset, seeds) in enumerate(dataset_seed.items()):
            if dataset not in DATASETS:
                raise check.fail(f"{where}['dataset_seed']", f"unknown dataset {dataset!r}")
            if not isinstance(seeds, list) or not all(
                isinstance(s, int) and not isinstance(s, bool) for s in seeds
            ):
                raise check.fail(f"{where}['dataset_seed'][{dataset!r}]", "expected a list of ints")
            if len(set(seeds)) != len(seeds):
                raise check.fail(f"{where}['dataset_seed'][{dataset!r}]", "a seed appears twice")
            for seed_order, seed in enumerate(seeds):
                key = (dataset, seed)
                expected.add(key)
                rwhere = f"{where}['all_results'][{key!r}]"
                if key not in results:
                    raise check.fail(f"{where}['all_results']", f"missing trial {key!r}")
                trial, rc = _parse_trial(check, results[key], dataset, rwhere)
                label = rc.get("seed")
                runs.append(
                    RunRecord(
                        hp=hp,
                        hp_order=hp_order,
                        dataset=dataset,
                        dataset_order=dataset_order,
                        seed=seed,
                        seed_order=seed_order,
                        seed_label=None if label is None else str(label),
                        epochs=trial.epochs,
                        eval_names=trial.eval_names,
                        config=_config_json(
                            check, rc.get("arch_config"), arch_str, f"{rwhere}['arch_config']"
                        ),
                        params=None if rc.get("params") is None else float(rc["params"]),
                        flops=None if rc.get("flop") is None else float(rc["flop"]),
                        trial=trial,
                        times=_official_times(rc, trial.eval_names),
                    )
                )
        extra = [k for k in results if k not in expected]
        if extra:
            raise check.fail(f"{where}['all_results']", f"trial {extra[0]!r} not in dataset_seed")
        out.append((hp, hp_order, runs))
    return out


def final_values(record: RunRecord) -> dict[str, float | None]:
    """The :data:`~nasbench_lite.benchmarks.nats.trial.FINAL_FIELDS` of a run (None = absent)."""
    assert record.times is not None, "final_values needs a record of parse_arch"
    values: dict[str, float | None] = {}
    for setname, column in SET_COLUMNS.items():
        try:
            info = record.trial.get_metric_set(setname)
        except Unavailable:
            info = {"loss": None, "accuracy": None, "all_time": None}
        values[f"{column}_loss"] = info["loss"]
        values[f"{column}_accuracy"] = info["accuracy"]
        values[f"{column}_all_time"] = info["all_time"]
        values[f"{column}_time_epoch"] = record.times.get(f"T-{setname}@epoch")
        values[f"{column}_time_total"] = record.times.get(f"T-{setname}@total")
    values["latency"] = record.trial.get_latency()
    values["params"] = record.params
    values["flops"] = record.flops
    return values


def load_archive_meta(directory: Path) -> list[str]:
    """``meta_archs`` of an archive directory's ``meta.pickle.pbz2``."""
    meta_path = directory / "meta.pickle.pbz2"
    if not meta_path.is_file():
        raise CorruptSourceError(
            f"{directory}: no meta.pickle.pbz2 (not a NATS-Bench archive directory)", directory
        )
    return read_meta(load_path(meta_path, limits=NATS_META_LIMITS), meta_path)


def stored_runs(index: int, arch_str: str, data: Any, path: Path) -> ArchRuns:
    """:func:`parse_arch` with each run's stored finals (the reference for the native walker).

    Raises:
        CorruptSourceError: Any deviation from the official layout.
    """
    out: ArchRuns = []
    for hp, hp_order, runs in parse_arch(index, arch_str, data, path):
        stored: list[StoredRun] = []
        for record in runs:
            values, nan_mask = finals_to_row(final_values(record))
            stored.append((record, values, nan_mask, record.trial.encode()))
        out.append((hp, hp_order, stored))
    return out


#: Python >= 3.12 sums floats with a compensation term; the native walker must do the same.
_COMPENSATED_SUM = sys.version_info >= (3, 12)
_FIELD_BITS = np.uint32(1) << np.arange(len(FINAL_FIELDS), dtype=np.uint32)


def _native_runs(walked: Any) -> ArchRuns:
    """One file's arrays from ``_native.read_nats_arch_files`` as :func:`stored_runs` gives."""
    hps, meta, eval_names, labels, configs, latencies, finals, absent, values, present = walked
    absent_bits = (absent[:, None] & _FIELD_BITS) != 0
    nan_bits = np.isnan(finals) & ~absent_bits
    nan_masks = (nan_bits * _FIELD_BITS.astype(np.int64)).sum(axis=1).tolist()
    cells = finals.astype(object)
    cells[absent_bits | nan_bits] = None
    rows: list[list[float | None]] = cells.tolist()
    out: ArchRuns = [(hp, order, []) for order, hp in enumerate(hps)]
    for i, (hp_order, dataset, dataset_order, seed, seed_order, epochs, dicts, offset) in enumerate(
        meta.tolist()
    ):
        names = eval_names[i]
        n_series = 4 + 3 * len(names)
        end = offset + n_series * epochs
        dict_present = [bool(dicts >> k & 1) for k in range(4)] + [True] * (3 * len(names))
        trial = Trial(
            epochs,
            names,
            values[offset:end].reshape(n_series, epochs),
            present[offset:end].reshape(n_series, epochs),
            dict_present,
            latencies[i],
        )
        row = rows[i]
        record = RunRecord(
            hp=hps[hp_order],
            hp_order=hp_order,
            dataset=DATASETS[dataset],
            dataset_order=dataset_order,
            seed=seed,
            seed_order=seed_order,
            seed_label=labels[i],
            epochs=epochs,
            eval_names=names,
            config=configs[i],
            params=None if absent_bits[i, -2] else float(finals[i, -2]),
            flops=None if absent_bits[i, -1] else float(finals[i, -1]),
            trial=trial,
            times=None,
        )
        # Encoded here, in the reader thread (the codec is Trial.encode's, in one place).
        out[hp_order][2].append((record, row, nan_masks[i], trial.encode()))
    return out


def read_arch_files(
    files: Sequence[tuple[int, Path]], archs: Sequence[str]
) -> list[ArchRuns | None]:
    """Reads archive files natively: per file its runs, or None outside the strict layout.

    Files are read, decompressed, parsed and walked in parallel with the GIL released. A None
    entry is a file the native walker leaves to the reference (:func:`stored_runs` on the
    unpickled file), which then accepts it or raises the error naming the key.

    Args:
        files: ``(index, path)`` pairs.
        archs: ``meta_archs`` (each file must hold ``archs[index]``).

    Returns:
        One entry per file, in order.

    Raises:
        UnsafePickleError: A pickle naming code (the first such file, in order).
        CorruptSourceError: A malformed or over-limit file (the first, in order).
    """
    walked = _native.read_nats_arch_files(
        [os.fspath(path) for _, path in files],
        [index for index, _ in files],
        [archs[index] for index, _ in files],
        limits=NATS_ARCH_LIMITS.as_dict(),
        compensated_sum=_COMPENSATED_SUM,
    )
    return [None if isinstance(w, str) else _native_runs(w) for w in walked]


def read_build_batch(
    files: Sequence[tuple[int, Path]], archs: Sequence[str]
) -> _native.NatsBuildBatch:
    """Reads archive files natively for the builder: runs encoded, rows ready to insert.

    Like :func:`read_arch_files` (parallel, GIL released, same refusals), but the curves blobs,
    NaN masks and summaries are computed in Rust too and kept there: the returned
    ``_native.NatsBuildBatch`` gives each table's rows as tuples (``rows(start, stop, run_id,
    configs)``) and lists the files outside the strict layout (``irregular()``), which the
    builder reads with :func:`stored_runs`.

    Args:
        files: ``(index, path)`` pairs.
        archs: ``meta_archs``.

    Returns:
        The ``NatsBuildBatch``.

    Raises:
        UnsafePickleError: A pickle naming code (the first such file, in order).
        CorruptSourceError: A malformed or over-limit file (the first, in order).
    """
    return _native.read_nats_build_batch(
        [os.fspath(path) for _, path in files],
        [index for index, _ in files],
        [archs[index] for index, _ in files],
        limits=NATS_ARCH_LIMITS.as_dict(),
        compensated_sum=_COMPENSATED_SUM,
    )
