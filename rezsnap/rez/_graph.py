"""rez's resolve graph of a solve rezsnap answered (solved or failed), drawn by rez's own code.

``ResolvedContext`` saves the graph with every context (``rez env`` writes one before it
starts the shell; ``rez context --graph`` draws it). rez draws a solved graph in
``_ResolvePhase.get_graph`` from the request list, the final scopes and the last
extractions; rezsnap's solver keeps those (``SolveResult.graph``), and this module hands
them to that very method as rez objects, so that the nodes, edges, labels and attributes
are rez's by construction (``tests/test_rez_env.py`` compares them with rez's graph).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rezsnap.solver._failures import Cycle, DependencyConflicts, FailureReason, TotalReduction
from rezsnap.solver._graph import ResolveGraph

__all__ = ["rez_graph"]


class _Requires:
    __slots__ = ("requirements",)

    def __init__(self, requirements: list[Any]) -> None:
        self.requirements = requirements


class _Variant:
    """What the graph reads of rez's ``PackageVariant``: its text and its requirements."""

    __slots__ = ("requires_list", "text")

    def __init__(self, text: str, requirements: list[Any]) -> None:
        self.text = text
        self.requires_list = _Requires(requirements)

    def __str__(self) -> str:
        return self.text


class _Scope:
    """What the graph reads of rez's ``_PackageScope``."""

    __slots__ = ("is_conflict", "label", "package_name", "package_request", "variant")

    def __init__(self, name: str, request: Any, is_conflict: bool, variant: _Variant | None, label: str) -> None:
        self.package_name, self.package_request = name, request
        self.is_conflict, self.variant, self.label = is_conflict, variant, label

    def _get_solved_variant(self) -> _Variant | None:
        return self.variant

    def __str__(self) -> str:
        return self.label or str(self.package_request)  # its slice's summary, or its request


class _Solver:
    __slots__ = ("prune_unfailed", "request_list")

    def __init__(self, request_list: Any, prune_unfailed: bool) -> None:
        self.request_list, self.prune_unfailed = request_list, prune_unfailed


class _Phase:
    __slots__ = ("extractions", "failure_reason", "scopes", "solver")

    def __init__(self, solver: _Solver, scopes: list[_Scope], extractions: dict[tuple[str, str], Any],
                 failure_reason: Any) -> None:
        self.solver, self.scopes, self.extractions = solver, scopes, extractions
        self.failure_reason = failure_reason


def rez_graph(graph: ResolveGraph, package_requests: Sequence[Any], prune_unfailed: bool = True) -> Any:
    """The ``digraph`` rez's solver returns for this resolve of ``package_requests`` (rez
    ``Requirement`` objects, as the ``Resolver`` holds them): solved, or its reported failure."""
    from rez.solver import _ResolvePhase
    from rez.version import Requirement, RequirementList

    parsed: dict[str, Any] = {}

    def requirement(text: str) -> Any:
        found = parsed.get(text)
        if found is None:
            found = parsed[text] = Requirement(text)
        return found

    scopes = [
        _Scope(s.name, requirement(s.request), s.is_conflict,
               None if s.variant is None else _Variant(s.variant, [requirement(r) for r in s.requires]), s.label)
        for s in graph.scopes
    ]
    extractions = {(source, name): requirement(text) for source, name, text in graph.extractions}
    phase = _Phase(_Solver(RequirementList(list(package_requests)), prune_unfailed), scopes, extractions,
                   _rez_failure(graph.failure, requirement))
    return _ResolvePhase.get_graph(phase)  # type: ignore[arg-type]


def _rez_failure(failure: FailureReason | None, requirement: Callable[[str], Any]) -> Any:
    """rez's failure reason object for rezsnap's (the graph draws its conflict edges)."""
    if failure is None:
        return None
    from rez import solver
    from rez.version import Version, VersionedObject

    if isinstance(failure, DependencyConflicts):
        return solver.DependencyConflicts([
            solver.DependencyConflict(requirement(str(c.dependency)), requirement(str(c.conflicting_request)))
            for c in failure.conflicts])
    if isinstance(failure, TotalReduction):
        reductions = []
        for r in failure.reductions:
            base, index = r.variant[:-1].rsplit("[", 1)  # name-version[index]: names hold no "-"
            name, _, version = base.partition("-")
            reductions.append(solver.Reduction(name, Version(version), int(index) if index else None,
                                               requirement(str(r.dependency)),
                                               requirement(str(r.conflicting_request))))
        return solver.TotalReduction(reductions)
    if isinstance(failure, Cycle):
        return solver.Cycle([VersionedObject(text) for text in failure.packages])
    raise TypeError(f"unknown failure reason {type(failure).__name__}")
