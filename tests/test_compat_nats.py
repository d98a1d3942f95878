"""``nasbench_lite.compat.nats_bench`` against the official ``nats_bench`` 1.8 (the oracle).

Both run on the same real archive files (tests/data/nats: the meta files and architectures 0,
11 and 284 of each space, laid out as the official ``-simple`` folders) with the same global
``random`` seeds; every value, type, printed byte (timestamps masked) and the state of the
global generator afterwards are compared. The call sequences are those of NATS-Bench's own
``tests/api_test.py`` (rewritten here), plus the object level (``ArchResults``,
``ResultsCount``), ``genotype_utils`` and every constructor form (folder, single file, database,
``None`` with ``TORCH_HOME``).
"""

# ruff: noqa: B023 -- every lambda here is called at once by captured(), inside its loop step
from __future__ import annotations

import bz2
import contextlib
import io
import math
import pickle
import random
import re
import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nats_bench
import nats_bench.api_size
import nats_bench.api_topology
import nats_bench.api_utils
import nats_bench.genotype_utils
import numpy as np
import pytest
from nasbench_lite.benchmarks.nats.build import build_nats
from nasbench_lite.compat import nats_bench as compat
from nasbench_lite.compat.nats_bench import api_size, api_topology, api_utils, genotype_utils
from nasbench_lite.errors import NasbenchLiteError, NotInDatabaseError, SourceNotFoundError
from nats_fixture import real_archive

DATA = Path(__file__).parent / "data" / "nats"
INDEXES = (0, 11, 284)
BASE = {"tss": "NATS-tss-v1_0-3ffb9", "sss": "NATS-sss-v1_0-50262"}
HPS = {"tss": ("12", "200"), "sss": ("01", "12", "90")}
_STAMP = re.compile(r"\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\]")


def lay_out(directory: Path, space: str) -> Path:
    """The real fixture files as the official ``<base>-simple`` folder under ``directory``."""
    return real_archive(directory, space, INDEXES)


def same(a: Any, b: Any) -> bool:
    """Equal values of equal types; floats bit for bit (NaN equal to NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return struct.pack("<d", a) == struct.pack("<d", b) or (math.isnan(a) and math.isnan(b))
    return bool(a == b)


def captured(call: Callable[[], Any]) -> tuple[str, Any]:
    """``call()``'s stdout (timestamps masked) and result (or the exception's class name)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            result = call()
        except Exception as exc:  # compared by the fact and the builtin class
            result = ("error", [c for c in type(exc).__mro__ if c.__module__ == "builtins"][0])
    return _STAMP.sub("[T]", out.getvalue()), result


@pytest.fixture(scope="module")
def torch_home(tmp_path_factory: Any) -> Iterator[Path]:
    """A TORCH_HOME with both official folders; the compat cache in a temp folder."""
    home = tmp_path_factory.mktemp("torch_home")
    for space in BASE:
        lay_out(home, space)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NASBENCH_LITE_CACHE", str(home / "cache"))
        patch.setenv("TORCH_HOME", str(home))
        yield home


def both(home: Path, space: str, fast_mode: bool = True, verbose: bool = False) -> tuple[Any, Any]:
    """The official and the compat API on the same folder."""
    folder = str(home / f"{BASE[space]}-simple")
    official = nats_bench.create(folder, space, fast_mode, verbose)
    return official, compat.create(folder, space, fast_mode, verbose)


# --------------------------------------------------------------------------------- api_test.py
def api_test_sequence(module: Any, folder: str, is_tss: bool, hp: str, verbose: bool) -> Any:
    """NATS-Bench's ``_test_nats_bench`` plus the show / info text of each architecture."""
    api = (module.NATStopology if is_tss else module.NATSsize)(folder, True, verbose)
    results: list[Any] = []
    for index in INDEXES:
        print(f"\n\nEvaluate the {index:5d}-th architecture.")
        for key in ("cifar10", "cifar100", "ImageNet16-120"):
            info = api.get_more_info(index, key)
            print(f"  -->> The performance on {key}: {info}")
            cost = api.get_cost_info(index, key)
            print(f"  -->> The cost info on {key}: {cost}")
            simulated = api.simulate_train_eval(index, dataset=key, hp=hp)
            print(f"  -->> simulated: {simulated}")
            config = api.get_net_config(index, key)
            print(f"  -->> The configuration on {key} is {config}")
            results += [info, cost, simulated, config]
        api.show(index)
        results.append(api.query_info_str_by_arch(index, hp))
    results += [repr(api), api.used_time, sorted(api.evaluated_indexes), sorted(api.avaliable_hps)]
    try:
        api.get_more_info(100000, "cifar10")
    except ValueError:
        results.append("ValueError")
    return results


