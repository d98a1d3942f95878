"""Runs the CLI in a subprocess whose stderr is a real pseudo-terminal (progress-bar tests).

Shared by tests/test_cli_progress.py and tests/test_cli_rough_edges.py: a bar is drawn only
on a terminal, so these tests read what the user would see there.
"""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

#: ``python -m nasbench_lite`` with this interpreter.
COMMAND = [sys.executable, "-m", "nasbench_lite"]


def run_with_terminal_stderr(*args: str) -> tuple[int, str]:
    """Runs ``nasbench-lite *args`` with stderr on a 24 x 160 pseudo-terminal.

    Returns:
        ``(exit code, everything written to the terminal)``.
    """
    master, slave = pty.openpty()
    # A fresh pty is 0x0; a real terminal has a size (the bar fits its width).
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 160, 0, 0))
    proc = subprocess.Popen([*COMMAND, *args], stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return proc.wait(timeout=300), b"".join(chunks).decode(errors="replace")
