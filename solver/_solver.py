"""The depth-first search over phases (rez's ``Solver``, spec D.4-D.5 and D.11).

The algorithm sees packages only through a ``FamilyCache``; it never prints.
An optional ``reporter`` callable receives ``(event, phase)`` for tracing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rezsnap.version import Requirement, RequirementList, VersionRange

from ._failures import DependencyConflict, DependencyConflicts, FailureReason
from ._families import FamilyCache, PackageVariant
from ._graph import GraphScope, ResolveGraph
from ._orderers import PackageOrderList
from ._phase import Phase, Status
from ._scope import Scope
from ._slice import Entry, VariantSlice

__all__ = ["Solver"]

Reporter = Callable[[str, Phase], None]


class Solver:
    """One solve of a request list over a family cache."""

    def __init__(
        self,
        requests: Sequence[Requirement],
        families: FamilyCache,
        *,
        searched: str = "",
        intersection_priority: bool = False,
        reporter: Reporter | None = None,
        orderers: PackageOrderList | None = None,
    ) -> None:
        self.families = families
        self.searched = searched
        self.intersection_priority = intersection_priority
        # None: rez's default order (its fast path here)
        self.orderers = orderers.for_one_solve() if orderers else None
        self.reporter = reporter
        self.request_list = RequirementList(requests)
        self.num_solves = 0
        self.stack: list[Phase] = []
        self.failed: list[Phase] = []
        self.request_conflict: FailureReason | None = None
        self.conflict_scopes: list[Scope] = []
        if self.request_list.conflict is not None:
            self.request_conflict = DependencyConflicts((DependencyConflict(*self.request_list.conflict),))
            # rez still builds the phase's scopes (a missing family raises here, as in rez)
            self.conflict_scopes = [Scope(request, self) for request in self.request_list.requirements]
            return
        scopes = [Scope(request, self) for request in self.request_list.requirements]
        self.stack.append(Phase(scopes, self))

    # -- the repository seam ------------------------------------------------------------------

    def variant_slice(self, name: str, range_: VersionRange | None) -> VariantSlice | None:
        """The candidates of a family in a range, or None when there are none."""
        packages = self.families.packages_in(name, range_ if range_ is not None else _ANY)
        if not packages:
            return None
        family = self.families.loaded(name)
        return VariantSlice(name, [Entry(p, list(family.variants(p)), self) for p in packages], self)

    # -- the search -----------------------------------------------------------------------------

    @property
    def status(self) -> str:
        if self.request_conflict is not None:
            return "failed"
        top = self.stack[-1].status
        if top is Status.CYCLIC:
            return "failed"
        if len(self.stack) > 1:
            return "solved" if top is Status.SOLVED else "unsolved"
        if top in (Status.PENDING, Status.EXHAUSTED):
            return "unsolved"
        return str(top.value)

    def solve(self) -> None:
        while self.status == "unsolved":
            self.step()

    def step(self) -> None:
        phase = self.stack.pop()
        if phase.status is Status.FAILED:  # the failure left on top by the last step
            self.failed.append(phase)
            phase = self.stack.pop()
        if phase.status is Status.EXHAUSTED:
            phase, alternative = phase.split()
            self.stack.append(alternative)
        new = phase.solve()
        self.num_solves += 1
        if new.status is Status.SOLVED:
            new = new.finalise()
        if self.reporter is not None:
            self.reporter(new.status.value, new)
        self.stack.append(new)

    def release(self) -> None:
        """Drop the search state (phases refer to their solver: a reference cycle)."""
        self.stack.clear()
        self.failed.clear()
        self.conflict_scopes.clear()

    # -- results --------------------------------------------------------------------------------

    @property
    def num_fails(self) -> int:
        count = len(self.failed)
        if self.request_conflict is not None:
            return 1
        if self.stack and self.stack[-1].status in (Status.FAILED, Status.CYCLIC):
            count += 1
        return count

    def _failed_phase(self) -> Phase:
        """The failure rez reports (``Solver._get_failed_phase``): the cycle when the last
        phase is cyclic, otherwise the first failure."""
        fails = list(self.failed)
        top = self.stack[-1]
        if top.status in (Status.FAILED, Status.CYCLIC):
            fails.append(top)
        return fails[-1] if top.status is Status.CYCLIC else fails[0]

    def failure_description(self) -> str | None:
        if self.status != "failed":
            return None
        if self.request_conflict is not None:
            return self.request_conflict.description()
        reason = self._failed_phase().failure_reason
        return reason.description() if reason is not None else "Solver failed with unknown reason."

    def resolved(self) -> tuple[list[PackageVariant], list[Requirement]]:
        """The chosen variants and the ephemerals, in rez's output order."""
        variants: list[PackageVariant] = []
        ephemerals: list[Requirement] = []
        for scope in self.stack[-1].scopes:
            if scope.is_conflict:
                continue
            if scope.is_ephemeral:
                ephemerals.append(scope.request)
                continue
            variant = scope.solved_variant()
            if variant is not None:
                variants.append(variant)
        return variants, ephemerals

    def graph(self) -> ResolveGraph | None:
        """What rez draws the resolve graph from: the final phase of a solved resolve, the
        reported failure of a failed one (None while unsolved)."""
        status = self.status
        if status == "solved":
            phase = self.stack[-1]
            scopes, extractions, reason = phase.scopes, phase.extractions, None
        elif status != "failed":
            return None
        elif self.request_conflict is not None:  # rez's phase of one scope per request
            scopes, extractions, reason = self.conflict_scopes, {}, self.request_conflict
        else:
            phase = self._failed_phase()
            scopes, extractions, reason = phase.scopes, phase.extractions, phase.failure_reason
        drawn = []
        for scope in scopes:
            variant = _graph_variant(scope)
            drawn.append(GraphScope(
                scope.name, str(scope.request), scope.is_conflict,
                None if variant is None else _variant_text(variant),
                () if variant is None else tuple(str(r) for r in variant.requires_list.requirements),
                _scope_text(scope) if variant is None else "",
            ))
        pairs = tuple((source, name, str(request)) for (source, name), request in extractions.items())
        return ResolveGraph(tuple(drawn), pairs, reason)


def _graph_variant(scope: Scope) -> PackageVariant | None:
    """rez's ``_PackageScope._get_solved_variant``: one variant left, nothing to extract."""
    found = scope.slice
    if found is not None and len(found) == 1 and not found.pending_fams:
        return found.first_variant
    return None


def _scope_text(scope: Scope) -> str:
    """``str()`` of rez's scope: its request without a slice, else its slice's summary."""
    found = scope.slice
    if found is None:
        return str(scope.request)
    count, versions = len(found), len(found.entries)
    if count == 1:
        variant = found.first_variant
        text = f"[{found.name}=={variant.version}{'' if variant.index is None else f'[{variant.index}]'}]"
    elif versions == 1:
        entry = found.entries[0]
        indexes = ",".join(str(i) for i in sorted(v.index for v in entry.variants))  # type: ignore[type-var]
        text = f"[{found.name}=={entry.version}[{indexes}]]"
    else:
        shown = str(count) if versions == count else f"{versions}:{count}"
        text = f"{found.name}[{found.range_.span()}({shown})]"
    return text + ("*" if found.pending_fams else "")


def _variant_text(variant: PackageVariant) -> str:
    version = str(variant.version)
    base = f"{variant.name}-{version}" if version else variant.name
    return f"{base}[{'' if variant.index is None else variant.index}]"


_ANY = VersionRange("")
