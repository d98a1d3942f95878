"""The sources manifest, ``verify_file`` and the ``sources`` / ``verify`` commands.

The real NATS-Bench archive files in ``tests/data/nats`` (renamed copies) have their SHA-256 in
the manifest (computed from the copies the NATS-Bench repository ships); verify must recognise
them by content whatever their name, and reject a truncated copy under the official name.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from nasbench_lite import sources
from nasbench_lite.benchmarks.nb101.build import OFFICIAL_SHA256
from nasbench_lite.errors import (
    InternalError,
    InvalidInputError,
    NasbenchLiteError,
    SourceMismatchError,
)

DATA = Path(__file__).parent / "data" / "nats"
NATS_FIXTURES = {
    "tss-meta.pickle.pbz2": "NATS-tss-v1_0-3ffb9-simple/meta.pickle.pbz2",
    "tss-000011.pickle.pbz2": "NATS-tss-v1_0-3ffb9-simple/000011.pickle.pbz2",
    "sss-meta.pickle.pbz2": "NATS-sss-v1_0-50262-simple/meta.pickle.pbz2",
    "sss-000284.pickle.pbz2": "NATS-sss-v1_0-50262-simple/000284.pickle.pbz2",
}
MANIFEST = Path(sources.__file__).parent / "data" / "sources.json"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nasbench_lite", *args], capture_output=True, text=True
    )


def test_manifest_schema() -> None:
    benchmarks = sources.benchmarks()
    assert {b.id for b in benchmarks} == {
        "nb101", "nats-tss", "nats-sss", "nb201", "nashpobench2", "nar",
    }  # fmt: skip
    for bench in benchmarks:
        assert bench.paper and bench.licence and bench.licence_note and bench.download_pages
        assert all(page.startswith("https://") for page in bench.download_pages)
        for f in bench.files:
            assert f.benchmark == bench.id
            if f.sha256 is not None:
                assert re.fullmatch(r"[0-9a-f]{64}", f.sha256)
                assert str(f.checksum_origin).startswith(("published: ", "computed: "))
            assert f.build is None or "nasbench-lite build " in f.build
            assert f.size_bytes is not None or f.size_approx is not None or f.sha256 is None


def test_manifest_agrees_with_the_builders_official_checksums() -> None:
    nb101 = {f.sha256: f.path for f in sources.source_files() if f.benchmark == "nb101"}
    assert nb101 == OFFICIAL_SHA256


def test_manifest_lists_real_fixture_files_with_their_checksums() -> None:
    for name, official in NATS_FIXTURES.items():
        (entry,) = [f for f in sources.source_files() if f.path == official]
        assert entry.size_bytes == (DATA / name).stat().st_size


@pytest.mark.parametrize(
    "mutate",
    [
        lambda m: m.update(manifest_version=2),
        lambda m: m["benchmarks"][0]["files"][0].update(sha256="3D64" + "0" * 60),
        lambda m: m["benchmarks"][0]["files"][0].update(checksum_origin=None),
        lambda m: m["benchmarks"][0]["files"][0].update(size_bytes=-1),
        lambda m: m["benchmarks"][0]["files"][0].update(overlaps_with=["missing.tfrecord"]),
        lambda m: m["benchmarks"][1]["files"].append(m["benchmarks"][1]["files"][0]),
        lambda m: m["benchmarks"][0].pop("licence"),
    ],
    ids=["version", "sha256", "origin", "size", "dangling", "duplicate", "licence"],
)
def test_a_broken_manifest_is_refused(mutate: object) -> None:
    manifest = json.loads(MANIFEST.read_text())
    mutate(manifest)  # type: ignore[operator]
    with pytest.raises(InternalError, match="sources manifest"):
        sources.load_manifest(json.dumps(manifest))


@pytest.mark.parametrize("name", sorted(NATS_FIXTURES))
def test_verify_recognises_real_files_by_checksum(name: str) -> None:
    calls: list[tuple[int, int]] = []
    result = sources.verify_file(DATA / name, progress=lambda d, t: calls.append((d, t)))
    size = (DATA / name).stat().st_size
    assert result.method == "sha256"
    assert result.source.path == NATS_FIXTURES[name]
    assert result.benchmark.id == ("nats-tss" if name.startswith("tss") else "nats-sss")
    assert result.size == size and calls[-1] == (size, size)
    assert "SHA-256 matches" in result.describe()


def test_verify_rejects_a_truncated_copy(tmp_path: Path) -> None:
    folder = tmp_path / "NATS-tss-v1_0-3ffb9-simple"
    folder.mkdir()
    truncated = folder / "meta.pickle.pbz2"
    truncated.write_bytes((DATA / "tss-meta.pickle.pbz2").read_bytes()[:20_000])
    with pytest.raises(SourceMismatchError, match="20,000 of 35,330 bytes: truncated") as info:
        sources.verify_file(truncated)
    error = info.value
    assert isinstance(error, NasbenchLiteError) and isinstance(error, ValueError)
    assert error.expected == ("NATS-tss-v1_0-3ffb9-simple/meta.pickle.pbz2",)
    assert error.actual_size == 20_000 and error.path == truncated


def test_verify_rejects_a_bad_copy_of_a_published_file(tmp_path: Path) -> None:
    fake = tmp_path / "nasbench_only108.tfrecord"
    fake.write_bytes(b"\0" * 4096)
    with pytest.raises(SourceMismatchError, match="differs from the published one"):
        sources.verify_file(fake)


def test_verify_unknown_and_missing_files(tmp_path: Path) -> None:
    unknown = tmp_path / "notes.txt"
    unknown.write_text("hello")
    with pytest.raises(SourceMismatchError, match="not an official file") as info:
        sources.verify_file(unknown)
    assert info.value.expected == ()
    with pytest.raises(InvalidInputError, match="no such file"):
        sources.verify_file(tmp_path / "absent.tfrecord")
    with pytest.raises(InvalidInputError, match="not a regular file"):
        sources.verify_file(tmp_path)


def test_verify_by_name_only_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "cellinfo.pkl").write_bytes(b"\x80\x04N.")
    result = sources.verify_file(folder / "cellinfo.pkl")
    assert result.method == "name" and result.benchmark.id == "nashpobench2"
    assert "by name only" in result.describe()


def test_find_source_prefers_the_archive_folder() -> None:
    tss = sources.find_source("x/NATS-tss-v1_0-3ffb9-simple/meta.pickle.pbz2")
    assert [f.benchmark for f in tss] == ["nats-tss"]
    assert {f.benchmark for f in sources.find_source("meta.pickle.pbz2")} == {
        "nats-tss",
        "nats-sss",
    }
    assert sources.find_source("unrelated.bin") == ()


def test_cli_verify(tmp_path: Path) -> None:
    ok = run_cli("verify", str(DATA / "sss-meta.pickle.pbz2"), "--json", "-q")
    assert ok.returncode == 0, ok.stderr
    payload = json.loads(ok.stdout)
    assert payload["official_path"] == "NATS-sss-v1_0-50262-simple/meta.pickle.pbz2"
    assert payload["recognised_by"] == "sha256" and payload["size_bytes"] == 56877
    folder = tmp_path / "NATS-sss-v1_0-50262-simple"
    folder.mkdir()
    (folder / "meta.pickle.pbz2").write_bytes(b"BZh9")
    bad = run_cli("verify", str(folder / "meta.pickle.pbz2"), "-q")
    assert bad.returncode == 1 and bad.stdout == ""
    assert bad.stderr.count("\n") == 1 and "truncated" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_cli_sources() -> None:
    listing = run_cli("sources")
    assert listing.returncode == 0
    for f in sources.source_files():
        assert f.path in listing.stdout
    as_json = json.loads(run_cli("sources", "nar", "--json").stdout)
    (nar,) = as_json["benchmarks"]
    assert nar["id"] == "nar" and all(f["sha256"] for f in nar["files"])
    unknown = run_cli("sources", "nb999")
    assert unknown.returncode == 1 and "unknown benchmark" in unknown.stderr


def test_readme_data_guide_lists_the_manifest() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    guide = readme.split("## Getting the data", 1)[1].split("\n## ", 1)[0]
    for bench in sources.benchmarks():
        assert f"### {bench.name}" in guide and f"Licence {bench.licence}." in guide
        for f in bench.files:
            assert f"| `{f.path}` |" in guide
            assert f.sha256 is None or f"`{f.sha256}`" in guide
            assert f.build is None or f"`{f.build}`" in guide
