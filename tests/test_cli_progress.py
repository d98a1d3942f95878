"""Honest progress for coarse native steps (#17 leftover): labels and a bar that keeps ticking.

The NB101 enumeration reports once per vertex count and the last count holds most of the
graphs, so the bar names the step under way and its share, and redraws on its own while a
step runs. Checked on a real pseudo-terminal (subprocess) and on an in-process bar; waits have
generous deadlines, nothing asserts a duration.
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import pytest
from cli_terminal import run_with_terminal_stderr
from nasbench_lite import _cli_support
from nasbench_lite._cli_enumerate import enumeration_label
from nasbench_lite._cli_support import progressbar
from nasbench_lite.nb101 import count_labelled_graphs


def test_enumerate_bar_names_each_vertex_count_and_its_share(tmp_path: Path) -> None:
    code, shown = run_with_terminal_stderr(
        "enumerate", "nb101", "-o", str(tmp_path / "c.parquet"), "--max-vertices", "5"
    )
    assert code == 0, shown
    share = (count_labelled_graphs(5) - count_labelled_graphs(4)) / count_labelled_graphs(5)
    assert "enumerating NB101 cells: 2 vertices (step 1/4" in shown
    assert f"enumerating NB101 cells: 5 vertices (step 4/4, {share:.0%} of the graphs)" in shown
    assert "enumerated NB101 cells" in shown


def test_enumeration_label_follows_any_granularity() -> None:
    cumulative = [count_labelled_graphs(n) for n in range(2, 8)]
    label = enumeration_label
    assert label(0, cumulative).startswith("enumerating NB101 cells: 2 vertices (step 1/6, 0%")
    # Increments inside a vertex count (what a finer native callback would send) keep its step.
    assert "7 vertices (step 6/6, 90% of the graphs)" in label(cumulative[4], cumulative)
    assert "7 vertices" in label(cumulative[-1] - 1, cumulative)
    assert "6 vertices (step 5/6, 10%" in label(cumulative[3] + 1, cumulative)
    assert label(cumulative[-1], cumulative) == "enumerated NB101 cells"
    # Vertex counts without graphs (max_edges=1 leaves only the 2-vertex cell) are skipped.
    sparse = [count_labelled_graphs(n, max_edges=1) for n in range(2, 5)]
    assert label(0, sparse).startswith("enumerating NB101 cells: 2 vertices (step 1/3, 100%")
    assert label(sparse[-1], sparse) == "enumerated NB101 cells"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_without_updates_keeps_redrawing(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = _Terminal()
    monkeypatch.setattr(sys, "stderr", stream)
    monkeypatch.setattr(_cli_support, "BAR_TICK_SECONDS", 0.05)
    with progressbar(10, "one long native step", quiet=False, unit="graph") as bar:
        bar(1, 10)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "[00:01" not in stream.getvalue():
            time.sleep(0.05)  # no update: only the bar's own redraws can show [00:01
        shown = stream.getvalue()
    assert "one long native step" in shown
    assert "1/10 [00:01" in shown, shown  # elapsed time ran on between updates


def _wait_for(stream: io.StringIO, text: str) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and text not in stream.getvalue():
        time.sleep(0.02)
    return stream.getvalue()


def test_time_left_counts_down_between_updates(monkeypatch: pytest.MonkeyPatch) -> None:
    import tqdm.std

    clock = [1000.0]  # tqdm's clock, moved by hand: the frames are exact
    monkeypatch.setattr(tqdm.std, "time", lambda: clock[0])
    stream = _Terminal()
    monkeypatch.setattr(sys, "stderr", stream)
    monkeypatch.setattr(_cli_support, "BAR_TICK_SECONDS", 0.02)
    with progressbar(100, "coarse", quiet=False, unit="graph") as bar:
        clock[0] += 10
        bar(10, 100)  # 10 in 10 s: 90 left at that rate is 90 s
        assert "10/100 [00:10<01:30" in _wait_for(stream, "10/100 [00:10<01:30")
        clock[0] += 30  # no update: the estimate loses the 30 s
        assert "10/100 [00:40<01:00" in _wait_for(stream, "10/100 [00:40<01:00")
        clock[0] += 70  # past the estimate: unknown, not a stale figure
        assert "10/100 [01:50<?" in _wait_for(stream, "10/100 [01:50<?")
        bar(100, 100)
    assert "100/100 [01:50<00:00" in stream.getvalue()


def test_silent_bar_accepts_every_call(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()  # not a terminal: no bar, no thread, nothing written
    monkeypatch.setattr(sys, "stderr", stream)
    with progressbar(10, "quiet", quiet=False) as bar:
        bar(5, 10)
        bar.label("step 2")
    assert stream.getvalue() == ""
