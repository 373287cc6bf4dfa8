"""The ``rezsnap`` command line: ``main(argv) -> int``.

Data goes to stdout, summaries and problems to stderr. Exit codes: 0 success,
1 the job ran but failed (or ``--strict`` found problems), 2 usage or set-up error,
130 interrupted. With ``--json``, an error is a JSON object on stdout too:
``{"error": {"type": ..., "message": ..., "exit_code": ...}}``.

One module per command; only the chosen command's module is imported, so that a
one-shot ``rezsnap scan`` or ``snapshot`` (a cron job) loads no more than it runs.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence

from rezsnap.version import RezsnapError

from ._common import EXIT_OK, EXIT_USAGE, UsageError, report_error
from ._parser import build_parser

__all__ = ["main"]

#: command -> (module of this package, function(args, out, err) -> exit code)
_COMMANDS: dict[str, tuple[str, str]] = {
    "scan": ("_scan", "scan_command"),
    "snapshot": ("_snapshot", "snapshot_command"),
    "solve": ("_solve", "solve_command"),
    "demo": ("_demo", "demo_command"),
    "compare": ("_compare", "compare_command"),
    "bench": ("_bench", "bench_command"),
    "rez": ("_rez", "rez_command"),
    "info": ("_inspect", "info_command"),
    "diff": ("_inspect", "diff_command"),
    "query": ("_inspect", "query_command"),
}


def _command(name: str) -> Callable[..., int]:
    module, function = _COMMANDS[name]
    found: Callable[..., int] = getattr(importlib.import_module(f"{__name__}.{module}"), function)
    return found


def main(argv: Sequence[str] | None = None, prog: str = "rezsnap") -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    as_json = "--json" in arguments
    try:
        # a command named first: only its grammar is built ('rezsnap --help' builds them all)
        parser = build_parser(prog, arguments[0] if arguments and arguments[0] in _COMMANDS else None)
        args = parser.parse_args(arguments)
    except SystemExit as exc:  # --help, --version
        return int(exc.code or 0)
    except UsageError as exc:
        return report_error(exc.args[-1], "usage", exc.args[0], EXIT_USAGE, as_json)
    except KeyboardInterrupt:  # Ctrl-C while starting: one line, not a traceback
        sys.stderr.write(f"{prog}: interrupted\n")
        return 130
    out, err = sys.stdout, sys.stderr
    # Names that are not valid UTF-8 are printed back as the bytes on disk, as ls does.
    for stream in (out, err):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="surrogateescape")
    try:
        return _command(args.command)(args, out, err)
    except UsageError as exc:
        return report_error(prog, "usage", exc.args[0], EXIT_USAGE, as_json)
    except RezsnapError as exc:
        return report_error(prog, type(exc).__name__, str(exc), EXIT_USAGE, as_json)
    except KeyboardInterrupt:
        return report_error(prog, "interrupted", "interrupted", 130, as_json)
    except BrokenPipeError:  # e.g. 'rezsnap scan ... | head': the reader left early
        _silence_stdout()
        return EXIT_OK


def _silence_stdout() -> None:
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
