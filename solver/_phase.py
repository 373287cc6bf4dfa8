"""One complete resolve state (rez's ``_ResolvePhase``): solve, split and finalise (spec D.5-D.10)."""

from __future__ import annotations

import enum
from typing import Any

from rezsnap.version import Requirement, RequirementList

from ._failures import (
    Cycle,
    DependencyConflict,
    DependencyConflicts,
    FailureReason,
    PackageFamilyNotFoundError,
    TotalReduction,
)
from ._families import FamilyCache
from ._scope import Scope

__all__ = ["Phase", "Status"]


class Status(enum.Enum):
    PENDING = "pending"
    EXHAUSTED = "exhausted"
    SOLVED = "solved"
    FAILED = "failed"
    CYCLIC = "cyclic"


class Phase:
    """One resolve state. Besides rez's fields it keeps two indexes so that a step costs
    what changed rather than the number of scopes: ``where`` (family name -> scope index;
    one scope per family), ``dirty`` (the scopes that may still have something to
    extract: slices only gain extractable families when they are replaced) and ``settled``
    (the scopes before it hold one variant or none: slices only shrink, and a conflict scope
    that gains a slice lowers it)."""

    __slots__ = (
        "changed", "context", "dirty", "extractions", "failure_reason", "scopes", "settled", "split_at", "status",
        "where",
    )

    def __init__(
        self,
        scopes: list[Scope],
        context: Any,
        status: Status = Status.PENDING,
        changed: set[int] | None = None,
        failure_reason: FailureReason | None = None,
    ) -> None:
        self.scopes = scopes
        self.context = context
        self.status = status
        self.changed = set(range(len(scopes))) if changed is None else changed
        self.failure_reason = failure_reason
        self.where = {scope.name: i for i, scope in enumerate(scopes)}
        self.dirty = set(range(len(scopes)))
        self.split_at: int | None = None  # an exhausted phase's first scope with several variants
        self.settled = 0
        # (scope family, extracted family) -> request, of the last solve(): rez's resolve graph shows them
        self.extractions: dict[tuple[str, str], Requirement] = {}

    @classmethod
    def _derived(
        cls, scopes: list[Scope], context: Any, status: Status, changed: set[int], where: dict[str, int],
        dirty: set[int], extractions: dict[tuple[str, str], Requirement],
        failure_reason: FailureReason | None = None, split_at: int | None = None, settled: int = 0,
    ) -> Phase:
        phase = object.__new__(cls)
        phase.scopes, phase.context, phase.status, phase.changed = scopes, context, status, changed
        phase.failure_reason, phase.where, phase.dirty, phase.split_at = failure_reason, where, dirty, split_at
        phase.extractions = extractions
        phase.settled = settled
        return phase

    def solve(self) -> Phase:
        """Extract, intersect and reduce until nothing changes (spec D.6)."""
        scopes = list(self.scopes)
        changed = set(self.changed)
        where = dict(self.where)
        dirty = set(self.dirty)
        context = self.context
        settled = self.settled
        extractions: dict[tuple[str, str], Requirement] = {}

        def failed(reason: FailureReason) -> Phase:
            return Phase._derived(scopes, context, Status.FAILED, set(), where, dirty, extractions, reason)

        while True:
            before = len(scopes)
            widened: set[int] = set()
            while True:
                extracted: list[Requirement] = []
                # rez visits every scope in order; only the dirty ones can have anything left
                for i in sorted(dirty):
                    scope = scopes[i]
                    variant_slice = scope.slice
                    if variant_slice is None:
                        continue
                    pending = variant_slice._pending  # O(1) once known: most scopes have nothing left
                    if pending is None:
                        pending = variant_slice.pending_fams
                    if not pending:
                        continue
                    scope, requests = scope.extract()
                    for request in requests:
                        extracted.append(request)
                        extractions[scope.name, request.name] = request
                    scopes[i] = scope
                dirty.clear()
                if not extracted:
                    break
                merged = RequirementList(extracted)
                if merged.conflict is not None:
                    return failed(DependencyConflicts((DependencyConflict(*merged.conflict),)))
                # the existing scopes in scope order, as rez intersects them
                for i in sorted(where[r.name] for r in merged.requirements if r.name in where):
                    scope = scopes[i]
                    request = merged.get(scope.name)  # type: ignore[assignment]
                    new = scope.intersect(request.range)  # type: ignore[arg-type]
                    if new is None:
                        return failed(DependencyConflicts((DependencyConflict(request, scope.request),)))
                    if new is not scope:
                        scopes[i] = new
                        changed.add(i)
                        dirty.add(i)
                        if scope.is_conflict and not new.is_conflict:
                            widened.add(i)
                            settled = min(settled, i)
                for request in merged.requirements:
                    if request.name in where:
                        continue
                    try:
                        scope = Scope(request, context)
                    except PackageFamilyNotFoundError as exc:
                        # rez names the families whose extractions (this phase's, so far) asked for it
                        requesters = [key[0] for key, found in extractions.items() if found.name == exc.family]
                        if not requesters:
                            raise
                        raise PackageFamilyNotFoundError(
                            f"package family not found: {exc.family}, was required by: "
                            f"{', '.join(requesters)} (searched: {context.searched})",
                            exc.family,
                        ) from None
                    where[request.name] = len(scopes)
                    dirty.add(len(scopes))
                    scopes.append(scope)

            count = len(scopes)
            if count == before and not changed and not widened:
                break
            work = _reduction_pairs(scopes, where, before, changed, widened, context.families)
            while work:
                x, y = work.pop()
                new, reductions = scopes[x].reduce_by(scopes[y])
                if new is None:
                    return failed(TotalReduction(tuple(reductions)))
                if new is not scopes[x]:
                    scopes[x] = new
                    dirty.add(x)
                    # everything that may depend on x is reduced by it again, next
                    work.extend(_dependent_scopes(new.name, x, where, context.families))
            changed = set()
        # nothing is left to extract: solved when no scope has several variants left
        for i in range(settled, len(scopes)):
            variant_slice = scopes[i].slice
            if variant_slice is not None and len(variant_slice) > 1:
                return Phase._derived(scopes, context, Status.EXHAUSTED, set(), where, dirty, extractions,
                                      split_at=i, settled=i)
        return Phase._derived(scopes, context, Status.SOLVED, set(), where, dirty, extractions, settled=len(scopes))

    def split(self) -> tuple[Phase, Phase]:
        """The first normal scope with several variants, split in two (spec D.8)."""
        i = self.split_at
        assert i is not None, "an exhausted phase always has a scope to split"
        parts = self.scopes[i].split()
        assert parts is not None
        first, rest = list(self.scopes), list(self.scopes)
        first[i], rest[i] = parts
        # only the split scope has a fresh slice: nothing else has anything to extract
        return (Phase._derived(first, self.context, Status.PENDING, {i}, dict(self.where), {i}, self.extractions,
                               settled=i),
                Phase._derived(rest, self.context, Status.PENDING, {i}, dict(self.where), {i}, self.extractions,
                               settled=i))

    def finalise(self) -> Phase:
        """Detect cycles and order the result (spec D.10)."""
        scopes = {s.name: s for s in self.scopes if not s.is_conflict}
        graph: dict[str, set[str]] = {name: set() for name in scopes}
        for name, scope in scopes.items():
            variant = scope.solved_variant()
            if variant is not None:
                for requirement in variant.requires_list.requirements:
                    if not requirement.conflict:
                        graph[name].add(requirement.name)
                        graph.setdefault(requirement.name, set())
        cycle = _find_cycle_as_rez(self.scopes)
        if cycle:
            members = []
            for name in cycle:
                variant = scopes[name].solved_variant()
                members.append(f"{name}-{variant.version}" if variant is not None else name)
            cyclic = Phase(list(scopes.values()), self.context, Status.CYCLIC, set(), Cycle(tuple(members)))
            cyclic.extractions = self.extractions
            return cyclic
        order = _dependency_order(graph, [r.name for r in self.context.request_list.requirements])
        ordered = [scopes[name] for name in order if name in scopes]
        final = Phase(ordered, self.context, self.status, set(), self.failure_reason)
        final.extractions = self.extractions
        return final


