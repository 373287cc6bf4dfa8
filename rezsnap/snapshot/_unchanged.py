"""The no-change refresh: a repository in the state the previous snapshot's walk saw keeps
that snapshot.

Two checks, each against what the previous build recorded in the solve index:

- Before any walk, the repository's *observed state*
  (``rezsnap.scanner.observe_repositories``: the answers of every file-system call a walk
  makes, with inodes and change times), with the package paths, the options, the schema and
  rezsnap's version. When it equals the recorded one, a walk would list what the previous
  walk listed, with the same stamps: the previous file is kept (or copied to the output),
  and nothing is walked, imported for a walk, or read but the index (``keep_observed``).
- After the walk, when the observation differs or there is none (no compiled module, an
  unreadable folder), the walk itself: every package listed, in order, with its layout, its
  definition file and the file's ``(mtime_ns, size, ctime_ns)``, and the walk's problems
  (``walk_fingerprint``, ``keep_unchanged``). A change the walk does not see (a new file
  that is not a package's) keeps the snapshot too, and records the new observed state.

The build records the walk's fingerprint only when every row's file, as read, had the stamp
the walk saw (the walk stamps every definition file it finds: ``package.py``,
``package.yaml``, unversioned and combined files): a file that changed during the build, or
could not be read, records none, and the next refresh then takes the ordinary path.

It records the state observed before its walk (``ObservedState``), with the same condition.
The observation ends before the walk reads anything, so the rows are read from that state or
a later one. If a change came in between, the recorded state can never be observed again:
every change moves a change time that no one can set back (a folder's, when its entries
change; a file's, when it is written, renamed or its mode changes; or an inode, when it is
replaced), and the observation holds them all. So an observation equal to the recorded one
means the repository is still in the state the rows were read from.
"""

from __future__ import annotations

import marshal
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rezsnap._io import file_identity
from rezsnap.model import ScannedPackage, ScanProblem
from rezsnap.scanner._observe import observe_repositories

from ._atomic import atomic_copy
from ._index import SolveIndex, copy_solve_index, read_solve_index
from ._report import SnapshotReport
from ._schema_version import SCHEMA_VERSION

try:  # hashlib's own blake2b, without importing OpenSSL's bindings (7 ms of a one-shot refresh)
    from _blake2 import blake2b
except ImportError:  # another Python implementation
    from hashlib import blake2b

__all__ = ["ObservedState", "keep_observed", "keep_unchanged", "walk_fingerprint"]


def _digest(value: Any, *more: bytes) -> bytes:
    # marshal version 0: its bytes depend on the values only (later versions write references to
    # objects met twice, and mark interned strings: both differ between processes)
    digest = blake2b(marshal.dumps(value, 0), digest_size=20)
    for data in more:  # bytes as they are: an observation is a megabyte, not copied again
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.digest()


def _built_by(package_paths: Sequence[str], options: Mapping[str, Any]) -> tuple[Any, ...]:
    from rezsnap import __version__

    return (SCHEMA_VERSION, __version__, list(package_paths), sorted(options.items()))


class ObservedState:
    """The observed state of the package paths, taken before a build's walk (``digest()``:
    None where there is no observation). ``in_background``: observe on a thread (the
    compiled observer holds no GIL) while the build imports its writer; ``digest()`` waits."""

    __slots__ = ("_built_by", "_digest", "_observer", "_package_paths")

    def __init__(self, package_paths: Sequence[str], options: Mapping[str, Any], in_background: bool = False) -> None:
        self._package_paths = list(package_paths)
        self._built_by = _built_by(package_paths, options)
        self._digest: bytes | None = None
        self._observer: threading.Thread | None = None
        if in_background:
            self._observer = threading.Thread(target=self._observe, name="rezsnap-observe", daemon=True)
            self._observer.start()
        else:
            self._observe()

    def _observe(self) -> None:
        observed = observe_repositories(self._package_paths)
        if observed is not None:
            self._digest = _digest((self._built_by, [location for location, _ in observed]),
                                   *(found for _, found in observed))

    def digest(self) -> bytes | None:
        """The observation's digest, once it is taken (call it before the walk reads anything)."""
        if self._observer is not None:
            self._observer.join()
            self._observer = None
        return self._digest


def walk_fingerprint(package_paths: Sequence[str], options: Mapping[str, Any],
                     packages: Sequence[ScannedPackage], problems: Sequence[ScanProblem]) -> bytes:
    """A digest of everything a build's rows depend on but the file contents (which the
    stamps stand for)."""
    listing = [(p.repo, p.family, p.version, p.format, p.path, p.kind.value, p.stamp) for p in packages]
    met = [(p.path, p.code, p.message, p.family) for p in problems]
    return _digest((_built_by(package_paths, options), listing, met))


def keep_observed(previous: str, output: str, state: ObservedState, report: SnapshotReport) -> bool:
    """Before walking: keep ``previous`` as the new snapshot when its walk saw the state observed
    now; say so in ``report`` and return True. False: walk (nothing was changed)."""
    observed = state.digest()
    if observed is None:
        return False
    return _keep(previous, output, report, lambda index: index.observed == observed, None)


def keep_unchanged(previous: str, output: str, fingerprint: bytes, state: ObservedState,
                   report: SnapshotReport) -> bool:
    """After walking: keep ``previous`` as the new snapshot when it was built from this very walk,
    recording the state observed before the walk (so that the next refresh need not walk); say
    so in ``report`` and return True. False: build as usual."""
    return _keep(previous, output, report, lambda index: index.walk == fingerprint, state)


def _keep(previous: str, output: str, report: SnapshotReport, matches: Callable[[SolveIndex], bool],
          state: ObservedState | None) -> bool:
    same_file = os.path.realpath(previous) == os.path.realpath(output)
    if not same_file and os.path.lexists(output):
        return False  # replacing another snapshot: the build checks how many rows that drops
    before = file_identity(previous)
    # kept in place, and nothing to record: the index's metadata is all it needs
    index = read_solve_index(previous, families=not same_file or state is not None)
    if index is None or index.summary is None or not matches(index):
        return False
    observed = state.digest() if state is not None and index.observed != state.digest() else None
    if not same_file:
        atomic_copy(previous, output)
        if file_identity(previous) != before:  # replaced while copied: the build writes the output anew
            return False
        copy_solve_index(index, output, observed)
    elif observed is not None and file_identity(previous) == before:
        copy_solve_index(index, previous, observed)
    summary = index.summary
    report.rows = summary["rows"]
    report.families = summary["families"]
    report.sources = dict(summary["sources"])
    report.errors = [(uri, message) for uri, message in summary["errors"]]
    report.problems = [ScanProblem(**problem) for problem in summary["problems"]]
    report.files_reused = report.rows
    report.unchanged = True
    return True
