"""Real client call sequences on ``compat.nats_bench`` vs the official ``nats_bench``.

The clients are rewritten (in our words) from the NAS loops of AutoDL-Projects'
``exps/NATS-algos``: random search (``random_wo_share.py``) and regularized evolution
(``regularized_ea.py``) with their random-architecture / mutation helpers, under
``random.seed(seed)``, with their own draws interleaved with the API's (``simulate_train_eval``
draws a trial per call) and the simulated-time budget; then ``query_info_str_by_arch`` and
``show`` of the best architecture. Every step, the printed text, the final result and the
state of the global generator must equal the official package's on the same files.

Files: synthetic archives in the official ``-simple`` layout (tests/nats_fixture.py, with the
parameter counts and latencies stored as NumPy scalars as in the real files) holding every
cell over a reduced op / channel set, so that the unmodified samplers only meet architectures
with results; and the real archive files for a loop over their three architectures.
"""

from __future__ import annotations

import collections
import contextlib
import copy
import io
import os
import random
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nats_bench
import nats_bench.genotype_utils
import numpy as np
import pytest
from nasbench_lite.compat import nats_bench as compat
from nasbench_lite.compat.nats_bench import genotype_utils
from nasbench_lite.nats import size_strings, topology_strings
from nats_fixture import make_arch, pickle_save, real_archive

BASE = {"tss": "NATS-tss-v1_0-3ffb9", "sss": "NATS-sss-v1_0-50262"}
TSS_OPS = ["none", "skip_connect"]
SSS_CHANNELS = [8, 16]
_STAMP = re.compile(r"\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\]")


def reduced_archive(directory: Path, space: str) -> Path:
    """A ``-simple`` folder with results for every cell over the reduced op/channel set."""
    archs = topology_strings() if space == "tss" else size_strings()
    if space == "tss":
        keep = [i for i, a in enumerate(archs) if all(op in TSS_OPS for op in ops(a))]
    else:
        keep = [i for i, a in enumerate(archs) if {int(c) for c in a.split(":")} <= {8, 16}]
    folder = directory / f"{BASE[space]}-simple"
    folder.mkdir(parents=True)
    pickle_save(
        {
            "meta_archs": archs,
            "total_archs": len(archs),
            "arch2infos": None,
            "evaluated_indexes": set(),
        },
        folder / "meta.pickle.pbz2",
    )
    rng = np.random.default_rng(11)
    for index in keep:
        data = make_arch(rng, index, archs[index], space, quirks=False)
        for state in data.values():  # the real files hold these as NumPy scalars
            for trial in state["all_results"].values():
                trial["params"] = np.float64(trial["params"])
                trial["latency"] = [np.float64(x) for x in trial["latency"]]
        pickle_save(data, folder / f"{index:06d}.pickle.pbz2")
    return folder


def ops(arch: str) -> list[str]:
    return [part.split("~")[0] for part in arch.replace("+", "|").split("|") if part]


@pytest.fixture(scope="module")
def archives(tmp_path_factory: Any) -> Iterator[dict[str, Path]]:
    root = tmp_path_factory.mktemp("search")
    folders = {space: reduced_archive(root / "reduced", space) for space in BASE}
    for space, index_files in (("tss", (0, 11, 284)), ("sss", (0, 11, 284))):
        folders[f"real-{space}"] = real_archive(root / "real", space, index_files)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NASBENCH_LITE_CACHE", str(root / "cache"))
        yield folders


# ------------------------------------------------------------- the clients (AutoDL-Projects)
def random_topology_func(
    structure: Any, op_names: list[str], max_nodes: int = 4
) -> Callable[[], Any]:
    def random_architecture() -> Any:
        genotypes = []
        for i in range(1, max_nodes):
            genotypes.append(tuple((random.choice(op_names), j) for j in range(i)))
        return structure(genotypes)

    return random_architecture


def random_size_func(candidates: list[int], num_layers: int = 5) -> Callable[[], str]:
    def random_architecture() -> str:
        return ":".join(str(random.choice(candidates)) for _ in range(num_layers))

    return random_architecture


def mutate_topology_func(op_names: list[str]) -> Callable[[Any], Any]:
    def mutate(parent: Any) -> Any:
        child = copy.deepcopy(parent)
        node_id = random.randint(0, len(child.nodes) - 1)
        node_info = list(child.nodes[node_id])
        edge = random.randint(0, len(node_info) - 1)
        xop = random.choice(op_names)
        while xop == node_info[edge][0]:
            xop = random.choice(op_names)
        node_info[edge] = (xop, node_info[edge][1])
        child.nodes[node_id] = tuple(node_info)
        return child

    return mutate


