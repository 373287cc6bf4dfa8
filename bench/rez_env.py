"""``rezsnap bench rez-env``: the real ``rez env REQ -- printenv`` as whole processes, plain rez
against rez with the integration enabled the documented way (the ``.pth`` hook), alternating,
on the same requests; plus one one-package request, repeated (the integration must never make
a small ``rez env`` slower). Each pair of runs is compared: the resolve (``REZ_USED_RESOLVE``),
the whole environment the shell got (but what differs between any two runs of rez: its
context files, the shell's start time, the resolve time) and the exit code; the
integration's statistics folder (``REZSNAP_STATS_DIR``) says how many solves rezsnap answered.

Under a studio's rezconfig file (``rezconfig=``) rez reads its ``packages_path`` there, and the
snapshots cover some of those paths; ``bench_studio_configs`` builds the configurations of
``studio_configs.py`` around a release repository and measures each.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from statistics import median

from rezsnap.rez._activation import enabled_for_a_while
from rezsnap.rez._stats import summarise
from rezsnap.snapshot import build_snapshot

from ._timing import Comparison, Timing, byte_compile_rezsnap, timed_process
from .rez_reference import isolated_rez_environ, require_rez

__all__ = ["bench_rez_env", "bench_studio_configs"]


#: What differs between any two runs of rez itself: the context's files, the shell's start and
#: the resolve time (``rez env`` without ``--time`` resolves "now")
_VOLATILE = ("REZ_CONTEXT_FILE", "REZ_RXT_FILE", "REZ_SHELL_INIT_TIMESTAMP", "REZ_USED_TIMESTAMP")


def _environment(printed: bytes) -> dict[bytes, bytes]:
    """The variables ``printenv`` printed, but the volatile ones and rezsnap's own settings."""
    found = {}
    for line in printed.splitlines():
        name, _, value = line.partition(b"=")
        if name.decode(errors="replace") not in _VOLATILE and not name.startswith(b"REZSNAP_"):
            found[name] = value
    return found


class _Runner:
    """``rez env [args] REQ -- printenv``, timed, what it printed kept."""

    def __init__(self, scratch: str, env_args: Sequence[str] = ()) -> None:
        self.rez = str(Path(sys.executable).with_name("rez"))
        self.output = os.path.join(scratch, "stdout")
        self.env_args = list(env_args)

    def __call__(self, request: list[str], env: dict[str, str]) -> tuple[float, int, bytes]:
        seconds, code = timed_process([self.rez, "env", *self.env_args, *request, "--", "printenv"], env,
                                      timeout=600, output=self.output)
        return seconds, code, Path(self.output).read_bytes()


def _alternating(run: _Runner, requests: list[list[str]], plain: dict[str, str], ours: dict[str, str]
                 ) -> tuple[list[float], list[float], int, int, int]:
    rez_times, our_times, codes_differ, resolves_differ, environments_differ = [], [], 0, 0, 0
    for request in requests:  # alternating, request by request
        seconds, code, theirs = run(request, plain)
        rez_times.append(seconds)
        seconds, our_code, printed = run(request, ours)
        our_times.append(seconds)
        codes_differ += code != our_code
        their_environment, our_environment = _environment(theirs), _environment(printed)
        resolves_differ += their_environment.get(b"REZ_USED_RESOLVE") != our_environment.get(b"REZ_USED_RESOLVE")
        environments_differ += their_environment != our_environment
    return rez_times, our_times, codes_differ, resolves_differ, environments_differ


def _total(task: str, measured: tuple[list[float], list[float], int, int, int], stats: str | None = None
           ) -> Comparison:
    rez_times, our_times, codes_differ, resolves_differ, environments_differ = measured
    comparison = Comparison(task, Timing("rez", (sum(rez_times),)), Timing("rezsnap", (sum(our_times),)))
    comparison.details.update(requests=len(rez_times), exit_codes_differ=codes_differ,
                              resolves_differ=resolves_differ, environments_differ=environments_differ,
                              per_request_rez_s=rez_times, per_request_rezsnap_s=our_times)
    if stats is not None and os.path.isdir(stats):
        summary = summarise(stats)
        comparison.details.update(solves=summary["solves"], answered_by_rezsnap=summary["answered_by_rezsnap"],
                                  rez_reasons=summary["rez_reasons"], live_families=summary["live_families"])
    return comparison


