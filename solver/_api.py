"""``solve()``: rez's resolve of a request list, from a snapshot or any other package source."""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rezsnap.parser._request import parse_package_request

from rezsnap._gc import gc_paused
from rezsnap.model import PackageData
from rezsnap.version import Requirement, RezsnapError

from ._families import FamilyCache, PackageVariant
from ._graph import ResolveGraph
from ._repository import Repository
from ._solver import Solver

if TYPE_CHECKING:
    from concurrent.futures import Executor  # solve_many only: not imported by a solve

    from ._filters import PackageFilterList
    from ._orderers import PackageOrderList

__all__ = ["ResolvedVariant", "SolveResult", "solve", "solve_many"]

SELECT_MODES = ("version_priority", "intersection_priority")


@dataclass(frozen=True, slots=True)
class ResolvedVariant:
    """One package of a resolve."""

    name: str
    version: str
    variant_index: int | None  # None: the package has no variants
    requires: tuple[str, ...]  # the package's and the variant's requirements, merged
    uri: str | None  # as rez writes a variant URI: the definition file plus [index] or []

    @property
    def qualified_name(self) -> str:
        """``name-version[index]`` as rez prints a resolved variant."""
        base = f"{self.name}-{self.version}" if self.version else self.name
        return f"{base}[{'' if self.variant_index is None else self.variant_index}]"

    def __str__(self) -> str:
        return self.qualified_name


@dataclass(frozen=True, slots=True)
class SolveResult:
    """The outcome of ``solve()``: ``status`` is ``solved``, ``failed`` or ``error``."""

    status: str
    resolved_packages: tuple[ResolvedVariant, ...] = ()
    resolved_ephemerals: tuple[str, ...] = ()
    failure_description: str | None = None
    solve_time_ms: float = 0.0
    num_solves: int = 0
    num_fails: int = 0
    requests: tuple[str, ...] = field(default=())
    #: what rez's resolve graph is drawn from (``solve_with(..., graph=True)`` of a solved request)
    graph: ResolveGraph | None = field(default=None, repr=False, compare=False)

    @property
    def resolved(self) -> list[tuple[str, str, int | None]]:
        return [(v.name, v.version, v.variant_index) for v in self.resolved_packages]

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "requests": list(self.requests),
            "resolved_packages": [
                {"name": v.name, "version": v.version, "variant_index": v.variant_index,
                 "requires": list(v.requires), "uri": v.uri, "qualified_name": v.qualified_name}
                for v in self.resolved_packages
            ],
            "resolved_ephemerals": list(self.resolved_ephemerals),
            "failure_description": self.failure_description,
            "solve_time_ms": self.solve_time_ms,
            "num_solves": self.num_solves,
            "num_fails": self.num_fails,
        }


def _parse_requests(requests: Sequence[str], validate_names: bool = True) -> list[Requirement]:
    """As rez's ``PackageRequest`` (a requirement whose package name is valid), or as a
    plain ``Requirement`` (what rez's ``Solver`` takes) without ``validate_names``."""
    parse = parse_package_request if validate_names else Requirement
    for text in requests:
        if not isinstance(text, str):
            raise TypeError(f"requests must be strings, not {type(text).__name__}")
    return [parse(text) for text in requests]  # InvalidRequirement names the request


def _repository(
    packages: Iterable[PackageData] | None,
    snapshot: Any,
    package_paths: Sequence[str] | None,
    load_family: Callable[..., Sequence[PackageData]] | None,
) -> Repository:
    given = [s for s in (snapshot, package_paths) if s is not None]
    if load_family is not None:
        if given:
            raise TypeError("give one package source: packages (with load_family), snapshot or package_paths")
        if not callable(load_family):
            raise TypeError("load_family must be callable")
        return Repository.from_callback(load_family, packages or ())
    if snapshot is not None and package_paths is not None and packages is None:
        return _paths_with_snapshots(package_paths, snapshot)
    if len(given) + (packages is not None) != 1:
        raise TypeError("give exactly one package source: packages, snapshot, package_paths or load_family")
    if packages is not None:
        if isinstance(packages, (str, bytes)):
            raise TypeError("packages must be a list of PackageData")
        return Repository.from_packages(packages)
    if snapshot is not None:
        return snapshot if isinstance(snapshot, Repository) else _cached_repository(snapshot)
    assert package_paths is not None
    if isinstance(package_paths, (str, bytes)):
        raise TypeError("package_paths must be a list of paths")
    return Repository.from_paths(package_paths)


def _paths_with_snapshots(package_paths: Sequence[str], snapshot: Any) -> Repository:
    """``package_paths`` read on demand, the snapshot(s) answering for the paths they cover."""
    from ._layered import snapshot_rows

    if isinstance(package_paths, (str, bytes)):
        raise TypeError("package_paths must be a list of paths")
    many = snapshot if isinstance(snapshot, (list, tuple)) else [snapshot]
    if any(isinstance(s, Repository) for s in many):
        raise TypeError("with package_paths, snapshot must be snapshot paths or read Snapshots")
    return Repository.from_paths(package_paths, snapshots=[snapshot_rows(s) for s in many])


