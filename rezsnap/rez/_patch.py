"""The opt-in patch of rez's resolve step: ``rez.resolver.Resolver._solve``.

rez's ``Resolver.solve()`` looks in its resolve cache (memcached) first, then calls
``self._solve()`` for a ``Solver``, turns it into a dict (status, graph, variant handles,
ephemerals, times), stores that in the cache and loads the resolved variants from their
handles. The patched ``_solve`` lets rez's own solver answer while it stays small (at most
``rez_budget`` package loads: then importing rezsnap would cost more than it saves), and
otherwise answers from a snapshot with rezsnap's solver (``_fast.py``), returning an object
with what that conversion reads, so rez goes on as usual: the cache, real ``Variant``
objects, the graph, the environment. Anything rezsnap does not model or cannot vouch for
goes to rez's own ``_solve``, counted by reason.

This module imports only the standard library: a solve that rez finishes within the
budget never imports the solver, pyarrow or the snapshot.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import Counter
from typing import Any

__all__ = ["DEFAULT_REZ_BUDGET", "FastPathStats", "install", "installed", "stats", "uninstall"]

log = logging.getLogger("rezsnap.rez")

#: Package loads rez may make before rezsnap takes over the solve (measured: README).
DEFAULT_REZ_BUDGET = 40


class FastPathStats:
    """How many solves took the fast path, were small enough for rez (``rez_within_budget``),
    fell back to rez (and why), or diverged in shadow mode."""

    # a plain class: a dataclass is generated code, about 1 ms of every rez process that solves
    __slots__ = ("divergences", "fallbacks", "fast", "live_families", "rez_within_budget", "shadow_compared")

    def __init__(self) -> None:
        self.fast = 0
        self.rez_within_budget = 0
        self.fallbacks: Counter[str] = Counter()
        self.shadow_compared = 0
        self.divergences = 0
        #: families that fast solves read from disk (not in a snapshot, or changed since)
        self.live_families = 0

    @property
    def total(self) -> int:
        return self.fast + self.rez_within_budget + sum(self.fallbacks.values())

    def as_dict(self) -> dict[str, Any]:
        return {"fast": self.fast, "rez_within_budget": self.rez_within_budget, "fallbacks": dict(self.fallbacks),
                "shadow_compared": self.shadow_compared, "divergences": self.divergences,
                "live_families": self.live_families}


class Fallback(Exception):
    """This solve goes to rez; the message is the counted reason."""


class _OverBudget(Exception):
    """rez loaded more packages than the budget: rezsnap takes the solve over."""


class RezRaises(Exception):
    """rezsnap's answer is rez's own exception (``original``), raised where rez raises it."""

    def __init__(self, original: BaseException) -> None:
        super().__init__(str(original))
        self.original = original


class Settings:
    """What ``install()`` was given, and what the fast path keeps between solves."""

    __slots__ = ("last_live_families", "lock", "network_fs", "rez_budget", "shadow", "snapshot", "sources",
                 "verify_files")

    def __init__(self, snapshot: str, shadow: bool, rez_budget: int, verify_files: bool,
                 network_fs: bool | None = None) -> None:
        self.snapshot = snapshot
        self.shadow = shadow
        self.rez_budget = rez_budget
        self.verify_files = verify_files
        #: the package paths are on a network file system (True), a local one (False), or probe (None)
        self.network_fs = network_fs
        self.sources: dict[str, Any] = {}
        self.lock = threading.Lock()
        #: families the last fast solve read from disk rather than a snapshot
        self.last_live_families = 0


_ORIGINAL: Any = None
_SETTINGS: Settings | None = None
_STATS = FastPathStats()
#: ``record(requests, answered_by, reason, live_families, seconds)``, set by ``REZSNAP_STATS_DIR``
_RECORDER: Any = None


def set_recorder(recorder: Any) -> None:
    global _RECORDER
    _RECORDER = recorder


def _rez_resolver() -> Any:
    try:
        from rez import resolver
    except ImportError:
        from ._errors import RezIntegrationError

        raise RezIntegrationError("rezsnap.rez needs rez: pip install 'rezsnap[rez]'") from None
    return resolver


def install(snapshot: str | os.PathLike[str] | None = None, *, shadow: bool = False,
            rez_budget: int = DEFAULT_REZ_BUDGET, verify_files: bool = True,
            network_fs: bool | None = None) -> None:
    """Answer rez's solves from ``snapshot`` (a file written by ``rezsnap snapshot``).

    ``shadow``: run rez's solver too, log any divergence and return rez's result.
    ``rez_budget``: rez solves alone while it loads at most this many packages (0: rezsnap
    answers every solve it can). ``verify_files``: check, after each fast solve, that the
    families it touched are on disk as in the snapshot (the freshness rule; off only for
    measurements). ``network_fs``: the package paths are on a network file system (True:
    families are listed ahead of the solver and the resolved definitions loaded on threads),
    a local one (False), or ``None``: probed on the first family listed. Calling it again
    replaces the settings; ``uninstall()`` restores rez.
    """
    global _ORIGINAL, _SETTINGS
    resolver = _rez_resolver()
    if snapshot is None:
        from ._errors import RezIntegrationError

        raise RezIntegrationError("install() needs snapshot=PATH (a file written by 'rezsnap snapshot')")
    if _ORIGINAL is None:
        _ORIGINAL = resolver.Resolver._solve
        resolver.Resolver._solve = _patched_solve
    _SETTINGS = Settings(os.fspath(snapshot), shadow, max(0, int(rez_budget)), verify_files, network_fs)


def uninstall() -> None:
    global _ORIGINAL, _SETTINGS
    if _ORIGINAL is not None:
        _rez_resolver().Resolver._solve = _ORIGINAL
    _ORIGINAL, _SETTINGS = None, None


def installed() -> bool:
    return _ORIGINAL is not None


def stats(reset: bool = False) -> FastPathStats:
    """The counters since the process started (or the last reset)."""
    global _STATS
    current = _STATS
    if reset:
        _STATS = FastPathStats()
    return current


def _patched_solve(resolver: Any) -> Any:
    settings = _SETTINGS
    if settings is None:  # uninstalled meanwhile
        return _ORIGINAL(resolver)
    started = time.perf_counter()
    answer = _answer(resolver, settings)
    answered_by, reason, result = answer
    live = settings.last_live_families if answered_by == "rezsnap" else 0
    _record(resolver, answered_by, reason, live, time.perf_counter() - started)
    if isinstance(result, RezRaises):
        raise result.original
    return result


def _answer(resolver: Any, settings: Settings) -> tuple[str, str | None, Any]:
    """(who answered: "rezsnap" or "rez", why rez did, the solver or ``RezRaises``)."""
    reason = _unmodelled(resolver)
    if reason is not None:
        return _fall_back(resolver, reason)
    if settings.rez_budget and not settings.shadow:
        try:
            solver = _within_budget(resolver, settings.rez_budget)
        except _OverBudget:
            pass
        else:
            _STATS.rez_within_budget += 1
            return "rez", "within budget", solver
    settings.last_live_families = 0
    try:
        from ._fast import fast_solve

        fast = fast_solve(resolver, settings)
    except Fallback as exc:
        return _fall_back(resolver, str(exc))
    except RezRaises as exc:
        fast = exc
    except Exception as exc:  # noqa: BLE001  the integration must never break a rez env
        log.warning("rezsnap: unexpected %s, rez solves instead: %s", type(exc).__name__, exc)
        return _fall_back(resolver, f"rezsnap raised {type(exc).__name__}")
    if settings.shadow:
        return "rez", "shadow", _shadow(resolver, fast)
    _STATS.fast += 1
    _STATS.live_families += settings.last_live_families
    return "rezsnap", None, fast


def _fall_back(resolver: Any, reason: str) -> tuple[str, str | None, Any]:
    _STATS.fallbacks[reason] += 1
    log.debug("rezsnap: rez solves %s: %s", _request_text(resolver), reason)
    return "rez", reason, _ORIGINAL(resolver)


def _record(resolver: Any, answered_by: str, reason: str | None, live: int, seconds: float) -> None:
    """One solve for ``REZSNAP_STATS_DIR`` (written when the process exits: ``_stats.py``)."""
    if _RECORDER is not None:
        _RECORDER([str(r) for r in resolver.package_requests], answered_by, reason, live, seconds)


def _within_budget(resolver: Any, budget: int) -> Any:
    """rez's own solve, stopped (``_OverBudget``) at its ``budget + 1``-th package load."""
    user_callback = resolver.package_load_callback
    loads = 0

    def counting(package: Any) -> None:
        nonlocal loads
        loads += 1
        if loads > budget:
            raise _OverBudget
        if user_callback is not None:
            user_callback(package)

    resolver.package_load_callback = counting
    try:
        return _ORIGINAL(resolver)
    finally:
        resolver.package_load_callback = user_callback


