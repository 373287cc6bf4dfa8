"""``rezsnap snapshot``: the nightly job (a full build, or a refresh from a previous snapshot)."""

from __future__ import annotations

from argparse import Namespace
from typing import TextIO

from rezsnap._io import file_identity
from rezsnap._unused import keep_unused_modules_out, owns_process

from ._common import EXIT_FAILED, EXIT_OK, UsageError, problem_text, report_error, source_paths

__all__ = ["snapshot_command"]


def snapshot_command(args: Namespace, out: TextIO, err: TextIO) -> int:
    if owns_process():
        keep_unused_modules_out()
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
        import json  # only for --json: a cron refresh prints text

        out.write(json.dumps(report.as_dict()) + "\n")
    else:
        out.write(report.summary() + "\n")
        err.writelines(problem_text(problem) + "\n" for problem in report.problems)
    return EXIT_OK
