"""``scan_repo``: every package of one or more rez package paths, in a deterministic order."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Any, Final, NamedTuple, TypeVar

from rezsnap._compiled import compiled_module
from rezsnap._io import NETWORK_THREADS, SLOW_STAT, stat_latency
from rezsnap._names import is_valid_package_name
from rezsnap._progress import progress_bar
from rezsnap.model import PackageKind, ScannedPackage, ScanProblem

from ._families import (
    NO_VERSION,
    FamilyDraft,
    Row,
    definition_rows,
    list_combined_family,
    list_directory_family,
    resolve_definitions,
)
from ._fs import entry_is_dir, list_dir, utf8_problem
from ._paths import PathArg, normalise_paths, repository_location

if TYPE_CHECKING:  # a serial walk imports no pool (rezsnap._pool)
    from concurrent.futures import Executor

__all__ = [
    "DEFAULT_WORKERS",
    "FamilyRef",
    "ListedFamily",
    "RenderedScan",
    "ScanResult",
    "list_families",
    "scan_family",
    "scan_rendered",
    "scan_repo",
]

#: Threads on a slow (network) file system: the walk is syscall-bound, ``stat``
#: releases the GIL, and many requests in flight matter more than cores.
DEFAULT_WORKERS: Final = NETWORK_THREADS
#: Below this many families a process pool costs more than it saves.
MIN_FAMILIES_FOR_PROCESSES: Final = 256
#: Families per listing task: enough to amortise a task, few enough to balance.
FAMILIES_PER_UNIT: Final = 64
#: Version directories per definition-lookup task. A bigger family is split,
#: so that its ``stat`` calls do not form one long serial chain on NFS.
VERSIONS_PER_UNIT: Final = 128
#: The same for ``scan_family`` on threads: one family, so smaller slices keep them all busy.
VERSIONS_PER_FAMILY_TASK: Final = 8


class FamilyRef(NamedTuple):
    """A family found at a repository root: a directory, or a ``name.py``/``name.yaml`` file."""

    location: str  # the repository root, realpath'd as rez does
    repo: str  # the package path as the caller gave it
    name: str
    fmt: str | None  # None: a family directory; "py"/"yaml": a combined file

    @property
    def path(self) -> str:
        if self.fmt is None:
            return self.location + os.sep + self.name
        return f"{self.location}{os.sep}{self.name}.{self.fmt}"


class ScanResult(list[ScannedPackage]):
    """The packages of a scan (a list), plus the ``problems`` met on the way."""

    problems: list[ScanProblem]

    def __init__(
        self, packages: Iterable[ScannedPackage] = (), problems: Iterable[ScanProblem] = ()
    ) -> None:
        super().__init__(packages)
        self.problems = list(problems)


def list_families(repo: str, problems: list[ScanProblem]) -> list[FamilyRef]:
    """``_get_family_dirs``: the family directories and combined files at a repository root.

    Sorted by name (rez lists them in ``os.listdir`` order); a name that is both
    a directory and a file (``dup/`` and ``dup.py``) gives two families, as in rez.
    """
    location = repository_location(repo)
    if not os.path.isdir(location):
        problems.append(ScanProblem(repo, "missing-repo", "package path is not a directory"))
        return []
    families = []
    for entry in list_dir(location, problems, None):
        name = entry.name
        if name == "settings.yaml":
            continue  # reserved: repository settings
        if entry_is_dir(entry, entry.path, problems, None):
            if is_valid_package_name(name):
                families.append(FamilyRef(location, repo, name, None))
            elif (problem := utf8_problem(entry.path, name, None, listed=False)) is not None:
                problems.append(problem)
            continue
        stem, ext = os.path.splitext(name)
        if ext in (".py", ".yaml") and is_valid_package_name(stem):
            families.append(FamilyRef(location, repo, stem, ext[1:]))
    families.sort(key=lambda ref: (ref.name, ref.fmt or ""))
    return families


ListTask = tuple[list[FamilyRef], int, bool]


def _list_unit(task: ListTask) -> list[FamilyDraft]:
    """Task: list a batch of families (runs in a worker)."""
    refs, resolve_limit, stamps = task
    return [
        list_directory_family(ref.path, ref.name, resolve_limit, stamps)
        if ref.fmt is None
        else list_combined_family(ref.path, ref.name, ref.fmt, stamps)
        for ref in refs
    ]


ResolveTask = tuple[str, str, list[str], frozenset[str], bool]


def _resolve_unit(task: ResolveTask) -> tuple[list[Row], list[ScanProblem]]:
    """Task: find the definition files of a slice of one big family (runs in a worker)."""
    family_path, family, names, building, stamps = task
    return resolve_definitions(family_path, family, names, building, stamps)


def _packages(ref: FamilyRef, kind: PackageKind, rows: list[Row]) -> list[ScannedPackage]:
    """Expand compact rows into packages, building each path as rez does.

    ``tuple.__new__`` skips the named tuple's Python-level ``__new__``: this
    runs once per package in the parent, after the workers are done.
    """
    new, cls = tuple.__new__, ScannedPackage
    family, repo, base = ref.name, ref.repo, ref.path
    if kind is PackageKind.COMBINED:
        return [new(cls, (family, version, fmt, base, repo, kind, stamp)) for version, fmt, stamp in rows]
    if kind is PackageKind.UNVERSIONED:
        path = f"{base}{os.sep}package."
        return [new(cls, (family, "", fmt, path + str(fmt), repo, kind, stamp)) for _, fmt, stamp in rows]
    prefix, suffix = base + os.sep, os.sep + "package."
    return [
        new(cls, (family, "", None, None, repo, kind, None))
        # rez drops this version and finds no definition file in the family dir
        if name == NO_VERSION
        else new(cls, (family, name, fmt, f"{prefix}{name}{suffix}{fmt}" if fmt else None, repo, kind, stamp))
        for name, fmt, stamp in rows
    ]


def scan_family(
    paths: PathArg | Sequence[PathArg], family: str, *, stamps: bool = False, workers: int = 0,
    executor: Executor | None = None,
) -> ScanResult:
    """The packages of one family in the given package paths, as rez's solver finds them
    (``iter_packages``: in each path, the family directory, else ``<family>.py``, else
    ``<family>.yaml``; listed as ``scan_repo`` lists them), touching only that family's
    directory and files (a solve loads families on demand).
    ``stamps`` as in ``scan_repo``; ``workers``: threads that look up the versions'
    definition files (on a network file system, where each lookup waits on latency and
    lookups overlap), 0 one after the other; ``executor``: a thread pool for those lookups
    (a caller that lists many families keeps one, rather than a pool per family)."""
    problems: list[ScanProblem] = []
    packages: list[ScannedPackage] = []
    if not is_valid_package_name(family):
        return ScanResult()
    for repo in normalise_paths(paths):
        location = repository_location(repo)
        # rez's FileSystemPackageRepository._get_family: the first of these that exists
        refs = []
        if os.path.isdir(os.path.join(location, family)):
            refs.append(FamilyRef(location, repo, family, None))
        else:
            for fmt in ("py", "yaml"):
                if os.path.isfile(f"{location}{os.sep}{family}.{fmt}"):
                    refs.append(FamilyRef(location, repo, family, fmt))
                    break
        if workers or executor is not None:  # list only, then the lookups in small slices on threads
            drafts = _list_unit((refs, 0, stamps))
            _resolve_pending(refs, drafts, workers, executor, stamps, per_task=VERSIONS_PER_FAMILY_TASK)
        else:
            drafts = _list_unit((refs, _NO_LIMIT, stamps))
        listed, met = _expanded(refs, drafts)
        packages += listed
        problems += met
    return ScanResult(packages, problems)


def scan_repo(
    paths: PathArg | Sequence[PathArg],
    *,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: bool = False,
    stamps: bool = False,
) -> ScanResult:
    """List every package of the given package paths, as rez 3.4.0's filesystem repository does.

    Returns a ``ScanResult`` (a ``list[ScannedPackage]``) ordered by package path,
    then family, then version by rez's ordering, with the problems met (an
    unreadable directory, a symlink loop, a FIFO, a combined family whose
    ``versions`` cannot be read statically, ...) in ``result.problems``. Nothing
    is raised for a bad entry; a path that does not exist lists nothing.

    ``workers=None`` (the default) measures the file system: on a slow one
    (NFS, CIFS) it uses ``DEFAULT_WORKERS`` threads, so many requests are in
    flight; on a fast one it uses one process per core for a big repository,
    else runs serially. ``workers=0`` scans serially in this process;
    ``workers=N`` uses N threads; ``executor`` runs the work on any
    ``concurrent.futures.Executor`` instead (a process pool, a Dask client's
    executor). The tasks are module-level functions with picklable arguments.
    ``stamps`` fills ``ScannedPackage.stamp`` where the walk ``stat``-s the file.
    """
    problems: list[ScanProblem] = []
    refs = _families_of(paths, workers, problems)
    drafts = _on_a_pool(refs, workers, executor, lambda size, chosen: _walk(refs, size, chosen, progress, stamps),
                        lambda: _compiled_walk(refs, stamps, progress))
    packages, met = _expanded(refs, drafts)
    return ScanResult(packages, problems + met)


class ListedFamily(NamedTuple):
    """One family of one package path as the walk listed it: the rows its packages are built
    from (``scan_rendered`` hands these to its renderer, which may write the rows as they are
    rather than build a ``ScannedPackage`` per version)."""

    ref: FamilyRef
    kind: PackageKind
    rows: list[Row]  # (version directory name or versions entry, format, stamp), in rez's order

    def packages(self) -> list[ScannedPackage]:
        """The family's packages, as ``scan_repo`` lists them."""
        return _packages(self.ref, self.kind, self.rows)


