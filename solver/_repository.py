"""Where a solve gets its packages: a snapshot, a list of ``PackageData``, package paths,
or a caller's ``load_family`` callback. All give the solver the same ``Family`` objects."""

from __future__ import annotations

import inspect
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from itertools import groupby
from typing import TYPE_CHECKING, Any, Final

from rezsnap._names import is_valid_package_name
from rezsnap.model import PackageData
from rezsnap.version import InvalidVersion, Version, VersionRange

from ._failures import SolverError
from ._families import Family, StoredPackage, covers, widen

if TYPE_CHECKING:
    from rezsnap.snapshot import SolveIndex

    from ._layered import LayeredLoader, SnapshotRows

__all__ = ["Repository"]

LoadFamily = Callable[..., Sequence[PackageData]]


class _UnloadablePackage(StoredPackage):
    """A listed package rez would fail to load: choosing it fails the solve as in rez."""

    __slots__ = ("reason",)

    def __init__(self, data: PackageData, version: Version, uri: str | None, reason: str) -> None:
        super().__init__(data, version, uri)
        self.reason = reason

    def new_variants(self) -> Any:
        where = f" ({self.uri})" if self.uri else ""
        raise SolverError(f"cannot load {self.data.name}-{self.data.version}{where}: {self.reason}")


#: ``load(name, range_, known)``: the family's packages in ``range_`` (None: all), keeping
#: the packages of ``known`` (what an earlier, narrower call loaded)
RangeLoader = Callable[[str, "VersionRange | None", "Family | None"], "Family | None"]


