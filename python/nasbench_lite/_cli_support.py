"""Shared pieces of the command line: output options and checks, progress bars, JSON, signals.

Kept apart from :mod:`nasbench_lite.cli` (the subcommands) so every subcommand, whoever adds
it, writes files, reports progress and prints JSON the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from nasbench_lite.errors import BuildError

__all__ = [
    "JSON_SCHEMA_VERSION",
    "ProgressBar",
    "add_output_options",
    "check_output_dir",
    "check_output_file",
    "emit",
    "progressbar",
    "run_interruptibly",
    "silence_broken_stdout",
    "typed_meta",
    "typed_value",
]

#: Version of the shape of every ``--json`` document (the ``json_schema_version`` key).
JSON_SCHEMA_VERSION = 1

#: Exit code of a process whose stdout reader went away (128 + SIGPIPE, as the shell reports
#: for ``cat`` or ``grep`` killed by SIGPIPE).
EXIT_BROKEN_PIPE = 141
#: Exit code after Ctrl-C (128 + SIGINT).
EXIT_INTERRUPTED = 130
#: Exit code after SIGTERM (128 + 15, as a shell reports it).
EXIT_TERMINATED = 143


def add_output_options(
    parser: argparse.ArgumentParser,
    *,
    help: str,
    dest: str = "out",
    aliases: tuple[str, ...] = (),
    force_help: str = "replace an existing output file",
) -> None:
    """Adds ``-o/--out PATH`` (plus older spellings) and ``--force`` to a subcommand.

    Args:
        parser: The subcommand's parser.
        help: Help of the output option.
        dest: Attribute name of the parsed path.
        aliases: Older spellings kept working (e.g. ``--output``).
        force_help: Help of ``--force``.
    """
    parser.add_argument("-o", "--out", *aliases, dest=dest, type=Path, required=True, help=help)
    parser.add_argument("--force", action="store_true", help=force_help)


def check_output_file(path: Path, *, force: bool) -> None:
    """Refuses an output file before any work: existing (without ``force``), bad directory.

    Args:
        path: The file the command will write.
        force: Replacing an existing file is allowed.

    Raises:
        OutputExistsError: It exists and ``force`` is False.
        BuildError: It is a directory, or its directory is missing or not writable.
    """
    from nasbench_lite._core.building import check_output

    check_output(path, force=force)


def check_output_dir(path: Path) -> None:
    """Refuses an output folder before any work: a file, or not creatable/writable.

    Args:
        path: The folder the command will write into (created if missing).

    Raises:
        BuildError: ``path`` is not a folder, or cannot be created or written.
    """
    if path.exists() and not path.is_dir():
        raise BuildError(f"{path}: exists and is not a directory", path)
    existing = path
    while not existing.exists():  # the nearest ancestor that exists must let us create the rest
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise BuildError(f"{path}: cannot create it ({existing} is not a directory)", path)
    if not os.access(existing, os.W_OK | os.X_OK):
        raise BuildError(f"{path}: cannot write there ({existing} is not writable)", path)


_INT = re.compile(r"-?(0|[1-9][0-9]*)")  # no leading zeros: "01" (a NATS hp) stays a string
_FLOAT = re.compile(r"-?(0|[1-9][0-9]*)\.[0-9]+([eE][-+]?[0-9]+)?")


def typed_value(text: str) -> Any:
    """A ``meta`` string as the JSON value it encodes (numbers, lists, objects), else itself.

    Args:
        text: The stored string.

    Returns:
        An int, float, list or dict when ``text`` spells one exactly, else ``text``.
    """
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    if text[:1] in ("[", "{"):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def typed_meta(meta: Mapping[str, str]) -> dict[str, Any]:
    """Every ``meta`` entry through :func:`typed_value`.

    Args:
        meta: Key -> stored string.

    Returns:
        Key -> typed value.
    """
    return {key: typed_value(value) for key, value in meta.items()}


def _json_default(value: Any) -> Any:
    # NumPy scalars and arrays (query answers) without importing NumPy here.
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def emit(payload: Mapping[str, Any], as_json: bool, lines: list[str]) -> None:
    """Prints ``payload`` as JSON (with ``json_schema_version``) or the human-readable lines.

    Args:
        payload: The machine-readable answer.
        as_json: Print JSON instead of ``lines``.
        lines: The human-readable answer.
    """
    if as_json:
        document = {"json_schema_version": JSON_SCHEMA_VERSION, **payload}
        print(json.dumps(document, indent=2, sort_keys=True, default=_json_default))
    else:
        print("\n".join(lines))


#: Seconds between redraws of a bar that receives no update (its elapsed time keeps running).
BAR_TICK_SECONDS = 0.5


class ProgressBar:
    """The ``update(done, total)`` callback handed to library functions, plus a changing label.

    Without a bar (``--quiet``, stderr not a terminal) every method does nothing.
    """

    def __init__(self, bar: Any | None = None) -> None:
        """Wraps a tqdm bar, or nothing.

        Args:
            bar: The tqdm bar, or None for a silent one.
        """
        self._bar = bar

    def __call__(self, done: int, new_total: int | None) -> None:
        """Moves the bar to ``done`` of ``new_total`` (None keeps the total).

        Args:
            done: Work done so far (absolute, not an increment).
            new_total: Total amount of work.
        """
        bar = self._bar
        if bar is None:
            return
        if new_total is not None and bar.total != int(new_total):
            bar.total = int(new_total)
        if bar.total and 0 < int(done) != bar.n:
            # The estimate at this update (average rate so far) counts down until the next.
            elapsed = float(bar.format_dict["elapsed"])
            bar.anchor = (elapsed, (bar.total - int(done)) * elapsed / int(done))
        bar.update(int(done) - bar.n)

    def label(self, text: str) -> None:
        """Replaces the bar's label (e.g. with the step under way) and redraws it.

        Args:
            text: The new label.
        """
        if self._bar is not None and self._bar.desc != text:
            self._bar.set_description_str(text, refresh=True)


#: tqdm's default line with ``{left}`` (see :func:`_countdown_bar_class`) for ``{remaining}``.
_COUNTDOWN_FORMAT = "{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{left}, {rate_fmt}{postfix}]"


def _countdown_bar_class() -> Any:
    """A tqdm bar whose time left counts down between updates instead of standing still.

    tqdm computes the time left from the rate at the last update, so while one long step runs
    it would show the same figure as the elapsed time grows. Here the estimate made at each
    update (work left at the average rate so far) loses the seconds elapsed since, and shows
    ``?`` once they exceed it.
    """
    from tqdm import tqdm

    class CountdownBar(tqdm):  # type: ignore[misc]  # tqdm has no type hints
        anchor: tuple[float, float] | None = None  # (elapsed, seconds left) at the last update

        @property
        def format_dict(self) -> dict[str, Any]:
            values: dict[str, Any] = super().format_dict
            left = "?"
            if self.total and self.n >= self.total:
                left = tqdm.format_interval(0)
            elif self.anchor is not None:
                at, remaining = self.anchor
                still = remaining - (float(values["elapsed"]) - at)
                left = tqdm.format_interval(still) if still >= 0 else "?"
            values["left"] = left
            return values

    return CountdownBar


@contextmanager
def progressbar(
    total: int | None, description: str, *, quiet: bool, unit: str = "it"
) -> Iterator[ProgressBar]:
    """A tqdm bar on stderr driven by ``update(done, total)`` callbacks.

    The bar is drawn only when stderr is a terminal and ``quiet`` is False (logs and pipes get
    nothing); counts are integers (bytes are scaled: kB, MB...), and every update is drawn at
    most 10 times a second (no dynamic skipping of updates). A bar whose work reports coarsely
    (one long native step) is redrawn every :data:`BAR_TICK_SECONDS` anyway, so its elapsed
    time runs on and it never looks hung.

    Args:
        total: Total amount of work (None: unknown until the first callback).
        description: Bar label.
        quiet: Disable the bar.
        unit: Unit name shown by the bar.

    Yields:
        The :class:`ProgressBar` (the ``update(done, total)`` callback) to hand to library
        functions.
    """
    if quiet or not sys.stderr.isatty():
        yield ProgressBar()
        return

    scaled = unit == "B"
    with _countdown_bar_class()(
        total=None if total is None else int(total),
        desc=description,
        unit=unit,
        unit_scale=scaled,
        unit_divisor=1024 if scaled else 1000,
        miniters=1,
        mininterval=0.1,
        dynamic_ncols=True,
        smoothing=0,  # the rate shown is the average so far, falling while a step runs
        # A known total gets the counting-down estimate; an unknown one tqdm's count-only line.
        bar_format=None if total is None else _COUNTDOWN_FORMAT,
        file=sys.stderr,
    ) as bar:
        stop = threading.Event()

        def tick() -> None:
            while not stop.wait(BAR_TICK_SECONDS):
                bar.refresh()  # takes the bar's lock: safe against updates from the work

        ticker = threading.Thread(target=tick, name="nasbench-lite-bar", daemon=True)
        ticker.start()
        try:
            yield ProgressBar(bar)
        finally:
            stop.set()
            ticker.join()


class _Terminated(BaseException):
    """SIGTERM arrived while a command ran in the worker thread."""


def run_interruptibly(work: Callable[[], int]) -> int:
    """Runs ``work`` in a worker thread so that Ctrl-C stops the command at once.

    Python runs signal handlers only between bytecodes of the main thread, so a Ctrl-C during a
    long native call that releases the GIL (enumeration, SQLite index build or query, zstd)
    would wait for it to return. Here the main thread only waits; on Ctrl-C it removes the
    temporary files of every output being written (finished outputs were renamed into place
    whole, existing ones are untouched) and ends the process. Read-only commands (``sql``,
    ``query``, ``verify``...) run here too: they have nothing to clean up and simply stop.

    Args:
        work: The command; returns its exit code.

    Returns:
        The exit code of ``work`` (its exceptions are re-raised in the calling thread).
    """
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["code"] = work()
        except BaseException as exc:  # handed to the main thread, re-raised there
            outcome["error"] = exc

    def terminate(signum: int, frame: Any) -> None:
        raise _Terminated

    # SIGTERM (`kill`, a batch scheduler) gets the same cleanup as Ctrl-C: the build runs in the
    # worker thread, where Python never runs signal handlers, so the main thread must catch it.
    previous: Any = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, terminate)
    worker = threading.Thread(target=target, name="nasbench-lite-command", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.05)
    except (KeyboardInterrupt, _Terminated) as stop:
        from nasbench_lite._core.building import remove_partial_outputs

        remove_partial_outputs()
        terminated = isinstance(stop, _Terminated)
        print(f"nasbench-lite: {'terminated' if terminated else 'interrupted'}", file=sys.stderr)
        sys.stderr.flush()
        # The worker may still be inside a native call: end the process without waiting.
        os._exit(EXIT_TERMINATED if terminated else EXIT_INTERRUPTED)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    if "error" in outcome:
        raise outcome["error"]
    return int(outcome["code"])


def silence_broken_stdout() -> None:
    """After the stdout reader went away: point stdout at /dev/null so exit stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
