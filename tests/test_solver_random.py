"""Randomised differential test of the solver against rez's live solver (spec D.16, E.32).

Small generated repositories (tricky version tokens, ranges of every syntax,
weak/conflict/ephemeral requirements, 2-4 variants, cycles, missing families)
and random requests, in both variant select modes: status, ordered result,
ephemerals and failure text must match. 2,000 cases by default, 10,000 with
``--run-slow``.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from rezsnap.solver import Repository

from .solver_oracle import our_result, rez_result, same

pytest.importorskip("rez", reason="the rez extra is needed for differential tests")

VERSIONS = ["1", "1.0", "1.1", "2", "2.0.1", "3.a", "1_0", "10", "2.b1", "0.9"]
RANGES = ["", "-1", "-2+", "<2", "-1+<3", "==1.0", "-1|10", ">1", "<=2", "-1.0..2", "-3.a+", ">=1<10"]


def _requirement(rng: random.Random, names: list[str]) -> str:
    name = rng.choice(names)
    text = name + rng.choice(RANGES)
    roll = rng.random()
    if roll < 0.08:
        return "!" + text
    if roll < 0.16:
        # A bare weak requirement (``~foo``) in a package makes rez's variant sort compare 0
        # with a tuple (spec D.9 caveat): whether rez raises depends on the order in which
        # os.listdir returned the version directories. rezsnap does not model listing order,
        # so such packages are left out here (see README, solver, known differences).
        return "~" + (text if text != name else name + "-1")
    if roll < 0.22:
        return "." + rng.choice(["eek", "foo"]) + rng.choice(["", "-1", "-2+", "<2"])
    return text


def _repository(rng: random.Random, root: Path) -> list[str]:
    count = rng.randint(4, 9)
    names = [f"p{i}" for i in range(count)] + ["missing"] * (rng.random() < 0.3)
    for family in names[:count]:
        for version in rng.sample(VERSIONS, rng.randint(1, 4)):
            requires = [_requirement(rng, [n for n in names if n != family] or names)
                        for _ in range(rng.randint(0, 2))]
            if rng.random() < 0.1:  # sometimes a cycle back to itself through another family
                requires.append(rng.choice(names))
            lines = [f"name = {family!r}", f"version = {version!r}", f"requires = {requires!r}"]
            if rng.random() < 0.4:
                variants = [[_requirement(rng, names)] for _ in range(rng.randint(2, 4))]
                lines.append(f"variants = {variants!r}")
            path = root / family / version / "package.py"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join(lines) + "\n")
    return names[:count]


def _hinted_callback(root: Path) -> Any:
    """A ``load_family(name, version_range)`` that hands over only the versions in range."""
    from rezsnap.bench.callbacks import RangedFamilies
    from rezsnap.parser import load_scanned_package
    from rezsnap.scanner import scan_repo

    loaded = (load_scanned_package(package).data for package in scan_repo([str(root)]))
    return RangedFamilies(data for data in loaded if data is not None).hinted


def _cases(request: pytest.FixtureRequest) -> int:
    return 10_000 if request.config.getoption("--run-slow") else 2_000


def test_random_repositories_solve_like_rez(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    rng = random.Random(20261121)
    total, mismatches, statuses = _cases(request), [], {}
    done = 0
    while done < total:
        root = tmp_path / f"repo{done}"
        names = _repository(rng, root)
        repository = Repository.from_paths([str(root)])  # loads by the solve's version ranges
        hinted = Repository.from_callback(_hinted_callback(root))
        for _ in range(20):
            requests = [_requirement(rng, names) for _ in range(rng.randint(1, 3))]
            mode = rng.choice(["version_priority", "intersection_priority"])
            theirs = rez_result(requests, [str(root)], mode)
            statuses[theirs["status"]] = statuses.get(theirs["status"], 0) + 1
            for source in (repository, hinted):
                ours = our_result(requests, source, mode)
                if not same(ours, theirs):
                    mismatches.append((str(root), requests, mode, ours, theirs))
            done += 1
    assert not mismatches, mismatches[:3]
    assert statuses.get("solved", 0) > total / 4 and statuses.get("failed", 0) > total / 20, statuses
