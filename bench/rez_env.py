"""``rezsnap bench rez-env``: the real ``rez env REQ -- true`` as whole processes, plain rez
against rez with the integration enabled the documented way (the ``.pth`` hook), alternating,
on the same requests; plus one one-package request, repeated (the integration must never
make a small ``rez env`` slower)."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from statistics import median

from rezsnap.rez._activation import enabled_for_a_while
from rezsnap.snapshot import build_snapshot

from ._timing import Comparison, Timing, timed_process
from .rez_reference import isolated_rez_environ, require_rez

__all__ = ["bench_rez_env"]


def _rez_env(request: list[str], env: dict[str, str]) -> tuple[float, int]:
    rez = str(Path(sys.executable).with_name("rez"))
    return timed_process([rez, "env", *request, "--", "true"], env, timeout=600)


def _alternating(requests: list[list[str]], plain: dict[str, str], ours: dict[str, str]
                 ) -> tuple[list[float], list[float], int]:
    rez_times, our_times, differ = [], [], 0
    for request in requests:  # alternating, request by request
        seconds, code = _rez_env(request, plain)
        rez_times.append(seconds)
        seconds, our_code = _rez_env(request, ours)
        our_times.append(seconds)
        differ += code != our_code
    return rez_times, our_times, differ


def _total(task: str, rez_times: list[float], our_times: list[float], differ: int) -> Comparison:
    comparison = Comparison(task, Timing("rez", (sum(rez_times),)), Timing("rezsnap", (sum(our_times),)))
    comparison.details.update(requests=len(rez_times), exit_codes_differ=differ,
                              per_request_rez_s=rez_times, per_request_rezsnap_s=our_times)
    return comparison


def bench_rez_env(paths: Sequence[str], requests: list[list[str]], small: list[str] | None = None,
                  repeat: int = 5, memcached: bool = False) -> list[Comparison]:
    """Whole ``rez env`` processes, plain against the integration; with ``memcached``, each
    side also with its own private memcached (rez's resolve cache): new requests, then repeats."""
    require_rez()
    plain = isolated_rez_environ()
    plain["REZ_PACKAGES_PATH"] = os.pathsep.join(paths)
    plain = {k: v for k, v in plain.items() if not k.startswith("REZSNAP_")}
    count = len(requests)
    with tempfile.TemporaryDirectory(prefix="rezsnap-bench-") as scratch, enabled_for_a_while():
        snapshot = os.path.join(scratch, "snapshot.parquet")
        build_snapshot(list(paths), snapshot, progress=False)
        ours = {**plain, "REZSNAP_SNAPSHOT": snapshot}
        _rez_env(requests[0], plain)  # warm the page cache for both
        comparisons = [_total(f"rez env REQ -- true, {count} requests, whole processes (total)",
                              *_alternating(requests, plain, ours))]
        if small:
            small_rez, small_ours = [], []
            for _ in range(repeat):
                small_rez.append(_rez_env(small, plain)[0])
                small_ours.append(_rez_env(small, ours)[0])
            one = Comparison(f"rez env {' '.join(small)} -- true (one package, median of {repeat})",
                             Timing("rez", tuple(small_rez)), Timing("rezsnap", tuple(small_ours)))
            one.details.update(rez_median_s=median(small_rez), rezsnap_median_s=median(small_ours))
            comparisons.append(one)
        if memcached:
            from .memcached import private_memcached

            with private_memcached() as theirs_cache, private_memcached() as our_cache:
                cached_plain = {**plain, "REZ_MEMCACHED_URI": theirs_cache, "REZ_RESOLVE_CACHING": "1"}
                cached_ours = {**ours, "REZ_MEMCACHED_URI": our_cache, "REZ_RESOLVE_CACHING": "1"}
                for kind in ("new", "repeated"):
                    comparisons.append(_total(
                        f"rez env REQ -- true with memcached, {count} {kind} requests (total)",
                        *_alternating(requests, cached_plain, cached_ours)))
    return comparisons
