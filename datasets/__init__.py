"""Dataset loaders and generators: the rez benchmark repository and synthetic studios."""

from ._cache import cache_dir
from ._registry import DATASETS, Dataset, load_dataset, spread_sample
from ._rez_benchmark import RezBenchmark, RezBenchmarkUnavailable, recorded_resolves, rez_benchmark
from ._synthetic import SMALLEST_STUDIO, SyntheticStudio, synthetic_studio, synthetic_studio_cached

__all__ = [
    "DATASETS",
    "SMALLEST_STUDIO",
    "Dataset",
    "RezBenchmark",
    "RezBenchmarkUnavailable",
    "SyntheticStudio",
    "cache_dir",
    "load_dataset",
    "recorded_resolves",
    "rez_benchmark",
    "spread_sample",
    "synthetic_studio",
    "synthetic_studio_cached",
]
