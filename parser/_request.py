"""Parsing a request as ``rez env`` does (``PackageRequest``): the one thing the solver needs here."""

from __future__ import annotations

from rezsnap._names import is_valid_package_name
from rezsnap.version import InvalidRequirement, Requirement

__all__ = ["parse_package_request"]


def parse_package_request(text: str) -> Requirement:
    """``rez.utils.formatting.PackageRequest(text)``: a requirement whose package name is
    valid, the ephemeral dot judged by the *raw* text's first character; else ``InvalidRequirement``."""
    requirement = Requirement(text)
    name = requirement.name[1:] if text.startswith(".") else requirement.name
    if not is_valid_package_name(name):
        raise InvalidRequirement(text, "invalid package name")
    return requirement
