"""Package paths compared as rez resolves them (``rezsnap compare`` checks that a snapshot
was built from the paths it is compared on). The freshness rule of the fast path lives
with the package source that applies it, ``rezsnap.solver._layered``."""

from __future__ import annotations

import os
from collections.abc import Sequence

__all__ = ["same_paths"]


def _real(paths: Sequence[str]) -> list[str]:
    return [os.path.realpath(os.path.expanduser(p)) for p in paths]


def same_paths(snapshot_paths: Sequence[str], rez_paths: Sequence[str]) -> bool:
    return _real(snapshot_paths) == _real(rez_paths)
