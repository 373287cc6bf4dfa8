"""``rezsnap info``, ``diff`` and ``query``: questions about snapshots."""

from __future__ import annotations

import json
from argparse import Namespace
from typing import Any, TextIO

from ._common import EXIT_FAILED, EXIT_OK, UsageError

__all__ = ["diff_command", "info_command", "query_command"]


def info_command(args: Namespace, out: TextIO, err: TextIO) -> int:
    from rezsnap.snapshot import read_snapshot
    from rezsnap.snapshot._inspect import info

    found = info(read_snapshot(args.snapshot))
    if args.json:
        out.write(json.dumps(found) + "\n")
        return EXIT_OK
    lines = [f"snapshot {found['path']}: {found['rows']} packages in {found['families']} families",
             f"  schema {found['schema_version']}, rezsnap {found['rezsnap_version']}, created {found['created']}",
             f"  package paths: {', '.join(found['package_paths'])}; options {found['options']}",
             "  by source: " + ", ".join(f"{k} {v}" for k, v in found["by_source"].items()),
             "  by layout: " + ", ".join(f"{k} {v}" for k, v in found["by_kind"].items()),
             f"  problems: {len(found['problems'])}; rows without data: {len(found['error_rows'])}"]
    lines += [f"  problem {p['code']}: {p['path']}: {p['message']}" for p in found["problems"]]
    lines += [f"  {r['source']} {r['uri']}: {r['error']}" for r in found["error_rows"]]
    out.write("\n".join(lines) + "\n")
    return EXIT_OK


def diff_command(args: Namespace, out: TextIO, err: TextIO) -> int:
    from rezsnap.snapshot import read_snapshot
    from rezsnap.snapshot._inspect import diff

    found = diff(read_snapshot(args.old), read_snapshot(args.new))
    if args.json:
        out.write(json.dumps(found) + "\n")
    else:
        lines = [f"+ {a['package']}  {a['uri']}" for a in found["added"]]
        lines += [f"- {r['package']}  {r['uri']}" for r in found["removed"]]
        for c in found["changed"]:
            lines.append(f"~ {c['package']}  {c['uri']}")
            lines += [f"    {name}: {old!r} -> {new!r}" for name, (old, new) in c["fields"].items()]
        counts = {k: len(v) for k, v in found.items()}
        lines.append(f"{counts['added']} added, {counts['removed']} removed, {counts['changed']} changed")
        out.write("\n".join(lines) + "\n")
    return EXIT_OK if not any(found.values()) else EXIT_FAILED


def query_command(args: Namespace, out: TextIO, err: TextIO) -> int:
    from rezsnap.snapshot import read_snapshot
    from rezsnap.snapshot._inspect import dependents, packages_in_range

    snapshot = read_snapshot(args.snapshot)
    if args.question == "in-range":
        if args.range is None or args.admits or args.intersects:
            raise UsageError("in-range takes FAMILY RANGE (and neither --admits nor --intersects)")
        found: list[dict[str, Any]] = packages_in_range(snapshot, args.family, args.range)
        text = [f"{f['package']}  {f['uri']}" for f in found]
    else:
        if args.range is not None:
            raise UsageError("dependents takes FAMILY, and --admits VERSION or --intersects RANGE")
        found = [d.as_dict() for d in dependents(snapshot, args.family, admits=args.admits,
                                                  intersects=args.intersects)]
        text = [f"{d['package']}  {d['where']}: {d['requirement']}{'  (weak)' if d['weak'] else ''}" for d in found]
    out.write(json.dumps(found) + "\n" if args.json else "".join(line + "\n" for line in text))
    return EXIT_OK if found else EXIT_FAILED
