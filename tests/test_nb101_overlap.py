"""``build nb101`` refuses sources that hold the same runs, unless told what to do.

The official ``nasbench_only108.tfrecord`` holds the 108-epoch runs of ``nasbench_full.tfrecord``
again; building from both used to store every 108-epoch run twice (6 repeats per cell). Sources
here are small files in the official byte format (``nb101_tfrecord``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import nb101_tfrecord as tfr
import pytest
from nasbench_lite import nb101
from nasbench_lite.benchmarks.nb101.build import build_nb101
from nasbench_lite.errors import BuildError, OverlappingSourcesError
from nasbench_lite.nb101.api import NASBench


@pytest.fixture(scope="module")
def records() -> list[Any]:
    cells = tfr.cells_from_rows(nb101.enumerate_cells(max_vertices=4).to_pylist())
    return tfr.synthetic_dataset(cells, seed=11)


@pytest.fixture(scope="module")
def official_pair(tmp_path_factory: pytest.TempPathFactory, records: Any) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("official")
    full, only108 = folder / "nasbench_full.tfrecord", folder / "nasbench_only108.tfrecord"
    tfr.write_tfrecord(full, records)
    tfr.write_tfrecord(only108, [r for r in records if r.epochs == 108])
    return full, only108


def test_full_plus_108_only_is_refused_before_any_work(
    tmp_path: Path, official_pair: tuple[Path, Path]
) -> None:
    out = tmp_path / "nb101.sqlite"
    with pytest.raises(OverlappingSourcesError) as info:
        build_nb101(list(official_pair), out)
    assert isinstance(info.value, BuildError) and isinstance(info.value, ValueError)
    assert set(info.value.sources) == set(official_pair)
    assert "--on-overlap" in str(info.value)
    assert list(tmp_path.iterdir()) == []  # nothing written, not even a temporary file


def test_the_same_file_twice_is_refused(tmp_path: Path, official_pair: tuple[Path, Path]) -> None:
    full = official_pair[0]
    link = tmp_path / "again.tfrecord"
    link.symlink_to(full)
    for sources in ([full, full], [full, link]):
        with pytest.raises(OverlappingSourcesError, match="same file"):
            build_nb101(sources, tmp_path / "nb101.sqlite")
    assert not (tmp_path / "nb101.sqlite").exists()


def test_renamed_overlapping_copies_are_refused_by_content(
    tmp_path: Path, official_pair: tuple[Path, Path]
) -> None:
    first, second = tmp_path / "a.tfrecord", tmp_path / "b.tfrecord"
    first.write_bytes(official_pair[0].read_bytes())
    second.write_bytes(official_pair[1].read_bytes())
    out = tmp_path / "nb101.sqlite"
    with pytest.raises(OverlappingSourcesError, match="hold the same runs") as info:
        build_nb101([first, second], out)
    assert info.value.sources == (first, second)
    assert not out.exists()


def test_skip_duplicates_stores_each_run_once(
    tmp_path: Path, official_pair: tuple[Path, Path]
) -> None:
    both, alone = tmp_path / "both.sqlite", tmp_path / "alone.sqlite"
    summary = build_nb101(list(official_pair), both, on_overlap="skip-duplicates")
    build_nb101([official_pair[0]], alone)
    assert summary.meta["sources_duplicate_runs"].endswith("(skip-duplicates)")
    with NASBench(both) as merged, NASBench(alone) as reference:
        assert sorted(merged.hash_iterator()) == sorted(reference.hash_iterator())
        for module_hash in reference.hash_iterator():
            computed = merged.get_metrics_from_hash(module_hash)[1]
            assert computed == reference.get_metrics_from_hash(module_hash)[1]
            assert all(len(computed[e]) == 3 for e in computed)


def test_keep_all_keeps_every_copy_as_extra_repeats(
    tmp_path: Path, official_pair: tuple[Path, Path]
) -> None:
    out = tmp_path / "all.sqlite"
    build_nb101(list(official_pair), out, on_overlap="keep-all")
    with NASBench(out) as api:
        module_hash = next(iter(api.hash_iterator()))
        computed = api.get_metrics_from_hash(module_hash)[1]
    assert len(computed[108]) == 6 and len(computed[4]) == 3


def test_bad_policy_is_a_build_error(tmp_path: Path, official_pair: tuple[Path, Path]) -> None:
    with pytest.raises(BuildError, match="on_overlap"):
        build_nb101([official_pair[0]], tmp_path / "x.sqlite", on_overlap="first")  # type: ignore[arg-type]


def test_cli_refuses_with_one_line_and_accepts_the_flag(
    tmp_path: Path, official_pair: tuple[Path, Path]
) -> None:
    out = tmp_path / "nb101.sqlite"
    base = [sys.executable, "-m", "nasbench_lite", "build", "nb101", *map(str, official_pair)]
    refused = subprocess.run([*base, "-o", str(out), "-q"], capture_output=True, text=True)
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr
    assert "hold the same runs" in refused.stderr and not out.exists()
    done = subprocess.run(
        [*base, "-o", str(out), "-q", "--on-overlap", "skip-duplicates"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert out.is_file()