def _reduction_pairs(
    scopes: list[Scope], where: dict[str, int], before: int, changed: set[int], widened: set[int],
    families: FamilyCache,
) -> list[tuple[int, int]]:
    """rez's pending reductions (spec D.6), sorted, without the pairs that cannot reduce.

    rez queues every pair (x, y) with x old and y changed or new, x new and any
    y, x widened and any y. A pair only does something when scope x has a slice
    one of whose variants requires y's family; slices only shrink, so the other
    pairs are dropped here (found through the families that may require y)
    instead of being tested one by one.
    """
    count = len(scopes)
    pairs: set[tuple[int, int]] = set()
    for x in (*range(before, count), *widened):
        variant_slice = scopes[x].slice
        if variant_slice is None:
            continue
        for name in variant_slice.fam_requires:
            y = where.get(name)
            if y is not None and y != x and scopes[y].request.range is not None:
                pairs.add((x, y))
    for y in (*changed, *range(before, count)):
        request = scopes[y].request
        if request.range is None:
            continue
        for family in families.dependents(request.name):
            x = where.get(family)
            if x is None or x >= before or x == y:
                continue
            variant_slice = scopes[x].slice
            if variant_slice is not None and request.name in variant_slice.fam_requires:
                pairs.add((x, y))
    return sorted(pairs)


