"""Requirements and merged requirement lists, shared per text across every family of a process.

The same texts recur across the versions of a family and across the repositories a
process builds (a refreshed snapshot, a Repository per solve); both values are immutable.
"""

from __future__ import annotations

from typing import Final

from rezsnap.version import Requirement, RequirementList

__all__ = ["requirement", "requirement_list"]

_REQUIREMENTS: dict[str, Requirement] = {}
_REQUIREMENTS_MAX: Final = 200_000
_REQUIREMENT_LISTS: dict[tuple[str, ...], RequirementList] = {}
_REQUIREMENT_LISTS_MAX: Final = 100_000


def requirement(text: str) -> Requirement:
    """The requirement of ``text``, one object per text."""
    found = _REQUIREMENTS.get(text)
    if found is None:
        if len(_REQUIREMENTS) >= _REQUIREMENTS_MAX:
            _REQUIREMENTS.clear()
        found = _REQUIREMENTS[text] = Requirement(text)
    return found


def requirement_list(texts: tuple[str, ...]) -> RequirementList:
    """A variant's requirements merged (spec C.6), one object per tuple of texts."""
    found = _REQUIREMENT_LISTS.get(texts)
    if found is None:
        if len(_REQUIREMENT_LISTS) >= _REQUIREMENT_LISTS_MAX:
            _REQUIREMENT_LISTS.clear()
        found = _REQUIREMENT_LISTS[texts] = RequirementList(requirement(t) for t in texts)
    return found
