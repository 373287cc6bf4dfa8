"""``RangedFamilies``: packages handed to ``solve(load_family=...)`` as a studio database would.

The benchmarks and the tests of on-demand loading need the same callback: a family's
packages, only the versions in the solve's ``version_range`` when it passes one, and a count
of what was handed over.
"""

from __future__ import annotations

from collections.abc import Iterable

from rezsnap.model import PackageData
from rezsnap.version import Version, VersionRange

__all__ = ["RangedFamilies"]


class RangedFamilies:
    """Packages by family, with ``hinted`` (honours the range) and ``whole`` (ignores it)
    callbacks; ``handed`` counts the packages each gave, ``calls`` records ``hinted``'s."""

    def __init__(self, packages: Iterable[PackageData]) -> None:
        self._by_family: dict[str, list[tuple[Version, PackageData]]] = {}
        for data in packages:
            self._by_family.setdefault(data.name, []).append((Version(data.version), data))
        self.handed = {"hinted": 0, "whole": 0}
        self.calls: list[tuple[str, str | None]] = []

    @classmethod
    def from_snapshot(cls, snapshot: str) -> RangedFamilies:
        from rezsnap.snapshot import read_snapshot

        rows = read_snapshot(snapshot).table.to_pylist()
        return cls(PackageData.from_strings(r["family"], r["version"], r["requires"], r["variants"], r["timestamp"])
                   for r in rows)

    def hinted(self, name: str, version_range: str | None = None) -> list[PackageData]:
        self.calls.append((name, version_range))
        wanted = None if version_range is None else VersionRange(version_range)
        found = [d for v, d in self._by_family.get(name, []) if wanted is None or wanted.contains_version(v)]
        self.handed["hinted"] += len(found)
        return found

    def whole(self, name: str) -> list[PackageData]:
        found = [d for _, d in self._by_family.get(name, [])]
        self.handed["whole"] += len(found)
        return found
