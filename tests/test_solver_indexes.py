"""The solver's precomputed indexes give what the per-variant definitions give (spec D.7).

``Family.dependency_groups`` is read from the requirement texts without loading
variants; a reduction trusts it to skip slices nothing would be removed from, and
tests each group's range by ``Family.variants_inside`` (the bits of the variants of
the versions inside it) against the bits of the requiring scope's slice.
Here every family of the rez benchmark repository and a hand-made family with
merged and conflicting requirements are checked against the loaded variants.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from rezsnap.solver import Repository
from rezsnap.solver._failures import ResolveError
from rezsnap.solver._families import Family

from rezsnap.model import PackageData
from rezsnap.snapshot import read_snapshot


def _loaded_groups(family: Family) -> dict[str, dict[str, int]]:
    """name -> str(requirement) -> mask, from the variants themselves."""
    found: dict[str, dict[str, int]] = {}
    for package in family.packages:
        for variant in family.variants(package):
            for requirement in variant.requires_list.requirements:
                masks = found.setdefault(requirement.name, {})
                key = str(requirement)
                masks[key] = masks.get(key, 0) | variant.bit
    return found


def _indexed_groups(family: Family, names: set[str]) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    for name in names:
        groups = family.dependency_groups(name)
        assert groups is not None, name
        masks = found.setdefault(name, {})
        for requirement, mask in groups:
            key = str(requirement)
            masks[key] = masks.get(key, 0) | mask
    return found


def _check(family: Family) -> None:
    loaded = _loaded_groups(family)
    assert _indexed_groups(family, set(loaded)) == loaded
    assert family.dependency_groups("no-such-family-anywhere") == ()
    bits = [v.bit for p in family.packages for v in family.variants(p)]
    assert len(set(bits)) == len(bits), "every variant of a family has its own bit"


def test_dependency_groups_equal_the_loaded_variants_on_the_benchmark(rez_bench: tuple[Any, Path]) -> None:
    _, snapshot = rez_bench
    repository = Repository.from_snapshot(snapshot)
    names = sorted(set(read_snapshot(snapshot).table.column("family").to_pylist()))
    for name in random.Random(7).sample(names, 300):
        family = repository.family(name)
        if family is not None:
            _check(family)


def test_variants_inside_is_the_versions_inside_the_range(rez_bench: tuple[Any, Path]) -> None:
    _, snapshot = rez_bench
    repository = Repository.from_snapshot(snapshot)
    names = sorted(set(read_snapshot(snapshot).table.column("family").to_pylist()))
    checked = 0
    for name in random.Random(11).sample(names, 200):
        family = repository.family(name)
        if family is None:
            continue
        for required in sorted(family.requires_names()):
            target = repository.family(required)
            groups = family.dependency_groups(required)
            if target is None or not groups:
                continue
            for requirement, _ in groups:
                if requirement.range is None:
                    continue
                expected = 0
                for package in target.packages:
                    if requirement.range.contains_version(package.version):
                        for variant in target.variants(package):
                            expected |= variant.bit
                assert target.variants_inside(requirement.range) == expected, (name, str(requirement))
                assert target.variants_inside(requirement.range) == expected  # the kept answer
                checked += 1
    assert checked > 100


def test_dependency_groups_merge_per_name_and_flag_internal_conflicts() -> None:
    packages = [
        PackageData("tool", "1", ("lib-1+", "py-2"), (("lib-1.2", "os-linux"), ("lib<3", "os-osx"))),
        PackageData("tool", "2", ("lib-1+",), (("py-3",), ("!py-3", "py-2"))),
        PackageData("tool", "3", ("~lib-2",), ()),
        PackageData("tool", "4", ("lib-1+",), (("lib-0.5",), ("lib-2",))),  # variant 0 conflicts
    ]
    family = Repository.from_packages(packages).family("tool")
    assert family is not None
    assert family.dependency_groups("lib") is None  # tool-4[0]: lib-1+ and lib-0.5 cannot merge
    good = Repository.from_packages(packages[:3]).family("tool")
    assert good is not None
    _check(good)
    with pytest.raises(ResolveError, match="internal requirements conflict"):
        _ = family.variants(family.packages[3])[0].requires_list  # fails when loaded, as in rez


def _listed_order(graph: dict[str, set[str]], requested: list[str]) -> list[str]:
    """Spec D.10.3 as rez runs it: a list whose head is emitted once no later entry is
    one of its transitive dependencies (the first such entry moves to the front)."""
    def below(name: str) -> set[str]:
        found: set[str] = set()
        todo = list(graph[name])
        while todo:
            node = todo.pop()
            if node not in found:
                found.add(node)
                todo.extend(graph[node])
        return found

    pending = requested + sorted(set(graph) - set(requested))
    emitted: list[str] = []
    while pending:
        head = pending[0]
        if head in emitted or head not in graph:
            pending.pop(0)
            continue
        deps = below(head)
        for index in range(1, len(pending)):
            if pending[index] in deps and pending[index] not in emitted:
                pending.insert(0, pending.pop(index))
                break
        else:
            emitted.append(head)
            pending.pop(0)
    return emitted


def test_dependency_order_is_rez_list_walk_on_random_acyclic_graphs() -> None:
    from rezsnap.solver._phase import _dependency_order

    rng = random.Random(11)
    for _ in range(2_000):
        names = [f"n{i}" for i in range(rng.randint(1, 25))]
        rng.shuffle(names)
        rank = {name: i for i, name in enumerate(names)}  # edges go down the rank: no cycle
        graph = {name: {other for other in names if rank[other] > rank[name] and rng.random() < 0.2}
                 for name in names}
        requested = rng.sample(names, rng.randint(0, len(names))) + ["!absent"] * (rng.random() < 0.3)
        assert _dependency_order(graph, requested) == _listed_order(graph, requested)
