"""rezsnap inside rez: an opt-in patch of rez's resolve step, and a differential check.

``install(snapshot=PATH)`` makes every ``ResolvedContext`` (and so ``rez env``) in this
process solve from the snapshot with rezsnap's solver, falling back to rez's own solver
for anything rezsnap does not model; ``activate_from_environment()`` does the same from
``REZSNAP_*`` variables (for a ``sitecustomize.py``). ``compare()`` runs rez and rezsnap on
the same requests and reports every divergence. rez is imported only when used.
"""

from ._compare import CompareReport, RequestOutcome, compare, random_requests
from ._hook import activate_from_environment
from ._patch import FastPathStats, RezIntegrationError, install, installed, stats, uninstall

__all__ = [
    "CompareReport",
    "FastPathStats",
    "RequestOutcome",
    "RezIntegrationError",
    "activate_from_environment",
    "compare",
    "install",
    "installed",
    "random_requests",
    "stats",
    "uninstall",
]
