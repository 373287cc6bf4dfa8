"""The integration's error type (its own module: the patch imports it only when it raises)."""

from __future__ import annotations

from rezsnap.version import RezsnapError

__all__ = ["RezIntegrationError"]


class RezIntegrationError(RezsnapError):
    """rez is missing, or the integration was given something it cannot use."""
