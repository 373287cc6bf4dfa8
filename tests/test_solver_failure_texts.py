"""Failure texts as rez prints them, against live rez: the exception's class name and message
for an aborted solve, the failure description for a failed one."""

from __future__ import annotations

from pathlib import Path

import pytest
from rezsnap.solver import Repository, solve_with

from .solver_oracle import rez_result

pytest.importorskip("rez", reason="the rez extra is needed for differential tests")

PACKAGES = {
    ("x", "1.0"): "requires = ['a-1', '!a']\n",  # internal conflict, no variants: x-1.0[]
    ("y", "1.0"): "requires = ['b']\nvariants = [['a-1', '!a'], ['c']]\n",  # in variant 0: y-1.0[0]
    ("a", "1"): "", ("b", "1"): "", ("c", "1"): "",
    ("d", "1"): "requires = ['a-2']\n",  # a package that does not exist
    ("e", "1"): "requires = ['nofamily']\n",  # a family that does not exist
}

REQUESTS = [["x"], ["y-1.0", "!c"], ["d"], ["e"], ["nofamily"], ["a-3"], ["a", "!a"], ["b", "c-2"]]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("texts")
    for (family, version), text in PACKAGES.items():
        path = root / family / version / "package.py"
        path.parent.mkdir(parents=True)
        path.write_text(text)
    return str(root)


@pytest.mark.parametrize("request_", REQUESTS, ids=" ".join)
def test_failure_texts_equal_rez(request_: list[str], repo: str) -> None:
    theirs = rez_result(request_, [repo], "version_priority")
    for repository in (Repository.from_paths([repo]),):
        ours = solve_with(repository, request_)
        assert ours.status == theirs["status"], (ours, theirs)
        if theirs["status"] == "error":
            assert ours.failure_description == f"{theirs['exception']}: {theirs['message']}"
        elif theirs["status"] == "failed":
            assert ours.failure_description == theirs["failure"]


def test_the_variant_is_named_as_rez_names_it(repo: str) -> None:
    texts = [solve_with(Repository.from_paths([repo]), r).failure_description for r in (["x"], ["y-1.0", "!c"])]
    assert "x-1.0[] has an internal" in (texts[0] or "") and "y-1.0[0] has an internal" in (texts[1] or "")
    assert Path(repo).is_dir()
