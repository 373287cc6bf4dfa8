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
    """The parser keeps some requests as written, without parsing them: a valid name, then '-'
    and a plain version (word tokens joined by '.' or '-') or no version; 'name-V+'; and
    'name-V+<W' when V is below W and W has no '_'. Checked against rez's PackageRequest on
    generated requests of those shapes and of their near misses (V not below W, an '_' in
    W, a weak or conflict request, '__pycache__' as a name), which the full parse decides."""
    import random
    import string

    from rezsnap.parser._package import _written_as_printed, normalise_request

    formatting = pytest.importorskip("rez.utils.formatting")
    rng = random.Random(2026)
    alphabet = string.ascii_letters + string.digits + "_"

    def token() -> str:
        return "".join(rng.choice(alphabet if rng.random() < 0.5 else string.digits) for _ in range(rng.randint(1, 3)))

    def version() -> str:
        return token() + "".join(rng.choice(".-") + token() for _ in range(rng.randint(0, 3)))

    texts = ["__pycache__", "__pycache__-1", "__pycache__-1+", "a.b-1.0-beta_2", "0-0", "_-_", "a-1+<1", "a-1+<1_",
             "a-1+<1_0", "a-2+<1", "a-1.0+<1", "a-1+<1.0", "~a-1+<2", "!a-1+", "a-1+<2|3"]
    for _ in range(8000):
        text = ".".join(token() for _ in range(rng.randint(1, 3))) if rng.random() < 0.3 else token()
        shape = rng.random()
        if shape < 0.4:
            text += "-" + version()
        elif shape < 0.6:
            text += "-" + version() + "+"
        elif shape < 0.95:
            text += "-" + version() + "+<" + version()
        texts.append(text)
    kept = 0
    for text in texts:
        try:
            theirs: object = str(formatting.PackageRequest(text))
        except Exception:  # noqa: BLE001
            theirs = "refused"
        try:
            ours: object = normalise_request(text)
        except ValueError:
            ours = "refused"
        assert ours == theirs, text
        kept += _written_as_printed(text)
    assert kept > 4000
