"""One family inside a phase (rez's ``_PackageScope``): normal, conflict or ephemeral."""

from __future__ import annotations

from typing import Any

from rezsnap.version import Requirement, VersionRange

from ._failures import PackageNotFoundError, Reduction
from ._families import PackageVariant
from ._slice import VariantSlice

__all__ = ["Scope"]


class Scope:
    """A normal scope holds a slice; conflict (``!foo``, ``~foo``) and ephemeral (``.foo``) ones
    hold only their request (spec D.3)."""

    __slots__ = ("context", "is_ephemeral", "name", "request", "slice")

    def __init__(self, request: Requirement, context: Any) -> None:
        self.name = request.name
        self.context = context
        self.is_ephemeral = request.name.startswith(".")
        self.slice: VariantSlice | None = None
        if request.conflict or self.is_ephemeral:
            self.request = request
        else:
            found = context.variant_slice(request.name, request.range)
            if found is None:
                raise PackageNotFoundError(f"Package could not be found: {Requirement.construct(request.name, request.range)}")
            self._set_slice(found)

    def _set_slice(self, variant_slice: VariantSlice) -> None:
        self.slice = variant_slice
        self.request = Requirement.construct(self.name, variant_slice.range_)

    def _copy(self, variant_slice: VariantSlice, request: Requirement | None = None) -> Scope:
        """This scope with another slice; ``request`` when the slice's versions are unchanged."""
        scope = object.__new__(Scope)
        scope.name, scope.context, scope.is_ephemeral = self.name, self.context, self.is_ephemeral
        if request is None:
            scope._set_slice(variant_slice)
        else:
            scope.slice, scope.request = variant_slice, request
        return scope

    @property
    def is_conflict(self) -> bool:
        return self.request.conflict

    def intersect(self, range_: VersionRange) -> Scope | None:
        request = self.request
        if self.is_ephemeral:
            new_range = (range_ - request.range) if request.conflict else (range_ & request.range)  # type: ignore[operator]
            if new_range is None:
                return None
            if new_range == request.range:
                return self
            return Scope(Requirement.construct(self.name, new_range), self.context)
        if request.conflict:
            if request.range is None:
                found = self.context.variant_slice(self.name, range_)
            else:
                narrowed = range_ - request.range
                found = None if narrowed is None else self.context.variant_slice(self.name, narrowed)
            return None if found is None else self._copy(found)  # widened into a normal scope
        assert self.slice is not None
        new_slice = self.slice.intersect(range_)
        if new_slice is None:
            return None
        return self if new_slice is self.slice else self._copy(new_slice)

    def reduce_by(self, other: Scope) -> tuple[Scope | None, list[Reduction]]:
        """This scope reduced by ``other``'s request."""
        if self.slice is None:  # conflict and ephemeral scopes are never reduced
            return self, []
        new_slice, reductions = self.slice.reduce_by(other.request, other.slice)
        if new_slice is None:
            return None, reductions
        if new_slice is not self.slice:
            return self._copy(new_slice), reductions
        return self, []

    def extract(self) -> tuple[Scope, list[Requirement]]:
        if self.slice is None:
            return self, []
        new_slice, requests = self.slice.extract()
        if not requests:
            return self, requests
        return self._copy(new_slice, self.request), requests  # same variants: same request

    def split(self) -> tuple[Scope, Scope] | None:
        if self.slice is None or len(self.slice) == 1:
            return None
        first, rest = self.slice.split()
        return self._copy(first), self._copy(rest)

    def solved_variant(self) -> PackageVariant | None:
        if self.slice is not None and len(self.slice) == 1:
            return self.slice.first_variant
        return None

    def __str__(self) -> str:
        return str(self.request)