_CACHE_SIZE = 4
_CACHE: OrderedDict[Any, tuple[Any, Repository]] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def _cached_repository(snapshot: Any) -> Repository:
    """One ``Repository`` per snapshot file (by its identity: path, inode, size and mtime, so a
    replaced file is read again) or per ``Snapshot`` object: ``solve(r, snapshot=...)`` in a
    loop keeps the families it loaded, as a kept ``Repository`` does. Safe across threads."""
    if isinstance(snapshot, (str, os.PathLike)):  # first: a path needs no pyarrow (see from_snapshot)
        path = os.path.abspath(os.fspath(snapshot))
        try:
            info = os.stat(path)
        except OSError:
            return Repository.from_snapshot(snapshot)  # raises SnapshotError, naming the file
        key: Any = ("file", path, info.st_ino, info.st_size, info.st_mtime_ns)
    else:
        from rezsnap.snapshot import Snapshot

        if not isinstance(snapshot, Snapshot):
            return Repository.from_snapshot(snapshot)  # raises TypeError
        key = ("object", id(snapshot))
    with _CACHE_LOCK:
        found = _CACHE.get(key)
        if found is not None:
            _CACHE.move_to_end(key)
            return found[1]
    repository = Repository.from_snapshot(snapshot)
    with _CACHE_LOCK:
        # the Snapshot itself is kept with its repository: its id cannot be reused meanwhile
        found = _CACHE.setdefault(key, (snapshot, repository))
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return found[1]


def solve(
    requests: Sequence[str],
    packages: Iterable[PackageData] | None = None,
    *,
    snapshot: Any = None,
    package_paths: Sequence[str] | None = None,
    load_family: Callable[..., Sequence[PackageData]] | None = None,
    variant_select_mode: str = "version_priority",
    timestamp: int | None = None,
    package_filter: Any = None,
    package_orderers: Any = None,
) -> SolveResult:
    """Resolve ``requests`` exactly as rez 3.4.0's solver does.

    Exactly one package source: ``packages`` (``PackageData`` list), ``snapshot``
    (a path, a read ``Snapshot`` or a ``Repository``), ``package_paths`` (scanned
    and loaded on demand, only the families the solve touches) or ``load_family``
    (a callback ``load_family(name)`` returning that family's ``PackageData``; with
    ``packages`` too, those pre-seed it). ``package_paths`` with ``snapshot`` (one
    snapshot or a list) means these paths as rez reads them now, each snapshot
    answering for the paths it covers with the packages whose files it proves
    unchanged; everything else is read from disk. ``timestamp``: packages released after it
    are invisible (rez's ``--time``). ``package_filter``: rez's ``package_filter`` setting
    (a dict of ``excludes``/``includes`` rules, a list of them, or a rez
    ``PackageFilterList``); ``package_orderers``: rez's ``package_orderers`` setting (a
    list of dicts, or a rez ``PackageOrderList``). No exception escapes for a failed or
    impossible solve: see ``SolveResult.status``. Wrong argument types raise
    ``TypeError``, rules rez refuses ``FilterError`` or ``OrdererError``; a snapshot path
    that cannot be read raises ``SnapshotError``.
    """
    if isinstance(requests, str) or not isinstance(requests, Sequence):
        raise TypeError("requests must be a list of requirement strings")
    if variant_select_mode not in SELECT_MODES:
        raise TypeError(f"variant_select_mode must be one of {SELECT_MODES}, not {variant_select_mode!r}")
    if timestamp is not None and not isinstance(timestamp, int):
        raise TypeError("timestamp must be an int (seconds since the epoch)")
    steering = _steering(package_filter, package_orderers)
    repository = _repository(packages, snapshot, package_paths, load_family)
    return solve_with(repository, requests, variant_select_mode=variant_select_mode, timestamp=timestamp,
                      package_filter=steering[0], package_orderers=steering[1])


def _steering(package_filter: Any, package_orderers: Any) -> tuple[Any, Any]:
    """The filter list and orderer list from what a caller passes (None: none)."""
    found_filter = found_orderers = None
    if package_filter is not None:
        from ._filters import package_filter_list

        found_filter = package_filter_list(package_filter) or None
    if package_orderers is not None:
        from ._orderers import package_order_list

        found_orderers = package_order_list(package_orderers) or None
    return found_filter, found_orderers


