"""Writes synthetic NATS-Bench files in the exact official layouts (test helper).

The dict layout is the one of the real files in tests/data/nats (and ../formats/nats.md):
per-architecture ``OrderedDict{hp: ArchResults-state}``, ResultsCount states with
``{epoch: value}`` train dicts and ``{'<set>@<epoch>': value}`` eval dicts, written with
``bz2`` + ``pickle`` protocol 4 exactly as ``nats_bench.api_utils.pickle_save`` does. Options
reproduce the irregularities of the real data: eval sets present only at the last epoch (tss
hp 200), missing seeds (issue #30), trials disagreeing on FLOPs/params (the "legacy issue"),
missing latency/train times, NumPy scalars, NaN values.
"""

from __future__ import annotations

import bz2
import collections
import copy
import pickle
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

DATASETS = ("cifar10-valid", "cifar10", "cifar100", "ImageNet16-120")
EVAL_SETS = {
    "cifar10-valid": ["x-valid", "ori-test"],
    "cifar10": ["ori-test"],
    "cifar100": ["x-valid", "x-test", "ori-test"],
    "ImageNet16-120": ["x-valid", "x-test", "ori-test"],
}
CLASSES = {"cifar10-valid": 10, "cifar10": 10, "cifar100": 100, "ImageNet16-120": 120}

#: The real archive files (tests/data/nats/README: origin) and the official base names.
REAL_DATA = Path(__file__).parent / "data" / "nats"
REAL_BASE = {"tss": "NATS-tss-v1_0-3ffb9", "sss": "NATS-sss-v1_0-50262"}
REAL_INDEXES = (0, 11, 284)


def real_archive(directory: Path, space: str, indexes: Iterable[int] = REAL_INDEXES) -> Path:
    """The real fixture files laid out as the official ``<base>-simple`` folder.

    Args:
        directory: Where the folder is created (with its parents).
        space: ``"tss"`` or ``"sss"``.
        indexes: Which of the real architecture files to copy (all three by default).

    Returns:
        The folder: ``meta.pickle.pbz2`` and ``NNNNNN.pickle.pbz2`` per index.
    """
    folder = directory / f"{REAL_BASE[space]}-simple"
    folder.mkdir(parents=True)
    shutil.copy(REAL_DATA / f"{space}-meta.pickle.pbz2", folder / "meta.pickle.pbz2")
    for index in indexes:
        name = f"{index:06d}.pickle.pbz2"
        shutil.copy(REAL_DATA / f"{space}-{name}", folder / name)
    return folder


def pickle_save(obj: Any, path: Path) -> None:
    """``nats_bench.api_utils.pickle_save`` (bz2 + pickle protocol 4), full name given."""
    with bz2.BZ2File(str(path), "wb") as handle:
        pickle.dump(obj, handle, protocol=4)


def make_trial(
    rng: np.random.Generator,
    arch_str: str,
    space: str,
    dataset: str,
    seed: int,
    epochs: int,
    *,
    sparse_eval: bool = False,
    params: float = 1.5,
    flop: float = 100.0,
    latency: list[float] | None = None,
    train_times: bool = True,
    eval_times: bool = True,
    acc5: bool = True,
    nan: bool = False,
    numpy_scalars: bool = False,
) -> dict[str, Any]:
    """One ResultsCount state dict."""
    names = list(EVAL_SETS[dataset])
    if sparse_eval:  # hp-200 tss order: ori-test first, the others only at the last epoch
        names = ["ori-test", *[n for n in names if n != "ori-test"]]
    train_time = float(rng.uniform(5, 30))
    train_acc = {e: float(rng.uniform(10, 99)) for e in range(epochs)}
    train_loss = {e: float(rng.uniform(0.01, 4)) for e in range(epochs)}
    if nan:
        train_loss[epochs - 1] = float("nan")
    accs: dict[str, float] = {}
    losses: dict[str, float] = {}
    times: dict[str, float] = {}
    for name in names:
        eval_time = float(rng.uniform(0.5, 3))
        dense = not sparse_eval or name == ("x-valid" if dataset == "cifar10-valid" else "ori-test")
        for e in range(epochs):
            key = f"{name}@{e}"
            if eval_times:
                times[key] = eval_time
            if dense or e == epochs - 1:
                accs[key] = float(rng.uniform(5, 95))
                losses[key] = float(rng.uniform(0.1, 5))
    if numpy_scalars:
        params_value: Any = np.float64(params)
        latency = None if latency is None else [np.float64(x) for x in latency]
    else:
        params_value = params
    if space == "tss":
        config = {
            "channel": 16,
            "num_cells": 5,
            "arch_str": arch_str,
            "class_num": CLASSES[dataset],
        }
    else:
        config = {
            "name": "infer.shape.tiny",
            "channels": arch_str,
            "arch_str": arch_str,
            "genotype": "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|"
            "nor_conv_3x3~1|nor_conv_3x3~2|",
            "class_num": CLASSES[dataset],
        }
    return {
        "name": dataset,
        "net_state_dict": None,
        "train_acc1es": train_acc,
        "train_acc5es": {e: float(rng.uniform(50, 100)) for e in range(epochs)} if acc5 else None,
        "train_losses": train_loss,
        "train_times": collections.OrderedDict((e, train_time) for e in range(epochs))
        if train_times
        else None,
        "arch_config": config,
        "params": params_value,
        "flop": flop,
        "seed": f"{seed:04d}",
        "epochs": epochs,
        "latency": latency,
        "eval_names": names,
        "eval_acc1es": accs,
        "eval_times": times,
        "eval_losses": losses,
    }