#: Renders a batch of listed families (in scan order) as texts to write one after the other
#: (a text per family: no batch-sized copy); module-level, as it goes to the workers.
Render = Callable[[list[ListedFamily]], list[str]]


class RenderedScan(NamedTuple):
    """``scan_rendered``'s answer: the texts, and what a summary of the scan says."""

    texts: list[str]  # in scan order: write them one after the other (``writelines``)
    packages: int
    families: int  # (package path, family) pairs that list at least one package
    problems: list[ScanProblem]

    @property
    def text(self) -> str:
        return "".join(self.texts)


def scan_rendered(
    paths: PathArg | Sequence[PathArg],
    render: Render,
    *,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: bool = False,
) -> RenderedScan:
    """The texts of ``render`` over the families ``scan_repo(paths)`` lists (``ListedFamily``:
    their packages, in the walk's compact rows), rendered batch by batch where the walk runs:
    on a process pool, each worker renders the families it listed and only text comes back
    (``rezsnap scan --json``: its lines cost the parent more than the walk's records).
    ``render`` must render a batch on its own (the texts of the batches follow each other in
    scan order) and be a module-level function. ``workers``, ``executor`` as in ``scan_repo``."""
    problems: list[ScanProblem] = []
    refs = _families_of(paths, workers, problems)
    units = _on_a_pool(refs, workers, executor, lambda size, chosen: _render_all(refs, size, chosen, progress, render),
                       lambda: [_rendered(refs, _compiled_walk(refs, False, progress), render)])  # one batch, here
    texts: list[str] = []
    count, families = 0, set()
    for unit_texts, listed, keys, met in units:
        texts += unit_texts
        count += listed
        families.update(keys)
        problems += met
    return RenderedScan(texts, count, len(families), problems)