def solve_with(
    repository: Repository,
    requests: Sequence[str],
    *,
    variant_select_mode: str = "version_priority",
    timestamp: int | None = None,
    validate_names: bool = True,
    graph: bool = False,
    package_filter: PackageFilterList | None = None,
    package_orderers: PackageOrderList | None = None,
) -> SolveResult:
    """``solve()`` over a ``Repository`` (kept between solves). ``validate_names=False``
    takes the requests as rez's ``Solver`` does (``!.foo`` is then a valid request);
    ``graph=True`` keeps what rez draws the resolve graph from (``SolveResult.graph``)."""
    started = time.perf_counter()
    texts = tuple(requests)
    solver: Solver | None = None
    try:
        parsed = _parse_requests(texts, validate_names)
        # rez's resolver adds the timestamp rule to the filter (an inclusion may override it)
        steering = package_filter.with_timestamp(timestamp) if package_filter else None
        families = FamilyCache(repository.family, repository.searched, timestamp, ranged=repository.ranged,
                               package_filter=steering)
        repository.prefetch(r.name for r in parsed if not r.conflict and not r.name.startswith("."))
        # A solve builds many short-lived objects; in a big process (a DCC, a daemon)
        # every full collection would walk the whole heap again.
        with gc_paused():
            solver = Solver(parsed, families, searched=repository.searched,
                            intersection_priority=variant_select_mode == "intersection_priority",
                            orderers=package_orderers)
            try:
                solver.solve()
                result = _result(solver, texts, time.perf_counter() - started, graph)
            finally:
                # Phases point back at their solver: unlinked while the GC is still off, the
                # search state is freed by reference counting instead of being left for the
                # next collection to walk (about 10 ms per solve on the rez benchmark).
                # num_solves survives it (the error result below reports it).
                solver.release()
                repository.settle()
        return result
    except (RezsnapError, TypeError, RecursionError) as exc:
        return SolveResult("error", failure_description=f"{type(exc).__name__}: {exc}",
                           solve_time_ms=(time.perf_counter() - started) * 1e3,
                           num_solves=solver.num_solves if solver else 0, requests=texts)


def _result(solver: Solver, texts: tuple[str, ...], seconds: float, graph: bool = False) -> SolveResult:
    status = solver.status
    variants, ephemerals = solver.resolved() if status == "solved" else ([], [])
    return SolveResult(
        status,
        tuple(_resolved(v) for v in variants),
        tuple(str(e) for e in ephemerals),
        solver.failure_description(),
        seconds * 1e3,
        solver.num_solves,
        solver.num_fails,
        texts,
        solver.graph() if graph else None,
    )


def _resolved(variant: PackageVariant) -> ResolvedVariant:
    package = variant.package
    uri = package.uri
    if uri is not None:
        uri = f"{uri}[{'' if variant.index is None else variant.index}]"
    return ResolvedVariant(
        variant.name, str(variant.version), variant.index,
        tuple(str(r) for r in variant.requires_list.requirements), uri,
    )


SolveTask = tuple[Any, list[list[str]], str, "int | None", Any, Any]
# Per worker process: snapshots already read, by (path, mtime_ns, size).
_WORKER_REPOSITORIES: dict[tuple[str, int, int], Repository] = {}


def _worker_repository(source: Any) -> Repository:
    """A task's repository: sent as is, or a snapshot path read once per worker."""
    if isinstance(source, Repository):
        return source
    info = os.stat(source)
    key = (os.fspath(source), info.st_mtime_ns, info.st_size)
    if key not in _WORKER_REPOSITORIES:
        _WORKER_REPOSITORIES.clear()  # one snapshot at a time: a newer one replaces the old
        _WORKER_REPOSITORIES[key] = Repository.from_snapshot(source)
    return _WORKER_REPOSITORIES[key]


def _solve_task(task: SolveTask) -> list[SolveResult]:
    """Task: a chunk of solves (runs in a worker)."""
    source, chunk, mode, timestamp, package_filter, package_orderers = task
    repository = _worker_repository(source)
    return [solve_with(repository, r, variant_select_mode=mode, timestamp=timestamp, package_filter=package_filter,
                       package_orderers=package_orderers) for r in chunk]


def solve_many(
    list_of_requests: Sequence[Sequence[str]],
    snapshot: Any,
    *,
    executor: Executor | None = None,
    variant_select_mode: str = "version_priority",
    timestamp: int | None = None,
    package_filter: Any = None,
    package_orderers: Any = None,
) -> list[SolveResult]:
    """``solve()`` for many independent request lists, in input order (``package_filter``
    and ``package_orderers`` as in ``solve()``).

    ``snapshot`` is a path, a ``Snapshot`` or a ``Repository``; one repository serves
    every solve (families are loaded once). With an ``executor`` (a process pool, a Dask
    client's executor) the solves go out in a few chunks per worker: a snapshot *path*
    is read once per worker process, a ``Repository`` is sent with each chunk (it must
    pickle: one from ``from_callback`` or ``from_paths`` only suits thread pools).
    """
    lists = [list(r) for r in list_of_requests]
    steering, orderers = _steering(package_filter, package_orderers)
    if executor is None:
        repository = snapshot if isinstance(snapshot, Repository) else Repository.from_snapshot(snapshot)
        return [solve_with(repository, r, variant_select_mode=variant_select_mode, timestamp=timestamp,
                           package_filter=steering, package_orderers=orderers) for r in lists]
    from rezsnap._pool import cpu_count, pmap

    source = snapshot
    if not isinstance(snapshot, (Repository, str, os.PathLike)):
        source = Repository.from_snapshot(snapshot)
    size = max(1, len(lists) // (4 * cpu_count()))
    tasks = [(source, lists[i : i + size], variant_select_mode, timestamp, steering, orderers)
             for i in range(0, len(lists), size)]
    return [result for chunk in pmap(_solve_task, tasks, workers=0, executor=executor) for result in chunk]
