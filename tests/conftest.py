"""Shared fixtures: real rez as the oracle, run in a subprocess with an isolated config."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from typing import Any

import pytest

# Tests that run rez in this process (the loader fallback) get rez's default
# configuration, whatever the machine's REZ_* settings or ~/.rezconfig say.
from rezsnap.bench.rez_reference import isolated_rez_environ

os.environ.update({k: v for k, v in isolated_rez_environ().items() if k.startswith("REZ_")})
for _name in [k for k in os.environ if k.startswith("REZ_") and k not in ("REZ_CONFIG_FILE",
                                                                           "REZ_DISABLE_HOME_CONFIG")]:
    del os.environ[_name]


# The datasets the tests prepare (148 MB for rez's benchmark repository) go to a temporary
# cache directory, removed at the end, never to the user's ~/.cache (REZSNAP_TEST_CACHE_DIR
# names a directory to keep between runs instead).
_CACHE = os.environ.get("REZSNAP_TEST_CACHE_DIR") or tempfile.mkdtemp(prefix="rezsnap-test-cache-")
os.environ["REZSNAP_CACHE_DIR"] = _CACHE


def pytest_unconfigure(config: pytest.Config) -> None:
    if not os.environ.get("REZSNAP_TEST_CACHE_DIR"):
        shutil.rmtree(_CACHE, ignore_errors=True)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", help="also run the tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def _run_rez_reference(args: Sequence[str]) -> dict[str, Any]:
    """Run ``python -m rezsnap.bench.rez_reference ARGS`` with rez's default config; its JSON."""
    pytest.importorskip("rez", reason="the rez extra is needed for differential tests")
    completed = subprocess.run(
        [sys.executable, "-m", "rezsnap.bench.rez_reference", *args],
        env=_REZ_ENV, capture_output=True, text=True, timeout=600, check=True,
        errors="surrogateescape",
    )
    result: dict[str, Any] = json.loads(completed.stdout)
    return result


_REZ_ENV = isolated_rez_environ()


@pytest.fixture(scope="session")
def rez_listing() -> Callable[[Sequence[str]], dict[str, Any]]:
    """``rez_listing(paths)``: rez 3.4.0's own enumeration of ``paths``, from a fresh process."""
    return lambda paths: _run_rez_reference(["enumerate", *paths])


@pytest.fixture(scope="session")
def rez_loaded() -> Callable[..., dict[str, Any]]:
    """``rez_loaded(paths, families=None)``: rez's loaded data per package URI, from a fresh process."""

    def run(paths: Sequence[str], families: Sequence[str] | None = None) -> dict[str, Any]:
        extra = ["--families", ",".join(families)] if families is not None else []
        return _run_rez_reference(["load", *extra, *paths])

    return run


@pytest.fixture(scope="session")
def rez_bench(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    """The rez benchmark dataset and a snapshot of it, built once per session."""
    from rezsnap.datasets import rez_benchmark

    from rezsnap import build_snapshot

    dataset = rez_benchmark()
    snapshot = tmp_path_factory.mktemp("rez-bench") / "snap.parquet"
    build_snapshot([str(dataset.path)], snapshot, progress=False)
    return dataset, snapshot


@pytest.fixture(scope="session")
def studio_with_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Callable[[int, int], tuple[Any, Any]]:
    """``make(packages, seed)``: a synthetic studio and a snapshot of it, built once per session."""
    from rezsnap.datasets import synthetic_studio

    from rezsnap import build_snapshot

    built: dict[tuple[int, int], tuple[Any, Any]] = {}

    def make(packages: int, seed: int) -> tuple[Any, Any]:
        if (packages, seed) not in built:
            root = tmp_path_factory.mktemp("studio")
            generated = synthetic_studio(root / "packages", packages=packages, seed=seed)
            snapshot = root / "snap.parquet"
            build_snapshot([str(generated.path)], snapshot, progress=False)
            built[packages, seed] = generated, snapshot
        return built[packages, seed]

    return make
