"""``observe_repositories``: the answers of the file-system calls a walk makes, uninterpreted.

The walk's result is a function of these answers (``_cobserve.c`` lists them), and each
answer carries the inode and change time of what it names: a later observation equal to an
earlier one means that nothing the walk reads has changed in between (a change moves a
change time, which no one can set back), so a walk now would list the same again.

A no-change refresh compares one observation with the one its snapshot's build recorded,
and does not walk (``rezsnap/snapshot/_unchanged.py``). It needs the compiled module:
without it, or where a call fails (an unreadable folder, a symlink loop), there is no
observation and the refresh walks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from rezsnap._compiled import compiled_module
from rezsnap._io import SLOW_STAT

from ._paths import repository_location

__all__ = ["LOCAL_OBSERVING_THREADS", "NETWORK_OBSERVING_THREADS", "observe_repositories"]

_cobserve: Final = compiled_module("rezsnap.scanner._cobserve")

#: Threads that observe a local disk: the calls are the kernel's work, without the GIL. In
#: fresh processes on 2 cores (the benchmark's 18,226 packages, 20 runs each, alternating):
#: 8 threads 34.8 ms, 32 threads 37.5 ms, 64 threads 40.9 ms (medians).
LOCAL_OBSERVING_THREADS: Final = 8
#: Threads where the median ``stat`` of a few family folders is slower than ``SLOW_STAT`` (a
#: network file system: many calls in flight hide the latency). On latfs at 0.5 ms a call:
#: 64 threads 1.0 s, 32 threads 1.25 s, 16 threads 2.2 s.
NETWORK_OBSERVING_THREADS: Final = 64


def observe_repositories(package_paths: Sequence[str]) -> list[tuple[str, bytes]] | None:
    """``(location, observation)`` for each package path, or None where there is none."""
    if _cobserve is None:
        return None
    found = []
    for repo in package_paths:
        location = repository_location(repo)
        observed = _cobserve.observe(location, LOCAL_OBSERVING_THREADS, NETWORK_OBSERVING_THREADS, SLOW_STAT)
        if observed is None:
            return None
        found.append((location, observed))
    return found