@pytest.mark.parametrize("verbose", [False, True])
@pytest.mark.parametrize(
    ("space", "hp"), [("tss", "12"), ("tss", "200"), ("sss", "12"), ("sss", "90")]
)
def test_official_api_test_sequence_same_values_text_and_draws(
    torch_home: Path, space: str, hp: str, verbose: bool
) -> None:
    folder = str(torch_home / f"{BASE[space]}-simple")
    runs = []
    for module in (nats_bench, compat):
        random.seed(2024)
        text, result = captured(
            lambda m=module: api_test_sequence(m, folder, space == "tss", hp, verbose)
        )
        runs.append((text, result, random.getstate()))
    (want_text, want, want_state), (got_text, got, got_state) = runs
    assert got_text == want_text
    assert same(got, want)
    assert got_state == want_state
    assert "Call the get_more_info function" in got_text or not verbose
    assert "epochs >>>" in got_text  # show printed its blocks


def test_issue_1_and_2_queries(torch_home: Path) -> None:
    official, ours = both(torch_home, "tss")
    for api in (official, ours):
        info = api.get_more_info(0, "cifar10", hp=12)
        cost = api.get_cost_info(0, "cifar10")
        data = api.query_by_index(284, dataname="cifar10", hp=200)
        api.results = [info, cost, list(data), data[777].get_train(), data[777].train_acc1es]
        api.results += [repr(v) for v in data.values()]
        api.results += [
            api.get_more_info(284, "cifar10", hp=h)["train-accuracy"] for h in (12, 200)
        ]
    assert same(ours.results, official.results)
    assert type(ours.results[1]["params"]) is np.float64  # as the official (numpy scalars)
    assert type(ours.results[1]["latency"]) is np.float64


def test_issue_7_and_36_costs_and_find_best(torch_home: Path) -> None:
    for space in BASE:
        official, ours = both(torch_home, space)
        for api in (official, ours):
            api.results = []
            for index in INDEXES:
                for dataset in ("cifar10-valid", "cifar10", "cifar100", "ImageNet16-120"):
                    api.results.append(api.get_cost_info(index, dataset, hp="12"))
                    api.results.append(
                        api.get_cost_info(index, dataset, hp=api.full_epochs_in_paper)
                    )
            for dataset in ("cifar10", "cifar100", "ImageNet16-120"):
                for metric in ("train", "valid", "test", "ori-test"):
                    api.results.append(api.find_best(dataset, metric, hp="12", enforce_all=False))
                    api.results.append(
                        api.find_best(
                            dataset,
                            metric,
                            30.0 if space == "tss" else 100.0,
                            0.5,
                            hp="90" if space == "sss" else "200",
                            enforce_all=False,
                        )
                    )
            api.results.append(repr(api))
            api.results += [
                api.statistics(d, h) for d in ("cifar10", "cifar100") for h in HPS[space]
            ]
        assert same(ours.results, official.results)


def test_issue_12_unique_strings(torch_home: Path) -> None:
    official, ours = both(torch_home, "tss")
    unique = {genotype_utils.topology_str2structure(arch).to_unique_str(True) for arch in ours}
    assert len(unique) == 6466
    for index in (0, 11, 284, 5000, len(ours) - 1):
        assert ours.get_unique_str(index) == official.get_unique_str(index)
        assert ours.get_unique_str(ours[index]) == official.get_unique_str(index)


