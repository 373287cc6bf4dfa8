"""Built-in datasets by name, for ``--dataset NAME`` on the command line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["DATASETS", "Dataset", "load_dataset", "spread_sample"]

_SYNTHETIC_SIZES = {"synthetic-2k": 2_000, "synthetic-10k": 10_000, "synthetic-30k": 30_000,
                    "synthetic-100k": 100_000}

#: Names accepted by ``--dataset``: rez's benchmark repository (needs the rez wheel), and
#: synthetic studios (generated once into the cache directory, seed 0).
DATASETS = ("rez-benchmark", *_SYNTHETIC_SIZES)


class Dataset(Protocol):
    """What every dataset offers: one package path and requests to solve against it."""

    @property
    def path(self) -> Path: ...

    @property
    def requests(self) -> list[list[str]]: ...


def load_dataset(name: str) -> Dataset:
    """Extract or generate (once) the dataset called ``name``; see ``DATASETS``."""
    # imported here: the command line reads DATASETS on every start, and builds a dataset rarely
    if name == "rez-benchmark":
        from ._rez_benchmark import rez_benchmark

        return rez_benchmark()
    if name in _SYNTHETIC_SIZES:
        from ._synthetic import synthetic_studio_cached

        return synthetic_studio_cached(_SYNTHETIC_SIZES[name])
    raise ValueError(f"unknown dataset {name!r}: choose from {', '.join(DATASETS)}")


_T = TypeVar("_T")


def spread_sample(items: Sequence[_T], count: int) -> list[_T]:
    """``count`` items evenly spread over ``items`` (all of them when there are fewer)."""
    if count <= 0:
        raise ValueError(f"count must be positive, not {count}")
    return list(items[:: max(1, len(items) // count)][:count])
