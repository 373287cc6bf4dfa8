"""``rezsnap compare``: the same requests solved by rez and by rezsnap, every difference reported."""

from __future__ import annotations

import json
from argparse import Namespace
from typing import TextIO

from ._common import EXIT_FAILED, EXIT_OK, UsageError, request_file, source_paths
from ._steering import steering

__all__ = ["compare_command"]


def compare_command(args: Namespace, out: TextIO, err: TextIO) -> int:
    import tempfile

    from rezsnap.bench.rez_reference import require_rez
    from rezsnap.rez import compare, random_requests
    from rezsnap.snapshot import build_snapshot, read_snapshot

    require_rez()
    paths = source_paths(args)
    if args.snapshot is not None:
        from rezsnap.rez._freshness import same_paths

        built_from = read_snapshot(args.snapshot).metadata.package_paths
        if not same_paths(built_from, paths):  # another repository: every difference would be false
            raise UsageError(f"{args.snapshot} was built from {', '.join(built_from)}, not from "
                              f"{', '.join(paths)}: compare it with the package paths it was built from")
    with tempfile.TemporaryDirectory(prefix="rezsnap-compare-") as scratch:
        snapshot = args.snapshot
        if snapshot is None:
            snapshot = f"{scratch}/snapshot.parquet"
            build_snapshot(paths, snapshot, progress=args.progress)
        if args.requests:
            requests = request_file(args.requests)
        else:
            table = read_snapshot(snapshot).table
            families: dict[str, list[str]] = {}
            for family, version in zip(table.column("family").to_pylist(), table.column("version").to_pylist()):
                families.setdefault(family, []).append(version)
            requests = random_requests(families, args.random or 50, seed=args.seed)
        package_filter, package_orderers = steering(args)
        report = compare(requests, paths, snapshot, package_filter=package_filter,
                         package_orderers=package_orderers)
    if args.json:
        out.write(json.dumps(report.as_dict()) + "\n")
    else:
        for outcome in report.outcomes:
            if outcome.outcome not in ("identical", "both fail"):
                out.write(f"{outcome.outcome}: {' '.join(outcome.request)}\n{outcome.diff}\n")
        counts = ", ".join(f"{n} {name}" for name, n in report.counts.items())
        out.write(f"{len(report.outcomes)} requests: {counts}; {report.diverged} diverged, "
                  f"{report.text_differences} with another failure text\n")
    return EXIT_OK if report.diverged == 0 else EXIT_FAILED
