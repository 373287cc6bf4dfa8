"""The fast path for rez's plain released layout gives what the AST reader gives, or passes."""

from __future__ import annotations

import random
from typing import Any

import pytest
from rezsnap.parser._literals import DynamicSource, InvalidSource
from rezsnap.parser._module import read_static_assignments
from rezsnap.parser._package import analyse_package_py
from rezsnap.parser._regular import read_regular_assignments

from .test_parser_fuzz import SNIPPETS, _mutate

EDGES = [
    b"name = 'a'\nversion = \"1.0\"\nrequires = ['b-1', \"c\"]\nvariants = [['x'], [\"y\", 'z'],]\ntimestamp = 12\n",
    b"# -*- coding: utf-8 -*-\n\nname = 'a'\n\n# a comment\nrequires = [\n    'b',\n    'c'\n]\n",
    b"name = 'a'",  # no newline at the end
    b"",
    b"def = 1\n", b"None = 1\n", b"__debug__ = 1\n", b"match = 1\ncase = 2\n_ = 3\n",
    b"x = 007\n", b"x = 0\ny = -0\nz = -12\n", b"x = 1_000\n",
    b"x = 'a' 'b'\n", b"x = ['a' 'b']\n", b"x = 'a\\nb'\n", b"x = 'a#b'\nrequires = ['#']\n",
    b"# -*- coding: latin-1 -*-\nx = '\xe9'\n", b"#!/bin/python\n# coding: utf8\nx = '\xc3\xa9'\n",
    b"\xef\xbb\xbfx = 'a'\n", b"x = 'a'\r\n", b"x = '\xff'\n", b"x = 'a\x00'\n",
    b"x\t= 'a'\n", b"  x = 'a'\n", b"x = ['a'  # c\n]\n", b"x = [['a', ['b']]]\n", b"x = []\ny = [[]]\n",
    b"x = [,]\n", b"x = ['a',,]\n", b"x = [\n]\n", b"x = 'a'  \n", b"x = 'a' # trailing\n",
    b"x = True\n", b"x = 1.5\n", b"x = {'a': 1}\n", b"x = ('a',)\n",
    # solver fields rez rejects, or reads oddly: the same outcome on both paths
    b"requires = 'a'\n", b"variants = ['a']\n", b"variants = 'a'\n", b"timestamp = 'x'\n", b"timestamp = -3\n",
    b"requires = ['a-1', 'a-2']\nrequires = ['!!']\n", b"name = ['x']\nversion = 3\nrequires = []\n",
]


def _ast(source: bytes) -> Any:
    try:
        return read_static_assignments(source)
    except InvalidSource:
        return "invalid"
    except DynamicSource:
        return "dynamic"


def _check(source: bytes) -> bool:
    fast = read_regular_assignments(source)
    if fast is None:
        return False
    assert fast == _ast(source), source
    # the package-level reading from value texts (memoised per text) gives the AST path's outcome
    # (a str source never takes the fast path)
    assert analyse_package_py(source) == analyse_package_py(source.decode("utf-8")), source
    return True


@pytest.mark.parametrize("source", EDGES)
def test_edges(source: bytes) -> None:
    _check(source)


def test_the_benchmark_repository_takes_the_fast_path(rez_bench: tuple[Any, Any]) -> None:
    dataset, _ = rez_bench
    files = sorted(dataset.path.glob("*/*/package.py"))
    taken = sum(_check(path.read_bytes()) for path in files)
    assert taken > 0.95 * len(files)


def test_mutations_agree_with_the_ast_reader(rez_bench: tuple[Any, Any]) -> None:
    dataset, _ = rez_bench
    rng = random.Random(7)
    seeds = [p.read_text() for p in sorted(dataset.path.glob("*/*/package.py"))[:500]]
    seeds += [snippet * 2 for snippet in SNIPPETS]
    taken = 0
    for _ in range(20_000):
        text = _mutate(rng.choice(seeds), rng.choice(seeds), rng)
        taken += _check(text.encode("utf-8", "surrogateescape"))
    assert taken > 1000
