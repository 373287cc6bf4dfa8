"""Value types shared by the scanner, the parser, the snapshot and the solver."""

from __future__ import annotations

import enum
from typing import Any, NamedTuple

__all__ = ["PackageData", "PackageKind", "ScanProblem", "ScannedPackage"]


class PackageKind(str, enum.Enum):
    """How a package is laid out in its repository."""

    #: ``<repo>/<family>/<version>/package.py``: one directory per version
    DIRECTORY = "directory"
    #: ``<repo>/<family>.py`` or ``.yaml`` holding ``versions`` (or none: unversioned)
    COMBINED = "combined"
    #: ``<repo>/<family>/package.py``: the family directory is the package
    UNVERSIONED = "unversioned"

    def __str__(self) -> str:
        return self.value


class ScannedPackage(NamedTuple):
    """One package exactly as rez's filesystem repository lists it.

    ``version`` is the directory name (or ``versions`` entry) as on disk, ``""``
    when unversioned; it is not validated, as rez does not validate it while
    listing. ``format`` and ``path`` are ``None`` when the version directory has
    no definition file (rez lists the package; loading it fails).

    A named tuple rather than a dataclass: scans build one per package, and a
    tuple is the cheapest immutable record to build and to pickle between processes.
    """

    family: str
    version: str
    format: str | None
    path: str | None
    repo: str
    kind: PackageKind
    #: ``(mtime_ns, size, ctime_ns)`` of the definition file when the walk ``stat``-ed it
    #: anyway (the common ``package.py`` layout), else ``None``
    stamp: tuple[int, int, int] | None = None

    @property
    def uri(self) -> str | None:
        """The package URI as rez prints it (``pkg.uri``)."""
        if self.kind is PackageKind.COMBINED:
            return f"{self.path}<{self.version}>"
        return self.path


class ScanProblem(NamedTuple):
    """Something the scan could not read, or read but had to skip.

    ``code`` is a short stable identifier (see ``rezsnap.scanner.PROBLEM_CODES``);
    ``message`` says what happened in words.
    """

    path: str
    code: str
    message: str
    family: str | None = None


class PackageData(NamedTuple):
    """What the solver needs of one package, as rez would load it.

    ``requires`` and each variant hold requirement strings normalised as rez
    prints them (``str(PackageRequest(s))``).

    Named tuples, as ``ScannedPackage``: a parse builds one per package file and a batched
    parse sends each from its worker, and a tuple is the cheapest immutable record to build
    and to pickle (a slotted dataclass pickles through ``fields()``, about 4 us each way);
    the process that only walks (``rezsnap scan``, a refresh) also imports no ``dataclasses``.
    """

    name: str
    version: str
    requires: tuple[str, ...] = ()
    variants: tuple[tuple[str, ...], ...] = ()
    timestamp: int | None = None

    @classmethod
    def from_rez(cls, package: Any) -> PackageData:
        """Read any object with rez's package attributes (a ``rez.packages.Package``...)."""
        requires = getattr(package, "requires", None) or ()
        variants = getattr(package, "variants", None) or ()
        timestamp = getattr(package, "timestamp", None)
        return cls(
            name=str(package.name),
            version=str(package.version),
            requires=tuple(str(r) for r in requires),
            variants=tuple(tuple(str(r) for r in variant) for variant in variants),
            timestamp=None if timestamp is None else int(timestamp),
        )

    @classmethod
    def from_strings(
        cls,
        name: str,
        version: str,
        requires: list[str] | tuple[str, ...] | None = None,
        variants: list[list[str]] | tuple[tuple[str, ...], ...] | None = None,
        timestamp: int | None = None,
    ) -> PackageData:
        return cls(
            name, version, tuple(requires or ()), tuple(tuple(v) for v in variants or ()), timestamp
        )
