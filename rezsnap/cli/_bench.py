"""``rezsnap bench``: rezsnap against rez on the same data, alternating, in one run."""

from __future__ import annotations

import json
import os
from argparse import Namespace
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from ._common import EXIT_OK, UsageError, request_file, source_paths

if TYPE_CHECKING:
    from rezsnap.bench._timing import Comparison

__all__ = ["bench_command"]


def bench_command(args: Namespace, out: TextIO, err: TextIO) -> int:
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


def _run_stage_in_child(stage: str, args: Namespace, before_each: Callable[[], None] | None
                        ) -> list[Comparison]:
    """``_run_stage`` in a forked child: a stage's figures must not depend on the heap that
    the stages before it left behind. (Measured: after scan, parse, snapshot and solve in
    one process, rezsnap's side of the version stage ran 20-60% slower, rez's about 8%.)"""
    from concurrent.futures import ProcessPoolExecutor

    from rezsnap._pool import fork_context

    with ProcessPoolExecutor(1, mp_context=fork_context()) as child:
        return child.submit(_run_stage, stage, args, before_each).result()


def _run_stage(stage: str, args: Namespace, before_each: Callable[[], None] | None
               ) -> list[Comparison]:
    if stage == "version":
        from rezsnap.bench.version import bench_version

        return bench_version(repeat=args.repeat or 5)
    if stage == "snapshot":
        from rezsnap.bench.snapshot import bench_snapshot

        return bench_snapshot(source_paths(args), repeat=args.repeat or 3, workers=args.workers,
                              before_each=before_each)
    if stage == "solve":
        from rezsnap.bench.solve import bench_solve

        paths = source_paths(args)
        if args.steered:
            from rezsnap.bench.steering import bench_steering

            return bench_steering(paths, _bench_requests(args), repeat=args.repeat or 5)
        return bench_solve(paths, _bench_requests(args))
    if stage == "nightly":
        from rezsnap.bench.nightly import bench_nightly

        return bench_nightly(source_paths(args), repeat=args.repeat or 3)
    if stage == "paths":
        from rezsnap.bench.paths import bench_paths

        return bench_paths(source_paths(args), _bench_requests(args))
    if stage == "parse":
        from rezsnap.bench.parse import bench_parse

        return [bench_parse(source_paths(args), repeat=args.repeat or 3, workers=args.workers,
                            before_each=before_each)]
    from rezsnap.bench.scan import bench_scan

    return [bench_scan(source_paths(args), repeat=args.repeat or 7, workers=args.threads,
                       before_each=before_each)]


_STAGES = ("scan", "parse", "snapshot", "solve", "version")


def _cold_runs(args: Namespace, err: TextIO) -> Callable[[], None] | None:
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


def _bench_requests(args: Namespace) -> list[list[str]]:
    """The requests of --request-file or of the dataset, thinned to --requests N."""
    from rezsnap.datasets import load_dataset, spread_sample

    if args.requests:
        requests = request_file(args.requests)
    elif args.dataset:
        requests = list(load_dataset(args.dataset).requests)
    else:
        raise UsageError("this stage needs requests: use --dataset NAME, or --paths PATH... with --requests FILE")
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
    if "exit_codes_differ" in d:
        lines.append(f"exit codes that differ from rez's: {d['exit_codes_differ']}, "
                     f"resolves that differ: {d['resolves_differ']}, "
                     f"environments that differ: {d.get('environments_differ', 'not compared')}")
    if "answered_by_rezsnap" in d:
        lines.append(f"answered by rezsnap: {d['answered_by_rezsnap']} of {d['solves']} solves "
                     f"(families read live: {d['live_families']}; rez's: {d['rez_reasons'] or 'none'})")
    if d.get("cold"):
        lines.append("page cache dropped before every timed run")
    return lines


def _bench_scale(args: Namespace, out: TextIO, err: TextIO) -> int:
    from rezsnap.bench.scale import bench_scale, format_scale

    if args.paths or args.dataset:
        raise UsageError("scale generates its own synthetic studios: use --sizes, not --repo or --dataset")
    rows = bench_scale(args.sizes, say=lambda text: err.write(f"rezsnap bench scale: {text}\n"))
    if args.plot:
        from rezsnap.bench._plot import plot_scale

        plot_scale(rows, args.plot)
        err.write(f"rezsnap bench: chart written to {args.plot}\n")
    out.write((json.dumps(rows) if args.json else format_scale(rows)) + "\n")
    return EXIT_OK


def _bench_rez_env(args: Namespace, out: TextIO) -> int:
    from rezsnap.bench._timing import format_comparison
    from rezsnap.bench.rez_env import bench_rez_env

    requests = _bench_requests(args)
    paths = source_paths(args)
    if args.configs is not None:
        from rezsnap.bench.rez_env import bench_studio_configs

        comparisons = bench_studio_configs(paths[0], requests, names=args.configs)
    else:
        small = [requests[0][-1]] if requests else None  # one package: rez alone must be as fast
        if args.rezconfig is not None and not os.path.isfile(args.rezconfig):
            raise UsageError(f"no such rezconfig file: {args.rezconfig}")
        snapshots = [part for part in (args.snapshot or "").split(os.pathsep) if part] or None
        comparisons = bench_rez_env(paths, requests, small, repeat=args.repeat or 5, memcached=args.memcached,
                                    rezconfig=args.rezconfig, snapshots=snapshots)
    if args.json:
        out.write(json.dumps([c.as_dict() for c in comparisons]) + "\n")
        return EXIT_OK
    for comparison in comparisons:  # each configuration with its own lines
        out.write(format_comparison(comparison) + "\n")
        out.writelines(f"  {line}\n" for line in _detail_lines(comparison.details))
    return EXIT_OK
