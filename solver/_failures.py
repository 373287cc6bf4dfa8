"""Why a solve failed, with rez's texts (spec D.11), and the errors rez raises instead of failing."""

from __future__ import annotations

from dataclasses import dataclass

from rezsnap.version import Requirement, RezsnapError

__all__ = [
    "Cycle",
    "DependencyConflict",
    "DependencyConflicts",
    "FailureReason",
    "PackageFamilyNotFound",
    "PackageFamilyNotFoundError",
    "PackageNotFound",
    "PackageNotFoundError",
    "Reduction",
    "ResolveError",
    "SolverError",
    "TotalReduction",
]


class SolverError(RezsnapError):
    """A solve that rez would abort with an exception (not a failed resolve)."""


class PackageFamilyNotFoundError(SolverError):
    """rez's ``PackageFamilyNotFoundError`` (same name: a failure text names the class)."""

    def __init__(self, message: str, family: str) -> None:
        super().__init__(message)
        self.family = family


class PackageNotFoundError(SolverError):
    """rez's ``PackageNotFoundError``: a new scope has no package in its range."""


#: The names of earlier versions.
PackageFamilyNotFound = PackageFamilyNotFoundError
PackageNotFound = PackageNotFoundError


class ResolveError(SolverError):
    """rez's ``ResolveError``: a variant whose own requirements conflict."""


@dataclass(frozen=True, slots=True)
class DependencyConflict:
    dependency: Requirement
    conflicting_request: Requirement

    def __str__(self) -> str:
        return f"{self.dependency} <--!--> {self.conflicting_request}"


@dataclass(frozen=True, slots=True)
class Reduction:
    variant: str  # qualified name: name-version[index]
    dependency: Requirement
    conflicting_request: Requirement

    def __str__(self) -> str:
        return f"{self.variant} (dep({self.dependency}) <--!--> {self.conflicting_request})"


class FailureReason:
    def description(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class DependencyConflicts(FailureReason):
    conflicts: tuple[DependencyConflict, ...]

    def description(self) -> str:
        return "The following package conflicts occurred: " + " ".join(f"({c})" for c in self.conflicts)


@dataclass(frozen=True, slots=True)
class TotalReduction(FailureReason):
    reductions: tuple[Reduction, ...]

    def description(self) -> str:
        return "A package was completely reduced: " + " ".join(f"({r})" for r in self.reductions)


@dataclass(frozen=True, slots=True)
class Cycle(FailureReason):
    packages: tuple[str, ...]  # name-version, the cycle without repeating its start

    def description(self) -> str:
        return "A cyclic dependency was detected: " + " --> ".join((*self.packages, self.packages[0]))
