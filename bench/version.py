"""``rezsnap bench version``: rezsnap.version against rez.version on the same inputs."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from rezsnap import version as ours

from ._timing import Comparison, compare
from .rez_reference import require_rez

__all__ = ["bench_version", "sample_versions"]

_TOKENS = ["0", "1", "2", "3", "4", "5", "10", "12", "2024", "rc1", "beta", "m3", "post1", "a", "x86_64"]


def sample_versions(count: int, seed: int = 7) -> list[str]:
    """Realistic version strings (``1.2.3``, ``2024.1``, ``1.0.m3``, ``rc`` tags), deterministic."""
    rng = random.Random(seed)
    result = []
    for _ in range(count):
        parts = [str(rng.randrange(0, 30)) for _ in range(rng.choice([1, 2, 3, 3, 4]))]
        if rng.random() < 0.2:
            parts.append(rng.choice(_TOKENS))
        result.append(".".join(parts))
    return result


def _sample_ranges(count: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    versions = sample_versions(64, seed)
    forms = ["{a}", "{a}+", "{a}+<{b}", ">{a}", "<{b}", "=={a}", "{a}..{b}", "{a}|{b}+"]
    ranges: list[str] = []
    while len(ranges) < count:
        a, b = sorted(rng.sample(versions, 2), key=ours.Version)
        text = rng.choice(forms).format(a=a, b=b)
        try:
            ours.VersionRange(text)
        except ValueError:
            continue
        ranges.append(text)
    return ranges


def bench_version(count: int = 100_000, repeat: int = 5) -> list[Comparison]:
    """Parse ``count`` versions, sort them, and run ``count`` range contains and intersections."""
    require_rez()
    from rez import version as rez

    texts = sample_versions(count)
    range_texts = _sample_ranges(256)
    rng = random.Random(3)
    pairs = [(rng.randrange(256), rng.randrange(256), rng.randrange(count)) for _ in range(count)]
    rez_versions = [rez.Version(t) for t in texts]
    our_versions = [ours.Version(t) for t in texts]
    rez_ranges = [rez.VersionRange(t) for t in range_texts]
    our_ranges = [ours.VersionRange(t) for t in range_texts]

    def contains(ranges: list[Any], versions: list[Any]) -> Callable[[], object]:
        return lambda: [ranges[i].contains_version(versions[k]) for i, _, k in pairs]

    def intersect(ranges: list[Any]) -> Callable[[], object]:
        return lambda: [ranges[i] & ranges[j] for i, j, _ in pairs]

    def fresh(cls: Callable[[str], Any]) -> Callable[[], object]:
        # sort fresh objects each run: keys cached by an earlier run must not count
        return lambda: sorted(cls(t) for t in texts)

    results = [
        compare(f"parse {count:,} versions", lambda: [rez.Version(t) for t in texts],
                lambda: [ours.Version(t) for t in texts], repeat=repeat),
        compare(f"parse + sort {count:,} versions", fresh(rez.Version), fresh(ours.Version), repeat=repeat),
        compare(f"{count:,} range contains", contains(rez_ranges, rez_versions),
                contains(our_ranges, our_versions), repeat=repeat),
        compare(f"{count:,} range intersections", intersect(rez_ranges), intersect(our_ranges),
                repeat=repeat),
    ]
    # Same answers, or the speed means nothing.
    assert [str(v) for v in sorted(rez_versions)] == [str(v) for v in sorted(our_versions)]
    return results
