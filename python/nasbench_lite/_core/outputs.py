"""Atomic, never-clobbering output files: :func:`atomic_output`.

A build writes a private temporary file beside its output whose name carries the build's PID
(``.<name>.nbl-<pid>-<random>.tmp``), so the next build can tell a leftover of a dead build
(SIGKILL, power loss) from the file of a build still running and remove only the former. SIGTERM
is turned into an exception for the duration of the build so the temporary file is removed on
SIGINT and SIGTERM as on any error.

The temporary file reaches the output path by ``link`` (which fails if anything -- a file, a
directory, a dangling symlink -- appeared there meanwhile) and is then unlinked, so without
``force`` an existing path is never overwritten and of two concurrent builds to one new path
exactly one wins; the other gets :class:`~nasbench_lite.errors.OutputExistsError`. With
``force`` only a regular file (or a symlink to one) is replaced, never a directory, a FIFO, a
device, or one of the build's own sources.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import signal
import stat
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from nasbench_lite.errors import BuildError, OutputExistsError

__all__ = [
    "atomic_output",
    "check_output",
    "remove_partial_outputs",
    "remove_stale_temporaries",
    "temporary_name",
]

_TEMP_RE = re.compile(r"^\.(?P<target>.+)\.nbl-(?P<pid>\d+)-[0-9a-f]{8}\.tmp(?P<suffix>.*)$")


#: Temporary files of the atomic outputs being written in this process. An interrupt handler
#: that cannot wait for the writer (a Ctrl-C during a long native call) removes them with
#: :func:`remove_partial_outputs` before exiting, so nothing half-written survives.
_PARTIAL_OUTPUTS: set[Path] = set()
#: Guards :data:`_PARTIAL_OUTPUTS` together with the creation of each temporary file: the
#: interrupt handler runs in another thread than the build, and a temporary created but not yet
#: registered when it looked would outlive the process (seen under load in CI). Reentrant so a
#: handler running on the building thread itself cannot deadlock.
_PARTIAL_LOCK = threading.RLock()
#: Set by :func:`remove_partial_outputs`: the process is going away, no new temporary may appear.
_closing = False


def check_output(path: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Checks that ``path`` can be written, before any work is done.

    Args:
        path: The final output path.
        force: Replacing an existing file at ``path`` is allowed.

    Returns:
        The directory the output goes to.

    Raises:
        OutputExistsError: ``path`` exists (a dangling symlink included) and ``force`` is False.
        BuildError: ``path`` is a directory, or its directory is missing or not writable.
    """
    target = Path(path)
    if target.is_dir():
        raise BuildError(f"{target}: is a directory", target)
    if os.path.lexists(target) and not force:
        raise OutputExistsError(f"{target}: already exists (use --force to replace it)", target)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise BuildError(f"{directory}: output directory does not exist", target)
    if not os.access(directory, os.W_OK | os.X_OK):
        raise BuildError(f"{directory}: output directory is not writable", target)
    return directory


def remove_partial_outputs() -> None:
    """Removes the temporary files (and sidecars) of every atomic output still being written.

    Meant for a process about to exit (the CLI's Ctrl-C / SIGTERM path): afterwards no atomic
    output of this process can create its temporary file any more.
    """
    global _closing
    with _PARTIAL_LOCK:
        _closing = True
        for temp in list(_PARTIAL_OUTPUTS):
            _remove_with_sidecars(temp)
            _PARTIAL_OUTPUTS.discard(temp)


def _create_registered(temp: Path, target: Path, directory: Path) -> None:
    """Creates the empty temporary ``temp``, registered before it exists on disk.

    Registration and creation happen under one lock with :func:`remove_partial_outputs`, so an
    interrupt at any point either finds the file registered or stops its creation.
    """
    with _PARTIAL_LOCK:
        if _closing:
            raise BuildError(f"{target}: the process is exiting, no build started", target)
        _PARTIAL_OUTPUTS.add(temp)
        try:
            umask = os.umask(0)
            os.umask(umask)
            os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 & ~umask))
        except (OSError, ValueError) as exc:  # not created (ValueError: a NUL in the path)
            _PARTIAL_OUTPUTS.discard(temp)
            raise BuildError(
                f"{target}: cannot create a file in {directory} ({exc})", target
            ) from exc
        except BaseException:  # an interrupt around the open: ours (O_EXCL) if it exists
            _remove_with_sidecars(temp)
            _PARTIAL_OUTPUTS.discard(temp)
            raise


