"""Dataset loaders and generators: the rez benchmark repository, and (soon) synthetic studios."""

from ._cache import cache_dir
from ._rez_benchmark import RezBenchmark, RezBenchmarkUnavailable, recorded_resolves, rez_benchmark

__all__ = [
    "DATASETS",
    "RezBenchmark",
    "RezBenchmarkUnavailable",
    "cache_dir",
    "recorded_resolves",
    "rez_benchmark",
]

#: Names accepted by ``--dataset`` on the command line.
DATASETS = ("rez-benchmark",)
