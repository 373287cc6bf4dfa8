"""Run real rez (the oracle) the way the differential tests and benchmarks need it.

rez is imported lazily: everything here needs the ``rez`` extra. Run as
``python -m rezsnap.bench.rez_reference enumerate PATH...`` to print rez's
listing as JSON from a separate process (the tests do this with an isolated
configuration, see ``isolated_rez_environ``).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from rezsnap.version import RezsnapError

__all__ = [
    "RezNotInstalled",
    "clear_rez_caches",
    "isolated_rez_environ",
    "require_rez",
    "rez_enumerate",
]

#: (family, version text, format, definition path, package path, pkg.uri), as rez reports them
RezRow = tuple[str, str, "str | None", "str | None", str, "str | None"]


class RezNotInstalled(RezsnapError, ImportError):
    def __str__(self) -> str:
        return "this needs rez 3.4.0: pip install 'rezsnap[rez]'"


def require_rez() -> None:
    """Raise ``RezNotInstalled`` unless ``import rez`` works."""
    try:
        import rez  # noqa: F401
    except ImportError as exc:
        raise RezNotInstalled() from exc


def isolated_rez_environ(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """An environment in which rez runs with its default configuration only.

    No ``REZ_*`` variable of the caller leaks in, home configs are off, and
    ``REZ_CONFIG_FILE`` points at an empty file.
    """
    env = {k: v for k, v in (os.environ if base is None else base).items() if not k.startswith("REZ_")}
    env["REZ_CONFIG_FILE"] = _empty_config_file()
    env["REZ_DISABLE_HOME_CONFIG"] = "1"
    return env


_EMPTY_CONFIG: list[str] = []  # one per process, removed when it exits


def _empty_config_file() -> str:
    if not _EMPTY_CONFIG:
        import atexit
        import shutil

        config_dir = tempfile.mkdtemp(prefix="rezsnap-rezconfig-")
        atexit.register(shutil.rmtree, config_dir, ignore_errors=True)
        config_file = os.path.join(config_dir, "rezconfig.py")
        with open(config_file, "w"):
            pass
        _EMPTY_CONFIG.append(config_file)
    return _EMPTY_CONFIG[0]


def clear_rez_caches() -> None:
    """Forget every repository rez has cached, so the next listing hits the file system."""
    from rez.package_repository import package_repository_manager

    package_repository_manager.clear_caches()


def iter_rez_listing(paths: Sequence[str]) -> Iterator[tuple[str, object]]:
    """rez's own enumeration: ("package", RezRow) or ("error", (family, path, message)) items."""
    from rez.packages import iter_package_families

    for repo in paths:
        for family in iter_package_families(paths=[repo]):
            name: str = family.name  # type: ignore[attr-defined]
            resource: Any = family.resource
            combined = resource.key == "filesystem.family.combined"
            try:
                packages = list(family.iter_packages())
            except Exception as exc:  # noqa: BLE001  rez fails the whole family; we record it
                yield "error", (name, resource.uri, f"{type(exc).__name__}: {exc}")
                continue
            for package in packages:
                res: Any = package.resource
                version = res.get("version", "") or ""
                if combined:
                    fmt, path = res.get("ext"), res.parent.filepath
                else:
                    path = res.filepath
                    fmt = res.file_format.extension if res.file_format else None
                yield "package", (name, version, fmt, path, repo, package.uri)


def iter_rez_loaded(paths: Sequence[str], families: set[str] | None = None) -> Iterator[tuple[str, object]]:
    """rez's loaded values: (definition path, PackageData-as-dict or "error: ...") per package."""
    from rez.packages import iter_package_families

    from rezsnap.model import PackageData

    for repo in paths:
        for family in iter_package_families(paths=[repo]):
            name: str = family.name  # type: ignore[attr-defined]
            if families is not None and name not in families:
                continue
            try:
                packages = list(family.iter_packages())
            except Exception:  # noqa: BLE001, S112  listing failures belong to the scan tests
                continue
            for package in packages:
                uri = str(package.uri)
                try:
                    data = PackageData.from_rez(package)
                except Exception as exc:  # noqa: BLE001  rez's loader fails this package
                    yield uri, f"error: {type(exc).__name__}: {exc}"
                    continue
                yield uri, [data.name, data.version, list(data.requires),
                            [list(v) for v in data.variants], data.timestamp]


def rez_enumerate(paths: Sequence[str]) -> list[RezRow]:
    """Every package rez lists for ``paths`` (families that fail to list are skipped)."""
    return [row for what, row in iter_rez_listing(paths) if what == "package"]  # type: ignore[misc]


def _main(argv: Sequence[str]) -> int:
    if argv and argv[0] == "load":  # load [--families a,b,c] PATH...
        args = list(argv[1:])
        families = None
        if args[:1] == ["--families"]:
            families = set(args[1].split(","))
            args = args[2:]
        # package files may print (and rez warns on stdout): keep stdout for the JSON
        with contextlib.redirect_stdout(sys.stderr):
            loaded = dict(iter_rez_loaded(args, families))
        json.dump(loaded, sys.stdout, ensure_ascii=True)
        return 0
    if not argv or argv[0] != "enumerate":
        print("usage: python -m rezsnap.bench.rez_reference (enumerate|load [--families A,B]) PATH...",
              file=sys.stderr)
        return 2
    packages: list[object] = []
    errors: list[object] = []
    for what, row in iter_rez_listing(argv[1:]):
        (packages if what == "package" else errors).append(row)
    json.dump({"packages": packages, "errors": errors}, sys.stdout, ensure_ascii=True)
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
