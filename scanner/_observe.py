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
from rezsnap._io import NETWORK_THREADS

from ._paths import repository_location

__all__ = ["OBSERVING_THREADS", "observe_repositories"]

_cobserve: Final = compiled_module("rezsnap.scanner._cobserve")

#: Threads that observe family folders. The calls are the kernel's work, without the GIL: on
#: a local disk 2 and 32 threads took the same time (28-34 ms for the benchmark's 18,226
#: packages on 2 cores), and on a network file system many calls in flight hide the latency.
OBSERVING_THREADS: Final = NETWORK_THREADS


def observe_repositories(package_paths: Sequence[str]) -> list[tuple[str, bytes]] | None:
    """``(location, observation)`` for each package path, or None where there is none."""
    if _cobserve is None:
        return None
    found = []
    for repo in package_paths:
        location = repository_location(repo)
        observed = _cobserve.observe(location, OBSERVING_THREADS)
        if observed is None:
            return None
        found.append((location, observed))
    return found
