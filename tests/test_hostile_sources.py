"""Hostile source files on the Python side (#13): no silent coercion, typed errors.

NAS-HPO-Bench-II: a numeric *string* (or a boolean) in a value column is refused with
``CorruptSourceError`` naming the column and row, instead of being stored as a float.
"""

from __future__ import annotations

import os
import pickle
import random
from pathlib import Path
from typing import Any

import nashpobench2_fixture as nhb2_fx
import pytest
from nasbench_lite.benchmarks.nashpobench2.build import build_nashpobench2
from nasbench_lite.errors import CorruptSourceError


def _dataset(folder: Path) -> dict[str, Any]:
    return nhb2_fx.write_dataset(folder, nhb2_fx.sample_cellcodes(8, seed=1), seed=5)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("valid_acc_3", "0.5"),
        ("train_time_0", "12"),
        ("total_train_time", True),
        ("test_acc_0", b"1"),
    ],
)
def test_nhb2_value_column_must_hold_numbers(tmp_path: Path, column: str, value: Any) -> None:
    objects = _dataset(tmp_path / "src")
    bench = objects["bench12"]
    first = next(iter(bench[column]))
    bench[column][first] = value
    with open(tmp_path / "src" / "bench12.pkl", "wb") as handle:
        pickle.dump(bench, handle, protocol=4)
    out = tmp_path / "nhb2.sqlite"
    with pytest.raises(CorruptSourceError, match=f"{column}.*not a number"):
        build_nashpobench2(tmp_path / "src", out)
    assert not out.exists()


def test_nhb2_numbers_still_build(tmp_path: Path) -> None:
    _dataset(tmp_path / "src")
    build_nashpobench2(tmp_path / "src", tmp_path / "nhb2.sqlite")
    assert (tmp_path / "nhb2.sqlite").is_file()


#: Mutants per NAR file in the default run (``NASBENCH_LITE_FUZZ_MUTANTS`` for a longer one).
FUZZ_MUTANTS = int(os.environ.get("NASBENCH_LITE_FUZZ_MUTANTS", "150"))
DATA = Path(__file__).parent / "data"


