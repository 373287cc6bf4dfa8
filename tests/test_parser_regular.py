"""The fast path for rez's plain released layout gives what the AST reader gives, or passes."""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import pytest
from rezsnap.parser._literals import DynamicSource, InvalidSource
from rezsnap.parser._module import read_static_assignments
from rezsnap.parser._package import analyse_package_py
from rezsnap.parser._regular import (
    COMPILED,
    python_regular_fields,
    read_regular_assignments,
    read_regular_fields,
    regular_fields,
)

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
    # integers: up to 18 digits on the fast path; longer ones (past Python's limit on digits,
    # which its compiler enforces) are the AST reader's
    b"timestamp = 999999999999999999\n", b"timestamp = -999999999999999999\n",
    b"timestamp = 1000000000000000000\n", b"timestamp = " + b"1" * 5000 + b"\n", b"x = " + b"1" * 5000 + b"\n",
    b"timestamp = ['1']\n", b"timestamp = 1\ntimestamp = 'x'\n", b"name = 'a'\nname = 1\n",
    b"# coding=utf-8\nx = 'a'\n", b"# coding: UTF-8\n", b"# coding: utf-16\n", b"#\n# coding:  latin_1 x\n",
    b"# coding: \n# coding:utf8\n", b"#coding:\tcp1252\n", b"x = 1\n# coding: latin-1\n",
    b"# codingcoding: latin-1\n", b"# coding:coding: utf-8\n", b"  \x0c# vim: coding=ascii\n",
]


def _ast(source: bytes) -> Any:
    try:
        return read_static_assignments(source)
    except InvalidSource:
        return "invalid"
    except DynamicSource:
        return "dynamic"


def _check(source: bytes) -> bool:
    # the compiled twin (when installed) reads what the regular expression reads
    assert regular_fields(source) == python_regular_fields(source), source
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


# --- the compiled twin (parser/_cregular.c) against the regular expression -----------------

needs_compiled = pytest.mark.skipif(not COMPILED, reason="the compiled twin is not installed")

#: Bytes that matter to the grammar, and some that it refuses.
_GRAMMAR_BYTES = [b"'", b'"', b"[", b"]", b",", b" ", b"\n", b"#", b"=", b"-", b"0", b"7", b"\\", b"\r",
                  b"\x00", b"\t", b"\xc3\xa9", b"\xff", b"\xed\xa0\x80", b"_", b"a", b"coding:", b"latin-1"]


def _byte_mutation(source: bytes, rng: random.Random) -> bytes:
    for _ in range(rng.randrange(1, 4)):
        at = rng.randrange(len(source) + 1)
        kind = rng.randrange(3)
        if kind == 0:
            source = source[:at] + rng.choice(_GRAMMAR_BYTES) + source[at:]
        elif kind == 1:
            source = source[:at] + source[at + rng.randrange(1, 4):]
        else:
            source = source[:at] + rng.choice(_GRAMMAR_BYTES) + source[at + 1:]
    return source


@needs_compiled
def test_the_compiled_twin_reads_byte_mutations_as_the_regular_expression(rez_bench: tuple[Any, Any]) -> None:
    dataset, _ = rez_bench
    rng = random.Random(11)
    seeds = [p.read_bytes() for p in sorted(dataset.path.glob("*/*/package.py"))[:300]] + EDGES
    regular = 0
    for _ in range(30_000):
        source = _byte_mutation(rng.choice(seeds), rng)
        expected = python_regular_fields(source)
        assert regular_fields(source) == expected, source
        regular += expected is not None
    assert regular > 3000  # the mutations reach both answers


def _read_in_python(path: str) -> Any:
    from rezsnap._io import read_regular_file

    try:
        return python_regular_fields(read_regular_file(path))
    except OSError:
        return None


@needs_compiled
@pytest.mark.timeout(120)
def test_the_compiled_twin_reads_files_as_python_does(tmp_path: Path, rez_bench: tuple[Any, Any]) -> None:
    """From files: the same fields, and None (the Python reader decides) for whatever the
    Python reader cannot read: FIFOs (one holding data too), folders, missing files, files
    past the size limit, paths the file system cannot name."""
    dataset, _ = rez_bench
    rng = random.Random(5)
    seeds = [p.read_bytes() for p in sorted(dataset.path.glob("*/*/package.py"))[:200]] + EDGES
    paths: list[Any] = []
    for repo in ("repo_a", "repo_b"):  # two repositories interleaved: the compiled reader
        for i in range(400):           # keeps a folder open for the last one
            folder = tmp_path / repo / f"fam{i % 7}" / f"1.{i}"
            folder.mkdir(parents=True)
            (folder / "package.py").write_bytes(_byte_mutation(rng.choice(seeds), rng) if i % 2 else rng.choice(seeds))
            paths.append(str(folder / "package.py"))
    rng.shuffle(paths)
    odd = tmp_path / "repo_a" / "odd" / "1"
    odd.mkdir(parents=True)
    os.mkfifo(odd / "fifo.py")
    (odd / "dir.py").mkdir()
    big = odd / "big.py"
    with big.open("wb") as handle:
        handle.write(b"x = 1\n")
        handle.truncate(16 * 1024 * 1024 + 1)
    (odd / "link.py").symlink_to(paths[0])
    relative = os.path.relpath(paths[1])
    paths += [str(odd / "fifo.py"), str(odd / "dir.py"), str(big), str(odd / "missing.py"), str(odd / "link.py"),
              relative, paths[2].replace("/fam", "//fam"), str(odd / ".." / ".." / "fam0" / "1.0" / "package.py"),
              "/", "", "bad\x00path.py", "\udcff.py"]
    writer = os.open(odd / "fifo.py", os.O_RDWR | os.O_NONBLOCK)  # a FIFO that holds a package's text
    try:
        os.write(writer, GOOD_TEXT)
        found = read_regular_fields(paths)
    finally:
        os.close(writer)
    assert found == [_read_in_python(p) if "\x00" not in p else None for p in paths]
    assert found[-12] is None and found[-8] == found[0] and found[-5] is not None  # FIFO, link, '..'
    assert found[-6] == found[2]  # '//' in the path
    assert sum(f is not None for f in found) > 400


