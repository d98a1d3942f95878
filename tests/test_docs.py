"""README examples are executed, so the documentation cannot drift from the code."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)


def test_readme_has_python_examples() -> None:
    assert python_blocks()


def test_readme_python_examples_run() -> None:
    for block in python_blocks():
        exec(compile(block, str(README), "exec"), {})


def test_readme_quick_start_matches_ci() -> None:
    text = README.read_text()
    ci = (README.parent / ".ci" / "run").read_text()
    assert "make test" in text and "make run" in text
    steps = [line for line in ci.splitlines() if line.startswith("make ")]
    assert steps[0] == "make test"
    assert all(f"`{step}`" in text for step in steps)  # every CI step is documented
