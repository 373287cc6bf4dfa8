"""``solve(package_paths=..., snapshot=...)``: rez's package paths as rez reads them now, the
snapshots answering for the paths they cover. rez's live solver over the same paths is the
oracle: random pairs of repositories with the same family names (rez merges a family over
the paths: the union of versions, the earliest path winning a whole package), a snapshot
of one, of the other, of both, then edits and releases after the snapshots."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

pytest.importorskip("rez", reason="the rez extra is needed for differential tests")

from rezsnap.solver import Repository
from rezsnap.solver._layered import snapshot_rows

from rezsnap import build_snapshot, solve

from .solver_oracle import our_result, rez_result, same
from .test_solver_random import _repository, _requirement


def test_random_repository_pairs_with_snapshots_solve_like_rez(tmp_path: Path) -> None:
    rng = random.Random(20261206)
    mismatches, compared, live, ahead = [], 0, 0, 0
    for index in range(12):
        first, second = tmp_path / f"a{index}", tmp_path / f"b{index}"
        names = sorted(set(_repository(rng, first)) | set(_repository(rng, second)))
        snapshots = {}
        for root in (first, second):
            snapshots[root] = tmp_path / f"{root.name}.parquet"
            build_snapshot([str(root)], snapshots[root], progress=False)
        if index % 3 == 2:  # a day of releases: edits and a new version after the snapshots
            edited = next(first.glob("*/*/package.py"))
            edited.write_text(edited.read_text() + "\n# edited\n")
            new = second / names[0] / "7" / "package.py"
            new.parent.mkdir(parents=True, exist_ok=True)
            new.write_text(f"name = {names[0]!r}\nversion = '7'\n")
        paths = [str(second), str(tmp_path / "missing"), str(first)]
        sources = [[snapshot_rows(snapshots[first])], [snapshot_rows(snapshots[second])],
                   [snapshot_rows(snapshots[first]), snapshot_rows(snapshots[second])], []]
        for _ in range(12):
            requests = [_requirement(rng, names) for _ in range(rng.randint(1, 3))]
            mode = rng.choice(["version_priority", "intersection_priority"])
            theirs = rez_result(requests, paths, mode)
            for covering, network in ((c, n) for c in sources for n in (None, True)):
                # network: as on a network file system, the families listed ahead of the solver on threads
                repository = Repository.from_paths(paths, snapshots=covering, slow_file_system=network)
                ours = our_result(requests, repository, mode)
                if not same(ours, theirs):
                    mismatches.append((paths, requests, mode, len(covering), network, ours, theirs))
                ahead += len(repository._range_loader._ahead)  # type: ignore[attr-defined]
                if theirs["status"] == "error" and "not found" in theirs["message"]:
                    assert ours["message"].endswith(theirs["message"]), (ours, theirs)  # names the searched paths
                live += len(repository.live_families)
            compared += 1
    assert not mismatches, mismatches[:3]
    assert compared == 144 and live > 0 and ahead > 0


def test_what_the_snapshots_vouch_for_is_not_read(tmp_path: Path) -> None:
    for root, version in ((tmp_path / "a", "1"), (tmp_path / "b", "2")):
        path = root / "lib" / version / "package.py"
        path.parent.mkdir(parents=True)
        path.write_text(f"name = 'lib'\nversion = '{version}'\n")
    snapshots = []
    for root in ("a", "b"):
        snapshots.append(tmp_path / f"{root}.parquet")
        build_snapshot([str(tmp_path / root)], snapshots[-1], progress=False)
    paths = [str(tmp_path / "a"), str(tmp_path / "b")]
    both = Repository.from_paths(paths, snapshots=[snapshot_rows(s) for s in snapshots])
    assert [v.qualified_name for v in solve(["lib"], snapshot=both).resolved_packages] == ["lib-2[]"]
    assert both.live_families == set()
    one = Repository.from_paths(paths, snapshots=[snapshot_rows(snapshots[0])])
    assert solve(["lib-1"], snapshot=one).status == "solved" and one.live_families == set()  # b: nothing in range
    assert solve(["lib"], snapshot=one).status == "solved" and one.live_families == {"lib"}
    # the API: paths with one snapshot or several
    assert solve(["lib"], package_paths=paths, snapshot=snapshots).resolved[0][:2] == ("lib", "2")
    assert solve(["lib"], package_paths=paths, snapshot=str(snapshots[1])).status == "solved"
    with pytest.raises(TypeError):
        solve(["lib"], package_paths=paths, snapshot=Repository.from_snapshot(snapshots[0]))
