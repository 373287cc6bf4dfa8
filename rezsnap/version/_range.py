"""rez's ``VersionRange``: an ordered list of bounds, parsed, normalised and printed as rez does.

Spec: rez-solver.md section B. Every operation mirrors rez 3.4.0's
``rez/version/_version.py`` structurally (including the union quirk of B.3 and
the unsorted, un-normalised result of an intersection), but compares
precomputed ``bytes`` keys (``Version.packed_key``) instead of token objects.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from functools import lru_cache
from operator import attrgetter
from typing import Final

from ._errors import InvalidRange, InvalidVersion
from ._version import Version, VersionKey

__all__ = ["Bound", "VersionRange"]

#: A bound end's key: the version's packed key, plus one 0x00 byte for an exclusive
#: lower or an inclusive upper end. Packed keys are prefix-free, so this orders
#: lower ends by version, then inclusive first, and upper ends by version, then
#: exclusive first; and a version ``v`` is inside ``[lower_key, upper_key)`` of
#: packed keys exactly when it is inside the bound (see ``contains_key``).
EndKey = bytes
_EMPTY: Final = Version("")
_ZERO: Final = b"\x00"


class Bound:
    """One contiguous interval: a lower end ``(version, inclusive)`` and an upper end.

    The empty version as an inclusive lower end means "no lower bound";
    ``Version.inf`` as an inclusive upper end means "no upper bound".
    """

    __slots__ = ("lower", "lower_inclusive", "lower_key", "upper", "upper_inclusive", "upper_key")

    lower: Version
    lower_inclusive: bool
    upper: Version
    upper_inclusive: bool
    #: lower ends order by version, then inclusive before exclusive; ``lower_key <
    #: upper_key`` exactly when the bound is non-empty (at one version both ends must
    #: be inclusive: p < p + 0x00)
    lower_key: EndKey
    #: upper ends order by version, then exclusive before inclusive
    upper_key: EndKey

    def __init__(
        self,
        lower: Version = _EMPTY,
        lower_inclusive: bool = True,
        upper: Version = Version.inf,
        upper_inclusive: bool = True,
        check: bool = True,
    ) -> None:
        if not upper and not upper_inclusive:  # rez's _UpperBound('', exclusive)
            raise InvalidRange(f"<{upper}", "invalid upper bound")
        self.lower = lower
        self.lower_inclusive = lower_inclusive
        self.upper = upper
        self.upper_inclusive = upper_inclusive
        self.lower_key = lower.packed_key if lower_inclusive else lower.packed_key + _ZERO
        self.upper_key = upper.packed_key + _ZERO if upper_inclusive else upper.packed_key
        if check and not self.lower_key < self.upper_key:
            raise InvalidRange(str(self), "invalid bound")

    @classmethod
    def exact(cls, version: Version) -> Bound:
        return cls(version, True, version, True, check=False)  # [v, v] is always valid

    def __str__(self) -> str:
        lower, upper = self.lower, self.upper
        if upper.is_inf:
            return _lower_text(lower, self.lower_inclusive)
        if lower == upper:
            return f"=={lower}"
        if self.lower_inclusive and self.upper_inclusive:
            return f"{lower}..{upper}" if lower else f"<={upper}"
        if self.lower_inclusive and not self.upper_inclusive and lower.next() == upper:
            return str(lower)
        return _lower_text(lower, self.lower_inclusive) + ("<=" if self.upper_inclusive else "<") + str(upper)

    def __repr__(self) -> str:
        return f"Bound({str(self)!r})"

    @property
    def key(self) -> tuple[EndKey, EndKey]:
        # not stored: bounds are built by the hundred thousand, each object is GC work
        return (self.lower_key, self.upper_key)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Bound):
            return NotImplemented
        return self.lower_key == other.lower_key and self.upper_key == other.upper_key

    def __hash__(self) -> int:
        return hash((self.lower_key, self.upper_key))

    def contains_key(self, key: bytes) -> int:
        """For a version's ``packed_key``: -1 below the lower end, 1 above the upper end,
        0 inside (rez's version_containment)."""
        if key < self.lower_key:
            return -1
        if key < self.upper_key:
            return 0
        return 1

    def contains_bound(self, other: Bound) -> bool:
        return self.lower_key <= other.lower_key and self.upper_key >= other.upper_key

    def intersection(self, other: Bound) -> Bound | None:
        """The bound of the versions in both, ``None`` if none. A bound inside the other is
        returned as it is (bounds are immutable); on equal upper ends the result keeps
        this bound's end, as rez does (its text may differ: ``1_0.a`` and ``1_0-a``)."""
        xl, xu, yl, yu = self.lower_key, self.upper_key, other.lower_key, other.upper_key
        if xl >= yl:
            if xu <= yu:
                return self
            lower, lk, upper, uk = self, xl, other, yu
        elif yu < xu:
            return other
        else:
            lower, lk, upper, uk = other, yl, self, xu
        if lk < uk:  # non-empty (see lower_key)
            bound = _new(Bound)
            bound.lower, bound.lower_inclusive, bound.lower_key = lower.lower, lower.lower_inclusive, lk
            bound.upper, bound.upper_inclusive, bound.upper_key = upper.upper, upper.upper_inclusive, uk
            return bound
        return None

    def intersects(self, other: Bound) -> bool:
        lower = self if self.lower_key >= other.lower_key else other
        upper = self if self.upper_key <= other.upper_key else other
        return lower.lower_key < upper.upper_key


_new: Final = object.__new__  # the hot paths build bounds and ranges without __init__


def _lower_text(version: Version, inclusive: bool) -> str:
    if version:
        return f"{version}+" if inclusive else f">{version}"
    return "" if inclusive else ">"


_ANY: Final = Bound()

# rez's _VersionRangeParser regex, verbatim in meaning (see spec B.2).
_V = r"([0-9a-zA-Z_]+(?:[.-][0-9a-zA-Z_]+)*)"
_RANGE_PATTERN: Final = (
    (
        rf"   ^(?P<version>{_V})$"
        rf"|  ^(?P<exact_version>==(?P<exact_version_group>{_V})?)$"
        rf"|  ^(?P<inclusive_bound>(?P<inclusive_lower_version>{_V})?\.\.(?P<inclusive_upper_version>{_V})?)$"
        rf"|  ^(?P<lower_bound>(?P<lower_bound_prefix>>|>=)?(?P<lower_version>{_V})?(?(lower_bound_prefix)|\+))$"
        rf"|  ^(?P<upper_bound>(?P<upper_bound_prefix><(?={_V})|<=)?(?P<upper_version>{_V})?)$"
        r"|  ^(?P<range_asc>"
        rf"       (?P<range_lower_asc>(?P<range_lower_asc_prefix>>|>=)?(?P<range_lower_asc_version>{_V})?"
        r"           (?(range_lower_asc_prefix)|\+)?)"
        rf"       (?P<range_upper_asc>(?(range_lower_asc_version),?|)(?P<range_upper_asc_prefix><(?={_V})|<=)"
        rf"           (?P<range_upper_asc_version>{_V})?))$"
        r"|  ^(?P<range_desc>"
        rf"       (?P<range_upper_desc>(?P<range_upper_desc_prefix><|<=)?(?P<range_upper_desc_version>{_V})?"
        r"           (?(range_upper_desc_prefix)|\+)?)"
        rf"       (?P<range_lower_desc>(?(range_upper_desc_version),|)(?P<range_lower_desc_prefix><(?={_V})|>=?)"
        rf"           (?P<range_lower_desc_version>{_V})?))$"
    ),
    re.VERBOSE,
)
_range_regex: re.Pattern[str] | None = None


def _range_match(part: str) -> re.Match[str] | None:
    """``_RANGE_PATTERN`` searched in ``part``; compiled on first use (about 3 ms: a walk or a
    scan, which parse no range, do not pay it)."""
    global _range_regex
    if _range_regex is None:
        _range_regex = re.compile(*_RANGE_PATTERN)
    return _range_regex.search(part)


def _version(text: str | None) -> Version:
    return Version(text or "")


def _parse_part(part: str) -> Bound:
    """One ``|``-separated part of a range string, as rez's parser actions build it."""
    match = _range_match(part)
    if not match:
        raise InvalidRange(part, "syntax error")
    g = match.groupdict()
    if g["range_asc"]:
        lower, lower_incl = _version(None), True
        if g["range_lower_asc"]:
            lower, lower_incl = _version(g["range_lower_asc_version"]), g["range_lower_asc_prefix"] != ">"
        upper = _version(g["range_upper_asc_version"])
        return Bound(lower, lower_incl, upper, g["range_upper_asc_prefix"] != "<")
    if g["version"]:
        version = _version(g["version"])
        return Bound(version, True, version.next(), False)
    if g["lower_bound"]:
        return Bound(_version(g["lower_version"]), g["lower_bound_prefix"] != ">")
    if g["exact_version"]:
        version = _version(g["exact_version_group"])
        return Bound(version, True, version, True)
    if g["range_desc"]:
        lower, lower_incl = _version(None), True
        upper, upper_incl = Version.inf, True
        if g["range_lower_desc"]:
            # quirk kept from rez: '<V' on the lower side means an inclusive lower V
            lower = _version(g["range_lower_desc_version"])
            lower_incl = g["range_lower_desc_prefix"] != ">"
        if g["range_upper_desc"]:
            upper = _version(g["range_upper_desc_version"])
            upper_incl = g["range_upper_desc_prefix"] != "<"
        return Bound(lower, lower_incl, upper, upper_incl)
    if g["inclusive_bound"]:
        lower = _version(g["inclusive_lower_version"])
        return Bound(lower, True, _version(g["inclusive_upper_version"]), True)
    # upper_bound (the regex guarantees one alternative matched)
    return Bound(upper=_version(g["upper_version"]), upper_inclusive=g["upper_bound_prefix"] != "<")


def _union(bounds: Sequence[Bound]) -> tuple[Bound, ...]:
    """rez's ``VersionRange._union``, including its "previous bound" quirk (spec B.3)."""
    if len(bounds) < 2:
        return tuple(bounds)
    ordered = sorted(bounds, key=_bound_key)
    merged = []
    start = ordered[0]
    upper = start  # the bound holding the running maximum upper end
    previous = start
    for bound in ordered[1:]:
        lk, uk = bound.lower.packed_key, upper.upper.packed_key
        if lk > uk or (lk == uk and not bound.lower_inclusive and not previous.upper_inclusive):
            merged.append(Bound(start.lower, start.lower_inclusive, upper.upper, upper.upper_inclusive))
            start = bound
            upper = bound
        elif bound.upper_key > upper.upper_key:
            upper = bound
        previous = bound
    merged.append(Bound(start.lower, start.lower_inclusive, upper.upper, upper.upper_inclusive))
    return tuple(merged)


def _bound_key(bound: Bound) -> tuple[EndKey, EndKey]:
    return (bound.lower_key, bound.upper_key)


# Bisection over a normalised range's bounds (ascending, disjoint: lower ends are
# distinct) by lower end; callers look at both neighbours of the position found.
_lower_key: Final = attrgetter("lower_key")


@lru_cache(maxsize=16384)
def _parse(text: str) -> tuple[Bound, ...]:
    bounds: list[Bound] = []
    is_any = False
    for part in text.split("|"):
        if part == "":
            is_any = True
            bounds = []
            continue
        if is_any:
            # rez only syntax-checks the parts after an empty one: no bound is built
            if not _range_match(part):
                raise InvalidRange(part, "syntax error")
            continue
        bounds.append(_parse_part(part))
    if not bounds:
        return (_ANY,)
    return _union(bounds)


class VersionRange:
    """An immutable rez version range: ``VersionRange("1.2+<2|3")``; ``""`` is the any range."""

    __slots__ = ("_hash", "_single", "_str", "bounds")

    bounds: tuple[Bound, ...]
    _single: Bound | None  # the bound of a one-bound range (the common case), else None
    _str: str | None
    _hash: int | None

    def __init__(self, text: str | None = "") -> None:
        if text is None:
            text = ""
        elif not isinstance(text, str):
            raise TypeError(f"VersionRange() takes a str, not {type(text).__name__}")
        try:
            self.bounds = bounds = _parse(text)
        except (InvalidRange, InvalidVersion) as exc:
            reason = exc.reason if isinstance(exc, InvalidRange) else str(exc)
            raise InvalidRange(text, reason) from None
        self._single = bounds[0] if len(bounds) == 1 else None
        self._str = None
        self._hash = None

    @classmethod
    def _from_bounds(cls, bounds: Iterable[Bound]) -> VersionRange:
        new = object.__new__(cls)
        new.bounds = bounds = bounds if type(bounds) is tuple else tuple(bounds)
        new._single = bounds[0] if len(bounds) == 1 else None
        new._str = None
        new._hash = None
        return new

    @classmethod
    def from_bounds(cls, bounds: Iterable[Bound]) -> VersionRange:
        """A range of exactly these bounds, which must already be ascending and disjoint,
        as a normalised range holds them (not checked: a hot path of the solver)."""
        return cls._from_bounds(bounds)

    @classmethod
    def from_versions(cls, versions: Iterable[Version]) -> VersionRange:
        """One exact bound per distinct version, ascending (``==1|==2``)."""
        unique: dict[VersionKey, Version] = {}
        for version in sorted(versions):
            unique.setdefault(version.key, version)
        return cls._from_bounds(Bound.exact(v) for v in unique.values())

    @classmethod
    def as_span(
        cls,
        lower: Version | None = None,
        upper: Version | None = None,
        lower_inclusive: bool = True,
        upper_inclusive: bool = True,
    ) -> VersionRange:
        lower_end = (Version(""), True) if lower is None else (lower, lower_inclusive)
        upper_end = (Version.inf, True) if upper is None else (upper, upper_inclusive)
        return cls._from_bounds([Bound(*lower_end, *upper_end)])

    # -- queries

    def is_any(self) -> bool:
        return len(self.bounds) == 1 and self.bounds[0] == _ANY

    def lower_bounded(self) -> bool:
        first = self.bounds[0]
        return not (first.lower_inclusive and not first.lower)

    def upper_bounded(self) -> bool:
        return not self.bounds[-1].upper.is_inf

    def bounded(self) -> bool:
        return self.lower_bounded() and self.upper_bounded()

    def contains_version(self, version: Version) -> bool:
        key = version._packed
        if key is None:
            key = version.packed_key
        bound = self._single
        if bound is not None:  # the common case, without the loop
            return bound.lower_key <= key < bound.upper_key
        bounds = self.bounds
        if len(bounds) < 5:
            # rez's early exit: bounds ascend, so a version below one is below the rest
            for bound in bounds:
                if key < bound.lower_key:
                    return False
                if key < bound.upper_key:
                    return True
            return False
        i = bisect_left(bounds, key, key=_lower_key)
        if i and bounds[i - 1].contains_key(key) == 0:
            return True
        return i < len(bounds) and bounds[i].contains_key(key) == 0

    def issuperset(self, other: VersionRange) -> bool:
        bounds = self.bounds
        lo = 0
        for bound in other.bounds:
            i = bisect_left(bounds, bound.lower_key, lo=lo, key=_lower_key)
            if i and bounds[i - 1].contains_bound(bound):
                lo = i - 1
            elif i < len(bounds) and bounds[i].contains_bound(bound):
                lo = i
            else:
                return False
        return True

    def issubset(self, other: VersionRange) -> bool:
        return other.issuperset(self)

    def intersects(self, other: VersionRange) -> bool:
        shorter, longer = sorted((self.bounds, other.bounds), key=len)
        if len(longer) < 5:
            return any(a.intersects(b) for a in shorter for b in longer)
        lo = 0
        for bound in shorter:
            i = bisect_left(longer, bound.lower_key, lo=lo, key=_lower_key)
            if i and longer[i - 1].intersects(bound):
                return True
            if i < len(longer) and longer[i].intersects(bound):
                return True
            lo = max(i - 1, 0)
        return False

    # -- operations (each returns a new range, or None for "no range")

    def union(self, other: VersionRange | Iterable[VersionRange]) -> VersionRange:
        others = [other] if isinstance(other, VersionRange) else list(other)
        bounds = list(self.bounds)
        for rng in others:
            bounds.extend(rng.bounds)
        return VersionRange._from_bounds(_union(bounds))

    def intersection(self, other: VersionRange | Iterable[VersionRange]) -> VersionRange | None:
        others = [other] if isinstance(other, VersionRange) else list(other)
        result: VersionRange | None = self
        for rng in others:
            result = result & rng  # type: ignore[operator]
            if result is None:
                return None
        return result

    def inverse(self) -> VersionRange | None:
        if self.is_any():
            return None
        lowers: list[tuple[Version, bool] | None] = [None]
        uppers: list[tuple[Version, bool] | None] = []
        for bound in self.bounds:
            if not bound.lower and bound.lower_inclusive:
                uppers.append(None)
            else:
                uppers.append((bound.lower, not bound.lower_inclusive))
            lowers.append(None if bound.upper.is_inf else (bound.upper, not bound.upper_inclusive))
        uppers.append(None)
        bounds = []
        for lower, upper in zip(lowers, uppers):
            if lower is None and upper is None:
                continue
            lower_end = (Version(""), True) if lower is None else lower
            upper_end = (Version.inf, True) if upper is None else upper
            bounds.append(Bound(*lower_end, *upper_end))  # may raise: spec B.3 quirk
        return VersionRange._from_bounds(bounds)

    def span(self) -> VersionRange:
        first, last = self.bounds[0], self.bounds[-1]
        return VersionRange._from_bounds(
            [Bound(first.lower, first.lower_inclusive, last.upper, last.upper_inclusive)]
        )

    def split(self) -> list[VersionRange]:
        return [VersionRange._from_bounds([b]) for b in self.bounds]

    def to_versions(self) -> list[Version] | None:
        versions = [
            b.lower for b in self.bounds
            if b.lower_inclusive and b.upper_inclusive and b.lower == b.upper
        ]
        return versions or None

    def positions_in(self, sorted_keys: Sequence[bytes]) -> list[int]:
        """Indices of the versions (given by their ascending ``packed_key``) inside this range.

        The solver's fast path: one ``bisect`` pair per bound instead of one
        containment test per version (a version is inside exactly when
        ``lower_key <= packed_key < upper_key``).
        """
        hits: list[int] = []
        for bound in self.bounds:
            hits.extend(range(bisect_left(sorted_keys, bound.lower_key), bisect_left(sorted_keys, bound.upper_key)))
        return sorted(set(hits)) if len(self.bounds) > 1 else hits

    def __contains__(self, item: Version | VersionRange) -> bool:
        if isinstance(item, Version):
            return self.contains_version(item)
        return self.issuperset(item)

    def __len__(self) -> int:
        return len(self.bounds)

    def __invert__(self) -> VersionRange | None:
        return self.inverse()

    def __and__(self, other: VersionRange) -> VersionRange | None:
        x, y = self._single, other._single
        if x is not None and y is not None:  # the common case: no loop, no list
            bound = x.intersection(y)
            if bound is None:
                return None
            if bound is x:  # inside the other: share the operand (immutable)
                return self
            if bound is y:
                return other
            new = _new(VersionRange)
            new.bounds, new._single, new._str, new._hash = (bound,), bound, None, None
            return new
        # every pair in order, not re-normalised (as rez: spec B.5)
        bounds = []
        theirs = other.bounds
        for x in self.bounds:
            for y in theirs:
                bound = x.intersection(y)
                if bound is not None:
                    bounds.append(bound)
        if not bounds:
            return None
        new = _new(VersionRange)
        new.bounds, new._str, new._hash = tuple(bounds), None, None
        new._single = bounds[0] if len(bounds) == 1 else None
        return new

    def __or__(self, other: VersionRange) -> VersionRange:
        return self.union(other)

    __add__ = __or__

    def __sub__(self, other: VersionRange) -> VersionRange | None:
        inverse = other.inverse()
        return None if inverse is None else self.intersection(inverse)

    def __str__(self) -> str:
        text = self._str
        if text is None:
            text = self._str = "|".join(map(str, self.bounds))
        return text

    def __repr__(self) -> str:
        return f"VersionRange({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VersionRange):
            return NotImplemented
        return self.bounds == other.bounds

    def __lt__(self, other: VersionRange) -> bool:
        return [b.key for b in self.bounds] < [b.key for b in other.bounds]

    def __hash__(self) -> int:
        h = self._hash
        if h is None:
            h = self._hash = hash(tuple(b.key for b in self.bounds))
        return h

    def __reduce__(self) -> tuple[object, ...]:
        ends = [(b.lower, b.lower_inclusive, b.upper, b.upper_inclusive) for b in self.bounds]
        return (_rebuild_range, (ends,))


def _rebuild_range(ends: list[tuple[Version, bool, Version, bool]]) -> VersionRange:
    return VersionRange._from_bounds(Bound(*end, check=False) for end in ends)

