"""rez's package-name rule, without its exponential regex."""

from __future__ import annotations

import re
from typing import Final

__all__ = ["is_valid_package_name"]

# rez: r"^[a-zA-Z_0-9](\.?[a-zA-Z0-9_]+)*\Z", which backtracks exponentially on
# names like "aaaa...-" (spec S07). This regex accepts exactly the same strings:
# word characters in dot-separated runs, no leading, trailing or doubled dot.
_VALID_NAME: Final = re.compile(r"[a-zA-Z0-9_]+(?:\.[a-zA-Z0-9_]+)*\Z")
_INVALID_NAMES: Final = frozenset({"__pycache__"})


def is_valid_package_name(name: str) -> bool:
    """Whether rez accepts ``name`` as a package family name (``is_valid_package_name``)."""
    return bool(_VALID_NAME.match(name)) and name not in _INVALID_NAMES
