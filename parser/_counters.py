"""Counters a studio reads to see its static-parse hit rate."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from ._package import ParseStatus

__all__ = ["ParseCounters"]


@dataclass(slots=True)
class ParseCounters:
    """How many files were seen, parsed statically, declined, unreadable... (mutable: it counts)."""

    files_seen: int = 0
    static: int = 0
    dynamic: int = 0
    late: int = 0
    errors: int = 0
    io_errors: int = 0
    not_python: int = 0
    yaml: int = 0
    rez_fallback: int = 0

    def count(self, status: ParseStatus) -> None:
        if status is ParseStatus.STATIC:
            self.static += 1
        elif status is ParseStatus.DYNAMIC:
            self.dynamic += 1
        elif status is ParseStatus.LATE:
            self.late += 1
        else:
            self.errors += 1

    def add(self, other: ParseCounters) -> None:
        for field, value in asdict(other).items():
            setattr(self, field, getattr(self, field) + value)

    @property
    def static_hit_rate(self) -> float:
        return self.static / self.files_seen if self.files_seen else 0.0

    def as_dict(self) -> dict[str, int | float]:
        return {**asdict(self), "static_hit_rate": self.static_hit_rate}