def test_lazy_evaluated_indexes_like_the_official_fast_mode(torch_home: Path) -> None:
    for space in BASE:
        for fast_mode in (True, False):
            folder = torch_home / f"{BASE[space]}-simple"
            if not fast_mode:  # the official non-fast form is the single file
                folder = single_file(torch_home, space)
            official = nats_bench.create(str(folder), space, fast_mode, False)
            ours = compat.create(str(folder), space, fast_mode, False)
            steps: list[Callable[[Any], Any]] = [
                lambda a: (repr(a), sorted(a.evaluated_indexes), a.avaliable_hps == []),
                lambda a: a.find_best("cifar100", "valid", enforce_all=False),
                lambda a: a.statistics("cifar100", "12"),
                lambda a: a.get_more_info(11, "cifar100", is_random=False),
                lambda a: (sorted(a.evaluated_indexes), sorted(a.avaliable_hps), repr(a)),
                lambda a: a.find_best("cifar100", "valid", enforce_all=False),
                lambda a: a.query_meta_info_by_index(0, "12"),
                lambda a: (sorted(a.evaluated_indexes), sorted(a.arch2infos_dict)),
                lambda a: {hp: repr(r) for hp, r in a.arch2infos_dict[11].items()},
                lambda a: a.statistics("cifar10", "12"),
                lambda a: a.find_best("cifar10", "valid", enforce_all=False),
            ]
            for step in steps:
                want, got = captured(lambda s=step: s(official)), captured(lambda s=step: s(ours))
                if isinstance(want[1], nats_bench.api_utils.ArchResults):
                    assert repr(got[1]) == repr(want[1])
                else:
                    assert same(got, want), (space, fast_mode, step)


def single_file(home: Path, space: str) -> Path:
    """The single-file form of the fixture archive (``<base>.pickle.pbz2``)."""
    path = home / f"{BASE[space]}.pickle.pbz2"
    if not path.exists():
        with bz2.open(DATA / f"{space}-meta.pickle.pbz2") as handle:
            meta = pickle.load(handle)
        infos = {}
        for index in INDEXES:
            with bz2.open(DATA / f"{space}-{index:06d}.pickle.pbz2") as handle:
                infos[index] = pickle.load(handle)
        with bz2.BZ2File(path, "wb") as handle:
            pickle.dump(
                {
                    "meta_archs": meta["meta_archs"],
                    "arch2infos": infos,
                    "evaluated_indexes": set(INDEXES),
                    "total_archs": len(meta["meta_archs"]),
                },
                handle,
                protocol=4,
            )
    return path


# ------------------------------------------------------------------------------ object level
def missing_set(got: Any, want: Any) -> bool:
    """A set the trial lacks: the official ValueError (KeyError without eval times) vs ours.

    Ours is always :class:`NotInDatabaseError` (a KeyError): documented difference.
    """
    return got == ("", ("error", KeyError)) and want == ("", ("error", ValueError))


