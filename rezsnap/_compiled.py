"""The optional compiled modules (``parser/_cregular.c``, ``scanner/_cwalk.c``).

The install builds them when it finds a C compiler; without one, or with
``REZSNAP_PURE_PYTHON=1`` (an operator's switch), the same work runs in Python.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

__all__ = ["compiled_module"]


def compiled_module(name: str) -> ModuleType | None:
    """The compiled module ``name`` (absolute), or None where it is not built or switched off."""
    if os.environ.get("REZSNAP_PURE_PYTHON"):
        return None
    try:
        return importlib.import_module(name)
    except ImportError:
        return None
