"""``rezsnap snapshot``: the nightly job (a full build, or a refresh from a previous snapshot)."""

from __future__ import annotations

import json
import os
import sys
from argparse import Namespace
from typing import TextIO

from rezsnap._io import file_identity

from ._common import EXIT_FAILED, EXIT_OK, UsageError, problem_text, report_error, source_paths

__all__ = ["snapshot_command"]


class _Unused:
    """A ``sys.meta_path`` finder that refuses modules the command never uses but pyarrow
    imports when they are installed: pandas, to ask whether each list it is given is a pandas
    object (250-340 ms a build), and numpy, when starting (about 40 ms; pyarrow 18 and later
    run without it). Refused, pyarrow records that they are missing and goes on."""

    def __init__(self, names: frozenset[str]) -> None:
        self.names = names

    def find_spec(self, fullname: str, path: object, target: object = None) -> None:
        if fullname.partition(".")[0] in self.names:
            raise ImportError(f"rezsnap's command line does not use {fullname}")


def _keep_unused_out() -> None:
    if any(isinstance(finder, _Unused) for finder in sys.meta_path):
        return
    names = {"pandas"}
    if _pyarrow_major() >= _PYARROW_WITHOUT_NUMPY:
        names.add("numpy")
    names -= set(sys.modules)  # already there: nothing to save, and refusing would break its users
    if names:
        sys.meta_path.insert(0, _Unused(frozenset(names)))


_PYARROW_WITHOUT_NUMPY = 18  # the first release whose requirements do not name numpy


def _pyarrow_major() -> int:
    """The installed pyarrow's major version, from its version file (0: not known), without
    importing it: a refresh that finds nothing changed never imports pyarrow."""
    import importlib.util
    import re

    try:
        spec = importlib.util.find_spec("pyarrow")
        if spec is None or not spec.submodule_search_locations:
            return 0
        folder = spec.submodule_search_locations[0]
        with open(os.path.join(folder, "_generated_version.py"), encoding="utf-8") as source:
            found = re.search(r"""^__version__ = version = ['"](\d+)\.""", source.read(), re.MULTILINE)
    except (OSError, ImportError, ValueError):
        return 0
    return int(found.group(1)) if found else 0


def snapshot_command(args: Namespace, out: TextIO, err: TextIO) -> int:
    _keep_unused_out()
    from rezsnap.snapshot import SnapshotError, build_snapshot

    paths = source_paths(args)
    before = file_identity(args.output)
    try:
        if not 0.0 <= args.max_drop <= 1.0:
            raise UsageError(f"--max-drop must be between 0 and 1, not {args.max_drop}")
        report = build_snapshot(paths, args.output, previous=args.previous, workers=args.workers,
                                progress=args.progress, exec_fallback=not args.no_exec, force=args.force,
                                max_drop=args.max_drop)
    except SnapshotError as exc:
        return report_error("rezsnap snapshot", "failed", f"failed: {exc}", EXIT_FAILED, args.json)
    except KeyboardInterrupt:
        if file_identity(args.output) != before:  # the signal came after the atomic rename
            said = f"interrupted after the new snapshot was written: {args.output} is complete"
        else:
            said = f"interrupted: nothing was written, {args.output} is unchanged"
        return report_error("rezsnap snapshot", "interrupted", said, 130, args.json)
    if args.json:
        out.write(json.dumps(report.as_dict()) + "\n")
    else:
        out.write(report.summary() + "\n")
        err.writelines(problem_text(problem) + "\n" for problem in report.problems)
    return EXIT_OK
