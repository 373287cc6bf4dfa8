"""``load_package``: the static reader first, rez's loader (which executes code) only if allowed."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Final

from rezsnap._io import read_regular_file
from rezsnap.model import PackageData, PackageKind, ScannedPackage
from rezsnap.version import RezsnapError, is_valid_version

from ._package import (
    Outcome,
    ParseStatus,
    analyse_combined_package,
    analyse_package_py,
    analyse_package_yaml,
)

__all__ = ["LoadedPackage", "RezNeeded", "load_package", "load_scanned_package", "with_old_release_data"]


class RezNeeded(RezsnapError):
    """A package file needs rez's loader, and rez is not installed."""

    def __str__(self) -> str:
        return "this package file is dynamic: loading it needs rez (pip install 'rezsnap[rez]')"


@dataclass(frozen=True, slots=True)
class LoadedPackage:
    """Which path a load took (``static``, ``rez``, ``late``, ``error``), its data, and why."""

    source: str
    data: PackageData | None
    reason: str | None = None


def load_package(
    path: str | os.PathLike[str],
    family: str,
    version: str,
    *,
    exec_fallback: bool = True,
    late: bool = False,
) -> LoadedPackage:
    """Load one package definition file of ``<repo>/<family>/<version>/package.{py,yaml}``.

    The static reader answers when it can. Otherwise, with ``exec_fallback``
    and rez installed, rez's own loader does (it *executes* the file: turn it
    off with ``exec_fallback=False`` for untrusted trees). ``@late`` requires
    are reported as ``late``: they are code run at resolve time, not data; with
    ``late`` (and ``exec_fallback``) rez evaluates them as during its own solve
    (no resolve context). Nothing is raised for a bad file; the reason is in ``reason``.
    """
    path = os.fspath(path)
    if (invalid := _invalid_version(version)) is not None:
        return invalid
    try:
        content = read_regular_file(path)
    except OSError as exc:
        return LoadedPackage("error", None, f"cannot read {path}: {exc.strerror or exc}")
    if path.endswith(".yaml"):
        outcome: Outcome = analyse_package_yaml(content, family, version)
    else:
        outcome = analyse_package_py(content, family, version)
    return _decide(outcome, path, path, family, version, exec_fallback, late)


def load_scanned_package(
    package: ScannedPackage, *, exec_fallback: bool = True, content: bytes | None = None, late: bool = False
) -> LoadedPackage:
    """``load_package`` for a package as the scanner lists it: any layout, combined files too.

    ``content`` is the definition file's bytes when the caller has read them
    already (a combined file holds many packages: read it once).
    """
    if package.path is None or package.format is None:
        return LoadedPackage("error", None, "no package definition file (package.py or package.yaml)")
    if (invalid := _invalid_version(package.version)) is not None:
        return invalid
    if package.kind is not PackageKind.COMBINED:
        if content is None:
            return load_package(package.path, package.family, package.version,
                                exec_fallback=exec_fallback, late=late)
        analyse = analyse_package_yaml if package.format == "yaml" else analyse_package_py
        outcome = analyse(content, package.family, package.version)
    else:
        if content is None:
            try:
                content = read_regular_file(package.path)
            except OSError as exc:
                return LoadedPackage("error", None, f"cannot read {package.path}: {exc.strerror or exc}")
        outcome = analyse_combined_package(content, package.format, package.family, package.version)
    uri = package.uri or package.path
    return _decide(outcome, package.path, uri, package.family, package.version, exec_fallback, late)


def _invalid_version(version: str) -> LoadedPackage | None:
    """rez lists a version directory whatever its name, and fails to load it if invalid."""
    if is_valid_version(version):
        return None
    return LoadedPackage("error", None, f"Invalid version syntax: {version!r}")


def _decide(
    outcome: Outcome, path: str, uri: str, family: str, version: str, exec_fallback: bool, late: bool = False
) -> LoadedPackage:
    if uri == path:  # a combined file has no release data beside it
        outcome = with_old_release_data(outcome, path)
    if outcome.status is ParseStatus.STATIC:
        assert outcome.data is not None
        return LoadedPackage("static", outcome.data)
    if outcome.status is ParseStatus.ERROR:
        return LoadedPackage("error", None, outcome.reason)
    if outcome.status is ParseStatus.LATE and not (late and exec_fallback):
        return LoadedPackage("late", None, outcome.reason)
    if not exec_fallback:
        return LoadedPackage("error", None, f"declined by the static reader ({outcome.reason}); "
                                            "executing package code is switched off")
    try:
        return _load_with_rez(path, uri, family, version, late)
    except RezNeeded as exc:
        return LoadedPackage("error", None, f"{exc} ({outcome.reason})")


OLD_RELEASE_DATA: Final = "no timestamp: rez reads old-format release data beside the file"


def with_old_release_data(outcome: Outcome, definition: str) -> Outcome:
    """The static reading of ``definition``, declined when rez would merge old-format release
    data into it (which only its loader reads)."""
    if outcome.data is not None and outcome.data.timestamp is None and has_old_release_data(definition):
        return Outcome(ParseStatus.DYNAMIC, reason=OLD_RELEASE_DATA)
    return outcome


def has_old_release_data(definition: str) -> bool:
    """A ``release.yaml`` or ``.metadata/`` beside a definition file without a timestamp:
    rez merges them into the package (``FileSystemPackageResource._load_old_formats``)."""
    folder = os.path.dirname(definition)
    return os.path.isfile(os.path.join(folder, "release.yaml")) or os.path.isdir(os.path.join(folder, ".metadata"))


def _repository_of(path: str, uri: str, version: str) -> str:
    if uri != path:  # a combined file: <repo>/<family>.py
        return os.path.dirname(path)
    # <repo>/<family>/<version>/package.py, or <repo>/<family>/package.py when unversioned
    repo = os.path.dirname(os.path.dirname(path))
    return os.path.dirname(repo) if version else repo


def _load_with_rez(path: str, uri: str, family: str, version: str, late: bool = False) -> LoadedPackage:
    try:
        from rez.packages import iter_packages
        from rez.utils.sourcecode import SourceCode
    except ImportError as exc:
        raise RezNeeded() from exc
    try:
        for package in iter_packages(family, paths=[_repository_of(path, uri, version)]):
            if package.uri != uri:
                continue
            raw = package.resource._data or {}
            if not late and any(isinstance(raw.get(f), SourceCode) for f in ("requires", "variants")):
                return LoadedPackage("late", None, "requires or variants are late-bound (@late)")
            # reading the fields evaluates @late functions as rez's solver does: on the
            # Package, outside any resolved context
            return LoadedPackage("rez", PackageData.from_rez(package))
    except Exception as exc:  # noqa: BLE001  rez's loader fails this file: record, don't raise
        return LoadedPackage("error", None, f"rez: {type(exc).__name__}: {exc}")
    return LoadedPackage("error", None, f"rez does not list {uri}")
