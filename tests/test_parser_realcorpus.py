"""The static reader on package files written by real people, against rez's loader.

The files are read where they are (``../shared/realcorpus-dev`` beside the project,
or the folders named in ``REZSNAP_REAL_CORPUS``, separated by ``os.pathsep``): they
belong to their authors and are never copied into the project. Skipped when absent.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from rezsnap.parser import load_scanned_package

from rezsnap import scan_repo

#: The share of the files rez loads that the static reader must read.
MIN_STATIC_SHARE = 0.85

_DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "realcorpus-dev"


def _corpora() -> list[Path]:
    named = os.environ.get("REZSNAP_REAL_CORPUS")
    folders = [Path(p) for p in named.split(os.pathsep) if p] if named else [_DEFAULT]
    return [f / "packages" if (f / "packages").is_dir() else f for f in folders]


@pytest.fixture(scope="module", params=_corpora(), ids=lambda p: p.parent.name)
def corpus(request: pytest.FixtureRequest, rez_loaded: Any) -> tuple[Path, dict[str, Any]]:
    root: Path = request.param
    if not root.is_dir():
        pytest.skip(f"no real-world corpus at {root}")
    return root, rez_loaded([str(root)])


def test_static_reads_equal_rez_and_cover_most_files(corpus: tuple[Path, dict[str, Any]]) -> None:
    root, theirs = corpus
    differs, accepted_refused, read, declined = [], [], 0, []
    for package in scan_repo([str(root)]):
        loaded = load_scanned_package(package, exec_fallback=False)  # static, or an error
        rez = theirs.get(package.uri or package.path or "")
        if rez is None:
            continue  # rez could not list the family: the scanner's tests cover listings
        rez_loads = not isinstance(rez, str)
        if loaded.source == "static":
            assert loaded.data is not None
            ours = [loaded.data.name, loaded.data.version, list(loaded.data.requires),
                    [list(v) for v in loaded.data.variants], loaded.data.timestamp]
            if not rez_loads:
                accepted_refused.append((package.path, rez))
            elif ours != rez:
                differs.append((package.path, ours, rez))
            else:
                read += 1
        elif rez_loads:
            declined.append(package.path)
    assert not accepted_refused, accepted_refused[:5]
    assert not differs, differs[:5]
    share = read / (read + len(declined))
    assert share >= MIN_STATIC_SHARE, f"{share:.1%} read statically; declined e.g. {declined[:5]}"


def test_the_listing_equals_rez_and_the_python_walk(corpus: tuple[Path, dict[str, Any]]) -> None:
    """The default walk (compiled, on a local disk) lists the real files as rez does, and as
    the Python walk does (packages, stamps, problems)."""
    from rezsnap.bench.rez_reference import rez_enumerate

    root, _ = corpus
    default = scan_repo([str(root)], stamps=True)
    serial = scan_repo([str(root)], workers=0, stamps=True)
    assert default == serial and default.problems == serial.problems
    theirs = sorted(tuple(row[:4]) for row in rez_enumerate([str(root)]))
    assert sorted((p.family, p.version, p.format, p.path) for p in default) == theirs
