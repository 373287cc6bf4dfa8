"""Fuzzing the static reader: mutations of real and hand-made package files.

No exception may escape the reader, and every input it accepts must load in rez
with the same values (an input rez refuses must never be accepted). Slow: run
with ``--run-slow``.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from rezsnap.parser import ParseStatus, analyse_package_py

from .package_corpus import CORPUS
from .test_parser_realcorpus import _corpora

INPUTS = 100_000
SEED = 20261130

# Statements and fragments that reach the reader's rules (rez's names, compile-time
# errors, data expressions, imports), spliced into real files at line starts.
SNIPPETS = [
    "@early()\n", "@late()\n", "import os\n", "import platform as requires\n", "from os import sep\n",
    "from rez.utils.lint_helper import env, scope\n", "with scope('config') as config:\n    config.x = 1\n",
    "with scope('requires'):\n    pass\n", "__debug__ = 1\n", "scope = 1\n", "late = None\n",
    "def f(a, a):\n    pass\n", "def f():\n    break\n", "def commands():\n    nonlocal x\n",
    "requires = version + name\n", "requires = ['%s-1' % name]\n", "x = '%s' % (1, 2)\n",
    "version = version.split('.')[0]\n", "requires = [f'{name}-{version}']\n", "timestamp = True\n",
    "requires = ['a'] + ['b']\n", "variants = [[str(1)]]\n", "name = '{}'.format(version)\n",
    "    ", "\t", "(", ")", "[", "]", "'", '"', ",", ":", "=", "\\", "#", "\n", "\x00", "\xff",
]


def _seeds(corpora: bool = True) -> list[str]:
    """The hand-made corpus, every 40th file of rez's benchmark repository (there wherever rez
    is: the test needs rez anyway) and, when present, the real-world corpora."""
    from rezsnap.datasets import rez_benchmark

    seeds = [source for source, _ in CORPUS.values()]
    benchmark = sorted(rez_benchmark().path.glob("*/*/package.py"))[::40]
    for root in [*(_corpora() if corpora else [])]:
        if root.is_dir():
            benchmark += sorted(root.glob("*/*/package.py"))
    seeds += [path.read_bytes().decode("utf-8", "surrogateescape") for path in benchmark]
    return seeds


def _mutate(text: str, other: str, rng: random.Random) -> str:
    lines = text.splitlines(keepends=True) or [""]
    kind = rng.randrange(6)
    if kind == 0:  # delete a span
        start = rng.randrange(len(text) + 1)
        return text[:start] + text[start + rng.randrange(1, 40):]
    if kind == 1:  # duplicate a line
        i = rng.randrange(len(lines))
        return "".join(lines[: i + 1] + lines[i:])
    if kind == 2:  # splice a snippet at a line start
        i = rng.randrange(len(lines) + 1)
        return "".join(lines[:i] + [rng.choice(SNIPPETS)] + lines[i:])
    if kind == 3:  # a character in the middle of a line
        start = rng.randrange(len(text) + 1)
        return text[:start] + rng.choice(SNIPPETS)[:1] + text[start:]
    if kind == 4:  # swap two lines
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
        return "".join(lines)
    other_lines = other.splitlines(keepends=True)  # splice two files
    cut = rng.randrange(len(lines) + 1)
    return "".join(lines[:cut] + other_lines[rng.randrange(len(other_lines) + 1):])


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_mutated_files_never_raise_and_accepted_ones_equal_rez(tmp_path: Path, rez_loaded: Any) -> None:
    rng = random.Random(SEED)
    seeds = _seeds()
    accepted: dict[str, list[Any]] = {}
    seen: set[str] = set()
    for _ in range(INPUTS):
        text = _mutate(rng.choice(seeds), rng.choice(seeds), rng)
        for _ in range(rng.randrange(3)):
            text = _mutate(text, rng.choice(seeds), rng)
        if text in seen:
            continue
        seen.add(text)
        source = text.encode("utf-8", "surrogateescape")
        family = f"f{len(seen)}"
        outcome = analyse_package_py(source, family, "1.0")  # an escaping exception fails the test
        if outcome.status is ParseStatus.STATIC:
            assert outcome.data is not None
            path = tmp_path / family / "1.0" / "package.py"
            path.parent.mkdir(parents=True)
            path.write_bytes(source)
            accepted[str(path)] = [outcome.data.name, outcome.data.version, list(outcome.data.requires),
                                   [list(v) for v in outcome.data.variants], outcome.data.timestamp]
    assert len(seen) > INPUTS * 0.9 and len(accepted) > 1000
    theirs = rez_loaded([str(tmp_path)])
    wrong = {path: (ours, theirs.get(path)) for path, ours in accepted.items() if theirs.get(path) != ours}
    assert not wrong, (len(wrong), list(wrong.items())[:3])
