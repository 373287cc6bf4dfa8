"""rez version semantics (spec: rez-solver.md sections A-C), with no dependency on rez.

The lowest layer of rezsnap: it imports nothing else of the package but the helper that
imports each name on first use (``rezsnap._lazy``), so that a command that only needs
``RezsnapError`` (a refresh that keeps its snapshot) does not build the version grammar.
"""

from typing import TYPE_CHECKING

from rezsnap._lazy import exports_on_first_use

from ._errors import InvalidRange, InvalidRequirement, InvalidVersion, RezsnapError

if TYPE_CHECKING:
    from ._range import Bound, VersionRange
    from ._requirement import Requirement, RequirementList, requirement_name
    from ._version import Version, VersionKey, is_valid_version, packed_version_key, version_key

__all__ = [
    "Bound",
    "InvalidRange",
    "InvalidRequirement",
    "InvalidVersion",
    "Requirement",
    "RequirementList",
    "RezsnapError",
    "Version",
    "VersionKey",
    "VersionRange",
    "is_valid_version",
    "packed_version_key",
    "requirement_name",
    "version_key",
]

__getattr__ = exports_on_first_use(__name__, {
    **dict.fromkeys(["Bound", "VersionRange"], "rezsnap.version._range"),
    **dict.fromkeys(["Requirement", "RequirementList", "requirement_name"], "rezsnap.version._requirement"),
    **dict.fromkeys(["Version", "VersionKey", "is_valid_version", "packed_version_key", "version_key"],
                    "rezsnap.version._version"),
})


def __dir__() -> list[str]:
    return __all__