def bench_rez_env(paths: Sequence[str], requests: list[list[str]], small: list[str] | None = None,
                  repeat: int = 5, memcached: bool = False, *, rezconfig: str | None = None,
                  snapshots: Sequence[str] | None = None, env_args: Sequence[str] = (),
                  home: str | None = None, label: str = "") -> list[Comparison]:
    """Whole ``rez env`` processes, plain against the integration; with ``memcached``, each
    side also with its own private memcached (rez's resolve cache): new requests, then repeats.

    ``rezconfig``: both sides run under this rezconfig file (its ``packages_path``), ``paths``
    being what the snapshot covers; ``snapshots``: use these instead of building one of
    ``paths``; ``env_args``: more ``rez env`` arguments; ``home``: ``HOME`` for both sides."""
    require_rez()
    byte_compile_rezsnap()  # as a pip install leaves it: no rez process compiles rezsnap's sources
    plain = {k: v for k, v in isolated_rez_environ().items() if not k.startswith("REZSNAP_")}
    if rezconfig is None:
        plain["REZ_PACKAGES_PATH"] = os.pathsep.join(paths)
    else:
        plain["REZ_CONFIG_FILE"] = os.path.abspath(rezconfig)
    if home is not None:
        plain["HOME"] = home
    count = len(requests)
    title = f"{label}: " if label else ""
    with tempfile.TemporaryDirectory(prefix="rezsnap-bench-") as scratch, enabled_for_a_while():
        if snapshots is None:
            snapshot = os.path.join(scratch, "snapshot.parquet")
            build_snapshot(list(paths), snapshot, progress=False)
            snapshots = [snapshot]
        stats = os.path.join(scratch, "stats")
        ours = {**plain, "REZSNAP_SNAPSHOT": os.pathsep.join(snapshots), "REZSNAP_STATS_DIR": stats}
        run = _Runner(scratch, env_args)
        run(requests[0], plain)  # warm the page cache for both
        comparisons = [_total(f"{title}rez env REQ -- printenv, {count} requests, whole processes (total)",
                              _alternating(run, requests, plain, {**ours, "REZSNAP_REZ_BUDGET": "0"}), stats)]
        if small:
            small_rez, small_ours = [], []
            for _ in range(repeat):
                small_rez.append(run(small, plain)[0])
                small_ours.append(run(small, ours)[0])
            one = Comparison(f"{title}rez env {' '.join(small)} -- printenv (one package, median of {repeat})",
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
                        f"{title}rez env REQ -- printenv with memcached, {count} {kind} requests (total)",
                        _alternating(run, requests, cached_plain, cached_ours)))
    return comparisons


def bench_studio_configs(release: str, requests: list[list[str]], *, moment: int | None = None,
                         names: Sequence[str] | None = None) -> list[Comparison]:
    """``bench_rez_env`` under each configuration of ``studio_configs.py`` (or those ``names``)
    built around the release repository; ``moment``: ``--time`` (default: the release's 99.9th
    percentile release time)."""
    from .studio_configs import studio_configs

    comparisons = []
    with tempfile.TemporaryDirectory(prefix="rezsnap-configs-") as scratch:
        configs = studio_configs(release, scratch, requests, lambda p, o: build_snapshot(p, o, progress=False),
                                 moment=moment or _late_moment(release, scratch))
        for config in configs:
            if names and config.name not in names:
                continue
            comparisons += bench_rez_env([release], requests, rezconfig=config.rezconfig,
                                         snapshots=config.snapshots, env_args=config.env_args, home=config.home,
                                         label=config.name)
    return comparisons


def _late_moment(release: str, scratch: str) -> int:
    """A ``--time`` late in the release's history (its 99.9th percentile release time): a
    resolve locked just before the last releases, most requests still resolving."""
    from rezsnap.snapshot import read_snapshot

    snapshot = os.path.join(scratch, "moment.parquet")
    build_snapshot([release], snapshot, progress=False)
    stamps = sorted(t for t in read_snapshot(snapshot).table.column("timestamp").to_pylist() if t)
    return stamps[int(len(stamps) * 0.999)] if stamps else 2_000_000_000
