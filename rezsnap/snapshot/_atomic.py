"""Replacing files atomically, with the standard library only: a temporary file beside the
target, fsync-ed, renamed over it; the temporaries of a writer that died are removed later."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import BinaryIO

__all__ = [
    "atomic_copy", "fsync_directory", "mode_for", "remove_stale_temporaries", "replace_atomically", "temporary_prefix",
]


def temporary_prefix(target: str) -> str:
    """Temporary files are named after their target and the writing process, so that a later
    build can tell the files of a builder that died (``remove_stale_temporaries``)."""
    return f".{os.path.basename(target)}.{os.getpid()}."


def remove_stale_temporaries(output: str) -> list[str]:
    """Remove the temporary files of ``output`` (and of its solve index) whose writer is gone."""
    directory = os.path.dirname(os.path.abspath(output))
    prefixes = tuple(f".{os.path.basename(target)}." for target in (output, output + ".index"))
    removed: list[str] = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        if not (name.endswith(".tmp") and name.startswith(prefixes)):
            continue
        pid = name[:-4].rsplit(".", 2)[-2] if name.count(".") >= 3 else ""
        if not pid.isdigit() or _alive(int(pid)):
            continue
        try:
            os.unlink(os.path.join(directory, name))
            removed.append(name)
        except OSError:
            pass
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def mode_for(output: str) -> int:
    """The replaced snapshot's permissions, or the usual ones for a new file."""
    try:
        return os.stat(output).st_mode & 0o777
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def fsync_directory(directory: str) -> None:
    """Make the rename durable (POSIX); not possible on every platform or file system."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_copy(source: str, target: str) -> None:
    """Replace ``target`` with a copy of ``source``, complete or not at all."""
    import shutil  # here: a refresh that keeps its snapshot in place copies nothing

    with open(source, "rb") as origin:
        replace_atomically(target, lambda sink: shutil.copyfileobj(origin, sink, 1 << 20), mode_for(target))


def replace_atomically(target: str, write: Callable[[BinaryIO], object], mode: int, durable: bool = True) -> None:
    """Replace ``target`` with what ``write`` writes, complete or not at all: into a temporary
    file beside it, renamed over it. ``durable``: fsync the file and the rename."""
    import tempfile  # here: with shutil and random, 4 ms of a one-shot refresh that writes nothing

    directory = os.path.dirname(os.path.abspath(target))
    fd, temporary = tempfile.mkstemp(prefix=temporary_prefix(target), suffix=".tmp", dir=directory)
    try:
        os.fchmod(fd, mode)  # mkstemp's 0600 would hide the file from the snapshot's readers
        with os.fdopen(fd, "wb") as sink:
            write(sink)
            if durable:
                sink.flush()
                os.fsync(sink.fileno())
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    if durable:
        fsync_directory(directory)