def _families_of(paths: PathArg | Sequence[PathArg], workers: int | None, problems: list[ScanProblem]) -> list[FamilyRef]:
    if workers is not None and workers < 0:
        raise ValueError(f"workers must be >= 0, not {workers}")
    return [ref for repo in normalise_paths(paths) for ref in list_families(repo, problems)]


_Walked = TypeVar("_Walked")


def _on_a_pool(refs: list[FamilyRef], workers: int | None, executor: Executor | None,
               walk: Callable[[int, Executor | None], _Walked], compiled: Callable[[], _Walked]) -> _Walked:
    """``walk(threads, executor)`` on the executor given or chosen (``_auto_executor``), or, where
    ``workers=None`` finds a local disk and the compiled walk is built, ``compiled()``."""
    pool_size = 0 if workers is None else workers
    try:
        with ExitStack() as stack:
            chosen = executor
            if executor is None and workers is None:
                slow = stat_latency([ref.path for ref in refs]) > SLOW_STAT  # probed once
                if not slow and _family_versions is not None and refs:
                    return compiled()
                chosen = stack.enter_context(_auto_executor(refs, slow))
            return walk(pool_size, chosen)
    except (RuntimeError, OSError):  # BrokenProcessPool is a RuntimeError
        if executor is not None or workers is not None:
            raise
        # The automatic process pool could not start (e.g. a script without a
        # __main__ guard, or no more processes): the walk itself is serial-safe.
        return walk(0, None)


