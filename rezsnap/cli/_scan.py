"""``rezsnap scan``: every package of package paths, as rez lists them."""

from __future__ import annotations

import json
import time
from argparse import Namespace
from collections.abc import Sequence
from json.encoder import encode_basestring_ascii
from typing import TextIO

from rezsnap.model import ScannedPackage
from rezsnap.scanner import scan_repo

from ._common import EXIT_FAILED, EXIT_OK, problem_text, show_progress, source_paths

__all__ = ["scan_command"]


def _package_json(package: ScannedPackage) -> str:
    """``json.dumps`` of the package's record, built from json's own string encoder: one call per
    field instead of an encoder run per package (a scan prints one line per package)."""
    return (f'{{"family": {_json_text(package.family)}, "version": {_json_text(package.version)}, '
            f'"format": {_json_text(package.format)}, "path": {_json_text(package.path)}, '
            f'"repo": {_json_text(package.repo)}, "kind": {_json_text(package.kind.value)}, '
            f'"uri": {_json_text(package.uri)}}}')


def _json_text(value: str | None) -> str:
    return "null" if value is None else encode_basestring_ascii(value)


def _print_table(packages: Sequence[ScannedPackage], out: TextIO) -> None:
    width_family = max((len(p.family) for p in packages), default=6)
    width_version = max((len(p.version) for p in packages), default=7)
    out.write(f"{'FAMILY':<{width_family}}  {'VERSION':<{width_version}}  FORMAT  PATH\n")
    out.writelines(f"{p.family:<{width_family}}  {p.version:<{width_version}}  "
                  f"{p.format or '-':<6}  {p.path or '-'}\n" for p in packages)


def scan_command(args: Namespace, out: TextIO, err: TextIO) -> int:
    paths = source_paths(args)
    start = time.perf_counter()
    result = scan_repo(paths, workers=args.threads, progress=show_progress(args.progress, err))
    seconds = time.perf_counter() - start
    if args.json:
        out.writelines(_package_json(package) + "\n" for package in result)
        err.writelines(json.dumps({"problem": problem.code, "path": problem.path,
                                  "message": problem.message, "family": problem.family}) + "\n" for problem in result.problems)
    else:
        _print_table(result, out)
        err.writelines(problem_text(problem) + "\n" for problem in result.problems)
    families = len({(p.repo, p.family) for p in result})
    err.write(f"rezsnap scan: {len(result)} packages in {families} families, "
              f"{len(result.problems)} problems, {seconds * 1e3:.1f} ms\n")
    return EXIT_FAILED if args.strict and result.problems else EXIT_OK
