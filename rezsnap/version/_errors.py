"""Error types of the version layer, and the root of every rezsnap error.

The root lives here, in the lowest layer, so that ``rezsnap.version`` imports
nothing else of rezsnap; ``rezsnap.errors`` re-exports it for everyone else.
"""

from __future__ import annotations

__all__ = ["InvalidRange", "InvalidRequirement", "InvalidVersion", "RezsnapError"]


class RezsnapError(Exception):
    """Root of every exception rezsnap raises on purpose."""


class InvalidVersion(RezsnapError, ValueError):
    """A version string that rez would reject (``rez.version.VersionError``)."""

    def __init__(self, text: object, reason: str = "invalid version syntax") -> None:
        super().__init__(text, reason)
        self.text = text
        self.reason = reason

    def __str__(self) -> str:
        return f"Invalid version {self.text!r}: {self.reason}"


class InvalidRange(RezsnapError, ValueError):
    """A version range string that rez would reject."""

    def __init__(self, text: object, reason: str = "invalid range syntax") -> None:
        super().__init__(text, reason)
        self.text = text
        self.reason = reason

    def __str__(self) -> str:
        return f"Invalid version range {self.text!r}: {self.reason}"


class InvalidRequirement(RezsnapError, ValueError):
    """A requirement string that rez would reject."""

    def __init__(self, text: object, reason: str = "invalid requirement syntax") -> None:
        super().__init__(text, reason)
        self.text = text
        self.reason = reason

    def __str__(self) -> str:
        return f"Invalid requirement {self.text!r}: {self.reason}"
