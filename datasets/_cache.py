"""Where rezsnap keeps extracted datasets."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_dir"]


def cache_dir() -> Path:
    """``$REZSNAP_CACHE_DIR``, else ``$XDG_CACHE_HOME/rezsnap``, else ``~/.cache/rezsnap``."""
    explicit = os.environ.get("REZSNAP_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "rezsnap"
