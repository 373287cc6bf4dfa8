"""Progress bars: tqdm when one is shown, else a bar that does nothing (and no tqdm import:
about 18 ms of a one-shot process such as a cron job's build or a solve's freshness check)."""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["progress_bar"]


class _NoBar:
    def __enter__(self) -> _NoBar:  # noqa: PYI034  typing.Self needs 3.11
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, count: int) -> None:
        return None


def progress_bar(total: int, show: bool, *, unit: str, desc: str) -> Any:
    """A context manager with ``update(count)``: a tqdm bar on stderr when ``show``."""
    if not show:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, desc=desc, file=sys.stderr)
