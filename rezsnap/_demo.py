"""``rezsnap demo``: the whole toolkit on a built-in dataset, offline, with no set-up.

Prepare the dataset (extracted or generated once), write its snapshot, solve a few of its
requests from the snapshot, and, when rez is installed, solve the same requests with rez
from the package files and check that both give the same resolves.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["DemoSummary", "default_dataset", "run_demo"]


@dataclass
class DemoSummary:
    dataset: str
    path: str
    prepare_s: float = 0.0
    snapshot: str = ""
    snapshot_s: float = 0.0
    packages: int = 0
    sources: dict[str, int] = field(default_factory=dict)
    solves: list[dict[str, Any]] = field(default_factory=list)
    rez: str = "not installed: no comparison"

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def default_dataset() -> str:
    """The rez benchmark repository when rez (whose wheel carries it) is installed."""
    return "rez-benchmark" if importlib.util.find_spec("rez") is not None else "synthetic-2k"


def run_demo(dataset: str, *, requests: int = 5, progress: bool | Literal["always"] = True,
             say: Callable[[str], object] = lambda _: None) -> DemoSummary:
    from rezsnap.datasets import cache_dir, load_dataset, spread_sample
    from rezsnap.snapshot import build_snapshot
    from rezsnap.solver import Repository, solve_with

    say(f"preparing the {dataset} dataset (extracted or generated once)...")
    start = time.perf_counter()
    data = load_dataset(dataset)
    summary = DemoSummary(dataset, str(data.path), prepare_s=time.perf_counter() - start)
    snapshot = cache_dir() / "demo" / f"{dataset}.parquet"
    snapshot.parent.mkdir(parents=True, exist_ok=True)
    say(f"writing the snapshot {snapshot}...")
    report = build_snapshot([str(data.path)], snapshot, progress=progress)
    summary.snapshot, summary.snapshot_s = str(snapshot), report.seconds["total"]
    summary.packages, summary.sources = report.rows, dict(report.sources)

    sample = spread_sample(data.requests, requests)
    start = time.perf_counter()
    repository = Repository.from_snapshot(snapshot)
    read_ms = (time.perf_counter() - start) * 1e3
    for request in sample:
        result = solve_with(repository, request)
        summary.solves.append({"request": request, "status": result.status,
                               "packages": len(result.resolved_packages),
                               "rezsnap_ms": result.solve_time_ms,
                               "uris": [v.uri for v in result.resolved_packages]})
    if summary.solves:
        summary.solves[0]["rezsnap_ms"] += read_ms  # the first solve pays for reading the snapshot
    if importlib.util.find_spec("rez") is not None:
        _compare_with_rez(summary, [str(data.path)], say)
    for solve in summary.solves:
        del solve["uris"]
    return summary


def _compare_with_rez(summary: DemoSummary, paths: list[str], say: Callable[[str], object]) -> None:
    from rezsnap.bench.solve import rez_solve

    say("solving the same requests with rez, from the package files...")
    for solve in summary.solves:
        start = time.perf_counter()
        status, uris = rez_solve(solve["request"], paths)
        solve["rez_ms"] = (time.perf_counter() - start) * 1e3
        solve["same_as_rez"] = status == solve["status"] and (status != "solved" or uris == solve["uris"])
    summary.rez = "compared"
