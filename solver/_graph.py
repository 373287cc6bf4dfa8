"""What rez's resolve graph is drawn from: the final phase of a solve, as plain strings.

rez draws a resolve's graph (``_ResolvePhase.get_graph``) from the request list, the
phase's scopes with their solved variants, the extractions made by that phase's last solve
step and, for a failed resolve, the failure reason of the phase rez reports. This value carries exactly those, in rez's order, so that a
caller with rez at hand (``rezsnap.rez``) can let rez's own code draw the graph.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._failures import FailureReason

__all__ = ["GraphScope", "ResolveGraph"]


@dataclass(frozen=True, slots=True)
class GraphScope:
    """One scope of the final phase."""

    name: str
    request: str  # the scope's request as rez prints it (a solved scope: its variant's exact version)
    is_conflict: bool
    variant: str | None  # the solved variant as rez prints it (``name-version[index]``), if any
    requires: tuple[str, ...]  # the solved variant's requirements, merged, in rez's order
    label: str = ""  # without a solved variant: the scope as rez prints it (its request or slice)


@dataclass(frozen=True, slots=True)
class ResolveGraph:
    """The final phase of a solve, or the failed phase rez reports: scopes in rez's order,
    extractions in the order rez made them, and the failure."""

    scopes: tuple[GraphScope, ...]
    extractions: tuple[tuple[str, str, str], ...]  # (scope family, extracted family, request)
    failure: FailureReason | None = None
