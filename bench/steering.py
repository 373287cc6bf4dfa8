"""``rezsnap bench solve --steered``: what a package filter and orderers cost a solve.

The typical steering of a studio, on the given repository: ``glob(*.beta)`` and
``after(T)`` as two filters (T late in the release history: the 99.9th percentile), and a ``version_split`` orderer on
the most required family (``typical_steering``; the benchmark test uses the same). Warm
solves of the requests (families already loaded), alternating rounds: rezsnap without
steering, rezsnap with it, and rez with it; every steered resolve compared with rez's.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

from rezsnap.solver import Repository, solve_with
from rezsnap.solver._filters import package_filter_list
from rezsnap.solver._orderers import package_order_list

from rezsnap.snapshot import build_snapshot, read_snapshot
from rezsnap.version import Requirement, Version

from ._timing import Comparison, Timing
from .rez_reference import require_rez

__all__ = ["bench_steering", "neutral_steering", "typical_steering"]


def typical_steering(snapshot: str | os.PathLike[str], moment: float = 0.5
                     ) -> tuple[list[dict[str, list[str]]], list[dict[str, Any]]]:
    """(rez's ``package_filter`` setting, its ``package_orderers`` setting) for this snapshot;
    ``moment``: where ``after(T)`` falls among the release times (0.5: the median)."""
    table = read_snapshot(snapshot).table
    stamps = sorted(t for t in table.column("timestamp").to_pylist() if t)
    required = Counter(Requirement(text).name for requires in table.column("requires").to_pylist()
                       for text in requires or ())
    family = required.most_common(1)[0][0]
    versions = sorted((v for f, v in zip(table.column("family").to_pylist(), table.column("version").to_pylist())
                       if f == family), key=lambda v: Version(v).packed_key)
    cut = stamps[min(len(stamps) - 1, int(len(stamps) * moment))]
    filters = [{"excludes": ["glob(*.beta)"]}, {"excludes": [f"after({cut})"]}]
    orderers = [{"type": "version_split", "first_version": versions[len(versions) // 2], "packages": [family]}]
    return filters, orderers


def neutral_steering(snapshot: str | os.PathLike[str]) -> tuple[list[dict[str, list[str]]], list[dict[str, Any]]]:
    """The same rules made to change nothing (``after`` the last release, ``version_split`` at
    the family's newest version): what evaluating them costs, on the same searches."""
    filters, orderers = typical_steering(snapshot, moment=1.0)
    table = read_snapshot(snapshot).table
    family = orderers[0]["packages"][0]
    versions = sorted((v for f, v in zip(table.column("family").to_pylist(), table.column("version").to_pylist())
                       if f == family), key=lambda v: Version(v).packed_key)
    orderers[0]["first_version"] = versions[-1]
    return filters, orderers


def _round(repository: Repository, requests: list[list[str]], **steering: Any) -> tuple[float, list[Any]]:
    start = time.perf_counter()
    results = [solve_with(repository, r, **steering) for r in requests]
    return time.perf_counter() - start, results


def bench_steering(paths: Sequence[str], requests: list[list[str]], repeat: int = 5) -> list[Comparison]:
    require_rez()
    from .solve import rez_solve

    with tempfile.TemporaryDirectory(prefix="rezsnap-bench-") as scratch:
        snapshot = os.path.join(scratch, "snapshot.parquet")
        build_snapshot(list(paths), snapshot, progress=False)
        # after(T) late in the history: a filter that hides a few packages and is evaluated
        # on every candidate, so that the rounds solve nearly the same searches
        filters, orderers = typical_steering(snapshot, moment=0.999)
        steering = {"package_filter": package_filter_list(filters), "package_orderers": package_order_list(orderers)}
        neutral_filters, neutral_orderers = neutral_steering(snapshot)
        neutral = {"package_filter": package_filter_list(neutral_filters),
                   "package_orderers": package_order_list(neutral_orderers)}
        repository = Repository.from_snapshot(snapshot)
        for warm in ({}, steering, neutral):  # every family the requests touch is loaded
            _round(repository, requests, **warm)
        plain, steered, unchanged = [], [], []
        for _ in range(repeat):  # alternating rounds
            plain.append(_round(repository, requests)[0])
            unchanged.append(_round(repository, requests, **neutral)[0])
            seconds, results = _round(repository, requests, **steering)
            steered.append(seconds)
        def rez(request: list[str]) -> tuple[str, list[str]]:
            try:
                return rez_solve(request, paths, filters, orderers)
            except Exception as exc:  # noqa: BLE001  rez raising is an outcome too
                return "error", [f"{type(exc).__name__}: {exc}"]

        for request in requests:  # rez's warm-up
            rez(request)
        start = time.perf_counter()
        theirs = [rez(request) for request in requests]
        rez_seconds = time.perf_counter() - start
    ours = [(r.status, [str(v.uri) for v in r.resolved_packages]) if r.status == "solved"
            else (r.status, [str(r.failure_description)]) for r in results]
    identical = sum(a == b for a, b in zip(ours, theirs))
    cost = Comparison(f"rezsnap, solve {len(requests)} requests, warm, without and with a filter and orderer",
                      Timing("plain", tuple(plain)), Timing("steered", tuple(steered)))
    cost.details.update(filters=filters, orderers=orderers)
    neutral_cost = Comparison(f"rezsnap, solve {len(requests)} requests, warm, without and with rules that change "
                              "nothing", Timing("plain", tuple(plain)), Timing("neutral", tuple(unchanged)))
    neutral_cost.details.update(filters=neutral_filters, orderers=neutral_orderers)
    against_rez = Comparison(f"solve {len(requests)} requests with the filter and orderer, warm",
                             Timing("rez", (rez_seconds,)), Timing("rezsnap", (min(steered),)))
    against_rez.details.update(requests=len(requests), identical=identical)
    return [cost, neutral_cost, against_rez]
