"""The solver's view of the packages: families loaded once per solve, variants built lazily.

The data path is columnar: a family is a list of packages sorted by version
key, so "which packages are in this range" is a ``bisect`` over the keys
(``VersionRange.positions_in``), not a comparison per package.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Final

from rezsnap.model import PackageData
from rezsnap.version import Bound, Requirement, RequirementList, Version, VersionRange

from ._failures import PackageFamilyNotFoundError, ResolveError

__all__ = ["Family", "FamilyCache", "PackageVariant", "RangedLoader", "StoredPackage", "covers", "widen"]


_VARIANTS_LOCK: Final = threading.Lock()


class StoredPackage:
    """One package version of a family, with its definition's URI for output."""

    __slots__ = ("_exact_bound", "data", "first_bit", "uri", "version")

    def __init__(self, data: PackageData, version: Version, uri: str | None) -> None:
        self.data = data
        self.version = version
        self.uri = uri
        self.first_bit = -1  # its first variant's position among its family's variants (-1: none yet)
        self._exact_bound: Bound | None = None

    @property
    def exact_bound(self) -> Bound:
        """==version, for the ranges of slices (built when a slice first needs it: most
        packages of a family are never a candidate)."""
        bound = self._exact_bound
        if bound is None:
            bound = self._exact_bound = Bound.exact(self.version)
        return bound

    def new_variants(self) -> list[PackageVariant]:
        """Its variants, new objects (``Family.variants`` keeps the ones every solve shares)."""
        indexes: list[int | None] = list(range(len(self.data.variants))) if self.data.variants else [None]
        return [PackageVariant(self, i) for i in indexes]


class PackageVariant:
    """One variant: the package's requires plus the variant's, merged (spec C.7)."""

    __slots__ = ("_requires", "bit", "by_name", "index", "name", "package", "version")

    def __init__(self, package: StoredPackage, index: int | None) -> None:
        self.package = package
        self.name = package.data.name
        self.version = package.version
        self.index = index
        self.bit = 1 << (package.first_bit + (index or 0))  # its member bit in family-wide masks
        self._requires: RequirementList | None = None

    @property
    def requires_list(self) -> RequirementList:
        requires = self._requires
        if requires is None:
            data = self.package.data
            texts = tuple(data.requires) if self.index is None else (*data.requires, *data.variants[self.index])
            requires = _requirement_list(texts)
            if requires.conflict is not None:
                a, b = requires.conflict
                raise ResolveError(  # the variant as rez prints it: name-version[index]
                    f"The package {self} has an internal requirements conflict: {a} <--!--> {b}"
                )
            # by_name first: another thread reads it as soon as _requires is set.
            self.by_name: Mapping[str, Requirement] = requires.by_name()
            self._requires = requires
        return requires

    @property
    def request_fams(self) -> frozenset[str]:
        """Names of its non-conflict requirements."""
        return self.requires_list.names

    @property
    def conflict_request_fams(self) -> frozenset[str]:
        return self.requires_list.conflict_names

    def get(self, name: str) -> Requirement | None:
        if self._requires is None:
            _ = self.requires_list  # computes by_name
        return self.by_name.get(name)

    @property
    def qualified_package_name(self) -> str:
        return f"{self.name}-{self.version}" if str(self.version) else self.name

    def __str__(self) -> str:
        return f"{self.qualified_package_name}[{'' if self.index is None else self.index}]"


_REQUIREMENTS: dict[str, Requirement] = {}
_REQUIREMENTS_MAX: Final = 200_000


def _requirement(text: str) -> Requirement:
    found = _REQUIREMENTS.get(text)
    if found is None:
        if len(_REQUIREMENTS) >= _REQUIREMENTS_MAX:
            _REQUIREMENTS.clear()
        found = _REQUIREMENTS[text] = Requirement(text)
    return found


# A variant's requirement texts repeat across the versions of a family and across the
# repositories a process builds (a refreshed snapshot, a Repository per solve): each
# distinct tuple is merged once (RequirementList is immutable).
_REQUIREMENT_LISTS: dict[tuple[str, ...], RequirementList] = {}
_REQUIREMENT_LISTS_MAX: Final = 100_000


