"""``rezsnap demo``: the whole toolkit on a built-in dataset, offline, with no set-up.

Prepare the dataset (extracted or generated once, into the cache directory), write its
snapshot, solve a few of its requests from the snapshot, and, when rez is installed, solve
the same requests with rez from the package files and check that both give the same
resolves. Each step is shown as it ends (``show``), in order.
"""

from __future__ import annotations

import importlib.util
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = ["DemoSummary", "default_dataset", "run_demo"]


@dataclass
class DemoSummary:
    dataset: str
    path: str
    prepare_s: float = 0.0
    cache_dir: str = ""
    cache_bytes: int = 0
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


def _size(folder: Path) -> int:
    """Disk space used, as ``du`` counts it: thousands of small package files take a block each."""
    total = 0
    for root, folders, files in os.walk(folder):
        for name in files + folders:
            try:
                info = os.lstat(os.path.join(root, name))
            except OSError:
                continue
            total += getattr(info, "st_blocks", 0) * 512 or info.st_size
    return total


def run_demo(dataset: str, *, requests: int = 5, progress: bool | Literal["always"] = True,
             say: Callable[[str], object] = lambda _: None,
             show: Callable[[str], object] = lambda _: None) -> DemoSummary:
    """``say``: what is being done (stderr); ``show``: each result as soon as it is known."""
    from rezsnap.datasets import cache_dir, load_dataset
    from rezsnap.snapshot import build_snapshot
    from rezsnap.solver import Repository, solve_with

    say(f"preparing the {dataset} dataset (extracted or generated once, into {cache_dir()})...")
    start = time.perf_counter()
    data = load_dataset(dataset)
    summary = DemoSummary(dataset, str(data.path), prepare_s=time.perf_counter() - start,
                          cache_dir=str(cache_dir()), cache_bytes=_size(cache_dir()))
    show(f"dataset {dataset}: {data.path} (ready in {summary.prepare_s:.1f} s; the cache directory "
         f"{summary.cache_dir} holds {summary.cache_bytes / 1e6:.0f} MB: delete it to reclaim the space)")
    snapshot = cache_dir() / "demo" / f"{dataset}.parquet"
    snapshot.parent.mkdir(parents=True, exist_ok=True)
    say(f"writing the snapshot {snapshot}...")
    report = build_snapshot([str(data.path)], snapshot, progress=progress)
    summary.snapshot, summary.snapshot_s = str(snapshot), report.seconds["total"]
    summary.packages, summary.sources = report.rows, dict(report.sources)
    sources = ", ".join(f"{n} {k}" for k, n in summary.sources.items() if n)
    show(f"snapshot: {summary.packages} packages ({sources}) in {summary.snapshot_s:.2f} s -> {snapshot}")

    start = time.perf_counter()
    repository = Repository.from_snapshot(snapshot)
    read_ms = (time.perf_counter() - start) * 1e3
    for request in _meaningful(data.requests, requests, repository):
        result = solve_with(repository, request)
        summary.solves.append({"request": request, "status": result.status,
                               "packages": len(result.resolved_packages),
                               "rezsnap_ms": result.solve_time_ms,
                               "uris": [v.uri for v in result.resolved_packages]})
    if summary.solves:
        summary.solves[0]["rezsnap_ms"] += read_ms  # the first solve pays for reading the snapshot
    with_rez = importlib.util.find_spec("rez") is not None
    if with_rez:
        summary.rez = "compared"
        say(f"solving the same {len(summary.solves)} requests with rez, from the package files...")
    for solve in _bar(summary.solves, progress and with_rez):
        if with_rez:
            _compare_with_rez(solve, [str(data.path)])
        show(_solve_line(solve))
        del solve["uris"]
    return summary


def _meaningful(requests: list[list[str]], count: int, repository: Any) -> list[list[str]]:
    """``count`` requests spread over the dataset, each resolving at least one package
    (a request of only weak or conflict requirements resolves nothing: it shows nothing)."""
    from rezsnap.datasets import spread_sample
    from rezsnap.solver import solve_with

    chosen: list[list[str]] = []
    for request in spread_sample(requests, len(requests)):
        if len(chosen) == count:
            break
        if any(not text.startswith(("~", "!")) for text in request):
            result = solve_with(repository, request)
            if result.status != "solved" or result.resolved_packages:
                chosen.append(request)
    return spread_sample(chosen, count)


def _bar(items: list[dict[str, Any]], progress: bool | str) -> Any:
    if not progress:
        return items
    from tqdm import tqdm

    return tqdm(items, unit="request", desc="rez", disable=None if progress is True else False, leave=False)


def _compare_with_rez(solve: dict[str, Any], paths: list[str]) -> None:
    from rezsnap.bench.solve import rez_solve

    start = time.perf_counter()
    status, uris = rez_solve(solve["request"], paths)
    solve["rez_ms"] = (time.perf_counter() - start) * 1e3
    solve["same_as_rez"] = status == solve["status"] and (status != "solved" or uris == solve["uris"])


def _solve_line(solve: dict[str, Any]) -> str:
    line = (f"  {' '.join(solve['request'])}\n    {solve['status']}: {solve['packages']} packages "
            f"in {solve['rezsnap_ms']:.1f} ms")
    if "rez_ms" in solve:
        line += (f"; rez {solve['rez_ms']:.0f} ms from the package files "
                 f"({solve['rez_ms'] / solve['rezsnap_ms']:.0f}x); "
                 + ("same resolve as rez" if solve["same_as_rez"] else "DIFFERENT from rez"))
    return line
