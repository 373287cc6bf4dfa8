"""Reading package files safely: never blocking on a FIFO, never reading without bound."""

from __future__ import annotations

import errno
import os
import stat
import time
from collections.abc import Sequence
from typing import Final

__all__ = [
    "MAX_DEFINITION_BYTES",
    "NETWORK_THREADS",
    "SLOW_STAT",
    "file_identity",
    "file_stamp",
    "read_regular_file",
    "read_regular_file_stat",
    "stat_latency",
]

#: A package definition larger than this is not read (it is reported instead).
MAX_DEFINITION_BYTES: Final = 16 * 1024 * 1024
#: A metadata call slower than this (median of ``stat_latency``) means a network file system.
SLOW_STAT: Final = 100e-6
#: Threads for file-system work there: each waits on latency, many requests in flight.
NETWORK_THREADS: Final = 32


def stat_latency(paths: Sequence[str], samples: int = 16) -> float:
    """Median seconds of one ``stat`` on a spread of ``paths`` (a file-system speed probe)."""
    step = max(1, len(paths) // samples)
    times = []
    for path in paths[::step][:samples]:
        start = time.perf_counter()
        try:
            os.stat(path)
        except (OSError, ValueError):  # ValueError: a NUL in the path
            pass
        times.append(time.perf_counter() - start)
    times.sort()  # the median (statistics would cost a one-shot walk 4 ms of imports)
    middle = len(times) // 2
    return (times[middle] if len(times) % 2 else (times[middle - 1] + times[middle]) / 2) if times else 0.0


def read_regular_file(path: str) -> bytes:
    """The bytes of a regular file; FIFOs and devices raise instead of blocking."""
    return read_regular_file_stat(path)[0]


def read_regular_file_stat(path: str) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file and its ``fstat`` (the metadata of exactly what was read).

    FIFOs and devices raise instead of blocking.

    Opening with ``O_NONBLOCK`` and checking ``fstat`` makes the check race-free:
    a FIFO swapped in after a ``stat`` still cannot hang the scan.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "not a regular file", path) if stat.S_ISDIR(
                info.st_mode
            ) else OSError(errno.EINVAL, "not a regular file (FIFO, socket or device)", path)
        if info.st_size > MAX_DEFINITION_BYTES:
            raise OSError(errno.EFBIG, f"file larger than {MAX_DEFINITION_BYTES} bytes", path)
        chunks = []
        total = 0
        while chunk := os.read(fd, 1 << 20):
            total += len(chunk)
            if total > MAX_DEFINITION_BYTES:  # grew while we read it
                raise OSError(errno.EFBIG, f"file larger than {MAX_DEFINITION_BYTES} bytes", path)
            chunks.append(chunk)
        return b"".join(chunks), info
    finally:
        os.close(fd)


def file_stamp(path: str | None) -> tuple[int, int, int] | None:
    """``(mtime_ns, size, ctime_ns)`` of a regular file, or None: what says that a definition
    file did not change (the change time too: no user can set it back)."""
    if path is None:
        return None
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ctime_ns) if stat.S_ISREG(info.st_mode) else None


def file_identity(path: str) -> tuple[int, int, int] | None:
    """``(st_ino, size, mtime_ns)`` of whatever is at ``path`` (None: nothing): what says that
    a file was replaced (an atomic rename gives another inode) or rewritten."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns)
