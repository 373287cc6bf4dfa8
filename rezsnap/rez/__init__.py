"""rezsnap inside rez: an opt-in patch of rez's resolve step, and a differential check.

``rezsnap rez enable`` (``enable()``) turns the integration on for a rez installation: every
``rez env`` (every ``ResolvedContext``) whose solve is more than small is answered from the
snapshot by rezsnap's solver, with rez's own solver for anything rezsnap does not model or
cannot vouch for; ``disable()`` turns it off. ``install(snapshot=PATH)`` does it for one
process. ``compare()`` runs rez and rezsnap on the same requests and reports every
divergence. Every name is imported on first use: the start-up hook costs almost nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rezsnap._lazy import exports_on_first_use

if TYPE_CHECKING:
    from ._activation import Activation, disable, enable, status
    from ._compare import CompareReport, RequestOutcome, compare, random_requests
    from ._errors import RezIntegrationError
    from ._hook import activate_from_environment
    from ._patch import FastPathStats, install, installed, stats, uninstall

__all__ = [
    "Activation",
    "CompareReport",
    "FastPathStats",
    "RequestOutcome",
    "RezIntegrationError",
    "activate_from_environment",
    "compare",
    "disable",
    "enable",
    "install",
    "installed",
    "random_requests",
    "stats",
    "status",
    "uninstall",
]

__getattr__ = exports_on_first_use(__name__, {
    **dict.fromkeys(["Activation", "disable", "enable", "status"], "rezsnap.rez._activation"),
    **dict.fromkeys(["CompareReport", "RequestOutcome", "compare", "random_requests"], "rezsnap.rez._compare"),
    "RezIntegrationError": "rezsnap.rez._errors",
    "activate_from_environment": "rezsnap.rez._hook",
    **dict.fromkeys(["FastPathStats", "install", "installed", "stats", "uninstall"], "rezsnap.rez._patch"),
})
