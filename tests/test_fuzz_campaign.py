"""The fuzz campaign script (benchmarks/fuzz_campaign.py) keeps running: a two-input smoke run.

The campaign itself is a benchmark (minutes to hours); this only proves every reader's driver
still calls the current APIs, so an API change cannot break the campaign unnoticed (the NATS
stream reader's key policy once did). Every outcome but "accepted" and "typed" must be zero.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "fuzz_campaign.py"
READERS = [
    "nb101",
    "native_pickle",
    "safe_pickle",
    "stream_pickle",
    "nhb2_build",
    "nar",
    "database",
]


@pytest.mark.parametrize("reader", READERS)
def test_campaign_smoke(reader: str) -> None:
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--inputs", "2", "--seed", "3", "--only", reader],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    rows = [line for line in run.stdout.splitlines() if line.startswith(f"| {reader} |")]
    assert rows, run.stdout[-2000:]
    cells = [cell.strip() for cell in rows[-1].strip("|").split("|")]
    inputs, accepted, typed, *bad = (int(value) for value in cells[1:9])
    assert inputs == 2 and accepted + typed == 2 and bad == [0] * 5, rows[-1]
