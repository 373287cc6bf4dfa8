"""rezsnap.version against rez.version (spec rez-solver.md A-C), case for case.

The default run checks a bounded sample (``DEFAULT_CASES`` per type); with
``--run-slow`` every randomised test runs ``FULL_CASES`` (100,000) cases.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from rezsnap import version as ours

from . import version_cases as cases

rez_version = pytest.importorskip("rez.version", reason="the rez extra is needed")

DEFAULT_CASES = 3_000
FULL_CASES = 100_000


@pytest.fixture
def n_cases(request: pytest.FixtureRequest) -> int:
    return FULL_CASES if request.config.getoption("--run-slow") else DEFAULT_CASES


def outcome(func: Callable[[], Any]) -> Any:
    """The result as comparable text, or 'error' when it raises a ValueError (rez: VersionError)."""
    try:
        result = func()
    except (ValueError, rez_version.VersionError):
        return "error"
    if isinstance(result, bool) or result is None:
        return result
    return str(result)


def test_from_versions_like_rez() -> None:
    rng = random.Random(5)
    for _ in range(500):
        texts = [cases.version(rng, True) for _ in range(rng.randrange(1, 6))]
        mine = ours.VersionRange.from_versions(map(ours.Version, texts))
        theirs = rez_version.VersionRange.from_versions(map(rez_version.Version, texts))
        assert str(mine) == str(theirs), texts


def test_benchmark_version_names_sort_like_rez() -> None:
    """Every distinct version directory name of the rez benchmark repository (spec A.4)."""
    from rezsnap.datasets import rez_benchmark

    names = sorted({p.name for family in rez_benchmark().path.iterdir() for p in family.iterdir()})
    assert len(names) > 7000
    rez_sorted = sorted(names, key=rez_version.Version)
    assert sorted(names, key=ours.Version) == rez_sorted
    assert sorted(names, key=lambda name: ours.Version(name).packed_key) == rez_sorted  # what bounds compare


def test_random_versions_compare_like_rez(n_cases: int) -> None:
    rng = random.Random(20261121)
    for _ in range(n_cases):
        a, b = cases.version(rng, True), cases.version(rng, True)
        ra, rb = rez_version.Version(a), rez_version.Version(b)
        oa, ob = ours.Version(a), ours.Version(b)
        assert (oa < ob, oa == ob, oa > ob) == (ra < rb, ra == rb, ra > rb), (a, b)
        pa, pb = oa.packed_key, ob.packed_key
        assert (pa < pb, pa == pb, pa > pb) == (ra < rb, ra == rb, ra > rb), (a, b)
        assert (hash(oa) == hash(ob)) == (hash(ra) == hash(rb)), (a, b)
        assert str(oa) == str(ra) and str(oa.next()) == str(ra.next()), a


def test_random_ranges_like_rez(n_cases: int) -> None:
    rng = random.Random(1121)
    for _ in range(n_cases):
        text, other_text = cases.range_text(rng), cases.range_text(rng)
        assert outcome(lambda: ours.VersionRange(text)) == outcome(lambda: rez_version.VersionRange(text)), text
        try:
            a, b = ours.VersionRange(text), ours.VersionRange(other_text)
        except ValueError:
            continue
        ra, rb = rez_version.VersionRange(text), rez_version.VersionRange(other_text)
        v = cases.version(rng, True)
        checks: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
            ("|", lambda: a | b, lambda: ra | rb),
            ("&", lambda: a & b, lambda: ra & rb),
            ("-", lambda: a - b, lambda: ra - rb),
            ("~", lambda: ~a, lambda: ~ra),
            ("superset", lambda: a.issuperset(b), lambda: ra.issuperset(rb)),
            ("intersects", lambda: a.intersects(b), lambda: ra.intersects(rb)),
            ("contains", lambda: ours.Version(v) in a, lambda: rez_version.Version(v) in ra),
            ("is_any", a.is_any, ra.is_any),
            ("==", lambda: a == b, lambda: ra == rb),
            ("span", a.span, ra.span),
            ("split", lambda: "/".join(map(str, a.split())), lambda: "/".join(map(str, ra.split()))),
            ("to_versions", lambda: a.to_versions() and " ".join(map(str, a.to_versions() or [])),
             lambda: ra.to_versions() and " ".join(map(str, ra.to_versions() or []))),
            ("bounded", lambda: (a.lower_bounded(), a.upper_bounded(), a.bounded()),
             lambda: (ra.lower_bounded(), ra.upper_bounded(), ra.bounded())),
        ]
        for op, mine, theirs in checks:
            assert outcome(mine) == outcome(theirs), (text, op, other_text, v)


def test_random_requirements_like_rez(n_cases: int) -> None:
    rng = random.Random(4)
    for _ in range(n_cases):
        texts = [cases.requirement_text(rng) for _ in range(rng.choice([2, 3, 4]))]
        mine, theirs = [], []
        for text in texts:
            m = outcome(lambda: ours.Requirement(text))
            assert m == outcome(lambda: rez_version.Requirement(text)), text
            if m != "error":
                mine.append(ours.Requirement(text))
                theirs.append(rez_version.Requirement(text))
                # the name alone (the solver's listing ahead follows it), without the range
                assert ours.requirement_name(text) == rez_version.Requirement(text).name, text
        if len(mine) < 2:
            continue
        a, b, ra, rb = mine[0], mine[1], theirs[0], theirs[1]
        assert outcome(lambda: a.conflicts_with(b)) == outcome(lambda: ra.conflicts_with(rb)), texts
        assert outcome(lambda: a.merged(b)) == outcome(lambda: ra.merged(rb)), texts
        v = cases.version(rng, True)
        versioned = rez_version.VersionedObject.construct(a.name, rez_version.Version(v))
        assert a.conflicts_with_version(ours.Version(v)) == ra.conflicts_with(versioned), (texts, v)
        assert (a == b) == (ra == rb), texts
        mine_list, their_list = ours.RequirementList(mine), rez_version.RequirementList(theirs)
        assert str(mine_list) == str(their_list), texts
        assert (mine_list.names, mine_list.conflict_names) == (their_list.names, their_list.conflict_names)
