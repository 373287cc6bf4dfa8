"""What rez's resolve graph is drawn from: the final phase of a solve, as plain strings.

rez draws a solved resolve's graph (``_ResolvePhase.get_graph``) from the request list,
the final phase's scopes with their solved variants, and the extractions made by that
phase's last solve step. This value carries exactly those, in rez's order, so that a
caller with rez at hand (``rezsnap.rez``) can let rez's own code draw the graph.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["GraphScope", "ResolveGraph"]


@dataclass(frozen=True, slots=True)
class GraphScope:
    """One scope of the final phase."""

    name: str
    request: str  # the scope's request as rez prints it (a solved scope: its variant's exact version)
    is_conflict: bool
    variant: str | None  # the solved variant as rez prints it (``name-version[index]``), if any
    requires: tuple[str, ...]  # the solved variant's requirements, merged, in rez's order


@dataclass(frozen=True, slots=True)
class ResolveGraph:
    """The final phase of a solve: scopes in rez's order, extractions in the order rez made them."""

    scopes: tuple[GraphScope, ...]
    extractions: tuple[tuple[str, str, str], ...]  # (scope family, extracted family, request)
