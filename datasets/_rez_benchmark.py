"""The rez benchmark repository (18,226 packages), extracted once from the installed rez wheel."""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from rezsnap.version import RezsnapError

from ._cache import cache_dir

__all__ = ["RezBenchmark", "RezBenchmarkUnavailable", "recorded_resolves", "rez_benchmark"]

_RESOLVES = "rez-benchmark-resolves-rez-3.4.0.json.gz"


class RezBenchmarkUnavailable(RezsnapError, FileNotFoundError):
    def __str__(self) -> str:
        return (
            "the rez benchmark repository ships in the rez wheel: "
            "pip install 'rezsnap[rez]' (rez==3.4.0)"
        )


@dataclass(frozen=True)
class RezBenchmark:
    """The extracted repository, rez's benchmark requests, and rez 3.4.0's recorded resolves."""

    path: Path  # the package path (contains the 1,266 family directories)
    requests: list[list[str]]

    @property
    def resolves(self) -> list[dict[str, Any]]:
        return recorded_resolves()


def recorded_resolves() -> list[dict[str, Any]]:
    """rez 3.4.0's results for the 188 benchmark requests (status, resolved URIs relative to the repo)."""
    data = resources.files("rezsnap.datasets").joinpath("data", _RESOLVES).read_bytes()
    result: list[dict[str, Any]] = json.loads(gzip.decompress(data))
    return result


def _rez_benchmark_data() -> Path:
    spec = importlib.util.find_spec("rez")
    if spec is None or not spec.submodule_search_locations:
        raise RezBenchmarkUnavailable()
    data = Path(next(iter(spec.submodule_search_locations))) / "data" / "benchmarking"
    if not (data / "packages.tar.gz").is_file():
        raise RezBenchmarkUnavailable()
    return data


def rez_benchmark(cache: str | os.PathLike[str] | None = None) -> RezBenchmark:
    """Extract (once) and return the rez benchmark repository.

    Extraction goes to a temporary directory beside the target and is renamed
    into place, so an interrupted run never leaves a half-extracted repository.
    """
    data = _rez_benchmark_data()
    root = Path(cache) if cache is not None else cache_dir()
    target = root / "rez-benchmark"
    packages = target / "packages"
    if not packages.is_dir():
        root.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".rez-benchmark-", dir=root))
        try:
            with tarfile.open(data / "packages.tar.gz") as archive:
                if hasattr(tarfile, "data_filter"):
                    archive.extractall(scratch, filter="data")
                else:  # Python without PEP 706; the archive comes from the rez wheel
                    archive.extractall(scratch)
            if not (scratch / "packages").is_dir():
                raise RezBenchmarkUnavailable()
            try:
                os.replace(scratch, target)
            except OSError:
                if not packages.is_dir():  # not a concurrent extraction that won
                    raise
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    requests = json.loads((data / "requests.json").read_text())
    return RezBenchmark(packages, requests)
