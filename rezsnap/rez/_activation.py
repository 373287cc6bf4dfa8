"""Turning the integration on and off for a rez installation: one ``.pth`` file.

Python runs the ``import`` lines of ``.pth`` files in its site-packages directory at every
start-up, whatever the command (pip-installed rez, rez's ``install.py`` virtual
environment, ``python -E`` or ``-I``). ``enable()`` writes ``rezsnap-rez.pth`` there with one
line that arms the integration (``_startup.arm``: standard library only, no file read);
``disable()`` removes it. rezsnap must be installed in that same environment.
"""

from __future__ import annotations

import os
import sysconfig
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = ["PTH_NAME", "Activation", "disable", "enable", "enabled_for_a_while", "status"]

PTH_NAME = "rezsnap-rez.pth"
_SNAPSHOT_NOTE = "# snapshot: "
_HELD_NOTE = "# enabled for a while by process "


@dataclass(frozen=True, slots=True)
class Activation:
    """Where the hook lives and what it says."""

    enabled: bool
    pth: str
    snapshot: str | None  # recorded by enable(); REZSNAP_SNAPSHOT overrides it

    def as_dict(self) -> dict[str, object]:
        return {"enabled": self.enabled, "pth": self.pth, "snapshot": self.snapshot}


def _pth(site: str | None) -> str:
    return os.path.join(site or sysconfig.get_paths()["purelib"], PTH_NAME)


def _line(snapshot: str | None) -> str:
    # One line (a .pth runs lines that start with "import"); never stops Python from starting.
    call = f"arm({_absolute(snapshot)!r})" if snapshot else "arm()"
    code = f"try:\n import rezsnap.rez._startup as s\n s.{call}\nexcept Exception:\n pass"
    return f"import sys; exec({code!r})\n"


def _absolute(snapshots: str) -> str:
    """Each of the ``os.pathsep``-separated snapshots as an absolute path."""
    return os.pathsep.join(os.path.abspath(part) for part in snapshots.split(os.pathsep) if part)


def enable(snapshot: str | os.PathLike[str] | None = None, *, site: str | None = None) -> Activation:
    """Write the hook into ``site`` (default: this Python's site-packages). ``snapshot``: one
    snapshot, or several separated by ``os.pathsep``, each answering for its own paths."""
    return _write(snapshot, site, held_by=None)


def _write(snapshot: str | os.PathLike[str] | None, site: str | None, held_by: int | None) -> Activation:
    path = _pth(site)
    chosen = None if snapshot is None else os.fspath(snapshot)
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as sink:
        sink.write("# rezsnap: answers rez's solves from a snapshot; 'rezsnap rez disable' removes this file\n")
        sink.write(f"{_SNAPSHOT_NOTE}{_absolute(chosen) if chosen else ''}\n")
        if held_by is not None:
            sink.write(f"{_HELD_NOTE}{held_by}\n")
        sink.write(_line(chosen))
    os.replace(temporary, path)
    return status(site=site)


def disable(*, site: str | None = None) -> Activation:
    """Remove the hook from ``site`` (default: this Python's site-packages)."""
    try:
        os.unlink(_pth(site))
    except FileNotFoundError:
        pass
    return status(site=site)


def status(*, site: str | None = None) -> Activation:
    path = _pth(site)
    try:
        with open(path, encoding="utf-8") as source:
            text = source.read()
    except OSError:
        return Activation(False, path, None)
    for line in text.splitlines():
        if line.startswith(_SNAPSHOT_NOTE):
            return Activation(True, path, line[len(_SNAPSHOT_NOTE):] or None)
    return Activation(True, path, None)


@contextmanager
def enabled_for_a_while(*, site: str | None = None) -> Iterator[Activation]:
    """Enabled without a recorded snapshot (so inert unless ``REZSNAP_SNAPSHOT`` is set),
    then put back as it was: for benchmarks and tests that run the real ``rez`` commands.
    The hook names this process while it holds it: a hook whose holder was killed before
    it could put things back counts as not enabled, and the next holder removes it."""
    before = status(site=site)
    holder = _holder(before.pth) if before.enabled else None
    if holder is not None and not _running(holder):
        before, holder = Activation(False, before.pth, None), None
    state = _write(None, site, held_by=os.getpid())
    try:
        yield state
    finally:
        if before.enabled:
            _write(before.snapshot, site, held_by=holder)
        else:
            disable(site=site)


def _holder(pth: str) -> int | None:
    """The process that ``enabled_for_a_while`` wrote into the hook, if any."""
    try:
        with open(pth, encoding="utf-8") as source:
            for line in source.read().splitlines():
                if line.startswith(_HELD_NOTE) and line[len(_HELD_NOTE):].strip().isdigit():
                    return int(line[len(_HELD_NOTE):])
    except OSError:
        pass
    return None


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:  # it exists, but is not ours to signal
        return True
    return True