def temporary_name(target: Path, pid: int | None = None) -> Path:
    """The private temporary path of a build of ``target`` (carries the PID).

    Args:
        target: The final output path.
        pid: The owning process (default: this one).

    Returns:
        ``<dir>/.<name>.nbl-<pid>-<8 hex>.tmp``.
    """
    owner = os.getpid() if pid is None else pid
    return target.with_name(f".{target.name}.nbl-{owner}-{secrets.token_hex(4)}.tmp")


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return pid < 2**31  # exists but belongs to someone else
    return True


def remove_stale_temporaries(directory: Path) -> list[Path]:
    """Removes the temporaries (and their SQLite sidecars) left by builds that died.

    Args:
        directory: The output directory.

    Returns:
        The removed paths.
    """
    removed: list[Path] = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        match = _TEMP_RE.match(name)
        if match is None or _pid_alive(int(match["pid"])):
            continue
        path = directory / name
        with contextlib.suppress(OSError):
            if not stat.S_ISREG(path.lstat().st_mode):
                continue
            path.unlink()
            removed.append(path)
    return removed


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _check_replaceable(target: Path, sources: Sequence[Path]) -> None:
    """Refuses a ``--force`` target that is not a regular file (or a symlink to one)."""
    try:
        link = target.lstat()
    except FileNotFoundError:
        return
    try:
        info = target.stat()
    except FileNotFoundError:
        return  # a dangling symlink: with force the link itself is replaced
    if not stat.S_ISREG(info.st_mode):
        what = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise BuildError(f"{target}: is {what}; --force replaces only regular files", target)
    for source in sources:
        if source.is_dir() and target.resolve().is_relative_to(source.resolve()):
            raise BuildError(f"{target}: is inside the build's source folder {source}", target)
        with contextlib.suppress(OSError):
            if _same_file(info, source.stat()) or _same_file(link, source.lstat()):
                raise BuildError(f"{target}: is the build's own source {source}", target)


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """While active, SIGTERM raises SystemExit(143) so ``finally`` blocks remove temporaries."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    try:
        previous: Any = signal.signal(signal.SIGTERM, handler)
    except (ValueError, OSError):
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _remove_with_sidecars(temp: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            Path(str(temp) + suffix).unlink()


def _publish(temp: Path, target: Path, force: bool, sources: Sequence[Path]) -> None:
    if force:
        _check_replaceable(target, sources)  # again: the path may have changed during the build
        os.replace(temp, target)
        return
    try:
        os.link(temp, target)
    except FileExistsError as exc:
        raise OutputExistsError(
            f"{target}: appeared during the build; not replaced (use --force)", target
        ) from exc
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        # No hard links here: claim the name with O_EXCL, then rename over our own placeholder.
        try:
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError as exists:
            raise OutputExistsError(
                f"{target}: appeared during the build; not replaced (use --force)", target
            ) from exists
        os.replace(temp, target)
        return
    temp.unlink()


@contextlib.contextmanager
def atomic_output(
    path: str | os.PathLike[str],
    *,
    force: bool = False,
    sources: Sequence[str | os.PathLike[str]] = (),
) -> Iterator[Path]:
    """Yields a temporary path beside ``path``; on success fsyncs it and publishes it at ``path``.

    On any exception (including KeyboardInterrupt and SIGTERM) the temporary file is removed and
    ``path`` is left exactly as it was. Temporaries of dead builds in the directory are removed
    first.

    Args:
        path: The final output path.
        force: Replace an existing regular file (or symlink to one) at ``path``.
        sources: The build's inputs; ``path`` may never be one of them.

    Yields:
        The temporary path to write.

    Raises:
        OutputExistsError: ``path`` exists (or appears during the build) and ``force`` is False.
        BuildError: The output directory is missing or not writable, or ``path`` is a
            directory, FIFO, device or a source of the build.
    """
    target = Path(path)
    source_paths = [Path(s) for s in sources]
    directory = check_output(target, force=force)
    if force:
        _check_replaceable(target, source_paths)
    remove_stale_temporaries(directory)
    temp = temporary_name(target)
    _create_registered(temp, target, directory)
    with _sigterm_raises():
        try:
            yield temp
            with open(temp, "rb+") as handle:
                os.fsync(handle.fileno())
            _publish(temp, target, force, source_paths)
            _fsync_directory(directory)
        except BaseException:
            _remove_with_sidecars(temp)
            raise
        finally:
            with _PARTIAL_LOCK:
                _PARTIAL_OUTPUTS.discard(temp)


def _fsync_directory(directory: Path) -> None:
    """Makes a rename durable (no-op where directories cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
