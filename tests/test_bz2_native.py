"""The native bz2 decoder (``_native.bz2_decompress``, used by every native pickle reader)
against Python's ``bz2`` (libbzip2): real NATS-Bench files, every level, runs, concatenated
streams, caps and seeded mutants (issue #14)."""

from __future__ import annotations

import bz2
import random
from pathlib import Path

import pytest
from nasbench_lite import _native
from nasbench_lite.errors import CorruptSourceError

DATA = Path(__file__).parent / "data" / "nats"
FILES = sorted(DATA.glob("*.pickle.pbz2"))


def test_fixtures_present() -> None:
    assert len(FILES) == 8


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_real_files_match_libbzip2(path: Path) -> None:
    data = path.read_bytes()
    assert _native.bz2_decompress(data) == bz2.decompress(data)
    # The pickle readers decode the same bytes: parse and plain-pickle load agree.
    raw = bz2.decompress(data)
    assert _native.load_pickle(data) == _native.load_pickle(raw)


def _samples() -> list[bytes]:
    rng = random.Random(14)
    words = [b"loss", b"accuracy", b"0.25", b"cifar10", b"\x00\x01", b"epoch"]
    text = b" ".join(rng.choice(words) for _ in range(40_000))
    runs = b"".join(bytes([i % 5]) * i for i in range(1, 300))
    return [b"", b"x", b"aaaa", b"aaaaa" * 3, text, runs, rng.randbytes(20_000)]


@pytest.mark.parametrize("level", range(1, 10))
def test_every_level(level: int) -> None:
    for sample in _samples():
        assert _native.bz2_decompress(bz2.compress(sample, level)) == sample


def test_concatenated_streams_and_trailing_garbage() -> None:
    parts = _samples()
    joined = b"".join(bz2.compress(p, 1 + i % 9) for i, p in enumerate(parts))
    assert _native.bz2_decompress(joined) == bz2.decompress(joined) == b"".join(parts)
    # Python drops garbage after a complete stream; the native reader refuses it (as the
    # libbzip2 reader it replaced did): a stray suffix is a damaged file, not data.
    garbage = bz2.compress(b"abc") + b"junk"
    assert bz2.decompress(garbage) == b"abc"
    with pytest.raises(CorruptSourceError, match="bad magic"):
        _native.bz2_decompress(garbage)


def test_cap_and_corruption_are_typed() -> None:
    bomb = bz2.compress(b"\0" * (4 << 20))
    with pytest.raises(CorruptSourceError, match="max_bz2_ratio"):
        _native.bz2_decompress(bomb)
    assert len(_native.bz2_decompress(bomb, limits={"max_bz2_ratio": 1 << 40})) == 4 << 20
    good = bz2.compress(b"hello" * 100)
    for broken in [b"", b"BZh9", good[:-1], good[:10] + bytes([good[10] ^ 1]) + good[11:]]:
        with pytest.raises(CorruptSourceError, match="corrupt bz2 data"):
            _native.bz2_decompress(broken)


def test_seeded_mutants_agree_with_libbzip2() -> None:
    rng = random.Random(2026)
    seeds = [bz2.compress(s, 9) for s in _samples()[4:]] + [FILES[0].read_bytes()]
    for _ in range(300):
        mutant = bytearray(rng.choice(seeds))
        if rng.random() < 0.3:
            del mutant[rng.randrange(1, len(mutant)) :]
        else:
            for _ in range(rng.randint(1, 3)):
                mutant[rng.randrange(len(mutant))] ^= 1 << rng.randrange(8)
        try:
            expect: bytes | None = bz2.decompress(bytes(mutant))
        except (OSError, ValueError, EOFError):
            expect = None
        try:
            got: bytes | None = _native.bz2_decompress(bytes(mutant))
        except CorruptSourceError:
            got = None
        assert got == expect
