"""What a snapshot build did: ``SnapshotReport`` (standard library only)."""

from __future__ import annotations

from typing import Any, Final

from rezsnap.model import ScanProblem

__all__ = ["SOURCES", "SnapshotReport", "problem_dict"]

SOURCES: Final = ("static", "rez", "late", "error")


class SnapshotReport:
    """What a ``build_snapshot`` run did: counts, timings, hit rates and problems.

    A plain slotted class, not a dataclass: ``dataclasses`` imports ``inspect`` (about 9 ms),
    which a one-shot refresh that keeps its snapshot would spend on this class alone.
    """

    __slots__ = ("errors", "families", "files_read", "files_reused", "output", "package_paths", "previous",
                 "previous_note", "problems", "rows", "seconds", "sources", "unchanged")

    def __init__(self, output: str, package_paths: list[str]) -> None:
        self.output = output
        self.package_paths = package_paths
        self.rows = 0
        self.families = 0
        self.sources: dict[str, int] = dict.fromkeys(SOURCES, 0)
        self.files_read = 0  # definition files read and parsed in this run
        self.files_reused = 0  # rows taken from the previous snapshot without reading the file
        self.previous: str | None = None
        self.previous_note: str | None = None  # why a given previous snapshot was not used
        self.unchanged = False  # nothing changed since the previous snapshot: kept (or copied), not rebuilt
        self.problems: list[ScanProblem] = []  # what the walk could not read
        self.errors: list[tuple[str, str]] = []  # (uri, message) of rows without data
        self.seconds: dict[str, float] = {}  # scan, load+write, check, total

    def __repr__(self) -> str:
        return f"SnapshotReport({self.output!r}, rows={self.rows}, unchanged={self.unchanged})"

    @property
    def static_rate(self) -> float:
        """Share of the loaded rows that the static reader answered."""
        loaded = sum(self.sources.values())
        return self.sources["static"] / loaded if loaded else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "output": self.output,
            "package_paths": self.package_paths,
            "rows": self.rows,
            "families": self.families,
            "sources": self.sources,
            "static_rate": self.static_rate,
            "files_read": self.files_read,
            "files_reused": self.files_reused,
            "previous": self.previous,
            "previous_note": self.previous_note,
            "unchanged": self.unchanged,
            "problems": [problem_dict(p) for p in self.problems],
            "errors": [{"uri": uri, "message": message} for uri, message in self.errors],
            "seconds": self.seconds,
        }

    def summary(self) -> str:
        sources = ", ".join(f"{count} {name}" for name, count in self.sources.items())
        lines = [
            f"snapshot {self.output}: {self.rows} packages in {self.families} families ({sources})",
            (f"  files read and parsed: {self.files_read}; reused from the previous snapshot: "
            f"{self.files_reused}; static hit rate {self.static_rate:.1%}"),
            "  time: " + ", ".join(f"{name} {s * 1e3:.0f} ms" for name, s in self.seconds.items()),
        ]
        if self.unchanged:
            lines.append("  nothing changed since the previous snapshot: its rows were kept, not rebuilt")
        if self.previous_note:
            lines.append(f"  previous snapshot not used: {self.previous_note}")
        if self.problems:
            lines.append(f"  {len(self.problems)} problems met while walking (see --json)")
        if self.errors:
            lines.append(f"  {len(self.errors)} packages without data (source late/error)")
        return "\n".join(lines)


def problem_dict(problem: ScanProblem) -> dict[str, Any]:
    return {"path": problem.path, "code": problem.code, "message": problem.message, "family": problem.family}
