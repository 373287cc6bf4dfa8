"""scan_repo lists exactly what rez 3.4.0 lists (rez-repository.md sections 0-5, 9-12).

Compared as sets of (family, version, format, path), per spec 12: rez's own
order is hash-seed dependent. A family whose listing fails in rez must show up
as a problem in ours (never as silently missing, never as a crash).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rezsnap.scanner import version_sort_key

from rezsnap import scan_repo
from rezsnap.model import PackageKind

from .trees import TREES


def _multiset(rows: Any) -> list[tuple[Any, ...]]:
    """Rows as a sorted list: duplicates count (spec X04), order does not (spec 12)."""
    return sorted((tuple(row) for row in rows), key=repr)


def _rez(listing: dict[str, Any]) -> list[tuple[Any, ...]]:
    """(family, version, format, path, uri) of every package rez lists."""
    return _multiset((*row[:4], row[5]) for row in listing["packages"])


def _ours(packages: Any) -> list[tuple[Any, ...]]:
    return _multiset((p.family, p.version, p.format, p.path, p.uri) for p in packages)


@pytest.mark.parametrize("name", sorted(TREES))
def test_same_packages_as_rez(name: str, tmp_path: Path, rez_listing: Any) -> None:
    paths = TREES[name](tmp_path)
    listing = rez_listing(paths)
    result = scan_repo(paths, workers=0)
    assert _ours(result) == _rez(listing)
    assert _ours(scan_repo(paths)) == _rez(listing)  # the default: the compiled walk where it is built
    problem_paths = {p.path for p in result.problems}
    for family, uri, message in listing["errors"]:
        assert uri in problem_paths, f"rez failed on {family} ({message}); we must report it"


@pytest.mark.parametrize("name", sorted(TREES))
def test_parallel_equals_serial(name: str, tmp_path: Path) -> None:
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

    paths = TREES[name](tmp_path)
    serial = scan_repo(paths, workers=0)
    assert scan_repo(paths, workers=4) == serial
    default = scan_repo(paths)  # on a local disk: the compiled walk (``_cwalk.family_versions``) where it is built
    assert default == serial and default.problems == serial.problems
    stamped = scan_repo(paths, workers=0, stamps=True)
    assert scan_repo(paths, stamps=True) == stamped  # the stamps too: a tuple field
    with ThreadPoolExecutor(3) as threads:
        assert scan_repo(paths, executor=threads) == serial
    with ProcessPoolExecutor(2) as processes:
        parallel = scan_repo(paths, executor=processes)
    assert parallel == serial
    assert parallel.problems == serial.problems


@pytest.mark.parametrize("name", sorted(TREES))
def test_one_family_lists_as_in_the_whole_scan_serially_and_on_threads(name: str, tmp_path: Path) -> None:
    """``scan_family`` (a solve's on-demand loading) lists each family as the whole scan does
    (where a path holds it once: a family directory hides ``<family>.py`` and ``.yaml`` from a
    solve, next test), with its lookups one after the other or on threads (a network file system)."""
    from rezsnap.scanner import scan_family

    paths = TREES[name](tmp_path)
    whole = scan_repo(paths, workers=0, stamps=True)
    compared = 0
    for family in sorted({p.family for p in whole}):
        serial = scan_family(paths, family, stamps=True)
        sources = {(p.repo, p.kind, p.format if p.kind is PackageKind.COMBINED else None)
                   for p in whole if p.family == family}
        if len({repo for repo, _, _ in sources}) == len(sources):
            assert serial == [p for p in whole if p.family == family], family
            compared += 1
        threaded = scan_family(paths, family, stamps=True, workers=4)
        assert threaded == serial and threaded.problems == serial.problems, family
    assert compared


def test_a_family_directory_hides_its_combined_files_from_a_solve(tmp_path: Path) -> None:
    """rez's solver finds a family directory before ``<family>.py``, and ``.py`` before
    ``.yaml`` (its ``_get_family``); the listing of the whole repository shows them all."""
    from rez.packages import iter_packages
    from rezsnap.scanner import scan_family

    (tmp_path / "foo" / "1").mkdir(parents=True)
    (tmp_path / "foo" / "1" / "package.py").write_text("name = 'foo'\nversion = '1'\n")
    (tmp_path / "foo.py").write_text("name = 'foo'\nversions = ['2', '3']\n")
    (tmp_path / "bar.py").write_text("name = 'bar'\nversions = ['5']\n")
    (tmp_path / "bar.yaml").write_text("name: bar\nversions: ['6']\n")
    for family, versions in (("foo", ["1"]), ("bar", ["5"])):
        assert sorted(str(p.version) for p in iter_packages(family, paths=[str(tmp_path)])) == versions
        assert [p.version for p in scan_family([str(tmp_path)], family)] == versions
        assert [p.version for p in scan_family([str(tmp_path)], family, workers=2)] == versions


def _summary(rendered: Any) -> tuple[Any, ...]:
    return rendered.text, rendered.packages, rendered.families, rendered.problems


@pytest.mark.parametrize("name", sorted(TREES))
def test_rendered_scan_equals_the_scan_rendered(name: str, tmp_path: Path) -> None:
    """``scan_rendered`` (``rezsnap scan --json``: each worker renders what it listed) gives
    the text, the counts and the problems of rendering ``scan_repo``'s answer, on every pool."""
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

    from rezsnap.scanner import scan_rendered

    from rezsnap.cli import _scan as cli_scan
    from rezsnap.cli._scan import json_lines, json_texts

    paths = TREES[name](tmp_path)
    whole = scan_repo(paths, workers=0)
    expected = (json_lines(whole), len(whole), len({(p.repo, p.family) for p in whole}), whole.problems)
    assert _summary(scan_rendered(paths, json_texts, workers=0)) == expected
    with pytest.MonkeyPatch.context() as patch:  # the Python twin of the compiled lines
        patch.setattr(cli_scan, "_directory_lines", None)
        assert _summary(scan_rendered(paths, json_texts)) == expected
    assert _summary(scan_rendered(paths, json_texts, workers=4)) == expected
    assert _summary(scan_rendered(paths, json_texts)) == expected
    with ThreadPoolExecutor(3) as threads:
        assert _summary(scan_rendered(paths, json_texts, executor=threads)) == expected
    with ProcessPoolExecutor(2) as processes:
        assert _summary(scan_rendered(paths, json_texts, executor=processes)) == expected


def test_rendered_scan_of_many_families_on_the_shared_pool(rez_bench: tuple[Any, Path]) -> None:
    from rezsnap.scanner import scan_rendered

    from rezsnap.cli._scan import json_lines, json_texts

    dataset, _ = rez_bench
    whole = scan_repo([str(dataset.path)], workers=0)
    rendered = scan_rendered([str(dataset.path)], json_texts)  # 1,266 families: the compiled walk, or processes
    assert rendered.text == json_lines(whole) and rendered.packages == len(whole) == 18226
    assert rendered.families == 1266 and rendered.problems == whole.problems


def test_a_big_family_on_threads_lists_as_serially(tmp_path: Path) -> None:
    from rezsnap.scanner import scan_family

    from .trees import package_py

    for i in range(40):
        package_py(tmp_path, "big", f"1.{i}")
    (tmp_path / "big" / "2.0").mkdir()  # no definition file
    (tmp_path / "big" / "1.3" / "package.py").unlink()
    (tmp_path / "big" / "1.3" / "package.yaml").write_text("name: big\nversion: '1.3'\n")
    serial = scan_family([str(tmp_path)], "big", stamps=True)
    assert len(serial) == 41
    assert scan_family([str(tmp_path)], "big", stamps=True, workers=8) == serial


def test_order_is_repo_family_version(tmp_path: Path) -> None:
    paths = TREES["version_order"](tmp_path)
    result = scan_repo(paths, workers=0)
    families = [p.family for p in result]
    assert families == sorted(families)
    fam = [p.version for p in result if p.family == "fam"]
    assert fam == sorted(fam, key=version_sort_key)
    # rez order (spec A.5): alpha < numeric, prefix smaller, 01 < 1, separators cosmetic
    assert fam.index("1.A") < fam.index("1.a") < fam.index("1.0") < fam.index("1_0")
    assert fam.index("01") < fam.index("1") < fam.index("1.0")


def test_version_sort_key_orders_by_version_then_text_unparsable_last() -> None:
    """The packed bytes key orders as (0, Version key, text) / (1, text) did (spec A.4/A.5)."""
    from rezsnap.version import Version, is_valid_version

    names = ["1.0", "1-0", "1é0", "01", "1", "1.a", "1.A", "1._", "10", "9", "", "1" + "0" * 300,
             "not..valid", "-x", "1.0.", "\udcff1", "1\udcff0", "ü", "zz", "1.0.beta", "1_0", "1a"]
    for name in names:  # the keys of unparsable names must not depend on the order they were met
        version_sort_key(name)

    def tuple_key(name: str) -> tuple[object, ...]:
        return (0, Version(name).key, name) if is_valid_version(name) else (1, (), name)

    assert sorted(names, key=version_sort_key) == sorted(names, key=tuple_key)


def test_the_compiled_walk_orders_versions_as_rez(tmp_path: Path) -> None:
    """The compiled walk sorts each family's versions itself (``_cwalk.c``'s twin of
    ``version_sort_key``): the default scan of a local disk lists them in the Python walk's
    order, which is rez's ``Version`` order, equal versions by text, unparsable names last."""
    import random

    from rez.version import Version as RezVersion

    from rezsnap.version import is_valid_version

    randomness = random.Random(7)
    alphabet = "0123456789" * 3 + "abAB_.-+~"
    names = {"1.0", "1-0", "01", "1", "001", "0", "00", "1.a", "1.A", "1._", "_", "10", "9", "1" * 255,
             "0" * 254 + "7", "9" * 254, "not..valid", "-x", "1.0.", "x-", "1.0.beta", "1_0", "1a", "a1b22c333"}
    while len(names) < 400:
        names.add("".join(randomness.choice(alphabet) for _ in range(randomness.randint(1, 9))))
    names.discard(".")
    for name in names:
        (tmp_path / "fam" / name).mkdir(parents=True)
    paths = [str(tmp_path)]
    listed = [p.version for p in scan_repo(paths)]  # on a local disk: the compiled walk where it is built
    assert listed == [p.version for p in scan_repo(paths, workers=0)]
    valid = [name for name in listed if is_valid_version(name)]
    assert listed == valid + sorted(set(listed) - set(valid))  # rez cannot parse the rest: last, by text
    order = sorted(valid, key=lambda name: (RezVersion(name), name))  # rez's order, ties by text
    assert valid == order


def test_repos_keep_their_order(tmp_path: Path) -> None:
    paths = TREES["s01_multiple_repos"](tmp_path)
    result = scan_repo(list(reversed(paths)), workers=0)
    assert [p.repo for p in result] == sorted((p.repo for p in result), key=paths[::-1].index)


def test_symlinked_repo_lists_realpaths(tmp_path: Path) -> None:
    (path,) = TREES["e08_repo_through_symlink"](tmp_path)
    (package,) = scan_repo(path)
    assert package.path == str(tmp_path / "actual/foo/1.0/package.py")
    assert package.repo == path


def test_rez_benchmark_repository_same_as_rez(rez_listing: Any) -> None:
    from rezsnap.datasets import rez_benchmark

    path = str(rez_benchmark().path)
    ours = scan_repo(path)
    assert len(ours) == 18226 and not ours.problems
    assert _ours(ours) == _rez(rez_listing([path]))