def test_arch_results_and_results_count_equal_the_official(torch_home: Path) -> None:
    for space in BASE:
        official, ours = both(torch_home, space)
        for index in INDEXES:
            for hp in HPS[space]:
                want = official.query_meta_info_by_index(index, hp)
                got = ours.query_meta_info_by_index(index, hp)
                assert isinstance(got, api_utils.ArchResults)
                assert repr(got) == repr(want)
                assert got.get_dataset_names() == want.get_dataset_names()
                assert same(got.dataset_seed, want.dataset_seed)
                assert sorted(got.all_results) == sorted(want.all_results)
                assert got.get_total_epoch() == want.get_total_epoch()
                assert got.arch_idx_str() == want.arch_idx_str()
                for dataset in want.get_dataset_names():
                    assert same(got.get_compute_costs(dataset), want.get_compute_costs(dataset))
                    assert same(got.get_latency(dataset), want.get_latency(dataset))
                    for setname in ("train", "x-valid", "x-test", "ori-test", "valid"):
                        for iepoch in (None, 0, 5):
                            for is_random in (False, *want.get_dataset_seeds(dataset)):
                                args = (dataset, setname, iepoch, is_random)
                                w = captured(lambda a=args: want.get_metrics(*a))
                                g = captured(lambda a=args: got.get_metrics(*a))
                                assert same(g, w) or missing_set(g, w), args
                    for seed, trial in want.query(dataset).items():
                        mine = got.query(dataset, seed)
                        assert isinstance(mine, api_utils.ResultsCount)
                        mine_state, want_state = mine.state_dict(), trial.state_dict()
                        # The database keeps the values of arch_config and of the eval dicts,
                        # not their key order (documented): compare those order-free.
                        assert mine_state.pop("arch_config") == want_state.pop("arch_config")
                        for key in ("eval_acc1es", "eval_losses", "eval_times"):
                            mine_items = sorted(mine_state.pop(key).items())
                            assert same(mine_items, sorted(want_state.pop(key).items()))
                        assert same(mine_state, want_state)
                        assert repr(mine) == repr(trial) or space == "sss"
                        assert same(mine.get_times(), trial.get_times())
                        assert same(mine.get_latency(), trial.get_latency())
                        assert same(mine.get_config(None), trial.get_config(None))
                        parse = genotype_utils.topology_str2structure
                        if space == "tss":
                            assert repr(mine.get_config(parse)) == repr(
                                trial.get_config(nats_bench.genotype_utils.topology_str2structure)
                            )
                        for name in ("x-valid", "valid", "ori-test", "x-test"):
                            w = captured(lambda n=name: trial.get_eval(n))
                            g = captured(lambda n=name: mine.get_eval(n))
                            assert same(g, w) or missing_set(g, w)
                        for iepoch in (None, 0, 3):
                            w = captured(lambda e=iepoch: trial.get_train(e))
                            assert same(captured(lambda e=iepoch: mine.get_train(e)), w)
                        assert mine.get_eval_set() == trial.get_eval_set()


def test_get_metrics_random_draws_like_the_official(torch_home: Path) -> None:
    official, ours = both(torch_home, "tss")
    draws = []
    for api in (official, ours):
        info = api.query_meta_info_by_index(284, "200")
        random.seed(7)
        values = [info.get_metrics("cifar100", "x-valid", is_random=True) for _ in range(30)]
        values += [api.random() for _ in range(5)]
        draws.append((values, random.getstate()))
    assert same(draws[1][0], draws[0][0])
    assert draws[1][1] == draws[0][1]


def test_not_offered_features_raise_typed_errors(torch_home: Path) -> None:
    _, ours = both(torch_home, "tss")
    with pytest.raises(api_utils.NotOfferedError, match="no trained weights"):
        ours.get_net_param(11, "cifar10", None)
    with pytest.raises(NotImplementedError, match="reload"):
        ours.reload(None, 11)
    with pytest.raises(NasbenchLiteError, match="read-only"):
        ours.query_meta_info_by_index(11).update("cifar10", 777, None)
    with pytest.raises(NotImplementedError):
        api_utils.ArchResults.create_from_state_dict({})
    with pytest.warns(UserWarning, match="not in the benchmark data yet"):
        ours.clear_params(0)
    ours.get_more_info(0, "cifar10")
    ours.clear_params(0)
    ours.clear_params(0, "200")
    with pytest.raises(ValueError, match="only has hyper-parameters"):
        ours.clear_params(0, "90")
    with pytest.raises(NotInDatabaseError, match="no results"):
        ours.get_more_info(1, "cifar10")  # official: AssertionError (missing file)
    with pytest.raises(ValueError, match="Invalid architecture index"):
        ours.get_more_info(100000, "cifar10")
    with pytest.raises(ValueError, match="invalid search space"):
        compat.create(None, "nope")
    with pytest.raises(NasbenchLiteError, match="dict is not accepted"):
        compat.create({"meta_archs": []}, "tss")


