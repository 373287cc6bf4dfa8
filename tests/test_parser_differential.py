"""The static parser against rez's own loader (rez-repository.md section 6).

Every package of the rez benchmark repository is a static literal file, so all
of them must parse statically and equal ``PackageData.from_rez(pkg)``. The
default run checks every 8th family (about 2,300 packages); ``--run-slow`` all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rezsnap.parser import ParseStatus, analyse_package_py

from rezsnap import scan_repo


def _ours(path: str, family: str, version: str) -> list[Any]:
    outcome = analyse_package_py(Path(path).read_bytes(), family, version)
    assert outcome.status is ParseStatus.STATIC, (path, outcome.reason)
    data = outcome.data
    assert data is not None
    return [data.name, data.version, list(data.requires), [list(v) for v in data.variants],
            data.timestamp]


def test_benchmark_repository_parses_like_rez(rez_loaded: Any, request: pytest.FixtureRequest) -> None:
    from rezsnap.datasets import rez_benchmark

    repo = str(rez_benchmark().path)
    packages = scan_repo(repo)
    families = sorted({p.family for p in packages})
    if not request.config.getoption("--run-slow"):
        families = families[::8]
    chosen = set(families)
    theirs = rez_loaded([repo], families)
    ours = {p.path: _ours(p.path, p.family, p.version) for p in packages if p.family in chosen}
    assert len(ours) == len(theirs) > 1000
    assert ours == theirs
