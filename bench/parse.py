"""``rezsnap bench parse``: rez's enumerate + load + stringify against scan + batched static parse."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence

from rezsnap.parser import ParseCounters, analyse_package_py, parse_static_packages_py
from rezsnap.scanner import scan_repo

from rezsnap._io import read_regular_file
from rezsnap.model import PackageData

from ._timing import Comparison, compare, timed
from .rez_reference import clear_rez_caches, require_rez

__all__ = ["bench_parse", "rez_load_all"]


def rez_load_all(paths: Sequence[str]) -> list[PackageData | str]:
    """What users do with rez: list every package, load it, read its fields as strings.

    A family or package rez fails on gives its error text: one broken file in a
    studio repository must not stop the benchmark.
    """
    from rez.packages import iter_package_families

    clear_rez_caches()
    loaded: list[PackageData | str] = []
    for family in iter_package_families(paths=list(paths)):
        try:
            packages = list(family.iter_packages())
        except Exception as exc:  # noqa: BLE001
            loaded.append(f"{type(exc).__name__}: {exc}")
            continue
        for package in packages:
            try:
                loaded.append(PackageData.from_rez(package))
            except Exception as exc:  # noqa: BLE001
                loaded.append(f"{type(exc).__name__}: {exc}")
    return loaded


def bench_parse(paths: Sequence[str], *, repeat: int = 3, workers: int | None = None,
                before_each: Callable[[], None] | None = None) -> Comparison:
    require_rez()
    paths = list(paths)

    def run_rezsnap() -> list[PackageData | None]:
        files = [p.path for p in scan_repo(paths) if p.path is not None and p.format == "py"]
        return parse_static_packages_py(files, workers=workers)

    counters = ParseCounters()
    files = [p.path for p in scan_repo(paths) if p.path is not None and p.format == "py"]
    parse_static_packages_py(files, workers=workers, counters=counters)
    comparison = compare("parse (enumerate + load every package)", lambda: rez_load_all(paths),
                         run_rezsnap, repeat=repeat, before_each=before_each)
    count = max(len(files), 1)
    comparison.details.update(
        files=len(files),
        rez_us_per_file=comparison.rez.median / count * 1e6,
        rezsnap_us_per_file=comparison.rezsnap.median / count * 1e6,
        counters=counters.as_dict(),
        **_parse_only(files, repeat),
    )
    return comparison


def _parse_only(files: list[str], repeat: int) -> dict[str, float]:
    """The parse alone, batched and one file at a time, beside pyrer's when it is installed
    (an optional peer), alternating in this run: microseconds per file, medians."""
    try:
        import pyrer  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        pyrer = None
    sample = files[:2000]
    contenders: dict[str, Callable[[], object]] = {
        "rezsnap_batched": lambda: parse_static_packages_py(files),
        "rezsnap_per_file": lambda: [analyse_package_py(read_regular_file(f)) for f in sample],
    }
    if pyrer is not None:
        contenders["pyrer_batched"] = lambda: pyrer.parse_static_packages_py(files)
        contenders["pyrer_per_file"] = lambda: [pyrer.parse_static_package_py(_text(f)) for f in sample]
    runs: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(max(repeat, 1)):
        for name, run in contenders.items():
            runs[name].append(timed(run) / max(len(sample if name.endswith("per_file") else files), 1))
    return {f"{name}_us_per_file": statistics.median(seconds) * 1e6 for name, seconds in runs.items()}


def _text(path: str) -> str:
    with open(path, encoding="utf-8", errors="surrogateescape") as handle:
        return handle.read()
