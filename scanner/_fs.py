"""File-system probes that never raise and never block.

rez uses ``os.path.isdir``/``isfile``, which swallow every ``OSError``; these
helpers give the same answers but also hand back the error, so the scanner can
report a symlink loop or a permission problem instead of dropping it silently.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import Final

from rezsnap._compiled import compiled_module
from rezsnap.model import ScanProblem

__all__ = [
    "describe_os_error",
    "entry_is_dir",
    "list_dir",
    "list_dir_fd",
    "open_dir",
    "package_py_stamps",
    "regular_file_stat",
    "special_file_problem",
    "utf8_problem",
]


_cwalk: Final = compiled_module("rezsnap.scanner._cwalk")
_PACKAGE_PY: Final = os.sep + "package.py"

Stamp = tuple[int, int, int]


def package_py_stamps(fd: int, names: list[str]) -> list[Stamp | None]:
    """For each version directory of the family directory open as ``fd``: the
    ``(mtime_ns, size, ctime_ns)`` of its ``package.py`` when that is a regular file, else
    None (absent, something else, an error: the caller looks closer). The compiled walk
    (``_cwalk.c``) makes the same ``stat`` calls without the interpreter's work around each."""
    if _cwalk is not None:
        return _cwalk.package_py_stamps(fd, names)  # type: ignore[no-any-return]
    found: list[Stamp | None] = []
    for name in names:
        try:
            info = os.stat(name + _PACKAGE_PY, dir_fd=fd)
        except (OSError, ValueError):  # ValueError: a NUL in the name
            found.append(None)
            continue
        found.append((info.st_mtime_ns, info.st_size, info.st_ctime_ns) if stat.S_ISREG(info.st_mode) else None)
    return found


def describe_os_error(exc: OSError) -> tuple[str, str]:
    """A (problem code, message) pair for an ``OSError``."""
    code = {
        errno.ELOOP: "symlink-loop",
        errno.EACCES: "permission-denied",
        errno.EPERM: "permission-denied",
        errno.ENOENT: "vanished",
        errno.ENOTDIR: "not-a-directory",
    }.get(exc.errno or 0, "os-error")
    return code, f"{exc.strerror or type(exc).__name__} (errno {exc.errno})"


def list_dir(path: str, problems: list[ScanProblem], family: str | None) -> list[os.DirEntry[str]]:
    """The entries of ``path``; an unreadable directory gives ``[]`` and a problem."""
    return list_dir_fd(path, path, problems, family)


def open_dir(path: str, problems: list[ScanProblem], family: str | None) -> int | None:
    """A descriptor of directory ``path`` (for ``*at`` calls), or ``None`` and a problem."""
    try:
        return os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        code, message = describe_os_error(exc)
        problems.append(ScanProblem(path, code, f"cannot list directory: {message}", family))
        return None


def list_dir_fd(
    fd: int | str, path: str, problems: list[ScanProblem], family: str | None
) -> list[os.DirEntry[str]]:
    """The entries of the open directory ``fd`` (then ``entry.path`` is only the name), or of
    the directory named by ``fd`` when it is a path; errors give ``[]`` and a problem on ``path``."""
    try:
        with os.scandir(fd) as it:
            return list(it)
    except OSError as exc:
        code, message = describe_os_error(exc)
        problems.append(ScanProblem(path, code, f"cannot list directory: {message}", family))
        return []


def regular_file_stat(path: str, problems: list[ScanProblem], family: str | None) -> os.stat_result | None:
    """The ``stat`` of ``path`` when ``os.path.isfile`` (follows symlinks) holds, else None;
    errors other than 'not there' are reported."""
    try:
        info = os.stat(path)
    except OSError as exc:
        if exc.errno not in (errno.ENOENT, errno.ENOTDIR):
            code, message = describe_os_error(exc)
            problems.append(ScanProblem(path, code, message, family))
        return None
    except ValueError:  # embedded NUL; cannot come from listdir, kept for safety
        return None
    mode = info.st_mode
    if stat.S_ISREG(mode):
        return info
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        # rez's isfile() is False too, so the package has no definition file: say why
        problems.append(ScanProblem(path, "special-file", "not a regular file (FIFO, socket or device)", family))
    return None


def entry_is_dir(
    entry: os.DirEntry[str], path: str, problems: list[ScanProblem], family: str | None
) -> bool:
    """``os.path.isdir(path)`` for the entry at ``path``, reporting loops, broken links
    and special files (``entry.path`` is only a name when listing a descriptor)."""
    try:
        if entry.is_dir():
            return True
    except OSError as exc:  # ELOOP or EACCES while following a symlink
        code, message = describe_os_error(exc)
        problems.append(ScanProblem(path, code, message, family))
        return False
    if entry.name.startswith("."):
        return False
    try:
        if entry.is_symlink() and not os.path.exists(path):
            problems.append(ScanProblem(path, "broken-symlink", "symlink target is missing", family))
        elif not entry.is_file():
            problem = special_file_problem(path, family)
            if problem is not None:
                problems.append(problem)
    except OSError as exc:
        code, message = describe_os_error(exc)
        problems.append(ScanProblem(path, code, message, family))
    return False


def special_file_problem(path: str, family: str | None) -> ScanProblem | None:
    """A problem naming a FIFO, socket or device file at ``path``, else ``None``."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISFIFO(mode):
        kind = "FIFO"
    elif stat.S_ISSOCK(mode):
        kind = "socket"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "device file"
    else:
        return None
    return ScanProblem(path, "special-file", f"{kind} skipped", family)


def utf8_problem(path: str, name: str, family: str | None, listed: bool) -> ScanProblem | None:
    """A problem when ``name`` (from ``os.listdir``) is not valid UTF-8."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        action = "listed as rez lists it" if listed else "skipped, as rez skips it"
        return ScanProblem(
            path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace"),
            "non-utf8-name",
            f"name is not valid UTF-8 ({action})",
            family,
        )
    return None
