"""The opt-in patch of rez's resolve step: ``rez.resolver.Resolver._solve``.

rez's ``Resolver.solve()`` calls ``self._solve()`` for a ``Solver``, turns it into a dict
(status, variant handles, ephemerals, times) and loads the resolved variants from their
handles. The patched ``_solve`` answers from a snapshot with rezsnap's solver and returns
an object with the few attributes that conversion reads, so rez goes on as usual: real
``Variant`` objects, the same environment. Anything rezsnap does not model goes to rez's
own ``_solve``, counted by reason.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rezsnap.solver import Repository
from rezsnap.version import RezsnapError

from ._freshness import Freshness, changed_families, same_paths

if TYPE_CHECKING:
    from rezsnap.solver._families import Family

__all__ = ["FastPathStats", "RezIntegrationError", "install", "installed", "stats", "uninstall"]

log = logging.getLogger("rezsnap.rez")


class RezIntegrationError(RezsnapError):
    """rez is missing, or the integration was given something it cannot use."""


@dataclass
class FastPathStats:
    """How many solves took the fast path, fell back to rez (and why), or diverged in shadow mode."""

    fast: int = 0
    fallbacks: Counter[str] = field(default_factory=Counter)
    shadow_compared: int = 0
    divergences: int = 0

    @property
    def total(self) -> int:
        return self.fast + sum(self.fallbacks.values())

    def as_dict(self) -> dict[str, Any]:
        return {"fast": self.fast, "fallbacks": dict(self.fallbacks), "shadow_compared": self.shadow_compared,
                "divergences": self.divergences}


class _Fallback(Exception):
    """This solve goes to rez; the message is the counted reason."""


class _Source:
    """A snapshot, read once, with what changed on disk since."""

    def __init__(self, snapshot: str, recheck_s: float) -> None:
        from rezsnap.snapshot import read_snapshot
        from rezsnap.solver import Repository

        self.path = snapshot
        self.snapshot = read_snapshot(snapshot)
        self.repository = Repository.from_snapshot(self.snapshot)
        table = self.snapshot.table
        self.known = frozenset(table.column("family").unique().to_pylist())
        self._stamps: dict[str, tuple[int | None, int | None]] | None = None
        self._recheck_s = recheck_s
        self._checked_at = -math.inf
        self._freshness = Freshness(frozenset(), frozenset())
        self._paths_match: dict[tuple[str, ...], bool] = {}

    def matches(self, rez_paths: Sequence[str]) -> bool:
        """Rule 1, remembered per list of paths: ``realpath`` costs a stat per component."""
        key = tuple(rez_paths)
        found = self._paths_match.get(key)
        if found is None:
            found = self._paths_match[key] = same_paths(self.snapshot.metadata.package_paths, key)
        return found

    def freshness(self) -> Freshness:
        now = time.monotonic()
        if now - self._checked_at >= self._recheck_s:
            meta = self.snapshot.metadata
            self._freshness = changed_families(meta.package_paths, meta.created, self.known)
            self._checked_at = now
        return self._freshness

    def stamp(self, uri: str) -> tuple[int | None, int | None] | None:
        if self._stamps is None:
            table = self.snapshot.table
            self._stamps = dict(zip(table.column("uri").to_pylist(),
                                    zip(table.column("mtime_ns").to_pylist(), table.column("size").to_pylist())))
        return self._stamps.get(uri)


@dataclass
class _Settings:
    snapshot: str | None
    shadow: bool
    recheck_s: float
    verify_files: bool
    sources: dict[str, _Source] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


_ORIGINAL: Any = None
_SETTINGS: _Settings | None = None
_STATS = FastPathStats()


def _rez_resolver() -> Any:
    try:
        from rez import resolver
    except ImportError:
        raise RezIntegrationError("rezsnap.rez needs rez: pip install 'rezsnap[rez]'") from None
    return resolver


def install(snapshot: str | os.PathLike[str] | None = None, *, shadow: bool = False, recheck_s: float = 30.0,
            verify_files: bool = True) -> None:
    """Answer rez's solves from ``snapshot`` (a file written by ``rezsnap snapshot``).

    ``shadow``: run rez's solver too, log any divergence and return rez's result.
    ``recheck_s``: how often a long-running process re-stats the family directories.
    ``verify_files``: compare the resolved packages' files with the snapshot after each solve.
    Calling it again replaces the settings; ``uninstall()`` restores rez.
    """
    global _ORIGINAL, _SETTINGS
    resolver = _rez_resolver()
    if snapshot is None:
        raise RezIntegrationError("install() needs snapshot=PATH (a file written by 'rezsnap snapshot')")
    if _ORIGINAL is None:
        _ORIGINAL = resolver.Resolver._solve
        resolver.Resolver._solve = _patched_solve
    _SETTINGS = _Settings(os.fspath(snapshot), shadow, recheck_s, verify_files)


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
    try:
        fast = _fast_solve(resolver, settings)
    except _Fallback as reason:
        _STATS.fallbacks[str(reason)] += 1
        log.debug("rezsnap: rez solves %s: %s", _request_text(resolver), reason)
        return _ORIGINAL(resolver)
    except Exception as exc:  # noqa: BLE001  the integration must never break a rez env
        _STATS.fallbacks[f"rezsnap raised {type(exc).__name__}"] += 1
        log.warning("rezsnap: unexpected %s, rez solves instead: %s", type(exc).__name__, exc)
        return _ORIGINAL(resolver)
    if settings.shadow:
        theirs = _ORIGINAL(resolver)
        _STATS.shadow_compared += 1
        ours = [v.handle for v in fast.resolved_packages]
        solved = theirs.status.name == "solved"
        if not solved or [v.handle for v in theirs.resolved_packages] != ours:
            _STATS.divergences += 1
            their_text = [str(v) for v in theirs.resolved_packages] if solved else theirs.status.name
            log.warning("rezsnap: DIVERGENCE for %s:\n  rez:     %s\n  rezsnap: %s", _request_text(resolver),
                        their_text, [v.text for v in fast.resolved_packages])
        return theirs
    _STATS.fast += 1
    return fast


def _request_text(resolver: Any) -> str:
    return " ".join(str(r) for r in resolver.package_requests)


def _fast_solve(resolver: Any, settings: _Settings) -> Any:
    # What rezsnap's solver does not model: rez solves these.
    if resolver.package_filter_hash:
        raise _Fallback("package filter")
    if resolver.package_orderers:
        raise _Fallback("package orderers")
    if resolver.building:
        raise _Fallback("building (build requires)")
    if not _plain_callback(resolver.callback):
        raise _Fallback("solver callback, fail or time limit")
    source = _source(settings)
    if not source.matches(resolver.package_paths):
        raise _Fallback("snapshot package paths differ from rez's")
    freshness = source.freshness()
    from rezsnap.solver import solve_with

    repository = _Tracking(source.repository)
    result = solve_with(repository, [str(r) for r in resolver.package_requests],
                        timestamp=resolver.timestamp or None, validate_names=False)
    if repository.touched & (freshness.changed | freshness.unknown):
        raise _Fallback("families changed since the snapshot")
    if result.status == "error":
        raise _Fallback("rezsnap cannot decide (late-bound or unloadable package)")
    if result.status != "solved":
        raise _Fallback("failed solve (rez builds the failure graph)")
    if settings.verify_files:
        for variant in result.resolved_packages:
            _verify_file(source, variant.uri)
    return _SolvedByRezsnap(result, source.snapshot.metadata.package_paths, resolver.package_paths)


def _plain_callback(callback: Any) -> bool:
    """None, or ``ResolvedContext``'s own callback with no limit and no user callback
    (what every ``rez env`` without ``--max-fails``/``--time-limit`` passes)."""
    if callback is None:
        return True
    from rez.resolved_context import ResolvedContext

    return (isinstance(callback, ResolvedContext.Callback) and callback.callback is None
            and callback.max_fails == -1 and callback.time_limit == -1)


def _verify_file(source: _Source, variant_uri: str | None) -> None:
    if variant_uri is None:
        return
    uri = variant_uri[: variant_uri.rindex("[")]
    stamp = source.stamp(uri)
    path = uri[: uri.index(".py<") + 3] if ".py<" in uri else uri
    try:
        found = os.stat(path)
    except OSError:
        raise _Fallback("a resolved package file is gone") from None
    if stamp is None or stamp != (found.st_mtime_ns, found.st_size):
        raise _Fallback("a resolved package file changed since the snapshot")


def _source(settings: _Settings) -> _Source:
    assert settings.snapshot is not None
    with settings.lock:
        source = settings.sources.get(settings.snapshot)
        if source is None:
            try:
                source = _Source(settings.snapshot, settings.recheck_s)
            except RezsnapError as exc:  # missing, truncated, foreign...
                raise _Fallback(f"snapshot unusable: {type(exc).__name__}") from None
            settings.sources[settings.snapshot] = source
    return source


class _Tracking(Repository):
    """The snapshot repository, recording the families one solve asks for."""

    def __init__(self, repository: Repository) -> None:
        super().__init__(repository.family, repository.searched)
        self.touched: set[str] = set()

    def family(self, name: str) -> Family | None:
        self.touched.add(name)
        return super().family(name)


class _Variant:
    __slots__ = ("handle", "text")

    def __init__(self, handle: Any, text: str) -> None:
        self.handle = handle
        self.text = text  # for logs: name-version[index], as rez prints a solver variant


class _SolvedByRezsnap:
    """What ``Resolver._solver_to_dict`` reads of a solved ``rez.solver.Solver``."""

    abort_reason = None
    load_time = 0.0

    def __init__(self, result: Any, snapshot_paths: Sequence[str], rez_paths: Sequence[str]) -> None:
        from rez.solver import SolverStatus
        from rez.utils.formatting import PackageRequest

        self.status = SolverStatus.solved
        self.solve_time = result.solve_time_ms / 1e3
        self.resolved_packages = [
            _Variant(_handle(v, snapshot_paths, rez_paths), _variant_text(v)) for v in result.resolved_packages]
        self.resolved_ephemerals = [PackageRequest(e) for e in result.resolved_ephemerals]

    def get_graph(self) -> None:
        return None  # rezsnap keeps no resolve graph; ResolvedContext.has_graph is then False

    def failure_description(self) -> None:
        return None


def _variant_text(variant: Any) -> str:
    name = f"{variant.name}-{variant.version}" if variant.version else variant.name
    return f"{name}[{'' if variant.variant_index is None else variant.variant_index}]"


def _handle(variant: Any, snapshot_paths: Sequence[str], rez_paths: Sequence[str]) -> Any:
    """The resource handle rez's filesystem repository gives this variant (the snapshot's
    paths are rez's, maybe spelt differently: the same position is the same repository)."""
    from rez.package_repository import package_repository_manager
    from rez.utils.resources import ResourceHandle

    uri = variant.uri[: variant.uri.rindex("[")]
    combined = ".py<" in uri or ".yaml<" in uri
    repository = rez_paths[_repository_index(uri, snapshot_paths)]
    location = package_repository_manager.get_repository(repository).location
    variables = {"location": location, "name": variant.name, "version": variant.version,
                 "index": variant.variant_index, "repository_type": "filesystem"}
    # As a dict, like the handles of rez's solver variants (what memcached stores).
    if not combined:
        return ResourceHandle("filesystem.variant", variables).to_dict()
    variables["ext"] = "py" if ".py<" in uri else "yaml"
    return ResourceHandle("filesystem.variant.combined", variables).to_dict()


def _repository_index(uri: str, package_paths: Sequence[str]) -> int:
    """Which package path holds ``uri`` (the longest prefix: one path may contain another)."""
    best, found = -1, -1
    for index, path in enumerate(package_paths):
        prefix = path.rstrip("/\\") + os.sep
        if uri.startswith(prefix) and len(prefix) > best:
            best, found = len(prefix), index
    if found < 0:
        raise _Fallback("a resolved package is outside the snapshot's package paths")
    return found
