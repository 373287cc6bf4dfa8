"""The solver's view of the packages: families loaded once per solve, variants built lazily.

The data path is columnar: a family is a list of packages sorted by version
key, so "which packages are in this range" is a ``bisect`` over the keys
(``VersionRange.positions_in``), not a comparison per package.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Final

from rezsnap.model import PackageData
from rezsnap.version import Bound, Requirement, RequirementList, Version, VersionRange

from ._facts import DependencyGroups, FamilyFacts, shared_facts
from ._failures import PackageFamilyNotFoundError, ResolveError
from ._requirements import requirement, requirement_list

if TYPE_CHECKING:
    from ._filters import PackageFilterList

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
            requires = requirement_list(texts)
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

    @property
    def requirements_by_name(self) -> Mapping[str, Requirement]:
        if self._requires is None:
            _ = self.requires_list  # computes by_name
        return self.by_name

    def get(self, name: str) -> Requirement | None:
        if self._requires is None:
            _ = self.requires_list  # computes by_name
        return self.by_name.get(name)

    @property
    def qualified_package_name(self) -> str:
        return f"{self.name}-{self.version}" if str(self.version) else self.name

    def __str__(self) -> str:
        return f"{self.qualified_package_name}[{'' if self.index is None else self.index}]"


class Family:
    """A family's packages in ascending version order (rez's repository order here).

    A family loaded for a version range is widened into a new ``Family`` holding the
    same package objects plus the new ones: a package keeps its variant bits (``next_bit``
    numbers the new ones), so masks built from the narrower family stay valid.
    """

    __slots__ = ("_facts", "_requires_names", "_variants", "keys", "name", "next_bit", "packages")

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
        self._facts: FamilyFacts | None = None
        for package in self.packages:
            if package.first_bit < 0:
                package.first_bit = next_bit
                next_bit += len(package.data.variants) or 1
        self.next_bit = next_bit

    def fresh_copy(self) -> Family:
        """The same packages and what was worked out from them, with no variants built yet:
        each ``Repository`` keeps its own variants (the solver's state), over shared records."""
        self.requires_names()  # worked out once, here, for every copy
        if self._facts is None:
            self._facts = FamilyFacts()  # this family is the only one of its content that copies
        copy = object.__new__(Family)
        copy.name, copy.packages, copy.keys, copy.next_bit = self.name, self.packages, self.keys, self.next_bit
        copy._requires_names, copy._facts, copy._variants = self._requires_names, self._facts, {}
        return copy

    def requires_names(self) -> frozenset[str]:
        """Every family any variant of any of its packages names (conflicts included).

        Kept on the family: a ``Repository`` hands the same family to every solve."""
        names = self._requires_names
        if names is None:
            texts = {text for package in self.packages for text in package.data.requires}
            texts.update(text for package in self.packages for variant in package.data.variants
                         for text in variant)
            names = self._requires_names = frozenset(requirement(text).name for text in texts)
        return names

    @property
    def facts(self) -> FamilyFacts:
        """What the solver works out from its content, shared with every family of equal content."""
        facts = self._facts
        if facts is None:
            facts = self._facts = shared_facts(self.packages)
        return facts

    def dependency_groups(self, name: str) -> DependencyGroups | None:
        """The family's distinct requirements on ``name``, each with the mask of the variants
        that have it (``PackageVariant.bit``); None when a variant's requirements on ``name``
        conflict (that variant fails when it is loaded, as in rez).

        Built once per family content from the requirement texts, without loading variants, so
        a reduction tests a few distinct requirements instead of every variant (spec D.7)."""
        return self.facts.dependency_groups(self.packages, name)

    def variants_inside(self, range_: VersionRange) -> int:
        """The mask of the variants (``PackageVariant.bit``) of its packages inside ``range_``."""
        return self.facts.variants_inside(self.packages, self.keys, range_)

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
    loads by range (``ranged``); the timestamp rule, or a package filter (``excludes(name,
    version, timestamp)``, which then holds the timestamp rule), applied at lookup."""

    def __init__(self, load: RangedLoader, searched: str, timestamp: int | None, *, ranged: bool = False,
                 package_filter: PackageFilterList | None = None) -> None:
        self._load = load
        self._searched = searched
        self._timestamp = timestamp
        self._filter = package_filter
        self._filtered: dict[int, bool] = {}  # by package id: the packages are kept by the families
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
        if self._filter is not None:
            found = [p for p in found if self._visible(p)]
        elif self._timestamp is not None:
            limit = self._timestamp
            found = [p for p in found if not p.data.timestamp or p.data.timestamp <= limit]
        return found

    def _visible(self, package: StoredPackage) -> bool:
        """Not excluded by the filter (decided once per package and solve, as rez does)."""
        found = self._filtered.get(id(package))
        if found is None:
            assert self._filter is not None
            data = package.data
            found = self._filtered[id(package)] = not self._filter.excludes(data.name, package.version,
                                                                             data.timestamp)
        return found

    def release_times(self, name: str) -> list[tuple[Version, int | None]]:
        """Every version of the family with its release time (a ``soft_timestamp`` orderer
        reads them all, unfiltered, as rez does)."""
        try:
            family = self.family(name, None)
        except PackageFamilyNotFoundError:
            return []
        return [(p.version, p.data.timestamp) for p in family.packages]
