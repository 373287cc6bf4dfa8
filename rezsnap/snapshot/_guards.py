"""The guards against an operator's mistakes: a wrong, empty or unreadable package path, and a
new snapshot that would lose most of the rows of the one it replaces. Each fails the build
before anything is written."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Final, NamedTuple

from ._errors import SnapshotError

__all__ = ["MAX_DROP", "Guard", "check_package_paths", "check_shrink"]

#: The share of the replaced snapshot's rows a rebuild may drop without ``force``.
MAX_DROP: Final = 0.5


class Guard(NamedTuple):
    """How far the operator allows a build to go: ``force`` past an empty package path or a
    shrink of more than ``max_drop`` of the replaced snapshot's rows."""

    force: bool
    max_drop: float


def check_package_paths(package_paths: Sequence[str], guard: Guard) -> None:
    """Fail before anything is written when a package path cannot be what the operator meant."""
    for path in package_paths:
        if not os.path.exists(path):
            raise SnapshotError(f"package path {path} does not exist; nothing was written")
        if not os.path.isdir(path):
            raise SnapshotError(f"package path {path} is not a directory; nothing was written")
        try:
            with os.scandir(path) as entries:
                empty = next(entries, None) is None
        except OSError as exc:
            raise SnapshotError(f"package path {path} cannot be read ({exc.strerror or exc}); "
                                "nothing was written") from None
        if empty and not guard.force:
            raise SnapshotError(f"package path {path} is empty (an unmounted share?); nothing was written "
                                "(--force writes it anyway)")




def _replaced_rows(output: str) -> int | None:
    """Rows of the snapshot ``output`` would replace (None: no readable snapshot there)."""
    if not os.path.isfile(output):
        return None
    try:
        import pyarrow.parquet as pq  # here: a no-change refresh never asks

        return int(pq.read_metadata(output).num_rows)
    except Exception:  # noqa: BLE001  not a snapshot: nothing to protect
        return None


def check_shrink(output: str, rows: int, guard: Guard) -> None:
    before = _replaced_rows(output)
    if guard.force or not before or rows >= before * (1.0 - guard.max_drop):
        return
    raise SnapshotError(
        f"the new snapshot would have {rows} rows, the one it replaces {before}: more than "
        f"{guard.max_drop:.0%} dropped; nothing was written (--force writes it anyway)")
