"""The candidates of one family inside a phase (rez's ``_PackageEntry``/``_PackageVariantSlice``).

Slices are immutable: every narrowing returns a new slice (with its extraction
memory reset, spec D.3) or the very same object when nothing changed; the
algorithm tests that identity.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rezsnap.version import Requirement, VersionRange

from ._facts import remember
from ._failures import Reduction
from ._families import PackageVariant, StoredPackage

__all__ = ["Entry", "VariantSlice", "default_range_key"]


def default_range_key(range_: VersionRange | None, name: str = "") -> Any:
    """The default orderer's key of a range (spec D.9): per bound, the lower end first
    (``name`` is unused: the signature of an orderer's key)."""
    if range_ is None:
        return 0  # rez's key of a bare weak requirement; comparing it with a tuple raises TypeError
    return tuple(
        ((b.lower.packed_key, -2 if b.lower_inclusive else -1), (b.upper.packed_key, 2 if b.upper_inclusive else 1))
        for b in range_.bounds
    )


_UNIONS: dict[tuple[VersionRange, VersionRange], VersionRange] = {}


def _union(a: VersionRange, b: VersionRange) -> VersionRange:
    """``a | b``, memoised: extraction unions the same ranges over and over.

    Pairwise, in variant order, as rez does (its union quirk makes the order matter)."""
    if a is b:
        return a if len(a.bounds) < 2 else a | b
    key = (a, b)
    found = _UNIONS.get(key)
    if found is None:
        if len(_UNIONS) > 100_000:
            _UNIONS.clear()
        found = _UNIONS[key] = a | b
    return found


class Entry:
    """One package version inside a slice: its still-possible variants."""

    __slots__ = ("context", "package", "sorted", "variants")

    def __init__(self, package: StoredPackage, variants: list[PackageVariant], context: Any) -> None:
        self.package = package
        self.variants = variants
        self.context = context  # the solver: request list and select mode, for the variant key
        self.sorted = False

    @property
    def version(self) -> Any:
        return self.package.version

    def _copy(self, variants: list[PackageVariant]) -> Entry:
        entry = Entry(self.package, variants, self.context)
        entry.sorted = self.sorted
        return entry

    def split(self, count: int) -> tuple[Entry, Entry] | None:
        """The first ``count`` (preferred) variants and the rest; None at the entry's end."""
        self.sort()
        if count >= len(self.variants):
            return None
        return self._copy(self.variants[:count]), self._copy(self.variants[count:])

    def sort(self) -> None:
        """Most preferred variant first (spec D.9)."""
        if self.sorted:
            return
        requests = self.context.request_list.requirements
        intersection = self.context.intersection_priority
        orderers = self.context.orderers
        range_key: Callable[[VersionRange | None, str], Any] = default_range_key
        if orderers is not None:  # rez's orderers' keys for the requirement ranges
            times = self.context.families.release_times

            def range_key(range_: VersionRange | None, name: str) -> Any:
                return orderers.range_key(name, range_, times)

        def key(variant: PackageVariant) -> Any:
            requested = []
            names = set()
            for i, request in enumerate(requests):
                if request.conflict:
                    continue
                dependency = variant.get(request.name)
                if dependency is not None:
                    requested.append((-i, range_key(dependency.range, dependency.name)))
                    names.add(request.name)
            additional = [(range_key(d.range, d.name), d.name) for d in variant.requires_list.requirements
                          if not d.conflict and d.name not in names]
            index = variant.index
            if intersection:
                return (len(requested), requested, -len(additional), additional, index)
            return (requested, -len(additional), additional, index)

        # rez computes the keys of a lone variant too: an orderer's key may raise (as rez's does)
        if len(self.variants) > 1 or (orderers is not None and orderers.may_raise):
            self.variants = sorted(self.variants, key=key, reverse=True)
        self.sorted = True


class VariantSlice:
    """The remaining candidates of one family, with cached family facts (spec D.3)."""

    __slots__ = (
        "_common_fams", "_fam_requires", "_len", "_mask", "_pending", "_range", "been_intersected_with", "been_reduced_by",
        "context", "entries", "extracted_fams", "name", "sorted",
    )

    def __init__(self, name: str, entries: list[Entry], context: Any) -> None:
        self.name = name
        self.entries = entries
        self.context = context
        self.extracted_fams: frozenset[str] = frozenset()
        self.sorted = False
        # by identity (the object kept alive so its id stays unique): an equal request that
        # is another object is only tested again, and hashing a request formats its range
        self.been_reduced_by: dict[int, Requirement] = {}
        self.been_intersected_with: set[VersionRange] = set()
        self._len: int | None = None
        self._range: VersionRange | None = None
        self._common_fams: frozenset[str] | None = None
        self._fam_requires: frozenset[str] = frozenset()
        self._pending: frozenset[str] | None = None  # common_fams - extracted_fams
        self._mask: int | None = None  # OR of its variants' bits

    def __len__(self) -> int:
        if self._len is None:
            self._len = sum(len(e.variants) for e in self.entries)
        return self._len

    @property
    def range_(self) -> VersionRange:
        if self._range is None:
            # one exact bound per version, ascending: entries are distinct versions, in
            # family order until sort_versions() turns them to descending
            bounds = [e.package.exact_bound for e in self.entries]
            if self.sorted and self.context.orderers is not None:  # in the orderer's order
                bounds.sort(key=lambda bound: bound.lower.packed_key)
            elif self.sorted:
                bounds.reverse()
            self._range = VersionRange.from_bounds(tuple(bounds))
        return self._range

    @property
    def mask(self) -> int:
        mask = self._mask
        if mask is None:
            mask = 0
            for entry in self.entries:
                for variant in entry.variants:
                    mask |= variant.bit
            self._mask = mask
        return mask

    def iter_variants(self) -> Any:
        for entry in self.entries:
            yield from entry.variants

    @property
    def first_variant(self) -> PackageVariant:
        entry = self.entries[0]
        entry.sort()
        return entry.variants[0]

    def _update_fam_info(self) -> None:
        first = self.first_variant  # sorts the first entry, as rez does here (extraction order)
        facts = self.context.families.loaded(self.name).facts
        mask = self.mask
        found = facts.fam_info.get(mask)  # a function of the set of variants
        if found is None:
            common = set(first.request_fams)
            requires: set[str] = set()
            for variant in self.iter_variants():
                names = variant.request_fams
                common &= names
                requires |= names
                requires |= variant.conflict_request_fams
            found = (frozenset(common), frozenset(requires))
            remember(facts.fam_info, mask, found)
        self._common_fams, self._fam_requires = found

    @property
    def common_fams(self) -> frozenset[str]:
        common = self._common_fams
        if common is None:
            self._update_fam_info()
            common = self._common_fams
            assert common is not None
        return common

    @property
    def fam_requires(self) -> frozenset[str]:
        if self._common_fams is None:
            self._update_fam_info()
        return self._fam_requires

    @property
    def pending_fams(self) -> frozenset[str]:
        """The common families not extracted yet (fixed per slice object: computed once)."""
        if self._pending is None:
            self._pending = self.common_fams - self.extracted_fams
        return self._pending

    def _copy(self, entries: list[Entry]) -> VariantSlice:
        new = VariantSlice(self.name, entries, self.context)
        new.sorted = self.sorted
        new.been_reduced_by = self.been_reduced_by.copy()
        new.been_intersected_with = self.been_intersected_with.copy()
        return new

    def intersect(self, range_: VersionRange) -> VariantSlice | None:
        if range_.is_any() or range_ in self.been_intersected_with:
            return self
        entries = [e for e in self.entries if range_.contains_version(e.version)]
        if not entries:
            return None
        if len(entries) < len(self.entries):
            return self._copy(entries)
        self.been_intersected_with.add(range_)
        return self

    def reduce_by(
        self, request: Requirement, source: VariantSlice | None = None,
    ) -> tuple[VariantSlice | None, list[Reduction]]:
        """This slice without the variants whose requirement conflicts with ``request``.

        ``source``: the slice ``request`` was made from (a normal scope's request is exactly
        its slice's versions), so that a requirement is tested by bits: against the mask of
        the source family's variants inside its range (kept per family and range)."""
        # the family test first: it is a str lookup, and it answers 99% of the calls
        name = request.name
        if request.range is None or name not in self.fam_requires:
            return self, []
        if id(request) in self.been_reduced_by:
            return self, []
        # Which variants would go: a few distinct requirements per family, tested once
        # each, instead of every variant (spec D.7); the scan below only runs to remove.
        families = self.context.families
        groups = families.loaded(self.name).dependency_groups(name)
        removed = -1  # the bits of the variants that go; -1: not known, test each variant
        if groups is not None:
            if source is not None:
                removed = 0
                wanted = source.mask
                inside = families.loaded(name).variants_inside
                for dependency, mask in groups:
                    range_ = dependency.range
                    if range_ is not None:
                        hits = inside(range_) & wanted
                        # C.4: a conflict requirement excludes every version of the source
                        if (hits == wanted) if dependency.conflict else not hits:
                            removed |= mask
            elif len(groups) < len(self):
                removed = 0
                for dependency, mask in groups:
                    if dependency.conflicts_with(request):
                        removed |= mask
            if not removed & self.mask:
                self.been_reduced_by[id(request)] = request
                return self, []
        entries: list[Entry] = []
        reductions: list[Reduction] = []
        tested: dict[Requirement, bool] = {}
        for entry in self.entries:
            kept = []
            for variant in entry.variants:
                if removed >= 0:
                    if variant.bit & removed:
                        reductions.append(Reduction(str(variant), variant.get(name), request))  # type: ignore[arg-type]
                        continue
                else:
                    dependency = variant.get(name)
                    if dependency is not None:
                        conflict = tested.get(dependency)
                        if conflict is None:
                            conflict = tested[dependency] = dependency.conflicts_with(request)
                        if conflict:
                            reductions.append(Reduction(str(variant), dependency, request))
                            continue
                kept.append(variant)
            if kept:
                entries.append(entry if len(kept) == len(entry.variants) else entry._copy(kept))
        if not entries:
            return None, reductions
        if reductions:
            return self._copy(entries), reductions
        self.been_reduced_by[id(request)] = request
        return self, []

    def extract(self) -> tuple[VariantSlice, list[Requirement]]:
        """Every pending family's requirement (rez extracts them one by one, smallest name
        first, from the same variants: one pass here), and the slice that has them extracted."""
        fams = self.pending_fams
        if not fams:
            return self, []
        names = tuple(sorted(fams))
        # The requests are a function of the variants in their order (rez's union is
        # order-sensitive, spec B.3): the set (the mask) and the slice's version order fix
        # it, but for entries whose variants were sorted by preference, named explicitly.
        reordered = tuple(v.bit for e in self.entries if e.sorted and len(e.variants) > 1 for v in e.variants)
        key = (names, self.mask, self.sorted, reordered)
        memo = self.context.families.loaded(self.name).facts.extractions
        requests = memo.get(key)
        if requests is None:
            requests = self._extracted(names)
            remember(memo, key, requests)
        new = object.__new__(VariantSlice)
        new.name, new.entries, new.context, new.sorted = self.name, self.entries, self.context, self.sorted
        new.been_reduced_by = self.been_reduced_by
        new.been_intersected_with = self.been_intersected_with
        new._len, new._range, new._mask = self._len, self._range, self._mask
        new._common_fams, new._fam_requires = self._common_fams, self._fam_requires
        new.extracted_fams = self.extracted_fams | fams
        new._pending = frozenset()
        return new, list(requests)

    def _extracted(self, names: tuple[str, ...]) -> tuple[Requirement, ...]:
        """Per family name, the union of the variants' requirement ranges, in variant order."""
        ranges: list[VersionRange | None] = [None] * len(names)
        for entry in self.entries:
            for variant in entry.variants:
                by_name = variant.requirements_by_name
                for k, fam in enumerate(names):
                    dependency_range = by_name[fam].range
                    current = ranges[k]
                    if current is None:
                        ranges[k] = dependency_range
                    elif dependency_range is not current or len(current.bounds) > 1:
                        ranges[k] = _union(current, dependency_range)  # type: ignore[arg-type]
        return tuple(Requirement.construct(fam, r) for fam, r in zip(names, ranges))

    def sort_versions(self) -> None:
        """Highest version first (the default orderer), or in the family's orderer's order,
        once per slice lineage."""
        if self.sorted:
            return
        orderers = self.context.orderers
        if orderers is None or orderers.order_of(self.name) is None:
            self.entries = sorted(self.entries, key=lambda e: e.version.packed_key, reverse=True)
        else:
            times, name = self.context.families.release_times, self.name
            self.entries = sorted(self.entries, key=lambda e: orderers.version_key(name, e.version, times),
                                  reverse=True)
        self.sorted = True

    def split(self) -> tuple[VariantSlice, VariantSlice]:
        """The preferred part and the rest (spec D.8)."""
        self.sort_versions()

        def cut(i_entry: int, count: int) -> tuple[VariantSlice, VariantSlice]:
            parts = self.entries[i_entry].split(count)
            if parts is not None:
                entries = [*self.entries[:i_entry], parts[0]]
                rest = [parts[1], *self.entries[i_entry + 1 :]]
            else:
                entries = self.entries[: i_entry + 1]
                rest = self.entries[i_entry + 1 :]
            return self._copy(entries), self._copy(rest)

        fams = self.first_variant.request_fams - self.extracted_fams if len(self) > 2 else frozenset()
        if not fams:
            return cut(0, 1)
        previous = (0, 1)
        for i, entry in enumerate(self.entries):
            entry.sort()
            for j, variant in enumerate(entry.variants):
                fams = fams & variant.request_fams
                if not fams:
                    return cut(*previous)
                previous = (i, j + 1)
        raise AssertionError("split() of a slice with a common dependency")
