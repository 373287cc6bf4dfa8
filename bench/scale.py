"""``rezsnap bench scale``: how snapshot time, memory and solve time grow with the repository.

For each size, a synthetic studio (generated once into the cache) is snapshotted in a fresh
process (so that its peak memory is its own), then as cron runs it: a whole ``rezsnap
snapshot`` process, and a whole no-change refresh (``--previous``); then its sample requests
are solved by rezsnap from the snapshot and by rez from the package files, in the same run.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from typing import Any

from ._timing import byte_compile_rezsnap, fresh_process, process_seconds

__all__ = ["bench_scale", "format_scale"]

_SNAPSHOT = """
import json, resource, sys, time
from rezsnap import _pool, build_snapshot
path, output = json.loads(sys.argv[1])
start = time.perf_counter()
report = build_snapshot([path], output, progress=False)
seconds = time.perf_counter() - start
_pool.shutdown_shared_pool()  # join the workers: their peak memory is then counted
print(json.dumps({"seconds": seconds, "rows": report.rows, "sources": report.sources,
                  "parent_peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "worker_peak_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def _snapshot_in_fresh_process(path: str, output: str) -> dict[str, Any]:
    _, result = fresh_process(_SNAPSHOT, [path, output])
    return dict(result)


def _command_seconds(*arguments: str) -> float:
    """Wall seconds of one whole ``rezsnap`` process, as cron waits for it."""
    return process_seconds([sys.executable, "-m", "rezsnap", *arguments])


def bench_scale(sizes: Sequence[int], *, seed: int = 0, rez_requests: int = 8,
                say: Callable[[str], object] = lambda _: None) -> list[dict[str, Any]]:
    from rezsnap.datasets import synthetic_studio_cached
    from rezsnap.solver import Repository, solve_with

    from rezsnap.snapshot import read_snapshot

    from .rez_reference import clear_rez_caches, require_rez
    from .solve import rez_solve

    require_rez()
    byte_compile_rezsnap()
    rows = []
    for size in sizes:
        say(f"{size} package versions: generating (once)...")
        start = time.perf_counter()
        studio = synthetic_studio_cached(size, seed)
        generate_s = time.perf_counter() - start
        path = str(studio.path)
        with tempfile.TemporaryDirectory(prefix="rezsnap-scale-") as scratch:
            output = os.path.join(scratch, "snapshot.parquet")
            say(f"{size}: snapshot in a fresh process...")
            built = _snapshot_in_fresh_process(path, output)
            say(f"{size}: 'rezsnap snapshot' and a no-change refresh, whole processes...")
            command = os.path.join(scratch, "command.parquet")
            full_process_s = _command_seconds("snapshot", "--paths", path, "-o", command, "--no-progress")
            refresh_process_s = _command_seconds("snapshot", "--paths", path, "-o", command, "--previous", command,
                                                 "--no-progress")
            start = time.perf_counter()
            read_snapshot(output)
            read_ms = (time.perf_counter() - start) * 1e3
            requests = studio.requests + studio.failing_requests
            repository = Repository.from_snapshot(output)
            first = [solve_with(repository, r).solve_time_ms for r in requests]  # families built lazily
            warm = [solve_with(repository, r).solve_time_ms for r in requests]
            say(f"{size}: rez solves {rez_requests} of the requests (cold, then warm)...")
            clear_rez_caches()
            sample = requests[:rez_requests]
            rez_cold, rez_warm, same = [], [], 0
            for request in sample:
                start = time.perf_counter()
                theirs = rez_solve(request, [path])
                rez_cold.append((time.perf_counter() - start) * 1e3)
                start = time.perf_counter()
                rez_solve(request, [path])
                rez_warm.append((time.perf_counter() - start) * 1e3)
                ours = solve_with(repository, request)
                uris = [str(v.uri) for v in ours.resolved_packages]
                same += theirs == (ours.status, uris if ours.status == "solved" else [ours.failure_description])
            clear_rez_caches()
            rows.append({
                "packages": built["rows"], "families": studio.families, "generate_s": generate_s,
                "snapshot_s": built["seconds"], "snapshot_process_s": full_process_s,
                "refresh_process_s": refresh_process_s, "snapshot_mib": os.path.getsize(output) / 2**20,
                "parent_peak_mib": built["parent_peak_kib"] / 1024,
                "worker_peak_mib": built["worker_peak_kib"] / 1024,
                "read_snapshot_ms": read_ms, "requests": len(requests),
                "solve_first_ms": statistics.mean(first), "solve_warm_ms": statistics.mean(warm),
                "rez_requests": len(sample), "rez_cold_ms": statistics.mean(rez_cold),
                "rez_warm_ms": statistics.mean(rez_warm),
                "rezsnap_same_sample_warm_ms": statistics.mean(warm[: len(sample)]),
                "identical_to_rez": same,
            })
    return rows


def format_scale(rows: Sequence[dict[str, Any]]) -> str:
    header = ("| package versions | families | snapshot | whole process: snapshot / no-change refresh | "
              "peak RSS (parent / worker) | file | read | solve, rezsnap (first / warm) | solve, rez (cold / warm) | "
              "warm ratio | same as rez |")
    lines = [header, "|" + "---|" * (header.count("|") - 1)]
    for r in rows:
        ratio = r["rez_warm_ms"] / r["rezsnap_same_sample_warm_ms"]
        lines.append(
            f"| {r['packages']:,} | {r['families']:,} | {r['snapshot_s']:.2f} s | "
            f"{r['snapshot_process_s']:.2f} / {r['refresh_process_s']:.2f} s | "
            f"{r['parent_peak_mib']:.0f} / {r['worker_peak_mib']:.0f} MiB | {r['snapshot_mib']:.1f} MiB | "
            f"{r['read_snapshot_ms']:.0f} ms | {r['solve_first_ms']:.1f} / {r['solve_warm_ms']:.1f} ms | "
            f"{r['rez_cold_ms']:.0f} / {r['rez_warm_ms']:.0f} ms | {ratio:.1f}x | "
            f"{r['identical_to_rez']}/{r['rez_requests']} |")
    return "\n".join(lines)
