"""What the solver works out from a family's content, shared by every family of equal content.

A family's content is its packages in order: version key, requirement texts and variant
bits. Everything here is a function of it, so a ``Repository`` per solve, a snapshot read
again or a refresh finds what an earlier family of the same content worked out:

- the dependency groups (a family's distinct requirements on a name, with the mask of the
  variants that have each; spec D.7);
- the variants inside a range (a mask), per requirement range;
- per set of variants (a mask): the families they all require and those any requires;
- per set of variants in an order: the requests extracted from them (``VariantSlice``
  owns the key).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from rezsnap.version import Requirement, VersionRange

from ._requirements import requirement

if TYPE_CHECKING:
    from ._families import StoredPackage

__all__ = ["DependencyGroups", "FamilyFacts", "remember", "shared_facts"]

DependencyGroups = tuple[tuple[Requirement, int], ...]
_NO_GROUPS: Final[DependencyGroups] = ()
_MEMO_MAX: Final = 4096  # entries per memo of one family content: a bound for ranges made on the fly


class FamilyFacts:
    """The memos of one family content (filled as solves ask; safe to share across threads:
    each entry is a function of its key, so a race only computes one twice)."""

    __slots__ = ("_groups", "_inside", "extractions", "fam_info")

    def __init__(self) -> None:
        self._groups: dict[str, DependencyGroups | None] | None = None
        self._inside: dict[VersionRange, int] = {}
        self.fam_info: dict[int, tuple[frozenset[str], frozenset[str]]] = {}
        self.extractions: dict[tuple[object, ...], tuple[Requirement, ...]] = {}

    def dependency_groups(self, packages: Sequence[StoredPackage], name: str) -> DependencyGroups | None:
        groups = self._groups
        if groups is None:
            groups = self._groups = _dependency_groups(packages)
        return groups.get(name, _NO_GROUPS)

    def variants_inside(self, packages: Sequence[StoredPackage], keys: Sequence[bytes], range_: VersionRange) -> int:
        found = self._inside.get(range_)
        if found is None:
            found = 0
            for i in range_.positions_in(keys):
                package = packages[i]
                found |= ((1 << (len(package.data.variants) or 1)) - 1) << package.first_bit
            remember(self._inside, range_, found)
        return found


def remember(memo: dict, key: object, value: object) -> None:  # type: ignore[type-arg]
    """Keep ``value`` unless the memo is full (the first entries are the common ones)."""
    if len(memo) < _MEMO_MAX:
        memo[key] = value


_FACTS_BY_CONTENT: dict[tuple[object, ...], FamilyFacts] = {}
_FACTS_BY_CONTENT_MAX: Final = 20_000


def shared_facts(packages: Sequence[StoredPackage]) -> FamilyFacts:
    """The facts of a family of these packages (their variant bits numbered)."""
    content = tuple((p.first_bit, p.version.packed_key, p.data.requires, p.data.variants) for p in packages)
    try:
        found = _FACTS_BY_CONTENT.get(content)
    except TypeError:  # lists where PackageData wants tuples: not hashable, not shared
        return FamilyFacts()
    if found is None:
        if len(_FACTS_BY_CONTENT) >= _FACTS_BY_CONTENT_MAX:
            _FACTS_BY_CONTENT.clear()
        found = _FACTS_BY_CONTENT[content] = FamilyFacts()
    return found


def _dependency_groups(packages: Sequence[StoredPackage]) -> dict[str, DependencyGroups | None]:
    # grouped by identity: requirements are shared per text, and hashing one formats it;
    # an equal requirement that is another object only makes one more group
    groups: dict[str, dict[int, tuple[Requirement, int]]] = {}
    broken: set[str] = set()
    for package in packages:
        data = package.data
        common = [requirement(text) for text in data.requires]
        for offset, extra in enumerate(data.variants or ((),)):
            requires = common + [requirement(text) for text in extra] if extra else common
            by_name: dict[str, Requirement] = {}
            for required in requires:
                name = required.name
                found = by_name.get(name)
                if found is None:
                    by_name[name] = required
                    continue
                merged = found.merged(required)  # C.6, per name
                if merged is None:
                    broken.add(name)
                else:
                    by_name[name] = merged
            bit = 1 << (package.first_bit + offset)
            for name, required in by_name.items():
                masks = groups.setdefault(name, {})
                group = masks.get(id(required))
                masks[id(required)] = (required, bit if group is None else group[1] | bit)
    result: dict[str, DependencyGroups | None] = {name: tuple(masks.values()) for name, masks in groups.items()}
    for name in broken:
        result[name] = None
    return result
