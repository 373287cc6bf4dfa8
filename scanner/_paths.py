"""Package paths as callers give them: one or many, ``str`` or ``os.PathLike``."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Union

__all__ = ["PathArg", "normalise_paths", "repository_location"]

PathArg = Union[str, "os.PathLike[str]"]


def normalise_paths(paths: PathArg | Sequence[PathArg]) -> list[str]:
    """One path or many, as a list of ``str``; ``TypeError`` for anything else."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    result = []
    for path in paths:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"package paths must be str or os.PathLike, not {type(path).__name__}")
        result.append(os.fspath(path))
    return result


def repository_location(repo: str) -> str:
    """rez's canonical path of a package path: symlinks resolved (packages are listed under it)."""
    return os.path.normpath(os.path.realpath(repo))
