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


def test_requests_written_as_rez_prints_them_are_kept_as_written() -> None:
    """The parser keeps a request that is a valid name, then '-' and a plain version (word
    tokens joined by '.' or '-'), as written, without parsing it: rez prints each such request
    as it is written (checked here against rez's PackageRequest on generated requests), and
    refuses '__pycache__' as a name (then the full parse decides)."""
    import random
    import string

    from rezsnap.parser._package import _AS_WRITTEN, normalise_request

    formatting = pytest.importorskip("rez.utils.formatting")
    rng = random.Random(2026)
    alphabet = string.ascii_letters + string.digits + "_"

    def token() -> str:
        return "".join(rng.choice(alphabet if rng.random() < 0.5 else string.digits) for _ in range(rng.randint(1, 4)))

    texts = ["__pycache__", "__pycache__-1", "a.b-1.0-beta_2", "0-0", "_-_"]
    for _ in range(5000):
        text = ".".join(token() for _ in range(rng.randint(1, 3))) if rng.random() < 0.3 else token()
        if rng.random() < 0.8:
            text += "-" + token() + "".join(rng.choice(".-") + token() for _ in range(rng.randint(0, 4)))
        texts.append(text)
    for text in texts:
        assert _AS_WRITTEN.match(text), text
        try:
            theirs: object = str(formatting.PackageRequest(text))
        except Exception as exc:  # noqa: BLE001
            theirs = type(exc).__name__
        try:
            ours: object = normalise_request(text)
        except ValueError:
            ours = "PackageRequestError"
        assert ours == theirs, text