_NO_LIMIT: Final = 1 << 62

_family_versions: Final = getattr(compiled_module("rezsnap.scanner._cwalk"), "family_versions", None)
#: Threads of the compiled walk on a local disk: the calls are the kernel's work, without the GIL
#: (as the observation's, ``_observe.LOCAL_OBSERVING_THREADS``).
COMPILED_WALK_THREADS: Final = 8


def _compiled_walk(refs: list[FamilyRef], stamps: bool, progress: bool) -> list[FamilyDraft]:
    """The families listed in this process by the compiled walk (``_cwalk.family_versions``:
    the folders listed and each version's ``package.py`` looked up on threads, without the
    GIL), which applies ``_list_open_family``'s rules to folders of the plain layout; the
    others (a link, an odd entry, an unversioned or combined family, an error to report) by
    the Python walk. It also puts the versions in rez's order; their definitions are found here."""
    assert _family_versions is not None
    with progress_bar(len(refs), progress, unit="family", desc="scan") as bar:
        listed = iter(_family_versions([ref.path for ref in refs if ref.fmt is None], COMPILED_WALK_THREADS))
        drafts: list[FamilyDraft] = []
        for ref in refs:
            found = next(listed) if ref.fmt is None else None
            if found is None:
                drafts += _list_unit(([ref], _NO_LIMIT, stamps))
                continue
            names, building, found_stamps = found  # the names in rez's order
            problems: list[ScanProblem] = []
            markers = frozenset(building)
            rows = definition_rows(ref.path, ref.name, names, found_stamps, markers, stamps, problems)
            drafts.append(FamilyDraft(PackageKind.DIRECTORY, rows, [], markers, problems))
        bar.update(len(refs))
    return drafts


def _walk(
    refs: list[FamilyRef], workers: int, executor: Executor | None, progress: bool, stamps: bool
) -> list[FamilyDraft]:
    # Splitting big families only pays where requests overlap in flight (threads).
    limit = VERSIONS_PER_UNIT if _threaded(workers, executor) else _NO_LIMIT
    drafts = [draft for found in _per_unit(_list_unit, refs, (limit, stamps), workers, executor, progress)
              for draft in found]
    _resolve_pending(refs, drafts, workers, executor, stamps)
    return drafts


def _threaded(workers: int, executor: Executor | None) -> bool:
    return (executor is not None or workers > 0) and not _is_process_pool(executor)


def _units(refs: list[FamilyRef]) -> list[list[FamilyRef]]:
    return [refs[i : i + FAMILIES_PER_UNIT] for i in range(0, len(refs), FAMILIES_PER_UNIT)]


_Found = TypeVar("_Found")


def _per_unit(task: Callable[[Any], _Found], refs: list[FamilyRef], arguments: tuple[Any, ...], workers: int,
              executor: Executor | None, progress: bool) -> list[_Found]:
    """``task((unit, *arguments))`` for each unit of families, in order, with the progress bar."""
    from rezsnap._pool import pmap  # the compiled walk needs no pool: not imported with it

    found: list[_Found] = []
    with progress_bar(len(refs), progress, unit="family", desc="scan") as bar:
        units = _units(refs)
        for unit, result in zip(units, pmap(task, [(unit, *arguments) for unit in units], workers=workers,
                                             executor=executor)):
            found.append(result)
            bar.update(len(unit))
    return found