def mutate_size_func(candidates: list[int]) -> Callable[[str], str]:
    def mutate(parent: str) -> str:
        child = copy.deepcopy(parent).split(":")
        index = random.randint(0, len(child) - 1)
        child[index] = str(random.choice(candidates))
        return ":".join(child)

    return mutate


def arch_text(arch: Any) -> str:
    return arch if isinstance(arch, str) else arch.tostr()


def random_search(api: Any, random_arch: Callable[[], Any], dataset: str, budget: float) -> Any:
    best_arch, best_acc, total_time_cost, history, best_indexes = None, -1.0, [], [], []
    while not total_time_cost or total_time_cost[-1] < budget:
        arch = random_arch()
        accuracy, _, _, total_cost = api.simulate_train_eval(arch, dataset, hp="12")
        total_time_cost.append(total_cost)
        history.append((arch_text(arch), accuracy))
        if best_arch is None or best_acc < accuracy:
            best_acc, best_arch = accuracy, arch
        best_indexes.append(api.query_index_by_arch(best_arch))
    return best_arch, history, total_time_cost, best_indexes


def regularized_evolution(
    api: Any,
    random_arch: Callable[[], Any],
    mutate_arch: Callable[[Any], Any],
    dataset: str,
    budget: float,
    use_proxy: bool,
    population_size: int = 10,
    sample_size: int = 3,
) -> Any:
    hp = "12" if use_proxy else api.full_train_epochs  # an int, as in the original script
    api.reset_time()
    history: list[tuple[float, Any]] = []
    total_time_cost: list[float] = []
    best_indexes = []
    population: collections.deque[tuple[float, Any]] = collections.deque()
    while len(population) < population_size:
        arch = random_arch()
        accuracy, _, _, total_cost = api.simulate_train_eval(arch, dataset, hp=hp)
        population.append((accuracy, arch))
        history.append((accuracy, arch))
        total_time_cost.append(total_cost)
        best_indexes.append(api.query_index_by_arch(max(history, key=lambda x: x[0])[1]))
    while total_time_cost[-1] < budget:
        sample = [random.choice(list(population)) for _ in range(sample_size)]
        parent = max(sample, key=lambda x: x[0])
        child = mutate_arch(parent[1])
        accuracy, _, _, total_cost = api.simulate_train_eval(child, dataset, hp=hp)
        population.append((accuracy, child))
        history.append((accuracy, child))
        best_indexes.append(api.query_index_by_arch(max(history, key=lambda x: x[0])[1]))
        total_time_cost.append(total_cost)
        population.popleft()
    best = max(history, key=lambda x: x[0])[1]
    return best, [(a, arch_text(x)) for a, x in history], total_time_cost, best_indexes


