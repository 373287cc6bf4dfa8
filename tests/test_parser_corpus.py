"""The hand-written corpus of tricky package.py files, against rez's loader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rezsnap.parser import ParseStatus, analyse_package_py

from .package_corpus import CORPUS


@pytest.fixture(scope="module")
def corpus_results(tmp_path_factory: pytest.TempPathFactory, rez_loaded: Any) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("corpus")
    for case, (source, _) in CORPUS.items():
        path = root / case / "1.0" / "package.py"
        path.parent.mkdir(parents=True)
        path.write_bytes(source.encode("utf-8", "surrogateescape"))
    theirs = rez_loaded([str(root)])
    return {"root": root, "rez": theirs}


def test_corpus_is_big_enough() -> None:
    assert len(CORPUS) >= 60


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_corpus_case(case: str, corpus_results: dict[str, Any]) -> None:
    _source, expected = CORPUS[case]
    path = corpus_results["root"] / case / "1.0" / "package.py"
    theirs = corpus_results["rez"][str(path)]
    outcome = analyse_package_py(Path(path).read_bytes(), case, "1.0")
    if outcome.status is ParseStatus.STATIC:
        assert outcome.data is not None
        ours = [outcome.data.name, outcome.data.version, list(outcome.data.requires),
                [list(v) for v in outcome.data.variants], outcome.data.timestamp]
        assert ours == theirs, "an accepted file must equal rez (a rez error is never a value)"
    if expected == "static":
        assert outcome.status is ParseStatus.STATIC, outcome.reason
    elif expected == "error":
        assert outcome.status is not ParseStatus.STATIC
        assert isinstance(theirs, str) and theirs.startswith("error"), theirs
    elif expected == "dynamic":
        assert outcome.status in (ParseStatus.DYNAMIC, ParseStatus.LATE), outcome