def _requirement_list(texts: tuple[str, ...]) -> RequirementList:
    found = _REQUIREMENT_LISTS.get(texts)
    if found is None:
        if len(_REQUIREMENT_LISTS) >= _REQUIREMENT_LISTS_MAX:
            _REQUIREMENT_LISTS.clear()
        found = _REQUIREMENT_LISTS[texts] = RequirementList(_requirement(t) for t in texts)
    return found


class Family:
    """A family's packages in ascending version order (rez's repository order here).

    A family loaded for a version range is widened into a new ``Family`` holding the
    same package objects plus the new ones: a package keeps its variant bits (``next_bit``
    numbers the new ones), so masks built from the narrower family stay valid.
    """

    __slots__ = ("_dependencies", "_requires_names", "_variants", "keys", "name", "next_bit", "packages")

    def __init__(self, name: str, packages: Sequence[StoredPackage], next_bit: int = 0,
                 variants: dict[int, list[PackageVariant]] | None = None) -> None:
        self.name = name
        self.packages = list(packages)
        # By package id, here rather than on the package: a variant points to its package,
        # and a package pointing back would make every family a reference cycle, left for
        # the cyclic GC (a full collection per few solves where repositories come and go).
        # A widened family shares its narrower one's (same packages, same variant objects).
        self._variants: dict[int, list[PackageVariant]] = {} if variants is None else variants
        self.keys: list[bytes] = [p.version.packed_key for p in self.packages]  # for positions_in
        self._requires_names: frozenset[str] | None = None
        self._dependencies: dict[str, DependencyGroups | None] | None = None
        for package in self.packages:
            if package.first_bit < 0:
                package.first_bit = next_bit
                next_bit += len(package.data.variants) or 1
        self.next_bit = next_bit

    def requires_names(self) -> frozenset[str]:
        """Every family any variant of any of its packages names (conflicts included).

        Kept on the family: a ``Repository`` hands the same family to every solve."""
        names = self._requires_names
        if names is None:
            texts = {text for package in self.packages for text in package.data.requires}
            texts.update(text for package in self.packages for variant in package.data.variants
                         for text in variant)
            names = self._requires_names = frozenset(_requirement(text).name for text in texts)
        return names

    def dependency_groups(self, name: str) -> DependencyGroups | None:
        """The family's distinct requirements on ``name``, each with the mask of the variants
        that have it (``PackageVariant.bit``); None when a variant's requirements on ``name``
        conflict (that variant fails when it is loaded, as in rez).

        Built once per family from the requirement texts, without loading variants, so a
        reduction tests a few distinct requirements instead of every variant (spec D.7)."""
        dependencies = self._dependencies
        if dependencies is None:
            dependencies = self._dependencies = _memoised_dependency_groups(self.packages)
        return dependencies.get(name, _NO_GROUPS)

    def in_range(self, range_: VersionRange) -> list[StoredPackage]:
        return [self.packages[i] for i in range_.positions_in(self.keys)]

    def shared_variants(self) -> dict[int, list[PackageVariant]]:
        """The variants built so far, for a widened family to share."""
        return self._variants

    def variants(self, package: StoredPackage) -> list[PackageVariant]:
        """``package``'s variants. Solves on threads share a Repository: every solve must see
        the same variant objects (the solver keeps them in sets), so the first list built is kept."""
        variants = self._variants.get(id(package))
        if variants is None:
            with _VARIANTS_LOCK:
                variants = self._variants.get(id(package))
                if variants is None:
                    variants = self._variants[id(package)] = package.new_variants()
        return variants


DependencyGroups = tuple[tuple[Requirement, int], ...]
_NO_GROUPS: Final[DependencyGroups] = ()


# The groups are a function of the packages' requirement texts and variant bits: a family
# with the same content (the same snapshot read again, a refresh, a Repository per solve)
# gets the same groups without merging its requirements again.
_GROUPS_BY_CONTENT: dict[tuple[object, ...], dict[str, DependencyGroups | None]] = {}
_GROUPS_BY_CONTENT_MAX: Final = 20_000


def _memoised_dependency_groups(packages: Sequence[StoredPackage]) -> dict[str, DependencyGroups | None]:
    content = tuple((p.first_bit, p.data.requires, p.data.variants) for p in packages)
    try:
        found = _GROUPS_BY_CONTENT.get(content)
    except TypeError:  # lists where PackageData wants tuples: not hashable, not memoised
        return _dependency_groups(packages)
    if found is None:
        if len(_GROUPS_BY_CONTENT) >= _GROUPS_BY_CONTENT_MAX:
            _GROUPS_BY_CONTENT.clear()
        found = _GROUPS_BY_CONTENT[content] = _dependency_groups(packages)
    return found


