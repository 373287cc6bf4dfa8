"""rez's ``Requirement`` and ``RequirementList`` (spec: rez-solver.md section C)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Final

from ._errors import InvalidRange, InvalidRequirement
from ._range import VersionRange
from ._version import Version

__all__ = ["Requirement", "RequirementList", "requirement_name"]

_SEPARATOR: Final = re.compile(r"[-@#=<>]")
_ANY_RANGE: Final = VersionRange("")


class Requirement:
    """An immutable rez requirement: ``foo-1.2+``, ``foo==2``, ``!foo``, ``~foo<2``, ``.eph-1``.

    ``range`` is ``None`` for a weak requirement whose written range is any
    (``~foo``: no effect). A weak requirement stores the *inverse* of its
    written range and is also a conflict (C.1). Names are not validated here.
    """

    __slots__ = ("_str", "conflict", "name", "range", "sep", "weak")

    name: str
    range: VersionRange | None
    conflict: bool
    weak: bool
    sep: str
    _str: str | None

    def __new__(cls, text: str) -> Requirement:  # noqa: PYI034  parsed instances are cached
        if not isinstance(text, str):
            raise TypeError(f"Requirement() takes a str, not {type(text).__name__}")
        return _parse_requirement(text)

    @classmethod
    def _make(
        cls, name: str, range_: VersionRange | None, conflict: bool, weak: bool, sep: str
    ) -> Requirement:
        new = object.__new__(cls)
        new.name = name
        new.range = range_
        new.conflict = conflict
        new.weak = weak
        new.sep = sep
        new._str = None
        return new

    @classmethod
    def construct(cls, name: str, range_: VersionRange | None = None) -> Requirement:
        return cls._make(name, _ANY_RANGE if range_ is None else range_, False, False, "-")

    @property
    def ephemeral(self) -> bool:
        return self.name.startswith(".")

    def conflicts_with(self, other: Requirement) -> bool:
        """C.4: whether the two requirements cannot both hold."""
        if self.name != other.name or self.range is None or other.range is None:
            return False
        if self.conflict:
            return False if other.conflict else self.range.issuperset(other.range)
        if other.conflict:
            return other.range.issuperset(self.range)
        return not self.range.intersects(other.range)

    def conflicts_with_version(self, version: Version) -> bool:
        """C.4 against a versioned object ``name-version`` of the same family."""
        if self.range is None:
            return False
        inside = self.range.contains_version(version)
        return inside if self.conflict else not inside

    def merged(self, other: Requirement) -> Requirement | None:
        """C.5: one requirement equivalent to both, or ``None`` when they conflict."""
        if self.name != other.name:
            return None
        if self.range is None:
            return other
        if other.range is None:
            return self
        if self.conflict:
            if other.conflict:
                union = self.range | other.range
                weak = self.weak and other.weak and not union.is_any()
                return Requirement._make(self.name, union, self.conflict, weak, self.sep)
            rest = other.range - self.range
            return None if rest is None else other._with_range(rest)
        if other.conflict:
            rest = self.range - other.range
            return None if rest is None else self._with_range(rest)
        both = self.range & other.range
        return None if both is None else self._with_range(both)

    def _with_range(self, range_: VersionRange) -> Requirement:
        return Requirement._make(self.name, range_, self.conflict, self.weak, self.sep)

    def __str__(self) -> str:
        text = self._str
        if text is None:
            prefix = "~" if self.weak else ("!" if self.conflict else "")
            shown = self.range
            if self.weak or shown is None:
                shown = (~shown if shown is not None else None) or _ANY_RANGE
            if shown.is_any():
                text = prefix + self.name
            else:
                range_text = str(shown)
                sep = "" if range_text[0] in "=<>" else self.sep
                text = prefix + self.name + sep + range_text
            self._str = text
        return text

    def __repr__(self) -> str:
        return f"Requirement({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Requirement):
            return NotImplemented
        return self.name == other.name and self.range == other.range and self.conflict == other.conflict

    def __hash__(self) -> int:
        return hash(str(self))  # as rez: ~foo-1 == !foo<1|1_+ yet they hash apart

    def __reduce__(self) -> tuple[object, ...]:
        return (Requirement._make, (self.name, self.range, self.conflict, self.weak, self.sep))


def requirement_name(text: str) -> str:
    """``Requirement(text).name`` without parsing the range (C.1: what precedes the first
    separator, after a ``!`` or ``~``); the text need not be a valid requirement."""
    rest = text[1:] if text[:1] in "!~" else text
    match = _SEPARATOR.search(rest)
    return rest if match is None else rest[: match.start()]


@lru_cache(maxsize=65536)
def _parse_requirement(text: str) -> Requirement:
    """C.1; cached, as requirements are immutable and the same strings recur everywhere."""
    rest = text
    conflict = weak = False
    if rest.startswith("!"):
        conflict, rest = True, rest[1:]
    elif rest.startswith("~"):
        conflict = weak = True
        rest = rest[1:]
    match = _SEPARATOR.search(rest)
    sep = "-"
    if match is None:
        return Requirement._make(rest, None if weak else _ANY_RANGE, conflict, weak, sep)
    name, range_text = rest[: match.start()], rest[match.start():]
    if range_text[0] in "-@#":
        sep, range_text = range_text[0], range_text[1:]
    try:
        range_: VersionRange | None = VersionRange(range_text)
        if weak:
            range_ = ~range_  # type: ignore[operator]
    except InvalidRange as exc:
        raise InvalidRequirement(text, str(exc)) from None
    return Requirement._make(name, range_, conflict, weak, sep)


class RequirementList:
    """C.6: requirements merged per name, in order of first appearance, or the first conflict."""

    __slots__ = ("_by_name", "conflict", "conflict_names", "names", "requirements")

    requirements: tuple[Requirement, ...]
    conflict: tuple[Requirement, Requirement] | None
    names: frozenset[str]
    conflict_names: frozenset[str]

    def __init__(self, requirements: Iterable[Requirement]) -> None:
        reqs = list(requirements)
        by_name: dict[str, Requirement] = {}
        self.conflict = None
        self.requirements = ()
        self.names = self.conflict_names = frozenset()
        self._by_name = by_name
        for req in reqs:
            existing = by_name.get(req.name)
            if existing is None:
                by_name[req.name] = req
                continue
            merged = existing.merged(req)
            if merged is None:
                self.conflict = (existing, req)
                return
            by_name[req.name] = merged
        self.requirements = tuple(by_name.values())  # dicts keep first-appearance order
        self.names = frozenset(r.name for r in self.requirements if not r.conflict)
        self.conflict_names = frozenset(r.name for r in self.requirements if r.conflict)

    def get(self, name: str) -> Requirement | None:
        return self._by_name.get(name)

    def by_name(self) -> Mapping[str, Requirement]:
        """The merged requirements by family name (read-only: the list is shared)."""
        return self._by_name

    def __iter__(self) -> Iterator[Requirement]:
        return iter(self.requirements)

    def __len__(self) -> int:
        return len(self.requirements)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RequirementList):
            return NotImplemented
        return self.requirements == other.requirements and self.conflict == other.conflict

    __hash__ = None  # type: ignore[assignment]

    def __str__(self) -> str:
        if self.conflict:
            return f"{self.conflict[0]} <--!--> {self.conflict[1]}"
        return " ".join(map(str, self.requirements))

    def __repr__(self) -> str:
        return f"RequirementList({str(self)!r})"