def test_printing_helpers_and_show_all(torch_home: Path) -> None:
    for space, module, mine in (
        ("tss", nats_bench.api_topology, api_topology),
        ("sss", nats_bench.api_size, api_size),
    ):
        official, ours = both(torch_home, space, verbose=True)
        for index in INDEXES:
            for hp in HPS[space]:
                want = captured(
                    lambda: module.print_information(
                        official.query_meta_info_by_index(index, hp), "x", True
                    )
                )
                got = captured(
                    lambda: mine.print_information(
                        ours.query_meta_info_by_index(index, hp), "x", True
                    )
                )
                assert got == want
            want = captured(lambda: official.query_by_arch(official[index], "12"))
            assert captured(lambda: ours.query_by_arch(ours[index], "12")) == want
        for index in (-1, len(ours), 284):  # -1: the official loop fails on its KeyError
            assert captured(lambda: ours.show(index)) == captured(lambda: official.show(index))
        # No results for 1: the official fast mode fails reading the missing file.
        text, error = captured(lambda: ours.show(1))
        assert (text, error) == (captured(lambda: official.show(1))[0], ("error", KeyError))
        official = nats_bench.create(str(single_file(torch_home, space)), space, False, True)
        ours = compat.create(str(single_file(torch_home, space)), space, False, True)
        for index in (1, 11, -1):
            assert captured(lambda: ours.show(index)) == captured(lambda: official.show(index))


def test_module_names_match_the_official() -> None:
    pairs = [
        (nats_bench, compat),
        (nats_bench.api_utils, api_utils),
        (nats_bench.api_topology, api_topology),
        (nats_bench.api_size, api_size),
        (nats_bench.genotype_utils, genotype_utils),
    ]
    skip = {
        "abc",
        "bz2",
        "collections",
        "copy",
        "os",
        "pickle",
        "random",
        "time",
        "warnings",
        "Any",
        "Dict",
        "List",
        "Optional",
        "Text",
        "Union",
        "deepcopy",
    }
    for official, ours in pairs:
        names = {n for n in vars(official) if not n.startswith("_") and n not in skip}
        missing = {n for n in names if not hasattr(ours, n)}
        assert not missing, (official.__name__, missing)
    for cls, mine in (
        (nats_bench.api_topology.NATStopology, api_topology.NATStopology),
        (nats_bench.api_size.NATSsize, api_size.NATSsize),
        (nats_bench.api_utils.ArchResults, api_utils.ArchResults),
        (nats_bench.api_utils.ResultsCount, api_utils.ResultsCount),
        (nats_bench.genotype_utils.TopologyStructure, genotype_utils.TopologyStructure),
    ):
        public = {n for n in dir(cls) if not n.startswith("_")}
        assert public <= set(dir(mine)), public - set(dir(mine))
    assert compat.version() == nats_bench.version() == "v1.8"
    assert api_topology.ALL_BASE_NAMES == nats_bench.api_topology.ALL_BASE_NAMES
    assert api_size.ALL_BASE_NAMES == nats_bench.api_size.ALL_BASE_NAMES
    for tags in (("nats-bench", "sss"), ("nats-bench", "topology"), ("nas-bench-201", None)):
        assert compat.search_space_info(*tags) == nats_bench.search_space_info(*tags)
    for tags in (("nats-bench", "x"), ("nas-bench-201", "tss"), ("x", None)):
        with pytest.raises(ValueError):
            compat.search_space_info(*tags)


def test_pickle_load_is_restricted_and_equal(tmp_path: Path) -> None:
    for name in ("tss-000011.pickle.pbz2", "sss-meta.pickle.pbz2"):
        want = nats_bench.api_utils.pickle_load(str(DATA / name))
        got = compat.pickle_load(DATA / name)
        assert got == want  # NumPy scalars come back as equal Python numbers
    compat.pickle_save({"a": [1.5, None]}, tmp_path / "x.pickle")
    assert compat.pickle_load(tmp_path / "x.pickle") == {"a": [1.5, None]}  # + ".pbz2"
    evil = tmp_path / "evil.pickle.pbz2"
    with bz2.BZ2File(evil, "wb") as handle:
        handle.write(b"cos\nsystem\n(S'echo hacked'\ntR.")
    with pytest.raises(NasbenchLiteError):
        compat.pickle_load(evil)