def _shadow(resolver: Any, fast: Any) -> Any:
    try:
        theirs = _ORIGINAL(resolver)
    except Exception as exc:
        _STATS.shadow_compared += 1
        if not (isinstance(fast, RezRaises) and type(fast.original) is type(exc) and str(fast.original) == str(exc)):
            _STATS.divergences += 1
            log.warning("rezsnap: DIVERGENCE for %s:\n  rez:     %s\n  rezsnap: %s", _request_text(resolver),
                        f"{type(exc).__name__}: {exc}", _outcome_text(fast))
        raise
    _STATS.shadow_compared += 1
    if _outcome_text(theirs) != _outcome_text(fast):
        _STATS.divergences += 1
        log.warning("rezsnap: DIVERGENCE for %s:\n  rez:     %s\n  rezsnap: %s", _request_text(resolver),
                    _outcome_text(theirs), _outcome_text(fast))
    return theirs


def _outcome_text(solver: Any) -> str:
    """A solve's outcome, comparable between rez's solver and rezsnap's answer."""
    if isinstance(solver, RezRaises):
        return f"{type(solver.original).__name__}: {solver.original}"
    if solver.status.name == "solved":
        return " ".join(str(v) if not hasattr(v, "text") else v.text for v in solver.resolved_packages)
    return f"{solver.status.name}: {solver.failure_description()}"


def _request_text(resolver: Any) -> str:
    return " ".join(str(r) for r in resolver.package_requests)


def _unmodelled(resolver: Any) -> str | None:
    """What rezsnap's solver does not model: rez solves these."""
    if resolver.building:
        return "building (build requires)"
    if not _plain_callback(resolver.callback):
        return "solver callback, fail or time limit"
    return None


def _plain_callback(callback: Any) -> bool:
    """None, or ``ResolvedContext``'s own callback with no limit and no user callback
    (what every ``rez env`` without ``--max-fails``/``--time-limit`` passes)."""
    if callback is None:
        return True
    from rez.resolved_context import ResolvedContext

    return (isinstance(callback, ResolvedContext.Callback) and callback.callback is None
            and callback.max_fails == -1 and callback.time_limit == -1)
