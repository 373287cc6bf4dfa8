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


_SETTING_NAMES = ["a", "b", "a", "b", "sub", "_p", "data"]
_VALUES = ["1", "'x'", "{}", "{'a': {'b': 2}}", "[1]", "None", "a"]


def _scope_program(rng: random.Random) -> str:
    """Module-level names and ``with scope(...)`` blocks that set, nest and read settings:
    what rez's scope objects hold decides whether the file loads."""
    lines = ["name = 'scoped'", "version = '1.0'"]
    if rng.random() < 0.5:
        lines.append(f"a = {rng.choice(['1', '2', repr('x'), '{}'])}")
    for _ in range(rng.randrange(1, 4)):
        target = rng.choice(["c", "d"])
        lines.append(f"with scope({rng.choice(['config', 'other'])!r}) as {target}:")
        body = _scope_body(rng, target, "    ", depth=0)
        lines.extend(body or ["    pass"])
    return "\n".join(lines) + "\n"


def _scope_body(rng: random.Random, target: str, indent: str, depth: int) -> list[str]:
    body = []
    for _ in range(rng.randrange(0, 4)):
        kind = rng.random()
        if kind < 0.55:
            chain = ".".join(rng.choice(_SETTING_NAMES) for _ in range(rng.randrange(1, 4)))
            body.append(f"{indent}{target}.{chain} = {rng.choice(_VALUES)}")
        elif kind < 0.85:
            body.append(f"{indent}{rng.choice(['a', 'b', 'sub'])} = {rng.choice(_VALUES)}")
        elif depth == 0:
            inner = rng.choice(["s", "t"])
            body.append(f"{indent}with scope({rng.choice(['sub', 'a'])!r}) as {inner}:")
            body.extend(_scope_body(rng, inner, indent + "    ", depth + 1) or [f"{indent}    pass"])
    return body


def test_generated_scope_programs_load_like_rez(tmp_path: Path, rez_loaded: Any) -> None:
    """Random scope programs against live rez: an accepted file loads in rez with the same
    values, a file refused as an error fails in rez too; most are answered either way."""
    rng = random.Random(20261130)
    root = tmp_path / "scopes"
    sources = {}
    for index in range(600):
        sources[index] = _scope_program(rng)
        folder = root / f"scoped{index}" / "1.0"
        folder.mkdir(parents=True)
        (folder / "package.py").write_text(sources[index])
    theirs = rez_loaded([str(root)])
    answered = refused = 0
    for index, source in sources.items():
        path = root / f"scoped{index}" / "1.0" / "package.py"
        rez = theirs[str(path)]
        outcome = analyse_package_py(path.read_bytes(), f"scoped{index}", "1.0")
        if outcome.status is ParseStatus.STATIC:
            assert outcome.data is not None, source
            ours = [outcome.data.name, outcome.data.version, list(outcome.data.requires),
                    [list(v) for v in outcome.data.variants], outcome.data.timestamp]
            assert ours == rez, source
            answered += 1
        elif outcome.status is ParseStatus.ERROR:
            assert isinstance(rez, str) and rez.startswith("error"), (source, outcome.reason)
            refused += 1
    assert answered > 200 and refused > 10, (answered, refused)