def _dependent_scopes(name: str, x: int, where: dict[str, int], families: FamilyCache) -> list[tuple[int, int]]:
    """The pairs (j, x) rez re-queues after x narrowed, ascending j, without those that cannot reduce."""
    found = [where[f] for f in families.dependents(name) if f in where]
    return [(j, x) for j in sorted(found) if j != x]


def _find_cycle_as_rez(scopes: list[Scope]) -> list[str]:
    """The cycle rez reports, from the node where rez's search finds it (spec D.10).

    rez builds its graph from Python sets (``_get_minimal_graph``: a set of names, a set of
    (name, requirement name) edges), so where its depth-first search starts, and thus which
    end of a cycle it prints first, follows the hash seed. The same sets, filled in the same
    order, iterate in the same order in any process with the same ``PYTHONHASHSEED``: this
    repeats rez's construction and rez's search (pygraph's ``find_cycle``) on them."""
    nodes: set[str] = set()
    edges: set[tuple[str, str]] = set()
    for scope in {s.name: s for s in scopes}.values():
        if scope.is_conflict:
            continue
        nodes.add(scope.name)
        variant = scope.solved_variant()
        if variant is not None:
            for requirement in variant.requires_list.requirements:
                if not requirement.conflict:
                    edges.add((scope.name, requirement.name))
    neighbours: dict[str, list[str]] = {node: [] for node in nodes}
    for tail, head in edges:
        neighbours.setdefault(head, [])
        if head not in neighbours[tail]:
            neighbours[tail].append(head)
    visited: set[str] = set()
    parent: dict[str, str | None] = {}
    for root in neighbours:
        if root in visited:
            continue
        parent[root] = None
        found = _depth_first(root, neighbours, visited, parent)
        if found:
            return found
    return []


def _depth_first(root: str, neighbours: dict[str, list[str]], visited: set[str],
                 parent: dict[str, str | None]) -> list[str]:
    """pygraph's recursive ``dfs`` of ``find_cycle``, iteratively: the first edge back to a
    visited node gives the path from that node down to the current one."""
    visited.add(root)
    stack = [(root, iter(neighbours[root]))]
    while stack:
        node, children = stack[-1]
        for child in children:
            if child not in visited:
                parent[child] = node
                visited.add(child)
                stack.append((child, iter(neighbours[child])))
                break
            path: list[str] = []  # directed graph: any visited node closes the walk back
            walker: str | None = node
            while walker != child:
                if walker is None:
                    path = []
                    break
                path.append(walker)
                walker = parent[walker]
            else:
                path.append(child)
                path.reverse()
            if path:
                return path
        else:
            stack.pop()
    return []


def _dependency_order(graph: dict[str, set[str]], requested: list[str]) -> list[str]:
    """Stable dependency-first order over the request order (spec D.10.3).

    rez walks a list: while some later entry is a (transitive) dependency of the head,
    the first such entry moves to the front; otherwise the head is emitted. Entries moved
    forward are emitted before the head comes back, so this is the same as a depth-first
    walk that visits each node's dependencies in list order (the graph has no cycle here).
    """
    pending = requested + sorted(set(graph) - set(requested))
    position = {name: i for i, name in enumerate(pending)}
    below = _closures(graph)
    ordered: dict[str, list[str]] = {}

    def dependencies(name: str) -> list[str]:
        found = ordered.get(name)
        if found is None:
            found = ordered[name] = sorted(below[name], key=position.__getitem__)
        return found

    emitted: list[str] = []
    done: set[str] = set()
    for root in pending:
        if root in done or root not in graph:
            continue
        stack = [(root, iter(dependencies(root)))]
        while stack:
            node, rest = stack[-1]
            for name in rest:
                if name not in done:
                    stack.append((name, iter(dependencies(name))))
                    break
            else:
                stack.pop()
                emitted.append(node)
                done.add(node)
    return emitted


def _closures(graph: dict[str, set[str]]) -> dict[str, frozenset[str]]:
    """Every node's transitive dependencies, for an acyclic graph (children first)."""
    closure: dict[str, frozenset[str]] = {}
    for root in graph:
        if root in closure:
            continue
        stack = [root]
        while stack:
            node = stack[-1]
            missing = [child for child in graph[node] if child not in closure]
            if missing:
                stack.extend(missing)
                continue
            stack.pop()
            if node not in closure:
                found: set[str] = set(graph[node])
                for child in graph[node]:
                    found |= closure[child]
                closure[node] = frozenset(found)
    return closure
