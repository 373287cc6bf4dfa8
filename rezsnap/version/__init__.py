"""rez version semantics (spec: rez-solver.md sections A-C), with no dependency on rez.

The lowest layer of rezsnap: it imports nothing else of the package.
"""

from ._errors import InvalidRange, InvalidRequirement, InvalidVersion, RezsnapError
from ._range import Bound, VersionRange
from ._requirement import Requirement, RequirementList
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
    "version_key",
]


def __dir__() -> list[str]:
    return __all__