class Repository:
    """Families by name, loaded once and kept between solves (a daemon, CI, ``solve_many``).

    ``Repository.from_snapshot(path)`` reads a snapshot once; each family's rows are
    turned into solver objects the first time a solve asks for that family. A
    repository built with a ``range_loader`` (package paths, a ``load_family`` callback)
    loads a family for the version range the solve knows, and again for a wider one
    when a solve needs more.
    """

    def __init__(self, loader: Callable[[str], Family | None] | None, searched: str,
                 range_loader: RangeLoader | None = None) -> None:
        self._loader = loader
        self._range_loader = range_loader
        self.searched = searched
        self._families: dict[str, Family | None] = {}
        self._ranges: dict[str, VersionRange | None] = {}  # by range: what was loaded (None: all)
        self._lock = threading.Lock()
        #: packages handed to the solver so far (by range: only those in the ranges asked for)
        self.packages_loaded = 0
        #: families read (in part) from the package paths rather than a snapshot (``from_paths``)
        self.live_families: set[str] = set()
        #: the package paths' loader (``from_paths``): it lists ahead of the solver where it reads slowly
        self._paths: LayeredLoader | None = None

    @property
    def ranged(self) -> bool:
        return self._range_loader is not None

    @property
    def slow_file_system(self) -> bool:
        """Whether this source reads a slow (network) file system (probed as it reads)."""
        return self._paths is not None and self._paths.slow_file_system

    def prefetch(self, names: Iterable[str]) -> None:
        """A hint: the solve is about to ask for these families (a source that reads a slow
        file system starts listing them on threads)."""
        if self._paths is not None:
            self._paths.prefetch(names)

    def settle(self) -> None:
        """The solve is over: drop the work started ahead of it that has not begun."""
        if self._paths is not None:
            self._paths.settle()

    def family(self, name: str, range_: VersionRange | None = None) -> Family | None:
        """The family with at least its packages in ``range_`` (None: all of them)."""
        if self._range_loader is None:
            try:
                return self._families[name]
            except KeyError:
                # setdefault: when two threads load a family at once, both keep the first one.
                family = self._loader(name)  # type: ignore[misc]
                if name not in self._families and family is not None:
                    self.packages_loaded += len(family.packages)
                return self._families.setdefault(name, family)
        if name in self._ranges and covers(self._ranges[name], range_):
            return self._families[name]
        with self._lock:  # a widening replaces the family: one at a time
            loaded = name in self._ranges
            if loaded and covers(self._ranges[name], range_):
                return self._families[name]
            wider = widen(self._ranges[name], range_) if loaded else range_
            known = self._families.get(name)
            family = self._range_loader(name, wider, known)
            self.packages_loaded += len(family.packages) - (len(known.packages) if known else 0) if family else 0
            self._families[name], self._ranges[name] = family, wider
            return family

    # -- constructors -----------------------------------------------------------------------------

    @classmethod
    def from_packages(cls, packages: Iterable[PackageData]) -> Repository:
        by_name: dict[str, list[tuple[PackageData, str | None]]] = {}
        for data in packages:
            if not isinstance(data, PackageData):
                raise TypeError(f"packages must be PackageData, not {type(data).__name__}")
            by_name.setdefault(data.name, []).append((data, None))
        families = {name: _family(name, items) for name, items in by_name.items()}
        return cls(families.get, "the given packages")

    @classmethod
    def from_snapshot(cls, snapshot: Any) -> Repository:
        """From a path (its solve index when it has a current one: no pyarrow, only the
        families a solve touches are decoded), or from an already-read ``rezsnap.Snapshot``."""
        # a path is tested first: importing Snapshot imports pyarrow, which a path with a
        # current solve index does not need (about 120 ms of a fresh process's solve)
        if isinstance(snapshot, (str, os.PathLike)):
            families = _index_families(snapshot)
            if families is not None:
                return cls(families, "; ".join(families.index.package_paths))
            from rezsnap.snapshot import read_snapshot

            snapshot = read_snapshot(snapshot)
        from rezsnap.snapshot import Snapshot

        if not isinstance(snapshot, Snapshot):
            raise TypeError(f"snapshot must be a path or a Snapshot, not {type(snapshot).__name__}")
        return cls(_SnapshotFamilies(snapshot.table), "; ".join(snapshot.metadata.package_paths))

    @classmethod
    def from_solve_index(cls, index: SolveIndex) -> Repository:
        return cls(_IndexFamilies(index), "; ".join(index.package_paths))

    @classmethod
    def from_paths(cls, paths: Sequence[str], *, exec_fallback: bool = True,
                   snapshots: Sequence[SnapshotRows] = (), check_stamps: bool = True,
                   slow_file_system: bool | None = None) -> Repository:
        """Scan only the families a solve touches and read only the definition files of the
        versions in the range it asks for. With ``exec_fallback``, rez's loader reads dynamic
        files, and evaluates ``@late`` requirements as it does during its own solve.
        ``snapshots`` answer for the paths they cover, file by file where the file is proven
        unchanged (``_layered.py``); ``live_families`` names the families read from disk.
        ``slow_file_system``: the paths are on a network file system (families are then listed
        ahead of the solver, on threads), a local one, or ``None``: timed as they are read."""
        from ._layered import LayeredLoader

        paths = [os.fspath(p) for p in paths]
        live: set[str] = set()
        loader = LayeredLoader(paths, snapshots, exec_fallback=exec_fallback, live=live, check_stamps=check_stamps,
                               slow=slow_file_system)
        repository = cls(None, "; ".join(paths), loader)
        repository.live_families, repository._paths = live, loader
        return repository

    @classmethod
    def from_callback(cls, load_family: LoadFamily, seed: Iterable[PackageData] = ()) -> Repository:
        """``load_family(name)``, called once per family, or ``load_family(name, version_range=R)``,
        called with the range the solve knows (a rez range string, None for every version) and
        again with a wider one when a solve needs more: at most once per (family, range)."""
        takes_range = _accepts_range(load_family)
        seeded = cls.from_packages(seed)

        def call(name: str, range_: VersionRange | None) -> list[tuple[PackageData, None]]:
            hint = None if range_ is None else str(range_)
            try:
                result = load_family(name, version_range=hint) if takes_range else load_family(name)
            except Exception as exc:
                raise SolverError(f"load_family({name!r}) raised {type(exc).__name__}: {exc}") from exc
            return [(d, None) for d in result or () if isinstance(d, PackageData) and d.name == name]

        def load(name: str, range_: VersionRange | None, known: Family | None) -> Family | None:
            found = seeded.family(name)
            if found is not None:
                return found
            items = call(name, range_)
            if not items and range_ is not None and known is None:
                # nothing in range: whether the family exists at all decides the failure text
                items = call(name, None)
            versions = [_version(d.version).packed_key for d, _ in items]
            if len(set(versions)) != len(versions):
                raise SolverError(f"load_family({name!r}) returned the same version twice")
            return _family(name, items, known)

        if not takes_range:  # a callback without the hint hands over whole families: load once
            return cls(lambda name: load(name, None, None), "load_family")
        return cls(None, "load_family", load)


