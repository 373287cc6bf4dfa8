"""Dataset loaders and generators: the rez benchmark repository and synthetic studios.

Names are imported on first use (PEP 562): the command line reads ``DATASETS`` on every
start, and only a command given ``--dataset`` needs the generators.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rezsnap._lazy import exports_on_first_use

from ._registry import DATASETS, Dataset, load_dataset, spread_sample

if TYPE_CHECKING:
    from ._cache import cache_dir
    from ._rez_benchmark import (
        RezBenchmark,
        RezBenchmarkUnavailable,
        recorded_resolves,
        rez_benchmark,
    )
    from ._synthetic import (
        SMALLEST_STUDIO,
        SyntheticStudio,
        synthetic_studio,
        synthetic_studio_cached,
    )

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

__getattr__ = exports_on_first_use(__name__, {
    "cache_dir": f"{__name__}._cache",
    **dict.fromkeys(["RezBenchmark", "RezBenchmarkUnavailable", "recorded_resolves", "rez_benchmark"],
                    f"{__name__}._rez_benchmark"),
    **dict.fromkeys(["SMALLEST_STUDIO", "SyntheticStudio", "synthetic_studio", "synthetic_studio_cached"],
                    f"{__name__}._synthetic"),
})