def _dependency_groups(packages: Sequence[StoredPackage]) -> dict[str, DependencyGroups | None]:
    # grouped by identity: requirements are shared per text (_requirement), and hashing
    # one formats it; an equal requirement that is another object only makes one more group
    groups: dict[str, dict[int, tuple[Requirement, int]]] = {}
    broken: set[str] = set()
    for package in packages:
        data = package.data
        common = [_requirement(text) for text in data.requires]
        for offset, extra in enumerate(data.variants or ((),)):
            requires = common + [_requirement(text) for text in extra] if extra else common
            by_name: dict[str, Requirement] = {}
            for requirement in requires:
                name = requirement.name
                found = by_name.get(name)
                if found is None:
                    by_name[name] = requirement
                    continue
                merged = found.merged(requirement)  # C.6, per name
                if merged is None:
                    broken.add(name)
                else:
                    by_name[name] = merged
            bit = 1 << (package.first_bit + offset)
            for name, requirement in by_name.items():
                masks = groups.setdefault(name, {})
                group = masks.get(id(requirement))
                masks[id(requirement)] = (requirement, bit if group is None else group[1] | bit)
    result: dict[str, DependencyGroups | None] = {name: tuple(masks.values()) for name, masks in groups.items()}
    for name in broken:
        result[name] = None
    return result


_NONE: Final[set[str]] = set()
#: ``load(name, range_)``: the family with at least its packages in ``range_`` (None: all)
RangedLoader = Callable[[str, "VersionRange | None"], "Family | None"]


def covers(loaded: VersionRange | None, wanted: VersionRange | None) -> bool:
    """Whether packages loaded for ``loaded`` include every package in ``wanted`` (None: all)."""
    return loaded is None or (wanted is not None and loaded.issuperset(wanted))


def widen(loaded: VersionRange | None, wanted: VersionRange | None) -> VersionRange | None:
    """The range to load next: what was loaded and what is wanted (None: all)."""
    return None if loaded is None or wanted is None else loaded | wanted


class FamilyCache:
    """Families by name, loaded once per solve, or once per wider range when the repository
    loads by range (``ranged``); the timestamp filter applied at lookup."""

    def __init__(self, load: RangedLoader, searched: str, timestamp: int | None, *, ranged: bool = False) -> None:
        self._load = load
        self._searched = searched
        self._timestamp = timestamp
        self._ranged = ranged
        self._families: dict[str, Family | None] = {}
        self._asked: dict[str, VersionRange | None] = {}  # ranged: the range loaded so far (None: all)
        self._dependents: dict[str, set[str]] = {}

    def dependents(self, name: str) -> set[str]:
        """The loaded families some package of which may require ``name`` (a superset)."""
        return self._dependents.get(name, _NONE)

    def family(self, name: str, range_: VersionRange | None = None) -> Family:
        """The family, holding at least its packages in ``range_`` (``None``: all of them)."""
        if name not in self._families or (self._ranged and not covers(self._asked[name], range_)):
            wider = widen(self._asked[name], range_) if name in self._asked else range_
            family = self._families[name] = self._load(name, wider)
            self._asked[name] = wider
            if family is not None:
                for required in family.requires_names():
                    self._dependents.setdefault(required, set()).add(name)
        family = self._families[name]
        if family is None:
            raise PackageFamilyNotFoundError(f"package family not found: {name} (searched: {self._searched})", name)
        return family

    def loaded(self, name: str) -> Family:
        """The family as loaded so far (a slice of it exists), without loading more."""
        family = self._families[name]
        assert family is not None
        return family

    def packages_in(self, name: str, range_: VersionRange) -> list[StoredPackage]:
        """``_PackageVariantList.get_intersection``: the visible packages in range, in order."""
        found = self.family(name, None if range_.is_any() else range_).in_range(range_)
        if self._timestamp is not None:
            limit = self._timestamp
            found = [p for p in found if not p.data.timestamp or p.data.timestamp <= limit]
        return found
