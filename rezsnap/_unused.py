"""Keeping out modules that pyarrow imports when installed but rezsnap never uses.

pyarrow imports pandas to ask whether each list it is given is a pandas object (250-340 ms
per process), and numpy when it starts (about 40 ms; pyarrow 18 and later run without it).
The ``rezsnap`` program (its entry point owns the process) and rezsnap's own worker processes
refuse them; a library caller's process, or one that calls ``rezsnap.cli.main`` itself, is left
as it is (something else in it may need them).
"""

from __future__ import annotations

import os
import sys

__all__ = ["PYARROW_WITHOUT_NUMPY", "keep_unused_modules_out", "own_process", "owns_process", "pyarrow_major"]

PYARROW_WITHOUT_NUMPY = 18  # the first release whose requirements do not name numpy

_owned = False


def own_process() -> None:
    """Say that rezsnap owns this process: the program's entry point, a worker it started."""
    global _owned
    _owned = True


def owns_process() -> bool:
    return _owned


class _Unused:
    """A ``sys.meta_path`` finder that refuses the named top-level modules (and their
    submodules), and numpy where pyarrow runs without it (asked when numpy is first looked
    for: a refresh that keeps its snapshot never is). Refused, pyarrow records that they are
    missing and goes on."""

    def __init__(self, names: frozenset[str], numpy_if_unneeded: bool) -> None:
        self.names = names
        self._numpy: bool | None = None if numpy_if_unneeded else False

    def find_spec(self, fullname: str, path: object, target: object = None) -> None:
        top = fullname.partition(".")[0]
        if top in self.names or (top == "numpy" and self._refuses_numpy()):
            raise ImportError(f"rezsnap does not use {fullname}")

    def _refuses_numpy(self) -> bool:
        if self._numpy is None:
            self._numpy = pyarrow_major() >= PYARROW_WITHOUT_NUMPY
        return self._numpy


def keep_unused_modules_out() -> None:
    """Refuse pandas, and numpy where pyarrow runs without it, in this process from now on;
    one already imported stays (refusing it would break its users)."""
    if any(isinstance(finder, _Unused) for finder in sys.meta_path):
        return
    sys.meta_path.insert(0, _Unused(frozenset({"pandas"} - set(sys.modules)), "numpy" not in sys.modules))


def pyarrow_major() -> int:
    """The installed pyarrow's major version, from its version file (0: not known), without
    importing it: a refresh that finds nothing changed never imports pyarrow."""
    import importlib.util
    import re

    try:
        spec = importlib.util.find_spec("pyarrow")
        if spec is None or not spec.submodule_search_locations:
            return 0
        folder = spec.submodule_search_locations[0]
        with open(os.path.join(folder, "_generated_version.py"), encoding="utf-8") as source:
            found = re.search(r"""^__version__ = version = ['"](\d+)\.""", source.read(), re.MULTILINE)
    except (OSError, ImportError, ValueError):
        return 0
    return int(found.group(1)) if found else 0
