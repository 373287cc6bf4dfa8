"""The command line's grammar: every command, its options and their types.

One convention per concept, in every command: package paths are ``--paths PATH...``
(or a built-in ``--dataset NAME``), a request list is ``--requests FILE`` (a JSON list
of lists of strings), a sample size ``--sample N``, the progress bar
``--progress``/``--no-progress`` (default: on a terminal only), ``--threads N`` the
file-system threads of a walk and ``--workers N`` the processes of a build.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from rezsnap.datasets import DATASETS

from ._common import UsageError
from ._steering import add_steering_arguments

__all__ = ["build_parser", "epoch_time"]


def _terminal_columns() -> int:
    """``shutil.get_terminal_size().columns``: ``COLUMNS``, else the terminal's, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter, as wide as argparse makes it, without importing ``shutil`` (with
    ``bz2`` and ``lzma``, about 2 ms of every command: argparse builds a formatter to check
    each argument it adds, and one-shot commands add a few dozen)."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position, _terminal_columns() - 2 if width is None else width)


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors raised (``main`` reports them, as JSON with ``--json``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> Any:
        sys.stderr.write(self.format_usage())
        raise UsageError(message, self.prog)


class _Version(argparse.Action):
    """``--version``: the installed distribution's version, looked up only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print rezsnap's version and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: Any, values: Any, option: Any = None) -> None:
        from rezsnap import __version__

        sys.stdout.write(f"rezsnap {__version__}\n")
        parser.exit()


def build_parser(prog: str, command: str | None = None) -> argparse.ArgumentParser:
    """The command line's grammar; with ``command``, only that command's (argparse spends about
    3 ms building them all, a tenth of a refresh that keeps its snapshot)."""
    parser = _Parser(
        prog=prog,
        description="Fast, rez-faithful scanning, snapshots, solves and benchmarks of rez package repositories.",
        epilog="Run 'rezsnap COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action=_Version)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, grammar in _GRAMMARS.items():
        if command is None or name == command:
            grammar(commands)
    return parser


def _scan_grammar(commands: Any) -> None:
    scan = commands.add_parser(
        "scan",
        help="list every package of package paths, exactly as rez lists them",
        description="List every package of the given rez package paths, as rez 3.4.0's "
        "filesystem repository does, in a deterministic order (path, family, version).",
    )
    _add_source_arguments(scan)
    scan.add_argument("--json", action="store_true",
                      help="print JSON lines, one package per line (family, version, format, path, repo, "
                      "kind, uri)")
    _add_threads_argument(scan)
    scan.add_argument("--strict", action="store_true", help="exit 1 when any problem was met")
    _add_progress_arguments(scan)


def _snapshot_grammar(commands: Any) -> None:
    snapshot = commands.add_parser(
        "snapshot",
        help="scan and load every package into one Parquet snapshot (the nightly job)",
        description="Walk the package paths, load every package (statically; rez's loader for "
        "the files the static reader declines, unless --no-exec) and write one Parquet snapshot, "
        "atomically: an interrupted run leaves the previous file untouched. The report goes to "
        "stdout; exit 0 written, 1 the run failed (nothing written: a missing, unreadable or empty "
        "package path, a snapshot that would shrink by more than --max-drop...), 2 usage error, "
        "130 interrupted (nothing written).",
    )
    _add_source_arguments(snapshot)
    snapshot.add_argument("-o", "--output", required=True, metavar="FILE", help="the snapshot to write")
    snapshot.add_argument("--previous", metavar="FILE",
                          help="refresh from this snapshot: unchanged files are not read again "
                          "(may be the output itself)")
    _add_workers_argument(snapshot)
    snapshot.add_argument("--no-exec", action="store_true",
                          help="never run package code: files the static reader declines become error rows")
    snapshot.add_argument("--force", action="store_true",
                          help="write even from an empty package path, or a snapshot that drops more than "
                          "--max-drop of the rows of the one it replaces")
    snapshot.add_argument("--max-drop", type=float, default=0.5, metavar="FRACTION",
                          help="refuse (without --force) to replace a snapshot with one that has lost more "
                          "than this share of its rows (default 0.5)")
    snapshot.add_argument("--json", action="store_true", help="print the report as JSON")
    _add_progress_arguments(snapshot)


def _solve_grammar(commands: Any) -> None:
    solve = commands.add_parser(
        "solve",
        help="resolve requests as rez does, from a snapshot or package paths",
        description="Resolve the requests exactly as rez 3.4.0's solver does and print the "
        "resolved variants (one per line, as variant URIs) or JSON. Exit 0 solved, 1 failed, "
        "2 error (a malformed request, a missing package, a bad snapshot).",
    )
    solve.add_argument("requests", nargs="+", metavar="REQUEST",
                       help="one request per argument, as in rez env: python-3.7 'maya-2024+'")
    solve.add_argument("--snapshot", metavar="FILE", help="a snapshot written by 'rezsnap snapshot'")
    _add_source_arguments(solve, "(loaded on demand; instead of --snapshot)")
    solve.add_argument("--time", type=epoch_time, default=None, metavar="T",
                       help="ignore packages released after T, as rez env --time: epoch seconds "
                       "(1393014494) or a time ago (-10s, -5m, -0.5h, -10d)")
    solve.add_argument("--variant-select-mode", choices=["version_priority", "intersection_priority"],
                       default="version_priority", help="as rez's config.variant_select_mode")
    solve.add_argument("--json", action="store_true", help="print the result as JSON")
    add_steering_arguments(solve)


def _demo_grammar(commands: Any) -> None:
    demo = commands.add_parser(
        "demo", help="the whole toolkit on a built-in dataset: snapshot, solve, compare with rez",
        description="Prepare a built-in dataset (extracted or generated once, offline), write its "
        "snapshot, solve a few of its requests from the snapshot and, when rez is installed, "
        "solve them with rez too and check that the resolves are the same. Exit 0 when every "
        "resolve matched rez (or rez is not installed), 1 otherwise.",
    )
    demo.add_argument("--dataset", choices=DATASETS, default=None,
                      help="default: rez-benchmark when rez is installed, else synthetic-2k")
    demo.add_argument("--sample", type=_positive, default=5, metavar="N",
                      help="how many of the dataset's requests to solve (default 5)")
    demo.add_argument("--json", action="store_true", help="print the summary as JSON")
    _add_progress_arguments(demo)


def _compare_grammar(commands: Any) -> None:
    compare = commands.add_parser(
        "compare", help="solve the same requests with rez and rezsnap; report every difference",
        description="Run rez (from the package files) and rezsnap (from a snapshot) on the same "
        "requests and report, per request: identical, divergent (with a diff), rezsnap-only "
        "failure, rez-only failure, both fail. Exit 0 only if nothing diverged, 1 otherwise.",
        epilog="example: rezsnap compare --paths /studio/packages --random 200 --json > compare.json",
    )
    _add_source_arguments(compare)
    compare.add_argument("--snapshot", metavar="FILE",
                         help="a snapshot of those paths (default: one is written to a temporary file); "
                         "refused when it was built from other package paths")
    chosen = compare.add_mutually_exclusive_group()
    chosen.add_argument("--requests", metavar="FILE", help="a JSON list of requests (lists of strings)")
    chosen.add_argument("--random", type=_positive, metavar="N", default=None,
                        help="N random requests drawn from the repository's families (default 50)")
    compare.add_argument("--seed", type=int, default=0, help="seed of --random (default 0)")
    compare.add_argument("--json", action="store_true", help="print the report as JSON")
    _add_progress_arguments(compare)
    add_steering_arguments(compare)


def _info_grammar(commands: Any) -> None:
    info = commands.add_parser(
        "info", help="what a snapshot holds: metadata, counts, problems, error rows",
        description="Print a snapshot's metadata, its rows by source and layout, the walk's problems "
        "and the rows without data. Exit 0; 2 if the file is not a readable snapshot.",
        epilog="example: rezsnap info /studio/snapshots/packages.parquet --json",
    )
    info.add_argument("snapshot", metavar="SNAPSHOT")
    info.add_argument("--json", action="store_true", help="print it as JSON")


def _diff_grammar(commands: Any) -> None:
    diff = commands.add_parser(
        "diff", help="what changed between two snapshots (added, removed, changed packages)",
        description="Compare two snapshots package by package (package path, family, version): added, "
        "removed, and changed packages with the fields that changed (layout, path, requires, variants, "
        "timestamp, source, error; not the file times). Exit 0 when equal, 1 when not, 2 on a bad file.",
        epilog="example: rezsnap diff yesterday.parquet today.parquet --json",
    )
    diff.add_argument("old", metavar="OLD")
    diff.add_argument("new", metavar="NEW")
    diff.add_argument("--json", action="store_true", help="print it as JSON")


def _query_grammar(commands: Any) -> None:
    query = commands.add_parser(
        "query", help="range-aware questions about a snapshot (rez's version semantics)",
        description="'in-range FAMILY RANGE': the packages of a family whose version is in a rez range. "
        "'dependents FAMILY': packages whose requires or variants name FAMILY, optionally only those "
        "whose range admits a version (--admits) or intersects a range (--intersects); weak requirements "
        "count and are marked, conflicts (!FAMILY) require nothing. Exit 0 when something matched, 1 when not.",
        epilog="example: rezsnap query packages.parquet dependents python --admits 3.7.4",
    )
    query.add_argument("snapshot", metavar="SNAPSHOT")
    query.add_argument("question", choices=("in-range", "dependents"))
    query.add_argument("family", metavar="FAMILY")
    query.add_argument("range", nargs="?", default=None, metavar="RANGE", help="in-range: the rez range")
    asked = query.add_mutually_exclusive_group()
    asked.add_argument("--admits", metavar="VERSION", help="dependents: whose range admits this version")
    asked.add_argument("--intersects", metavar="RANGE", help="dependents: whose range intersects this range")
    query.add_argument("--json", action="store_true", help="print JSON")


def _rez_grammar(commands: Any) -> None:
    integration = commands.add_parser(
        "rez", help="turn the rez integration on or off for this Python's rez; report its hit rate",
        description="'enable' writes rezsnap-rez.pth into this Python's site-packages (the "
        "environment rez is installed in): from then on every rez command there answers its "
        "solves from the snapshot (REZSNAP_SNAPSHOT overrides --snapshot; REZSNAP_DISABLE=1 turns "
        "it off for one command). 'disable' removes the file; 'status' shows it. 'report FOLDER' "
        "summarises the records that rez processes wrote under REZSNAP_STATS_DIR=FOLDER.",
        epilog="examples: /opt/rez/bin/python -m rezsnap rez enable --snapshot /studio/snapshots/packages.parquet; "
        "rezsnap rez report /studio/rezsnap-stats --json",
    )
    integration.add_argument("action", choices=("enable", "disable", "status", "report"))
    integration.add_argument("folder", nargs="?", metavar="FOLDER",
                             help="report: the statistics folder (REZSNAP_STATS_DIR)")
    integration.add_argument("--snapshot", metavar="FILES",
                             help="the snapshot to answer from (enable); several separated by "
                             f"{os.pathsep!r}, each answering for its own package paths")
    integration.add_argument("--site", metavar="DIR",
                             help="the site-packages directory (default: this Python's)")
    integration.add_argument("--json", action="store_true", help="print the state as JSON")


def _bench_grammar(commands: Any) -> None:
    bench = commands.add_parser(
        "bench", help="measure rezsnap against rez on the same data, in one run",
        description="Run rez and rezsnap alternately on the same input, after a warm-up, and report "
        "min/median/max and the ratio of medians. 'scale' measures snapshot time, peak memory and "
        "solve time on synthetic studios of growing size (rez solves the same requests).",
        epilog="examples: rezsnap bench scan --dataset rez-benchmark; rezsnap bench solve --dataset "
        "synthetic-10k --json; rezsnap bench scale --sizes 10000 30000 100000 --plot scale.png",
    )
    bench.add_argument("stage", choices=["scan", "parse", "snapshot", "solve", "version", "all", "scale",
                                         "rez-env", "paths", "nightly"],
                       help="which stage to measure ('all': the five stages in turn, one chart; "
                       "'rez-env': the real 'rez env REQ -- true', whole processes, with and without the integration; "
                       "'paths': solves straight from package paths, files read and time per request; "
                       "'nightly': snapshot, refresh and scan as whole processes, as cron runs them)")
    _add_source_arguments(bench)
    bench.add_argument("--repeat", type=_positive, default=None, metavar="N",
                       help="timed runs each (default: 7 for scan, 5 for version, 3 for parse and snapshot)")
    _add_threads_argument(bench)
    _add_workers_argument(bench)
    bench.add_argument("--memcached", action="store_true",
                       help="rez-env: also with rez's resolve cache (a private memcached per side: new, then "
                       "repeated requests; needs the memcached binary)")
    bench.add_argument("--rezconfig", metavar="FILE",
                       help="rez-env: run both sides under this rezconfig file (REZ_CONFIG_FILE: its "
                       "packages_path); --paths/--dataset is what the snapshot covers")
    bench.add_argument("--snapshot", metavar="FILES",
                       help=f"rez-env: answer from these snapshots (separated by {os.pathsep!r}) instead of "
                       "building one of --paths/--dataset")
    bench.add_argument("--configs", nargs="*", metavar="NAME", default=None,
                       help="rez-env: measure under each studio configuration built around the release "
                       "repository (--paths/--dataset): ~/packages absent, empty or with a developer's "
                       "version, two repositories, releases after the snapshot, --time, --paths, --nl "
                       "(names: only these)")
    bench.add_argument("--steered", action="store_true",
                       help="solve: what a typical package filter (glob(*.beta), after(median time)) and "
                       "orderer (version_split on the most required family) cost, and the same against rez")
    bench.add_argument("--sample", type=_positive, default=None, metavar="N",
                       help="solve, paths, rez-env: an evenly spread sample of N of the requests")
    bench.add_argument("--requests", metavar="FILE",
                       help="solve, paths, rez-env: a JSON list of requests (each a list of strings), "
                       "instead of the dataset's")
    bench.add_argument("--sizes", type=_studio_size, nargs="+", default=[10_000, 30_000, 100_000], metavar="N",
                       help="scale: synthetic studio sizes in package versions (default 10000 30000 100000)")
    bench.add_argument("--cold", action="store_true",
                       help="drop the OS page cache before every timed run (Linux, root); "
                       "says so and runs warm where it cannot")
    bench.add_argument("--plot", metavar="FILE.png", help="also draw a bar chart (needs matplotlib)")
    bench.add_argument("--json", action="store_true", help="print the figures as JSON")


_GRAMMARS: dict[str, Callable[[Any], None]] = {
    "scan": _scan_grammar,
    "snapshot": _snapshot_grammar,
    "solve": _solve_grammar,
    "demo": _demo_grammar,
    "compare": _compare_grammar,
    "info": _info_grammar,
    "diff": _diff_grammar,
    "query": _query_grammar,
    "rez": _rez_grammar,
    "bench": _bench_grammar,
}


def _add_progress_arguments(parser: argparse.ArgumentParser) -> None:
    bar = parser.add_mutually_exclusive_group()
    bar.add_argument("--progress", dest="progress", action="store_const", const="always",
                     help="always show a progress bar on stderr")
    bar.add_argument("--no-progress", dest="progress", action="store_const", const=False,
                     help="never show a progress bar (default: only on a terminal)")
    parser.set_defaults(progress=True)


def _positive(text: str) -> int:
    value = _workers(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _studio_size(text: str) -> int:
    from rezsnap.datasets import SMALLEST_STUDIO

    value = _workers(text)
    if value < SMALLEST_STUDIO:
        raise argparse.ArgumentTypeError(f"a synthetic studio has at least {SMALLEST_STUDIO} package versions")
    return value


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 (serial) or more")
    return value


def _add_source_arguments(parser: argparse.ArgumentParser, note: str = "") -> None:
    parser.add_argument("--paths", nargs="+", action="extend", default=[], metavar="PATH",
                        help=f"rez package paths, in order (each may also be a {os.pathsep!r}-separated list, "
                        f"as rez's --paths) {note}".strip())
    parser.add_argument("--dataset", choices=DATASETS,
                        help="a built-in dataset instead of --paths")


def _add_threads_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--threads", type=_workers, default=None, metavar="N",
                        help="file-system threads of the walk: 0 serial (default: chosen by probing the "
                        "file system)")


def _add_workers_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workers", type=_workers, default=None, metavar="N",
                        help="processes that load the packages: 0 in this process (default: one per CPU "
                        "for big repositories)")


def epoch_time(text: str) -> int:
    """``rez env --time``'s formats, as rez.utils.formatting.get_epoch_time_from_str reads them."""
    try:
        return int(text)
    except ValueError:
        pass
    units = {"d": 24 * 60 * 60, "h": 60 * 60, "m": 60, "s": 1}
    if text.startswith("-") and text[-1:] in units:
        try:
            ago = int(float(text[1:-1]) * units[text[-1]])
        except ValueError:
            pass
        else:
            return max(int(time.time()) - ago, 0)
    raise argparse.ArgumentTypeError(f"'{text}' is an unrecognised time format.")
