"""The ``rezsnap`` command line: ``main(argv) -> int``.

Data goes to stdout, summaries and problems to stderr. Exit codes: 0 success,
1 the job ran but failed (or ``--strict`` found problems), 2 usage or set-up error,
130 interrupted. With ``--json``, an error is a JSON object on stdout too:
``{"error": {"type": ..., "message": ..., "exit_code": ...}}``.

One convention per concept, in every command: package paths are ``--paths PATH...``
(or a built-in ``--dataset NAME``), a request list is ``--requests FILE`` (a JSON list
of lists of strings), a sample size ``--sample N``, the progress bar
``--progress``/``--no-progress`` (default: on a terminal only), ``--threads N`` the
file-system threads of a walk and ``--workers N`` the processes of a build.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from rezsnap.datasets import DATASETS
from rezsnap.model import ScannedPackage, ScanProblem
from rezsnap.scanner import scan_repo
from rezsnap.version import RezsnapError

if TYPE_CHECKING:
    from rezsnap.bench._timing import Comparison

__all__ = ["main"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _UsageError(RezsnapError):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors raised (``main`` reports them, as JSON with ``--json``)."""

    def error(self, message: str) -> Any:
        sys.stderr.write(self.format_usage())
        raise _UsageError(message, self.prog)


class _Version(argparse.Action):
    """``--version``: the installed distribution's version, looked up only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print rezsnap's version and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: Any, values: Any, option: Any = None) -> None:
        from rezsnap import __version__

        sys.stdout.write(f"rezsnap {__version__}\n")
        parser.exit()


def _build_parser(prog: str) -> argparse.ArgumentParser:
    parser = _Parser(
        prog=prog,
        description="Fast, rez-faithful scanning, snapshots, solves and benchmarks of rez package repositories.",
        epilog="Run 'rezsnap COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action=_Version)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

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
    solve.add_argument("--time", type=_epoch_time, default=None, metavar="T",
                       help="ignore packages released after T, as rez env --time: epoch seconds "
                       "(1393014494) or a time ago (-10s, -5m, -0.5h, -10d)")
    solve.add_argument("--variant-select-mode", choices=["version_priority", "intersection_priority"],
                       default="version_priority", help="as rez's config.variant_select_mode")
    solve.add_argument("--json", action="store_true", help="print the result as JSON")

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

    info = commands.add_parser(
        "info", help="what a snapshot holds: metadata, counts, problems, error rows",
        description="Print a snapshot's metadata, its rows by source and layout, the walk's problems "
        "and the rows without data. Exit 0; 2 if the file is not a readable snapshot.",
        epilog="example: rezsnap info /studio/snapshots/packages.parquet --json",
    )
    info.add_argument("snapshot", metavar="SNAPSHOT")
    info.add_argument("--json", action="store_true", help="print it as JSON")

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

    integration = commands.add_parser(
        "rez", help="turn the rez integration on or off for this Python's rez",
        description="'enable' writes rezsnap-rez.pth into this Python's site-packages (the "
        "environment rez is installed in): from then on every rez command there answers its "
        "solves from the snapshot (REZSNAP_SNAPSHOT overrides --snapshot; REZSNAP_DISABLE=1 turns "
        "it off for one command). 'disable' removes the file; 'status' shows it.",
        epilog="example: /opt/rez/bin/python -m rezsnap rez enable --snapshot /studio/snapshots/packages.parquet",
    )
    integration.add_argument("action", choices=("enable", "disable", "status"))
    integration.add_argument("--snapshot", metavar="FILE", help="the snapshot to answer from (enable)")
    integration.add_argument("--site", metavar="DIR",
                             help="the site-packages directory (default: this Python's)")
    integration.add_argument("--json", action="store_true", help="print the state as JSON")

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
    return parser


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


def _epoch_time(text: str) -> int:
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


def _source_paths(args: argparse.Namespace) -> list[str]:
    if args.dataset and args.paths:
        raise _UsageError("give package paths or --dataset, not both")
    if args.dataset:
        from rezsnap.datasets import load_dataset

        return [str(load_dataset(args.dataset).path)]
    paths = [p for arg in args.paths for p in arg.split(os.pathsep) if p]
    if not paths:
        raise _UsageError(f"no package path given: use --paths PATH... (or --dataset NAME: {', '.join(DATASETS)})")
    return paths


def _package_json(package: ScannedPackage) -> str:
    return json.dumps({"family": package.family, "version": package.version, "format": package.format,
                       "path": package.path, "repo": package.repo, "kind": package.kind.value, "uri": package.uri})


def _show_progress(progress: bool | str, err: TextIO) -> bool:
    return progress == "always" or (progress is True and err.isatty())


def _problem_text(problem: ScanProblem) -> str:
    return f"problem: {problem.code}: {problem.path}: {problem.message}"


def _print_table(packages: Sequence[ScannedPackage], out: TextIO) -> None:
    width_family = max((len(p.family) for p in packages), default=6)
    width_version = max((len(p.version) for p in packages), default=7)
    out.write(f"{'FAMILY':<{width_family}}  {'VERSION':<{width_version}}  FORMAT  PATH\n")
    out.writelines(f"{p.family:<{width_family}}  {p.version:<{width_version}}  "
                  f"{p.format or '-':<6}  {p.path or '-'}\n" for p in packages)


def _cmd_scan(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    paths = _source_paths(args)
    start = time.perf_counter()
    result = scan_repo(paths, workers=args.threads, progress=_show_progress(args.progress, err))
    seconds = time.perf_counter() - start
    if args.json:
        out.writelines(_package_json(package) + "\n" for package in result)
        err.writelines(json.dumps({"problem": problem.code, "path": problem.path,
                                  "message": problem.message, "family": problem.family}) + "\n" for problem in result.problems)
    else:
        _print_table(result, out)
        err.writelines(_problem_text(problem) + "\n" for problem in result.problems)
    families = len({(p.repo, p.family) for p in result})
    err.write(f"rezsnap scan: {len(result)} packages in {families} families, "
              f"{len(result.problems)} problems, {seconds * 1e3:.1f} ms\n")
    return EXIT_FAILED if args.strict and result.problems else EXIT_OK


class _NoPandas:
    """A ``sys.meta_path`` finder that refuses pandas: the commands that build Arrow data never
    convert to pandas, but pyarrow imports it (250-340 ms, when installed) to ask whether each
    list it is given is a pandas object. Refused, pyarrow records 'no pandas' and goes on."""

    def find_spec(self, fullname: str, path: object, target: object = None) -> None:
        if fullname == "pandas" or fullname.startswith("pandas."):
            raise ImportError("rezsnap's command line does not use pandas")


def _keep_pandas_out() -> None:
    if "pandas" not in sys.modules and not any(isinstance(f, _NoPandas) for f in sys.meta_path):
        sys.meta_path.insert(0, _NoPandas())


def _cmd_snapshot(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    _keep_pandas_out()
    from rezsnap.snapshot import SnapshotError, build_snapshot

    paths = _source_paths(args)
    try:
        if not 0.0 <= args.max_drop <= 1.0:
            raise _UsageError(f"--max-drop must be between 0 and 1, not {args.max_drop}")
        report = build_snapshot(paths, args.output, previous=args.previous, workers=args.workers,
                                progress=args.progress, exec_fallback=not args.no_exec, force=args.force,
                                max_drop=args.max_drop)
    except SnapshotError as exc:
        return _report_error("rezsnap snapshot", "failed", f"failed: {exc}", EXIT_FAILED, args.json)
    except KeyboardInterrupt:
        return _report_error("rezsnap snapshot", "interrupted",
                             f"interrupted: nothing was written, {args.output} is unchanged", 130, args.json)
    if args.json:
        out.write(json.dumps(report.as_dict()) + "\n")
    else:
        out.write(report.summary() + "\n")
        err.writelines(_problem_text(problem) + "\n" for problem in report.problems)
    return EXIT_OK


def _cmd_solve(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from rezsnap.solver import solve

    requests = list(args.requests)  # one request per argument, as rez env
    if any(not text.strip() for text in requests):
        raise _UsageError("empty request")
    if (args.snapshot is not None) == bool(args.paths or args.dataset):
        raise _UsageError("give one package source: --snapshot FILE, or --paths PATH... / --dataset NAME")
    paths = None if args.snapshot is not None else _source_paths(args)
    result = solve(requests, snapshot=args.snapshot, package_paths=paths,
                   variant_select_mode=args.variant_select_mode, timestamp=args.time)
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


def _cmd_demo(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from rezsnap._demo import default_dataset, run_demo

    def show(line: str) -> None:
        if not args.json:
            out.write(line + "\n")
            out.flush()

    summary = run_demo(args.dataset or default_dataset(), requests=args.sample, progress=args.progress,
                       say=lambda text: err.write(f"rezsnap demo: {text}\n"), show=show)
    if args.json:
        out.write(json.dumps(summary.as_dict()) + "\n")
    elif summary.rez == "compared":
        same = sum(s["same_as_rez"] for s in summary.solves)
        rez_total = sum(s["rez_ms"] for s in summary.solves)
        ours_total = sum(s["rezsnap_ms"] for s in summary.solves)
        out.write(f"{same}/{len(summary.solves)} resolves identical to rez; rez {rez_total:.0f} ms, "
                  f"rezsnap {ours_total:.0f} ms (snapshot read included) = {rez_total / ours_total:.0f}x\n")
    else:
        out.write(f"rez: {summary.rez}\n")
    return EXIT_OK if all(s.get("same_as_rez", True) for s in summary.solves) else EXIT_FAILED


def _cmd_compare(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import tempfile

    from rezsnap.bench.rez_reference import require_rez
    from rezsnap.rez import compare, random_requests
    from rezsnap.snapshot import build_snapshot, read_snapshot

    require_rez()
    paths = _source_paths(args)
    if args.snapshot is not None:
        from rezsnap.rez._freshness import same_paths

        built_from = read_snapshot(args.snapshot).metadata.package_paths
        if not same_paths(built_from, paths):  # another repository: every difference would be false
            raise _UsageError(f"{args.snapshot} was built from {', '.join(built_from)}, not from "
                              f"{', '.join(paths)}: compare it with the package paths it was built from")
    with tempfile.TemporaryDirectory(prefix="rezsnap-compare-") as scratch:
        snapshot = args.snapshot
        if snapshot is None:
            snapshot = f"{scratch}/snapshot.parquet"
            build_snapshot(paths, snapshot, progress=args.progress)
        if args.requests:
            requests = _request_file(args.requests)
        else:
            table = read_snapshot(snapshot).table
            families: dict[str, list[str]] = {}
            for family, version in zip(table.column("family").to_pylist(), table.column("version").to_pylist()):
                families.setdefault(family, []).append(version)
            requests = random_requests(families, args.random or 50, seed=args.seed)
        report = compare(requests, paths, snapshot)
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


def _request_file(path: str) -> list[list[str]]:
    try:
        with open(path, encoding="utf-8") as stream:
            requests = json.load(stream)
    except (OSError, ValueError) as exc:  # missing, unreadable, not UTF-8, not JSON
        raise _UsageError(f"{path}: cannot read requests: {exc}") from None
    if not (isinstance(requests, list)
            and all(isinstance(r, list) and all(isinstance(t, str) for t in r) for r in requests)):
        raise _UsageError(f"{path}: expected a JSON list of requests (lists of strings)")
    return requests


def _cmd_bench(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from rezsnap.bench._timing import format_comparison

    if args.stage == "scale":
        return _bench_scale(args, out, err)
    if args.stage == "rez-env":
        return _bench_rez_env(args, out)
    before_each = _cold_runs(args, err)
    if args.stage == "all":
        comparisons = [c for stage in _STAGES for c in _run_stage_in_child(stage, args, before_each)]
    else:
        comparisons = _run_stage(args.stage, args, before_each)
    for comparison in comparisons:
        comparison.details["cold"] = before_each is not None
    if args.plot:
        from rezsnap.bench._plot import plot_comparisons

        plot_comparisons(comparisons, args.plot, title=f"rez vs rezsnap: {args.stage}")
        err.write(f"rezsnap bench: chart written to {args.plot}\n")
    if args.json:
        out.write(json.dumps([c.as_dict() for c in comparisons]) + "\n")
    else:
        out.write("\n".join(format_comparison(c) for c in comparisons) + "\n")
        for c in comparisons:
            out.writelines(f"  {line}\n" for line in _detail_lines(c.details))
    return EXIT_OK


def _run_stage_in_child(stage: str, args: argparse.Namespace, before_each: Callable[[], None] | None
                        ) -> list[Comparison]:
    """``_run_stage`` in a forked child: a stage's figures must not depend on the heap that
    the stages before it left behind. (Measured: after scan, parse, snapshot and solve in
    one process, rezsnap's side of the version stage ran 20-60% slower, rez's about 8%.)"""
    from concurrent.futures import ProcessPoolExecutor

    from rezsnap._pool import fork_context

    with ProcessPoolExecutor(1, mp_context=fork_context()) as child:
        return child.submit(_run_stage, stage, args, before_each).result()


def _run_stage(stage: str, args: argparse.Namespace, before_each: Callable[[], None] | None
               ) -> list[Comparison]:
    if stage == "version":
        from rezsnap.bench.version import bench_version

        return bench_version(repeat=args.repeat or 5)
    if stage == "snapshot":
        from rezsnap.bench.snapshot import bench_snapshot

        return bench_snapshot(_source_paths(args), repeat=args.repeat or 3, workers=args.workers,
                              before_each=before_each)
    if stage == "solve":
        from rezsnap.bench.solve import bench_solve

        paths = _source_paths(args)
        return bench_solve(paths, _bench_requests(args))
    if stage == "nightly":
        from rezsnap.bench.nightly import bench_nightly

        return bench_nightly(_source_paths(args), repeat=args.repeat or 3)
    if stage == "paths":
        from rezsnap.bench.paths import bench_paths

        return bench_paths(_source_paths(args), _bench_requests(args))
    if stage == "parse":
        from rezsnap.bench.parse import bench_parse

        return [bench_parse(_source_paths(args), repeat=args.repeat or 3, workers=args.workers,
                            before_each=before_each)]
    from rezsnap.bench.scan import bench_scan

    return [bench_scan(_source_paths(args), repeat=args.repeat or 7, workers=args.threads,
                       before_each=before_each)]


_STAGES = ("scan", "parse", "snapshot", "solve", "version")


def _cold_runs(args: argparse.Namespace, err: TextIO) -> Callable[[], None] | None:
    """``before_each`` for ``--cold``: drop the page cache, or say why not and run warm."""
    if not args.cold:
        return None
    from rezsnap.bench._cold import cold_cache_unavailable, drop_page_cache

    if args.stage in ("version", "solve"):  # 'all' drops the cache for the stages that read files
        err.write(f"rezsnap bench: --cold has no effect on '{args.stage}' (it reads no files while timed)\n")
        return None
    reason = cold_cache_unavailable()
    if reason:
        err.write(f"rezsnap bench: --cold: {reason}; running with a warm cache\n")
        return None
    return drop_page_cache


def _bench_requests(args: argparse.Namespace) -> list[list[str]]:
    """The requests of --request-file or of the dataset, thinned to --requests N."""
    from rezsnap.datasets import load_dataset, spread_sample

    if args.requests:
        requests = _request_file(args.requests)
    elif args.dataset:
        requests = list(load_dataset(args.dataset).requests)
    else:
        raise _UsageError("this stage needs requests: use --dataset NAME, or --paths PATH... with --requests FILE")
    return spread_sample(requests, args.sample) if args.sample else requests


def _detail_lines(d: dict[str, Any]) -> list[str]:
    lines = []
    if "refresh_share_of_full" in d:
        lines.append(f"no-change refresh {d['refresh_median_s'] * 1e3:.1f} ms = {d['refresh_share_of_full']:.1%} "
                     f"of a full snapshot ({d['full_median_s'] * 1e3:.1f} ms); read_snapshot "
                     f"{d['read_snapshot_median_s'] * 1e3:.1f} ms; {d['packages']} rows, {d['file_bytes']} bytes")
    if "mean_ratio" in d:
        lines.append(f"mean per solve: rez {d['rez_mean_ms']:.1f} ms, rezsnap {d['rezsnap_mean_ms']:.1f} ms "
                     f"= {d['mean_ratio']:.2f}x; {d['identical']}/{d['requests']} identical results")
    if "rez_us_per_file" in d:
        lines.append(f"per file: rez {d['rez_us_per_file']:.0f} us, rezsnap {d['rezsnap_us_per_file']:.1f} us "
                     f"({d['files']} files)")
    if "rezsnap_batched_us_per_file" in d:
        peers = "".join(f", pyrer {d[f'pyrer_{kind}_us_per_file']:.1f} us {kind.replace('_', ' ')}"
                        for kind in ("batched", "per_file") if f"pyrer_{kind}_us_per_file" in d)
        lines.append(f"parse alone: rezsnap {d['rezsnap_batched_us_per_file']:.1f} us batched, "
                     f"{d['rezsnap_per_file_us_per_file']:.1f} us per file{peers or ' (pyrer not installed)'}")
    if "refresh_share_of_full_process" in d:
        lines.append(f"a no-change refresh takes {d['refresh_share_of_full_process']:.0%} of a full snapshot "
                     "(whole processes)")
    if "new_repository_mean_ms" in d:
        pyrer = (f"; pyrer {d['pyrer_mean_ms']:.1f} ms (its package list built once) = "
                 f"{1 / d['pyrer_over_warm']:.2f}x the warm speed" if "pyrer_mean_ms" in d else "")
        lines.append(f"mean per solve: warm {d['warm_mean_ms']:.1f} ms; a new Repository per solve "
                     f"{d['new_repository_over_warm']:.2f}x; solve(snapshot=path) in a loop "
                     f"{d['path_loop_over_warm']:.2f}x; solve(snapshot=<Snapshot>) in a loop "
                     f"{d['snapshot_object_loop_over_warm']:.2f}x{pyrer}")
    if "packages_handed_with_hint" in d:
        lines.append(f"load_family hands over {d['packages_handed_with_hint']} packages with the version_range "
                     f"hint, {d['packages_handed_without_hint']} without; {d['hint_identical']}/{d['requests']} "
                     "identical results")
    if "rez_packages_loaded" in d:
        lines.append(f"packages loaded: rez {d['rez_packages_loaded']}, rezsnap {d['rezsnap_packages_loaded']}; "
                     f"total rez {d['rez_total_s']:.2f} s, rezsnap {d['rezsnap_total_s']:.2f} s; "
                     f"{d['identical']}/{d['requests']} identical results")
    if d.get("cold"):
        lines.append("page cache dropped before every timed run")
    return lines


def _bench_scale(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from rezsnap.bench.scale import bench_scale, format_scale

    if args.paths or args.dataset:
        raise _UsageError("scale generates its own synthetic studios: use --sizes, not --repo or --dataset")
    rows = bench_scale(args.sizes, say=lambda text: err.write(f"rezsnap bench scale: {text}\n"))
    if args.plot:
        from rezsnap.bench._plot import plot_scale

        plot_scale(rows, args.plot)
        err.write(f"rezsnap bench: chart written to {args.plot}\n")
    out.write((json.dumps(rows) if args.json else format_scale(rows)) + "\n")
    return EXIT_OK


def _bench_rez_env(args: argparse.Namespace, out: TextIO) -> int:
    from rezsnap.bench._timing import format_comparison
    from rezsnap.bench.rez_env import bench_rez_env

    requests = _bench_requests(args)
    small = [requests[0][-1]] if requests else None  # one package: rez alone must be as fast
    comparisons = bench_rez_env(_source_paths(args), requests, small, repeat=args.repeat or 5,
                                memcached=args.memcached)
    if args.json:
        out.write(json.dumps([c.as_dict() for c in comparisons]) + "\n")
    else:
        out.writelines(format_comparison(comparison) + "\n" for comparison in comparisons)
        out.write(f"  exit codes that differ from rez's: {comparisons[0].details['exit_codes_differ']}\n")
    return EXIT_OK


def _cmd_rez(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import json
    import os

    from rezsnap.rez import disable, enable, status

    if args.action == "enable":
        if args.snapshot and not os.path.isfile(args.snapshot):
            raise _UsageError(f"no such snapshot file: {args.snapshot}")
        state = enable(args.snapshot, site=args.site)
    elif args.action == "disable":
        state = disable(site=args.site)
    else:
        state = status(site=args.site)
    if args.json:
        out.write(json.dumps(state.as_dict()) + "\n")
    else:
        word = "enabled" if state.enabled else "disabled"
        snapshot = f" (snapshot: {state.snapshot or '$REZSNAP_SNAPSHOT'})" if state.enabled else ""
        out.write(f"rezsnap rez integration {word}: {state.pth}{snapshot}\n")
    return EXIT_OK


def _cmd_info(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
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


def _cmd_diff(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
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


def _cmd_query(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from rezsnap.snapshot import read_snapshot
    from rezsnap.snapshot._inspect import dependents, packages_in_range

    snapshot = read_snapshot(args.snapshot)
    if args.question == "in-range":
        if args.range is None or args.admits or args.intersects:
            raise _UsageError("in-range takes FAMILY RANGE (and neither --admits nor --intersects)")
        found: list[dict[str, Any]] = packages_in_range(snapshot, args.family, args.range)
        text = [f"{f['package']}  {f['uri']}" for f in found]
    else:
        if args.range is not None:
            raise _UsageError("dependents takes FAMILY, and --admits VERSION or --intersects RANGE")
        found = [d.as_dict() for d in dependents(snapshot, args.family, admits=args.admits,
                                                  intersects=args.intersects)]
        text = [f"{d['package']}  {d['where']}: {d['requirement']}{'  (weak)' if d['weak'] else ''}" for d in found]
    out.write(json.dumps(found) + "\n" if args.json else "".join(line + "\n" for line in text))
    return EXIT_OK if found else EXIT_FAILED


_COMMANDS = {"compare": _cmd_compare, "scan": _cmd_scan, "snapshot": _cmd_snapshot, "solve": _cmd_solve, "demo": _cmd_demo,
             "bench": _cmd_bench, "rez": _cmd_rez, "info": _cmd_info, "diff": _cmd_diff, "query": _cmd_query}


def main(argv: Sequence[str] | None = None, prog: str = "rezsnap") -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    as_json = "--json" in arguments
    try:
        parser = _build_parser(prog)
        args = parser.parse_args(arguments)
    except SystemExit as exc:  # --help, --version
        return int(exc.code or 0)
    except _UsageError as exc:
        return _report_error(exc.args[-1], "usage", exc.args[0], EXIT_USAGE, as_json)
    except KeyboardInterrupt:  # Ctrl-C while starting: one line, not a traceback
        sys.stderr.write(f"{prog}: interrupted\n")
        return 130
    out, err = sys.stdout, sys.stderr
    # Names that are not valid UTF-8 are printed back as the bytes on disk, as ls does.
    for stream in (out, err):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="surrogateescape")
    try:
        return _COMMANDS[args.command](args, out, err)
    except _UsageError as exc:
        return _report_error(prog, "usage", exc.args[0], EXIT_USAGE, as_json)
    except RezsnapError as exc:
        return _report_error(prog, type(exc).__name__, str(exc), EXIT_USAGE, as_json)
    except KeyboardInterrupt:
        return _report_error(prog, "interrupted", "interrupted", 130, as_json)
    except BrokenPipeError:  # e.g. 'rezsnap scan ... | head': the reader left early
        _silence_stdout()
        return EXIT_OK


def _report_error(prog: str, kind: str, message: str, code: int, as_json: bool) -> int:
    """One line on stderr; with ``--json`` also the error as a JSON object on stdout."""
    sys.stderr.write(f"{prog}: {'error: ' if kind not in ('interrupted', 'failed') else ''}{message}\n")
    if as_json:
        sys.stdout.write(json.dumps({"error": {"type": kind, "message": message, "exit_code": code}}) + "\n")
    return code


def _silence_stdout() -> None:
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