def run_client(
    module: Any,
    structures: Any,
    folder: Path,
    space: str,
    algo: str,
    dataset: str,
    seed: int,
    verbose: bool,
) -> tuple[str, Any, Any]:
    """One seeded run of a client on ``module``'s API; (printed text, results, random state)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        api = module.create(str(folder), space, fast_mode=True, verbose=verbose)
        random.seed(seed)
        if space == "tss":
            sample = random_topology_func(structures.TopologyStructure, TSS_OPS)
            mutate = mutate_topology_func(TSS_OPS)
        else:
            sample = random_size_func(SSS_CHANNELS)
            mutate = mutate_size_func(SSS_CHANNELS)
        if algo == "random":
            result = random_search(api, sample, dataset, budget=12_000)
        else:
            result = regularized_evolution(
                api, sample, mutate, dataset, budget=12_000, use_proxy=algo == "rea-proxy"
            )
        best = result[0]
        info = api.query_info_str_by_arch(best, "200" if space == "tss" else "90")
        print(info)
        index = api.query_index_by_arch(best)
        api.show(index)
        extra = (arch_text(best), result[1:], info, api.used_time, sorted(api.evaluated_indexes))
    return _STAMP.sub("[T]", out.getvalue()), extra, random.getstate()


@pytest.mark.parametrize("space", ["tss", "sss"])
@pytest.mark.parametrize("algo", ["random", "rea-proxy", "rea-full"])
@pytest.mark.parametrize(
    ("dataset", "seed", "verbose"),
    [
        ("cifar10", 0, False),
        ("cifar100", 1, False),
        ("ImageNet16-120", 2, True),
    ],
)
def test_search_replays_the_official_trajectory(
    archives: dict[str, Path], space: str, algo: str, dataset: str, seed: int, verbose: bool
) -> None:
    folder = archives[space]
    want = run_client(
        nats_bench, nats_bench.genotype_utils, folder, space, algo, dataset, seed, verbose
    )
    got = run_client(compat, genotype_utils, folder, space, algo, dataset, seed, verbose)
    assert got[0] == want[0]  # every printed byte (timestamps masked)
    assert repr(got[1]) == repr(want[1])  # trajectory, times, best, info text
    assert got[1] == want[1]
    assert got[2] == want[2]  # the global generator ends in the same state
    history = got[1][1][0]
    assert len(history) > 10 and len(set(history)) > 3  # a real search, not a stuck loop


@pytest.mark.parametrize("space", ["tss", "sss"])
def test_simulate_with_an_epoch_draws_twice_like_the_official(
    archives: dict[str, Path], space: str
) -> None:
    """``iepoch`` before the last: sets missing at that epoch take the second draw path."""
    hp = "200" if space == "tss" else "90"
    runs = []
    for module in (nats_bench, compat):
        api = module.create(str(archives[space]), space, True, False)
        random.seed(5)
        archs = sorted(int(p.name[:6]) for p in archives[space].glob("0*.pickle.pbz2"))
        values = []
        for _ in range(40):
            index = random.choice(archs)
            for dataset in ("cifar10", "cifar100", "ImageNet16-120"):
                values.append(api.simulate_train_eval(index, dataset, iepoch=3, hp=hp))
                values.append(api.get_more_info(index, dataset, iepoch=3, hp=hp))
                values.append(api.random())
        runs.append((repr(values), values, api.used_time, random.getstate()))
    assert runs[1] == runs[0]
    assert repr(runs[1][1][0][1]).startswith("np.float64(")  # latency, as the official


@pytest.mark.parametrize("space", ["tss", "sss"])
def test_seeded_loop_on_the_real_files(archives: dict[str, Path], space: str) -> None:
    runs = []
    for module in (nats_bench, compat):
        api = module.create(str(archives[f"real-{space}"]), space, True, False)
        random.seed(42)
        trace = []
        while api.used_time < 20_000:
            index = random.choice([0, 11, 284])
            dataset = random.choice(["cifar10", "cifar100", "ImageNet16-120"])
            trace.append(api.simulate_train_eval(index, dataset, hp="12"))
            trace.append(
                api.get_more_info(
                    index, dataset, hp=random.choice(["12", "90" if space == "sss" else "200"])
                )
            )
        best = max(range(len(trace) // 2), key=lambda k: trace[2 * k][0])
        trace.append(best)
        runs.append((repr(trace), random.getstate(), api.used_time))
    assert runs[1] == runs[0]


_SCRIPT = """
import random
import sys

from nats_bench import create
from nats_bench.api_topology import ALL_BASE_NAMES
from nats_bench.genotype_utils import topology_str2structure

random.seed(int(sys.argv[1]))
api = create(None, "tss", fast_mode=True, verbose=True)  # $TORCH_HOME/<base>-simple
print(ALL_BASE_NAMES, api)
best, best_acc = None, -1.0
while api.used_time < 3000:
    arch = topology_str2structure(api[random.choice([0, 11, 284])])
    acc, latency, cost, total = api.simulate_train_eval(arch, "cifar100", hp="12")
    print(arch.tostr(), acc, latency, cost, total)
    if acc > best_acc:
        best, best_acc = arch, acc
print(api.query_info_str_by_arch(best, "200"))
api.show(api.query_index_by_arch(best))
print(api.get_cost_info(api.query_index_by_arch(best), "cifar10"), random.random())
"""


def test_unmodified_script_through_the_runner_prints_the_official_bytes(
    archives: dict[str, Path], tmp_path: Path
) -> None:
    script = tmp_path / "client.py"
    script.write_text(_SCRIPT)
    env = dict(os.environ, TORCH_HOME=str(archives["real-tss"].parent))
    outputs = []
    for runner in ([], ["-m", "nasbench_lite.compat"]):
        done = subprocess.run(
            [sys.executable, *runner, str(script), "7"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        )
        outputs.append(_STAMP.sub("[T]", done.stdout))
    assert outputs[1] == outputs[0]
    assert "NATStopology(" in outputs[0] and "epochs >>>" in outputs[0]
