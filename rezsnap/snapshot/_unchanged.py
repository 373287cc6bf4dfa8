"""The no-change refresh: a walk equal to the one a snapshot was built from keeps the snapshot.

A refresh walks the package paths in any case, and the walk ``stat``-s every ``package.py``.
When that walk (every package listed, in order, with its layout, its definition file and the
file's ``(mtime_ns, size, ctime_ns)``, and the walk's problems), the package paths, the
options, the schema and rezsnap's version all equal what the previous snapshot was built
from, a full build would write the same rows: the previous file is kept (or copied to the
output), and neither pyarrow nor any package file is read.

The build records the walk's fingerprint in the solve index only when every row's file, as
read, had the stamp the walk saw (the walk stamps every definition file it finds:
``package.py``, ``package.yaml``, unversioned and combined files): a file that changed
during the build, or could not be read, records none, and the next refresh then takes the
ordinary path.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from collections.abc import Mapping, Sequence
from typing import Any

from rezsnap._io import file_identity
from rezsnap.model import ScannedPackage, ScanProblem

from ._atomic import atomic_copy
from ._index import copy_solve_index, read_solve_index
from ._report import SnapshotReport
from ._schema_version import SCHEMA_VERSION

__all__ = ["keep_unchanged", "walk_fingerprint"]


def walk_fingerprint(package_paths: Sequence[str], options: Mapping[str, Any],
                     packages: Sequence[ScannedPackage], problems: Sequence[ScanProblem]) -> bytes:
    """A digest of everything a build's rows depend on but the file contents (which the
    stamps stand for)."""
    from rezsnap import __version__

    listing = [(p.repo, p.family, p.version, p.format, p.path, p.kind.value, p.stamp) for p in packages]
    met = [(p.path, p.code, p.message, p.family) for p in problems]
    built_by = (SCHEMA_VERSION, __version__, list(package_paths), sorted(options.items()))
    # marshal version 0: its bytes depend on the values only (later versions write references to
    # objects met twice, and mark interned strings: both differ between processes)
    return hashlib.blake2b(marshal.dumps((built_by, listing, met), 0), digest_size=20).digest()


def keep_unchanged(previous: str, output: str, fingerprint: bytes, report: SnapshotReport) -> bool:
    """Keep ``previous`` as the new snapshot when it was built from this very walk; say so in
    ``report`` and return True. False: build as usual (nothing was changed)."""
    same_file = os.path.realpath(previous) == os.path.realpath(output)
    if not same_file and os.path.lexists(output):
        return False  # replacing another snapshot: the build checks how many rows that drops
    before = file_identity(previous)
    index = read_solve_index(previous)
    if index is None or index.walk != fingerprint or index.summary is None:
        return False
    if not same_file:
        atomic_copy(previous, output)
        if file_identity(previous) != before:  # replaced while copied: the build writes the output anew
            return False
        copy_solve_index(index, output)
    summary = index.summary
    report.rows = summary["rows"]
    report.families = summary["families"]
    report.sources = dict(summary["sources"])
    report.errors = [(uri, message) for uri, message in summary["errors"]]
    report.problems = [ScanProblem(**problem) for problem in summary["problems"]]
    report.files_reused = report.rows
    report.unchanged = True
    return True
