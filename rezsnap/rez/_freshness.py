"""Is a snapshot still what the package paths hold? Cheap checks, and the policy.

Policy (see the README's rez guide):

1. The snapshot's package paths must be rez's package paths, in the same order
   (compared as real paths). Otherwise no solve uses it.
2. A family directory (or a repository root) modified after the snapshot was written
   means versions were added, removed or rewritten there: solves that touch such a
   family, or a family name the snapshot does not have but the disk does, go to rez.
   The check stats every family directory once, and again after ``recheck_s``.
3. After a fast solve, the definition files of the resolved packages are compared with
   the snapshot's ``(mtime_ns, size)``: an in-place edit sends that solve to rez.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

__all__ = ["Freshness", "changed_families", "same_paths"]


def _real(paths: Sequence[str]) -> list[str]:
    return [os.path.realpath(os.path.expanduser(p)) for p in paths]


def same_paths(snapshot_paths: Sequence[str], rez_paths: Sequence[str]) -> bool:
    return _real(snapshot_paths) == _real(rez_paths)


@dataclass(frozen=True)
class Freshness:
    """What changed on disk since the snapshot: family names to leave to rez."""

    changed: frozenset[str]  # family dirs (or combined files) modified since
    unknown: frozenset[str]  # on disk, not in the snapshot


def changed_families(paths: Sequence[str], created_iso: str, known: frozenset[str]) -> Freshness:
    """Stat each repository root and every entry in it against the snapshot's creation time."""
    created = datetime.fromisoformat(created_iso)
    created_ns = int(created.timestamp()) * 10**9 + created.microsecond * 1000
    changed: set[str] = set()
    unknown: set[str] = set()
    for root in paths:
        try:
            entries = list(os.scandir(root))
        except OSError:
            continue  # a missing path: rez lists nothing there either
        for entry in entries:
            name = entry.name
            family = name.removesuffix(".py") if name.endswith(".py") else name.removesuffix(".yaml")
            try:
                modified = entry.stat(follow_symlinks=True).st_mtime_ns
            except OSError:
                continue
            if family not in known:
                unknown.add(family)
            elif modified > created_ns:
                changed.add(family)
    return Freshness(frozenset(changed), frozenset(unknown))