GOOD_TEXT = b"name = 'a'\nversion = '1'\n"


@needs_compiled
def test_the_compiled_twin_refuses_wrong_arguments() -> None:
    from rezsnap.parser import _cregular

    with pytest.raises(TypeError):
        _cregular.regular_fields(("a",), (b"x",))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        _cregular.source_fields(b"x = 1\n", ("x",))  # type: ignore[arg-type]
    assert _cregular.regular_fields([b"/a.py", 1], ()) == [None, None]  # type: ignore[list-item]
    for records in [[tuple, {}, {}], (dict, {}, {}), (tuple, {}, []), (tuple, {})]:
        with pytest.raises(TypeError):
            _cregular.regular_fields([], (), records)  # type: ignore[arg-type]


@needs_compiled
def test_the_compiled_twin_builds_records_from_cached_texts_only(tmp_path: Path) -> None:
    """With records, a file whose two solver texts are cached as converted tuples (and whose
    timestamp is an int or absent) comes as its record; every other file as its fields."""
    from rezsnap.model import PackageData

    texts = {
        "cached.py": b"name = 'a'\nversion = '1'\nrequires = ['b']\ntimestamp = 5\n",
        "defaults.py": b"name = 'a'\n",  # absent requires and variants: the cache's '[]'
        "uncached.py": b"requires = ['c']\n",
        "rejected.py": b"requires = ['!!']\n",
        "not_int.py": b"requires = ['b']\ntimestamp = 'x'\n",
    }
    for name, text in texts.items():
        (tmp_path / name).write_bytes(text)
    requires_of = {"['b']": ("b",), "[]": (), "['!!']": "rejected"}
    variants_of = {"[]": ()}
    found = read_regular_fields([str(tmp_path / n) for n in texts], (PackageData, requires_of, variants_of))
    assert found[0] == PackageData("a", "1", ("b",), (), 5) and type(found[0]) is PackageData
    assert found[0].requires is requires_of["['b']"]  # the cached tuple itself
    assert found[1] == PackageData("a", "", (), (), None) and type(found[1]) is PackageData
    assert found[2:] == [python_regular_fields(t) for t in list(texts.values())[2:]]


def test_the_compiled_twin_is_built_where_a_c_compiler_is() -> None:
    """The install builds it when it can (it is optional): a silent failure would hide here."""
    import shutil
    import sysconfig

    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None or not Path(sysconfig.get_paths()["include"], "Python.h").exists():
        pytest.skip("no C compiler or no Python headers: the Python reader runs alone")
    if os.environ.get("REZSNAP_PURE_PYTHON"):
        pytest.skip("REZSNAP_PURE_PYTHON: the compiled modules are switched off")
    from rezsnap.scanner import _fs

    assert COMPILED and _fs._cwalk is not None


def test_the_pure_python_switch_parses_without_the_compiled_twin(tmp_path: Path) -> None:
    """REZSNAP_PURE_PYTHON=1: the operator's way to take the compiled reader out; same records."""
    import importlib.util
    import json
    import subprocess
    import sys

    (tmp_path / "package.py").write_bytes(b"name = 'a'\nversion = '1'\nrequires = ['b-1']\ntimestamp = 3\n")
    script = ("import json, sys; from rezsnap.parser import _regular, parse_static_packages_py; "
              "print(json.dumps([_regular.COMPILED, parse_static_packages_py(sys.argv[1:] * 600)[-1]]))")
    runs = {}
    for switch in ("1", ""):
        env = {**os.environ, "REZSNAP_PURE_PYTHON": switch}
        done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "package.py")], env=env,
                              capture_output=True, text=True, check=True, timeout=120)
        runs[switch] = json.loads(done.stdout)
    built = importlib.util.find_spec("rezsnap.parser._cregular") is not None
    assert runs["1"] == [False, ["a", "1", ["b-1"], [], 3]]
    assert runs[""] == [built, runs["1"][1]]