# ------------------------------------------------------------------------------- genotypes
def test_topology_structure_equals_the_official(torch_home: Path) -> None:
    official_api, _ = both(torch_home, "tss")
    samples = [official_api[i] for i in range(0, len(official_api), 97)]
    samples += ["|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|", "|skip_connect~0|"]
    for text in samples:
        want = nats_bench.genotype_utils.topology_str2structure(text)
        got = genotype_utils.topology_str2structure(text)
        assert got.tostr() == want.tostr() == text
        assert repr(got) == repr(want) and len(got) == len(want)
        assert got.check_valid() == want.check_valid()
        for zero in (False, True, None):
            assert got.to_unique_str(zero) == want.to_unique_str(zero)
        assert got.tolist("none") == want.tolist("none")
        assert got.check_valid_op(["none", "skip_connect"]) == want.check_valid_op(
            ["none", "skip_connect"]
        )
        assert got.nodes == want.nodes and got.node_N == want.node_N
        assert got[0] == want[0]
        assert captured(lambda g=got: g.node(1)) == captured(lambda w=want: w.node(1))
        full_want = nats_bench.genotype_utils.TopologyStructure.str2fullstructure(text)
        full_got = genotype_utils.TopologyStructure.str2fullstructure(text)
        assert full_got.tostr() == full_want.tostr()
        assert genotype_utils.topology_str2structure(got) is got
    cells = genotype_utils.TopologyStructure.gen_all(["a", "b"], 3, False)
    assert [c.tostr() for c in cells] == [  # type: ignore[union-attr]
        f"|{x}~0|+|{y}~0|{z}~1|" for x in "ab" for y in "ab" for z in "ab"
    ]
    for bad in ("|a~|", "|a~0~1|", 5):
        with pytest.raises(ValueError):
            genotype_utils.topology_str2structure(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        genotype_utils.TopologyStructure([(("a", 1),)])


# ----------------------------------------------------------------------------- constructors
def test_every_constructor_form_gives_the_same_answers(torch_home: Path, tmp_path: Path) -> None:
    for space in BASE:
        official = nats_bench.create(str(single_file(torch_home, space)), space, False, False)
        want = [official.get_more_info(i, "cifar100", is_random=False) for i in INDEXES]
        db = tmp_path / f"{space}.sqlite"
        build_nats(torch_home / f"{BASE[space]}-simple", db)
        forms: list[tuple[Any, bool]] = [
            (str(torch_home / f"{BASE[space]}-simple"), True),
            (torch_home / f"{BASE[space]}-simple", False),
            (str(single_file(torch_home, space)), False),
            (str(db), False),
            (None, True),  # TORCH_HOME/<base>-simple
            (None, False),  # TORCH_HOME/<base>.pickle.pbz2
        ]
        for source, fast_mode in forms:
            text, api = captured(lambda s=source, f=fast_mode: compat.create(s, space, f, False))
            assert isinstance(
                api, api_size.NATSsize if space == "sss" else api_topology.NATStopology
            )
            assert same([api.get_more_info(i, "cifar100", is_random=False) for i in INDEXES], want)
            if source is None:
                official_text, _ = captured(
                    lambda f=fast_mode: nats_bench.create(None, space, f, False)
                )
                assert text == official_text  # "Try to use the default NATS-Bench ... path"
                assert api.archive_dir == (
                    str(torch_home / f"{BASE[space]}-simple") if fast_mode else None
                )
            elif fast_mode:
                assert api.filename == f"{BASE[space]}-simple" and repr(api).endswith(
                    f"file={BASE[space]}-simple)"
                )


def test_default_location_missing_names_what_to_download(tmp_path: Path) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TORCH_HOME", str(tmp_path))
        patch.setenv("NASBENCH_LITE_CACHE", str(tmp_path / "cache"))
        with pytest.raises(SourceNotFoundError, match="NATS-sss-v1_0-50262") as info:
            compat.create(None, "sss", fast_mode=True, verbose=False)
        assert isinstance(info.value, FileNotFoundError)
        assert str(tmp_path) in str(info.value)
