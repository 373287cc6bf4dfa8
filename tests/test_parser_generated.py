"""Generated static package files (seeded): parser == rez's loader, file by file."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from rezsnap.parser import ParseStatus, analyse_package_py

from . import version_cases as cases


def _literal(rng: random.Random, items: list[str]) -> str:
    quote = rng.choice(["'", '"'])
    body = ", ".join(f"{quote}{item}{quote}" for item in items)
    return f"[{body}{rng.choice(['', ','])}]" if rng.random() < 0.95 else f"({body},)"


def _package_source(rng: random.Random) -> str:
    lines = ["# generated", f"name = {rng.choice(['foo', 'other'])!r}", "version = '1.0'"]
    if rng.random() < 0.8:
        lines.append("requires = " + _literal(rng, [cases.requirement_text(rng) for _ in range(rng.randrange(4))]))
    if rng.random() < 0.5:
        variants = [_literal(rng, [cases.requirement_text(rng) for _ in range(rng.randrange(1, 3))])
                    for _ in range(rng.randrange(1, 4))]
        lines.append(f"variants = [{', '.join(variants)}]")
    if rng.random() < 0.5:
        lines.append(f"timestamp = {rng.choice(['1600000000', '0', repr('12'), 'None'])}")
    if rng.random() < 0.3:
        lines.append("def commands():\n    env.PATH.append('{root}/bin')")
    if rng.random() < 0.2:
        lines.append("@late()\ndef tools():\n    return ['x']")
    rng.shuffle(lines)
    return "\n".join(lines) + "\n"


def test_generated_packages_parse_like_rez(tmp_path: Path, rez_loaded: Any,
                                           request: pytest.FixtureRequest) -> None:
    count = 5000 if request.config.getoption("--run-slow") else 400
    rng = random.Random(99)
    sources = {}
    for i in range(count):
        source = _package_source(rng)
        path = tmp_path / f"p{i}" / "1.0" / "package.py"
        path.parent.mkdir(parents=True)
        path.write_text(source)
        sources[str(path)] = (f"p{i}", source)
    theirs = rez_loaded([str(tmp_path)])
    accepted = 0
    for path, (family, source) in sources.items():
        outcome = analyse_package_py(source, family, "1.0")
        if outcome.status is ParseStatus.STATIC:
            accepted += 1
            data = outcome.data
            assert data is not None
            ours = [data.name, data.version, list(data.requires), [list(v) for v in data.variants],
                    data.timestamp]
            assert ours == theirs[path], source
        else:
            assert outcome.status is ParseStatus.ERROR, source  # everything here is literal
    assert accepted > count // 6  # many generated requirement strings are (deliberately) invalid
