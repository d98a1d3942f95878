"""``nats.create`` is typed per space literal: mypy infers the reader class from the literal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SNIPPET = """
from nasbench_lite import nats
from nasbench_lite.nats import NATSsize, NATStopology

topology: NATStopology = nats.create("nats.sqlite", "tss")
also_topology: NATStopology = nats.create("nats.sqlite", "topology", random_state=0)
size: NATSsize = nats.create("nats.sqlite", "sss")
also_size: NATSsize = nats.create("nats.sqlite", "size", fast_mode=True)
unique: str = topology.get_unique_str(0)


def either(space: str) -> None:
    reveal_type(nats.create("nats.sqlite", space))


wrong: NATSsize = nats.create("nats.sqlite", "tss")  # the one expected error
"""


def test_create_overloads_follow_the_space_literal(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    script = tmp_path / "uses_create.py"
    script.write_text(SNIPPET)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(tmp_path / "cache"),
            str(script),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1, result.stdout
    assert "uses_create.py:16:" in errors[0] and '"NATStopology"' in errors[0], errors
    assert 'Revealed type is "nasbench_lite.benchmarks.nats.reader.NATStopology | ' in result.stdout