RenderedUnit = tuple[list[str], int, list[tuple[str, str]], list[ScanProblem]]


def _render_all(refs: list[FamilyRef], workers: int, executor: Executor | None, progress: bool,
                render: Render) -> list[RenderedUnit]:
    if _threaded(workers, executor):
        # on threads, big families are looked up in slices first: render here, per unit
        drafts = _walk(refs, workers, executor, progress, False)
        return [_rendered(unit, drafts[i * FAMILIES_PER_UNIT : (i + 1) * FAMILIES_PER_UNIT], render)
                for i, unit in enumerate(_units(refs))]
    return _per_unit(_render_unit, refs, (render,), workers, executor, progress)


def _render_unit(task: tuple[list[FamilyRef], Render]) -> RenderedUnit:
    """Task: list a batch of families and render their packages (runs in a worker)."""
    refs, render = task
    return _rendered(refs, _list_unit((refs, _NO_LIMIT, False)), render)


def _rendered(refs: list[FamilyRef], drafts: list[FamilyDraft], render: Render) -> RenderedUnit:
    listed = [ListedFamily(ref, draft.kind, draft.rows) for ref, draft in zip(refs, drafts)]
    families = list(dict.fromkeys((ref.repo, ref.name) for ref, draft in zip(refs, drafts) if draft.rows))
    problems = [problem for draft in drafts for problem in draft.problems]
    return render(listed), sum(len(draft.rows) for draft in drafts), families, problems


def _expanded(refs: list[FamilyRef], drafts: list[FamilyDraft]) -> tuple[list[ScannedPackage], list[ScanProblem]]:
    """The packages and problems of listed families, in order."""
    packages: list[ScannedPackage] = []
    problems: list[ScanProblem] = []
    for ref, draft in zip(refs, drafts):
        packages += _packages(ref, draft.kind, draft.rows)
        problems += draft.problems
    return packages, problems


def _resolve_pending(
    refs: list[FamilyRef], drafts: list[FamilyDraft], workers: int, executor: Executor | None, stamps: bool,
    per_task: int = VERSIONS_PER_UNIT,
) -> None:
    """Second round: the definition lookups of big families, in slices of ``per_task``."""

    tasks: list[ResolveTask] = []
    owners: list[int] = []
    for index, (ref, draft) in enumerate(zip(refs, drafts)):
        for start in range(0, len(draft.pending), per_task):
            names = draft.pending[start : start + per_task]
            tasks.append((ref.path, ref.name, names, draft.building, stamps))
            owners.append(index)
    if len(tasks) < 2:  # nothing to overlap
        workers, executor = 0, None
    from rezsnap._pool import pmap

    for index, (rows, met) in zip(owners, pmap(_resolve_unit, tasks, workers=workers, executor=executor)):
        drafts[index].rows.extend(rows)
        drafts[index].problems.extend(met)


def _is_process_pool(executor: Executor | None) -> bool:
    process = sys.modules.get("concurrent.futures.process")  # not imported: no process pool exists
    return process is not None and isinstance(executor, process.ProcessPoolExecutor)


@contextmanager
def _auto_executor(refs: Sequence[FamilyRef], slow: bool) -> Iterator[Executor | None]:
    """The pool ``workers=None`` picks on a ``slow`` (network) file system or a local one
    without the compiled walk (docs/design.md, parallelism)."""
    # a network file system: threads (a network one's latencies overlap in slices of big
    # families). Local or cached: threads only add GIL contention there, so processes
    if slow:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(DEFAULT_WORKERS) as threads:
            yield threads
        return
    from rezsnap._pool import cpu_count, shared_process_pool

    if cpu_count() < 2 or len(refs) < MIN_FAMILIES_FOR_PROCESSES:
        yield None  # serial: nothing to gain from a pool
        return
    yield shared_process_pool()