def _mutate(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        where = rng.randrange(len(out))
        action = rng.randrange(5)
        if action == 0:
            out[where] ^= 1 << rng.randrange(8)
        elif action == 1:
            del out[where : where + rng.randint(1, 16)]
        elif action == 2:
            out[where:where] = rng.choice(
                [
                    b"{",
                    b"[",
                    b"}",
                    b"]",
                    b'"',
                    b",",
                    b":",
                    b"1e999",
                    b"-",
                    b"null",
                    b"\\u",
                    b"\xff",
                    b"9" * 5000,
                ]
            )
        elif action == 3:
            out[where:] = b""
        else:
            out[where:where] = out[rng.randrange(len(out)) :][: rng.randint(1, 64)]
    return bytes(out)


@pytest.mark.parametrize(
    "name", ["nasbench101_vertice_example.json", "nasbench201_vertice_example.json"]
)
def test_nar_reader_typed_errors_on_mutants(tmp_path: Path, name: str) -> None:
    from nasbench_lite.benchmarks.nar.build import build_nar
    from nasbench_lite.errors import NasbenchLiteError

    original = (DATA / name).read_bytes()
    rng = random.Random(f"nar-{name}")
    source = tmp_path / name
    out = tmp_path / "nar.sqlite"
    for trial in range(FUZZ_MUTANTS):
        source.write_bytes(_mutate(original, rng))
        try:
            build_nar([source], out, force=True)
        except NasbenchLiteError:
            assert not out.exists() or out.stat().st_size > 0
        except Exception as exc:  # noqa: BLE001 -- the property under test
            pytest.fail(f"mutant {trial}: {type(exc).__name__}: {exc!s:.300}")
        out.unlink(missing_ok=True)


def test_malformed_nar_record_fails_without_scanning_the_rest(tmp_path: Path) -> None:
    from nasbench_lite._core.formats import json_stream
    from nasbench_lite.errors import CorruptSourceError as Corrupt

    good = b'{"a": 1, "b": [1, 2, 3]}, '
    path = tmp_path / "big.json"
    path.write_bytes(b'[{"a": 1, "b": [1, 2 3]}, ' + good * 400_000 + b'{"a": 1}]')
    with open(path, "rb") as handle:
        reader = json_stream.HashingReader(handle)
        with pytest.raises(Corrupt, match="malformed record 0"):
            list(json_stream.iter_json_records(reader, path))
    # Failing at once: only the first chunk was read, not the 10 MB behind the bad record.
    assert reader.bytes_read <= json_stream.CHUNK_BYTES < path.stat().st_size // 8


@pytest.mark.parametrize(
    ("name", "tail"),
    [
        # Seed-11 campaign mutants: the file's last bytes duplicated after the closing bracket.
        ("nasbench101_vertice_example.json", b'32, 0]}, \n    "flops": 2527684618}\n]'),
        ("nasbench201_vertice_example.json", b'2|"\n    }\n        \n}'),
        ("nasbench101_vertice_example.json", b"[]"),
        ("nasbench201_vertice_example.json", b"\n\x00"),
    ],
)
def test_nar_data_after_the_document_is_refused(tmp_path: Path, name: str, tail: bytes) -> None:
    from nasbench_lite.benchmarks.nar.build import build_nar

    source = tmp_path / name
    source.write_bytes((DATA / name).read_bytes() + tail)
    out = tmp_path / "nar.sqlite"
    with pytest.raises(CorruptSourceError, match="data after the end of the JSON document"):
        build_nar([source], out)
    assert not out.exists()


def test_nar_empty_list_then_records_is_refused(tmp_path: Path) -> None:
    """``[]`` and then the records (a seed-11 mutant): was built as an empty dataset."""
    from nasbench_lite.benchmarks.nar.build import build_nar

    name = "nasbench101_vertice_example.json"
    original = (DATA / name).read_bytes()
    source = tmp_path / name
    source.write_bytes(b"[\n]" + original[1:])
    with pytest.raises(CorruptSourceError, match="data after the end of the JSON document"):
        build_nar([source], tmp_path / "nar.sqlite")


def test_nar_whitespace_after_the_document_is_accepted(tmp_path: Path) -> None:
    from nasbench_lite._core.formats import json_stream
    from nasbench_lite.benchmarks.nar.build import build_nar

    name = "nasbench201_vertice_example.json"
    original = (DATA / name).read_bytes()
    source = tmp_path / name
    # More whitespace than a chunk: the tail is read through, chunk by chunk.
    source.write_bytes(original + b" \r\n\t" * (json_stream.CHUNK_BYTES // 2))
    build_nar([source], tmp_path / "nar.sqlite")
    assert (tmp_path / "nar.sqlite").is_file()


def _peak_of_reading(path: Path) -> tuple[list[Any], int]:
    """The records of a JSON file and the peak traced memory of reading them."""
    import tracemalloc

    from nasbench_lite._core.formats import json_stream

    tracemalloc.start()
    try:
        with open(path, "rb") as handle:
            reader = json_stream.HashingReader(handle)
            records = [value for _, value in json_stream.iter_json_records(reader, path)]
        return records, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("container", ["list", "object"])
def test_whitespace_between_records_is_not_buffered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, container: str
) -> None:
    from nasbench_lite._core.formats import json_stream

    monkeypatch.setattr(json_stream, "CHUNK_BYTES", 64 << 10)
    gap = b" \r\n\t" * (4 << 20)  # 16 MiB of whitespace between two records
    record = b'{"unique_hash": "x", "flops": 1}'
    if container == "list":
        data = b"[" + gap + record + b"," + gap + record + gap + b"]"
    else:
        data = b"{" + gap + b'"0": ' + record + b"," + gap + b'"1": ' + record + gap + b"}"
    path = tmp_path / "gaps.json"
    path.write_bytes(data)
    records, peak = _peak_of_reading(path)
    assert records == [{"unique_hash": "x", "flops": 1}] * 2
    # A few chunks at most (it held the whole 16 MiB run before: the peak scaled with it).
    assert peak < 2 << 20


def test_whitespace_inside_a_record_counts_toward_its_length_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nasbench_lite._core.formats import json_stream

    monkeypatch.setattr(json_stream, "CHUNK_BYTES", 64 << 10)
    monkeypatch.setattr(json_stream, "MAX_RECORD_CHARS", 1 << 20)
    path = tmp_path / "inside.json"
    path.write_bytes(b'{"0"' + b" " * (16 << 20) + b': {"flops": 1}}')
    with open(path, "rb") as handle:
        reader = json_stream.HashingReader(handle)
        with pytest.raises(CorruptSourceError, match="longer than 1048576 characters"):
            list(json_stream.iter_json_records(reader, path))
    assert reader.bytes_read < 4 << 20  # stopped at the limit, not at the end of the file