def _accepts_range(func: Callable[..., Any]) -> bool:
    try:
        parameters = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False
    return "version_range" in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())


#: A family with fewer files to read than this is read serially (a thread pool costs more).
MIN_FILES_FOR_THREADS = 8


def _contents(packages: Sequence[Any], slow: list[bool]) -> list[bytes | None]:
    """The definition files' bytes, read by many threads at once on a slow (network) file
    system, where each read waits on latency and reads overlap, as the snapshot's load does;
    ``None`` (read later, by the loader) on a local disk, for combined files and on errors."""
    known_slow = bool(slow) and slow[0]
    if len(packages) < (2 if known_slow else MIN_FILES_FOR_THREADS):  # probed slow: any overlap pays
        return [None] * len(packages)
    from rezsnap import _io

    files = [p.path for p in packages if p.path]
    if not slow:
        slow.append(_io.stat_latency(files) > _io.SLOW_STAT)
    if not slow[0]:
        return [None] * len(packages)
    from concurrent.futures import ThreadPoolExecutor

    from rezsnap._io import read_regular_file
    from rezsnap.model import PackageKind

    def read(package: Any) -> bytes | None:
        if package.path is None or package.kind is PackageKind.COMBINED:
            return None
        try:
            return read_regular_file(package.path)
        except OSError:
            return None  # the loader reads it again and reports the error

    with ThreadPoolExecutor(min(_io.NETWORK_THREADS, len(packages))) as readers:
        return list(readers.map(read, packages))


# Version texts repeat across families (7,893 distinct among the rez benchmark's 18,226
# packages) and across the repositories a process builds: each is parsed (and its order key
# packed) once; Version is immutable.
_VERSIONS: dict[str, Version] = {}
_VERSIONS_MAX: Final = 200_000


def _version(text: str) -> Version:
    found = _VERSIONS.get(text)
    if found is None:
        found = Version(text)  # raises InvalidVersion: nothing is kept
        if len(_VERSIONS) >= _VERSIONS_MAX:
            _VERSIONS.clear()
        _VERSIONS[text] = found
    return found


def _wanted(version: str, range_: VersionRange | None, have: set[bytes]) -> bool:
    try:
        parsed = _version(version)
    except InvalidVersion:
        return True  # read, so that it fails as it does without a range
    return parsed.packed_key not in have and (range_ is None or range_.contains_version(parsed))


def _family(name: str, items: Sequence[tuple[Any, ...]], known: Family | None = None) -> Family | None:
    """A family from (data, uri[, error]) items in repository order; first of equal versions wins.
    ``known``'s packages (loaded for a narrower range) are kept, with their variant bits."""
    seen: dict[Any, StoredPackage] = {p.version.packed_key: p for p in known.packages} if known else {}
    for item in items:
        data, uri = item[0], item[1]
        error = item[2] if len(item) > 2 else None
        try:
            version = _version(data.version)
        except InvalidVersion as exc:
            raise SolverError(f"family {name}: {exc}") from None
        if version.packed_key in seen:
            continue
        package = StoredPackage(data, version, uri) if error is None else _UnloadablePackage(data, version, uri, error)
        seen[version.packed_key] = package
    if not seen:
        return None
    if known is None:
        return Family(name, sorted(seen.values(), key=lambda p: p.version.packed_key))
    return Family(name, sorted(seen.values(), key=lambda p: p.version.packed_key), known.next_bit,
                  known.shared_variants())


