"""Dropping the OS page cache between timed runs (``--cold``), where the OS allows it."""

from __future__ import annotations

import os
import sys

__all__ = ["cold_cache_unavailable", "drop_page_cache"]

_DROP = "/proc/sys/vm/drop_caches"


def cold_cache_unavailable() -> str | None:
    """Why the page cache cannot be dropped here, or None when it can (Linux, as root)."""
    if not sys.platform.startswith("linux"):
        return f"dropping the page cache is only supported on Linux (this is {sys.platform})"
    if not os.access(_DROP, os.W_OK):
        return f"cannot write {_DROP} (needs root, and a kernel that allows it in this container)"
    return None


def drop_page_cache() -> None:
    """Write dirty pages, then drop the page cache, dentries and inodes (``echo 3``)."""
    os.sync()
    with open(_DROP, "w") as control:
        control.write("3\n")
