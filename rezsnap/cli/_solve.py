"""``rezsnap solve``: resolve requests as rez does, from a snapshot or package paths."""

from __future__ import annotations

import json
from argparse import Namespace
from typing import TextIO

from ._common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, source_paths
from ._steering import steering

__all__ = ["solve_command"]


def solve_command(args: Namespace, out: TextIO, err: TextIO) -> int:
    from rezsnap.solver import solve

    requests = list(args.requests)  # one request per argument, as rez env
    if any(not text.strip() for text in requests):
        raise UsageError("empty request")
    if (args.snapshot is not None) == bool(args.paths or args.dataset):
        raise UsageError("give one package source: --snapshot FILE, or --paths PATH... / --dataset NAME")
    paths = None if args.snapshot is not None else source_paths(args)
    package_filter, package_orderers = steering(args)
    result = solve(requests, snapshot=args.snapshot, package_paths=paths,
                   variant_select_mode=args.variant_select_mode, timestamp=args.time,
                   package_filter=package_filter, package_orderers=package_orderers)
    if args.json:
        out.write(json.dumps(result.as_dict()) + "\n")
    elif result.status == "solved":
        out.writelines(f"{v.uri or v.qualified_name}\n" for v in result.resolved_packages)
        out.writelines(f"{e}\n" for e in result.resolved_ephemerals)
    else:
        err.write(f"rezsnap solve: {result.status}: {result.failure_description}\n")
    err.write(f"rezsnap solve: {result.status} in {result.solve_time_ms:.1f} ms "
              f"({result.num_solves} steps, {result.num_fails} failures)\n")
    return {"solved": EXIT_OK, "failed": EXIT_FAILED}.get(result.status, EXIT_USAGE)
