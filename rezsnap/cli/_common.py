"""What every command shares: exit codes, usage errors, package sources, error reports."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TextIO

from rezsnap.model import ScanProblem
from rezsnap.version import RezsnapError

__all__ = [
    "EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "UsageError", "problem_text", "report_error", "request_file",
    "show_progress", "source_paths",
]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(RezsnapError):
    """A command line that cannot run (exit code 2); ``args``: the message, then the program."""


def source_paths(args: argparse.Namespace) -> list[str]:
    """The package paths of ``--paths PATH...`` or ``--dataset NAME`` (prepared on first use)."""
    if args.dataset and args.paths:
        raise UsageError("give package paths or --dataset, not both")
    if args.dataset:  # the datasets' modules (shutil, bz2, lzma: about 7 ms) only for a dataset
        from rezsnap.datasets import load_dataset

        return [str(load_dataset(args.dataset).path)]
    paths = [p for arg in args.paths for p in arg.split(os.pathsep) if p]
    if not paths:
        from rezsnap.datasets import DATASETS

        raise UsageError(f"no package path given: use --paths PATH... (or --dataset NAME: {', '.join(DATASETS)})")
    return paths


def request_file(path: str) -> list[list[str]]:
    """The requests of ``--requests FILE``: a JSON list of lists of strings."""
    import json  # here, as in report_error: a command that prints text (a cron refresh) never needs it

    try:
        with open(path, encoding="utf-8") as stream:
            requests = json.load(stream)
    except (OSError, ValueError) as exc:  # missing, unreadable, not UTF-8, not JSON
        raise UsageError(f"{path}: cannot read requests: {exc}") from None
    if not (isinstance(requests, list)
            and all(isinstance(r, list) and all(isinstance(t, str) for t in r) for r in requests)):
        raise UsageError(f"{path}: expected a JSON list of requests (lists of strings)")
    return requests


def show_progress(progress: bool | str, err: TextIO) -> bool:
    return progress == "always" or (progress is True and err.isatty())


def problem_text(problem: ScanProblem) -> str:
    return f"problem: {problem.code}: {problem.path}: {problem.message}"


def report_error(prog: str, kind: str, message: str, code: int, as_json: bool) -> int:
    """One line on stderr; with ``--json`` also the error as a JSON object on stdout."""
    sys.stderr.write(f"{prog}: {'error: ' if kind not in ('interrupted', 'failed') else ''}{message}\n")
    if as_json:
        import json

        sys.stdout.write(json.dumps({"error": {"type": kind, "message": message, "exit_code": code}}) + "\n")
    return code
