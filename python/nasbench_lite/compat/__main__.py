"""``python -m nasbench_lite.compat SCRIPT [ARGS...]``: an unmodified script on the compat layer.

The script runs as ``python SCRIPT ARGS...`` would run it (``__name__ == '__main__'``,
``sys.argv == [SCRIPT, *ARGS]``, ``sys.path[0]`` the script's folder, its exit code, its
traceback without the runner's frames) except that ``nasbench``, ``nats_bench`` and
``nashpobench2api`` import ``nasbench_lite.compat.*`` (see :func:`nasbench_lite.compat.install`;
one notice line on stderr says so).
"""

from __future__ import annotations

import os
import runpy
import sys
import traceback
from collections.abc import Sequence

from nasbench_lite.compat._alias import install

__all__ = ["main", "run_script"]

_USAGE = "usage: python -m nasbench_lite.compat SCRIPT [ARGS...]"


def _script_folder(script: str) -> str:
    """What ``python SCRIPT`` puts first on ``sys.path`` (symlinks resolved, as CPython does)."""
    if os.path.isdir(script) or not os.path.isfile(script):  # a folder or zip with __main__.py
        return script
    return os.path.dirname(os.path.realpath(script))


def _exit_code(exc: SystemExit) -> int:
    """The process exit code ``python`` gives for ``sys.exit(code)`` (printing non-int codes)."""
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def run_script(script: str, args: Sequence[str] = ()) -> int:
    """Runs ``script`` as ``__main__`` with the compat aliases installed.

    Args:
        script: Path of a Python file (or a folder/zip with ``__main__.py``).
        args: Its command-line arguments.

    Returns:
        The exit code ``python SCRIPT ARGS...`` would give: 0, the ``sys.exit`` code, 1 after
        an uncaught exception (traceback printed without the runner's frames), 2 when the
        script cannot be opened.
    """
    if not os.path.exists(script):
        path = os.path.abspath(script)
        print(
            f"{sys.executable}: can't open file {path!r}: [Errno 2] No such file or directory",
            file=sys.stderr,
        )
        return 2
    install()
    sys.argv = [script, *args]
    sys.path[0:1] = [_script_folder(script)]
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exc:
        return _exit_code(exc)
    except BaseException as exc:  # noqa: BLE001 - reported exactly as the interpreter would
        trace = exc.__traceback__
        # Drop this module's and runpy's frames: the traceback starts in the script.
        while trace is not None and not _in_script(trace.tb_frame.f_code.co_filename, script):
            trace = trace.tb_next
        traceback.print_exception(type(exc), exc, trace, file=sys.stderr)
        sys.stderr.flush()
        return 130 if isinstance(exc, KeyboardInterrupt) else 1
    finally:
        sys.stdout.flush()
    return 0


def _in_script(filename: str, script: str) -> bool:
    if os.path.isfile(script):
        return os.path.realpath(filename) == os.path.realpath(script)
    return not filename.startswith("<frozen") and os.path.realpath(filename).startswith(
        os.path.realpath(script)
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m nasbench_lite.compat``.

    Args:
        argv: ``[SCRIPT, *ARGS]`` (default ``sys.argv[1:]``).

    Returns:
        The script's exit code (2 with a usage line when no script is given).
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments or arguments[0] in ("-h", "--help"):
        print(_USAGE, file=sys.stderr if not arguments else sys.stdout)
        return 2 if not arguments else 0
    return run_script(arguments[0], arguments[1:])


if __name__ == "__main__":
    sys.exit(main())