def make_arch(
    rng: np.random.Generator,
    index: int,
    arch_str: str,
    space: str,
    *,
    quirks: bool = True,
) -> collections.OrderedDict[str, Any]:
    """An ``OrderedDict{hp: ArchResults-state}`` like one per-architecture file.

    With ``quirks`` the architecture index selects irregularities: odd indexes lack seed 999
    at the long budget, every 3rd has trials disagreeing on params (seed 888 present), every
    4th has no latency on one trial, every 5th a NaN loss, every 7th no train times.
    """
    hps = {"tss": (("12", 12), ("200", 20)), "sss": (("01", 1), ("12", 12), ("90", 9))}[space]
    out: collections.OrderedDict[str, Any] = collections.OrderedDict()
    for hp, epochs in hps:
        long = hp in ("200", "90")
        seeds = [777, 888, 999] if long or (space == "sss" and hp == "12") else [111]
        if quirks and long and index % 2:
            seeds = [777, 888]
        dataset_seed: dict[str, list[int]] = {}
        results: dict[tuple[str, int], Any] = {}
        base_params = 0.1 + index % 17 * 0.05
        base_flop = 10.0 + index % 13 * 3.0
        for dataset in DATASETS:
            ds_seeds = list(seeds)
            if hp == "12" and space == "tss" and dataset == "cifar10-valid":
                ds_seeds = [111, 777]
            dataset_seed[dataset] = ds_seeds
            for position, seed in enumerate(ds_seeds):
                params = base_params + CLASSES[dataset] * 1e-4
                if quirks and index % 3 == 0 and seed == 999:
                    params += 0.01  # legacy issue: disagrees with the others
                results[(dataset, seed)] = make_trial(
                    rng,
                    arch_str,
                    space,
                    dataset,
                    seed,
                    epochs,
                    sparse_eval=space == "tss" and hp == "200",
                    params=params,
                    flop=base_flop + CLASSES[dataset] * 0.01,
                    latency=None
                    if quirks and index % 4 == 0 and position == 0
                    else [float(rng.uniform(0.01, 0.03))],
                    train_times=not (quirks and index % 7 == 0),
                    acc5=not (space == "tss" and hp == "200"),
                    nan=quirks and index % 5 == 0 and position == len(ds_seeds) - 1,
                    numpy_scalars=quirks and index % 6 == 1,
                )
        # The real files list trials in their own order (not dataset_seed order).
        keys = list(results)
        rng.shuffle(keys)
        out[hp] = {
            "arch_index": index,
            "arch_str": arch_str,
            "all_results": {k: results[k] for k in keys},
            "dataset_seed": dataset_seed,
            "clear_net_done": True,
        }
    return out


def write_archive(
    directory: Path,
    meta_archs: list[str],
    space: str,
    indexes: list[int],
    *,
    seed: int = 0,
    quirks: bool = True,
) -> dict[int, Any]:
    """A ``-simple`` archive: meta plus one file per index in ``indexes``; returns the data."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    pickle_save(
        {
            "meta_archs": list(meta_archs),
            "total_archs": len(meta_archs),
            "arch2infos": None,
            "evaluated_indexes": set(),
        },
        directory / "meta.pickle.pbz2",
    )
    data = {}
    for index in indexes:
        data[index] = make_arch(rng, index, meta_archs[index], space, quirks=quirks)
        pickle_save(data[index], directory / f"{index:06d}.pickle.pbz2")
    return data


def write_benchmark_file(path: Path, meta_archs: list[str], data: dict[int, Any]) -> None:
    """The single-file form: meta_archs, arch2infos, evaluated_indexes, total_archs."""
    pickle_save(
        {
            "meta_archs": list(meta_archs),
            "arch2infos": {i: copy.deepcopy(data[i]) for i in sorted(data)},
            "evaluated_indexes": set(data),
            "total_archs": len(meta_archs),
        },
        path,
    )
