"""rez configurations as studios run them, built around one release repository.

Each ``StudioConfig`` is a rezconfig file (``packages_path`` and ``local_packages_path``,
with ``~`` the config's own home folder), the snapshots a nightly job would have written,
and the ``rez env`` arguments (``--time``, ``--paths``, ``--nl``). The tests run the real
``rez env`` under each against plain rez (``tests/test_rez_studio_configs.py``), and
``rezsnap bench rez-env --configs`` times them on the benchmark repository:

- ``local-absent``, ``local-empty``, ``local-dev``: rez's default layout, the user's
  ``~/packages`` first (missing, empty, or holding a developer's newer version of a
  family the requests use), then the release repository;
- ``two-repos-*``: the release repository and a show repository (new versions of some
  families, and copies of released versions, which the earlier path wins), with one
  snapshot over both, a snapshot of the release repository only, and one snapshot each;
- ``releases-after-snapshot``: a copy of the release repository (hard links), its
  snapshot, then a day of releases: new versions of 2% of the families and edited files;
- ``time``, ``paths``, ``nl``: ``rez env --time T``, ``--paths RELEASE:SHOW``, ``--nl``
  under the ``local-dev`` configuration.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rezsnap.model import PackageKind, ScannedPackage

__all__ = ["StudioConfig", "studio_configs"]


@dataclass(frozen=True)
class StudioConfig:
    name: str
    rezconfig: str
    home: str
    snapshots: tuple[str, ...]
    env_args: tuple[str, ...] = ()
    #: what the configuration's snapshots do not know (families changed after them)
    changed_families: tuple[str, ...] = field(default=())

    def environ(self, base: dict[str, str]) -> dict[str, str]:
        """``base`` (rez's isolated environment) under this configuration."""
        return {**base, "REZ_CONFIG_FILE": self.rezconfig, "HOME": self.home}


def _write_rezconfig(path: Path, packages_path: Sequence[str]) -> str:
    path.write_text(f"packages_path = {list(packages_path)!r}\nlocal_packages_path = '~/packages'\n")
    return str(path)


def _latest_py(packages: Sequence[ScannedPackage]) -> dict[str, ScannedPackage]:
    """Each family's highest version, where that is a ``package.py`` in a version folder."""
    latest: dict[str, ScannedPackage] = {}
    for package in packages:  # scan_repo's order: family, then version, ascending
        latest[package.family] = package
    return {name: p for name, p in latest.items()
            if p.kind is PackageKind.DIRECTORY and p.format == "py" and p.path is not None}


def _admits_newer(request: Any, latest: dict[str, ScannedPackage]) -> str | None:
    """The family of ``request`` when a version after its latest one would be in its range."""
    from rezsnap.version import Version

    if request.conflict or request.name not in latest:
        return None
    newer = Version(f"{latest[request.name].version}.999")
    return request.name if request.range is None or request.range.contains_version(newer) else None


def _release(source: ScannedPackage, root: Path, version: str) -> Path:
    """A new version of ``source``'s family under ``root`` (its file, the version replaced)."""
    assert source.path is not None
    text = Path(source.path).read_text(encoding="utf-8")
    text, count = re.subn(r"^version\s*=.*$", f"version = {version!r}", text, count=1, flags=re.MULTILINE)
    if not count:
        text += f"\nversion = {version!r}\n"
    target = root / source.family / version / "package.py"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def _edit(path: str) -> None:
    """Rewrite a released file as an editor does: a new file renamed over it (a hard-linked
    copy's original keeps its inode)."""
    text = Path(path).read_text(encoding="utf-8")
    temporary = f"{path}.edit"
    Path(temporary).write_text(text + "\n# edited after the snapshot\n", encoding="utf-8")
    os.replace(temporary, path)


def studio_configs(release: str | os.PathLike[str], scratch: str | os.PathLike[str], requests: Sequence[Sequence[str]],
                   build: Callable[[list[str], str], object], *, moment: int) -> list[StudioConfig]:
    """The configurations around ``release``, written under ``scratch``; ``build(paths, file)``
    writes a snapshot (the caller's nightly job); ``moment`` is ``--time``'s epoch seconds."""
    from rezsnap.scanner import scan_repo

    from rezsnap.version import Requirement

    release = os.fspath(release)
    root = Path(scratch)
    root.mkdir(parents=True, exist_ok=True)
    listed = scan_repo([release], workers=0)
    latest = _latest_py(listed)
    # the family the requests most often ask for in a range that admits a newer version
    requested = [name for request in requests for text in request
                 if (name := _admits_newer(Requirement(text), latest)) is not None]
    favourite = max(requested or sorted(latest), key=requested.count)

    # The day of releases first: replacing a hard-linked file moves the change time of the
    # original too (its link count changes), so the other snapshots are built after it.
    day = root / "release-day"
    if not day.exists():
        subprocess.run(["cp", "-al", release, str(day)], check=True)
    snapshot_day = str(root / "release-day.parquet")
    build([str(day)], snapshot_day)
    changed = []
    for index, name in enumerate(sorted(latest)):
        if index % 50 == 0 or name == favourite:  # 2% of the families release a version
            _release(latest[name], day, f"{latest[name].version}.1")
            changed.append(name)
        elif index % 50 == 25:  # and some released files are edited
            _edit(os.path.join(str(day), os.path.relpath(str(latest[name].path), release)))
            changed.append(name)

    snapshot_release = str(root / "release.parquet")
    build([release], snapshot_release)

    homes = {kind: root / f"home-{kind}" for kind in ("absent", "empty", "dev")}
    for home in homes.values():
        home.mkdir(exist_ok=True)
    (homes["empty"] / "packages").mkdir(exist_ok=True)
    _release(latest[favourite], homes["dev"] / "packages", f"{latest[favourite].version}.999")

    show = root / "show"
    show.mkdir(exist_ok=True)
    for index, name in enumerate(sorted(latest)):
        if index % 20 == 0 or name == favourite:  # a show's own releases of 5% of the families
            _release(latest[name], show, f"{latest[name].version}.5")
        elif index % 20 == 10:  # a copy of a released version: the earlier path wins it
            _release(latest[name], show, latest[name].version)
    snapshot_show = str(root / "show.parquet")
    snapshot_both = str(root / "release-and-show.parquet")
    build([str(show)], snapshot_show)
    build([release, str(show)], snapshot_both)

    def config(name: str, paths: Sequence[str], snapshots: Sequence[str], home: str = "empty",
               args: Sequence[str] = (), changes: Sequence[str] = ()) -> StudioConfig:
        rezconfig = _write_rezconfig(root / f"{name}.rezconfig.py", paths)
        return StudioConfig(name, rezconfig, str(homes[home]), tuple(snapshots), tuple(args), tuple(changes))

    local = ["~/packages", release]
    return [
        config("local-absent", local, [snapshot_release], home="absent"),
        config("local-empty", local, [snapshot_release]),
        config("local-dev", local, [snapshot_release], home="dev"),
        config("two-repos-one-snapshot", [release, str(show)], [snapshot_both]),
        config("two-repos-snapshot-of-one", [release, str(show)], [snapshot_release]),
        config("two-repos-two-snapshots", [release, str(show)], [snapshot_release, snapshot_show]),
        config("releases-after-snapshot", [str(day)], [snapshot_day], changes=changed),
        config("time", local, [snapshot_release], home="dev", args=["--time", str(moment)]),
        config("paths", local, [snapshot_release, snapshot_show], home="dev",
               args=["--paths", os.pathsep.join([release, str(show)])]),
        config("nl", local, [snapshot_release], home="dev", args=["--nl"]),
    ]