class _IndexFamilies:
    """A solve index's rows by family, turned into ``Family`` objects on demand.

    What a snapshot file holds is immutable: each family's records (``PackageData``, URI,
    error) are decoded once per file (by its identity) in a process, into a family that every
    ``Repository`` read from that file copies (``Family.fresh_copy``): the same packages and
    what was worked out from them, and its own variants, the solver's state. (Measured over
    the benchmark's 188 requests: a new repository per solve 1.12x the warm mean; 2.0x when
    each built its families from the rows.)"""

    def __init__(self, index: SolveIndex) -> None:
        self.index = index
        self._decoded: dict[str, Family | None] = {}

    def __call__(self, name: str) -> Family | None:
        if not is_valid_package_name(name):
            return None
        try:
            family = self._decoded[name]
        except KeyError:
            items = []
            for row in self.index.rows(name):
                version, uri, requires, variants, timestamp, error = row[1], row[5], row[6], row[7], row[8], row[9]
                data = PackageData(name, version, tuple(requires or ()), tuple(tuple(v) for v in variants or ()),
                                   timestamp)
                items.append((data, uri, error))
            # another thread may decode it too: both keep the first
            family = self._decoded.setdefault(name, _family(name, items))
        return None if family is None else family.fresh_copy()


# snapshot path -> its decoded families, for the file's identity; a replaced file (another
# identity) starts afresh, so at most one file's families are kept per path
_DECODED: dict[str, _IndexFamilies] = {}
_DECODED_LOCK: Final = threading.Lock()


def _index_families(snapshot: str | os.PathLike[str]) -> _IndexFamilies | None:
    """The decoded families of the snapshot's solve index (None: it has no current index)."""
    path = os.fspath(snapshot)
    try:
        info = os.stat(path)
    except OSError:
        return None
    with _DECODED_LOCK:
        found = _DECODED.get(path)
    if found is not None and found.index.identity == (info.st_size, info.st_mtime_ns):
        return found
    from rezsnap.snapshot import read_solve_index

    index = read_solve_index(path)
    if index is None:
        return None
    found = _IndexFamilies(index)
    if index.identity is not None:
        with _DECODED_LOCK:
            _DECODED[path] = found
    return found


class _SnapshotFamilies:
    """A snapshot's rows by family, turned into ``Family`` objects on demand.

    A snapshot's rows are sorted by (package path, family, version), so a family is one
    run of rows per package path: it is read with zero-copy slices (an Arrow ``take`` of
    the family's rows measured about 30x slower, 0.7 ms per family).
    """

    _COLUMNS = ("version", "uri", "requires", "variants", "timestamp", "error")

    def __init__(self, table: Any) -> None:
        self._table = table.select(list(self._COLUMNS))
        self._runs: dict[str, list[tuple[int, int]]] = {}
        start = 0
        for family, run in groupby(table.column("family").to_pylist()):
            length = sum(1 for _ in run)
            self._runs.setdefault(family, []).append((start, length))
            start += length

    def __call__(self, name: str) -> Family | None:
        runs = self._runs.get(name)
        if not runs or not is_valid_package_name(name):
            return None
        items = []
        for start, length in runs:
            part = self._table.slice(start, length)
            for version, uri, requires, variants, timestamp, error in zip(
                *(part.column(column).to_pylist() for column in self._COLUMNS)
            ):
                data = PackageData(name, version, tuple(requires or ()),
                                   tuple(tuple(v) for v in variants or ()), timestamp)
                items.append((data, uri, error))
        return _family(name, items)
