"""The real ``rez env`` in the configurations studios run (``bench/studio_configs.py``): a
rezconfig file per configuration (``REZ_CONFIG_FILE``), plain rez against rez with the
integration enabled the documented way, on the same tree. Output, exit code and the saved
context must be rez's, and the statistics folder (``REZSNAP_STATS_DIR``) must say that
rezsnap answered every solve."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from statistics import median
from typing import Any

import pytest

pytest.importorskip("rez")

from rezsnap.bench.rez_reference import isolated_rez_environ
from rezsnap.bench.studio_configs import StudioConfig, studio_configs

from rezsnap import build_snapshot
from rezsnap.rez._activation import enabled_for_a_while
from rezsnap.rez._stats import iter_records, summarise

_REZ = str(Path(sys.executable).with_name("rez"))
_ISOLATED = {k: v for k, v in isolated_rez_environ().items() if not k.startswith("REZSNAP_")}


@pytest.fixture(scope="module")
def hook() -> Iterator[None]:
    with enabled_for_a_while():
        yield


@pytest.fixture(scope="module")
def configured(studio_with_snapshot: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, StudioConfig]]:
    studio, _ = studio_with_snapshot(1_500, 4)
    stamps = sorted(p.timestamp for p in studio.packages if p.timestamp)
    configs = studio_configs(studio.path, tmp_path_factory.mktemp("configs"), studio.requests,
                             lambda paths, out: build_snapshot(paths, out, progress=False),
                             moment=int(median(stamps)))
    return studio, {c.name: c for c in configs}


def _rez(config: StudioConfig, args: list[str], stats: Path | None, network: str = "") -> subprocess.CompletedProcess[str]:
    """``network="1"``: as on a network file system (families listed ahead of the solver, the
    resolved definitions loaded by rez's loader on threads)."""
    env = config.environ(_ISOLATED)
    if stats is not None:
        from os import pathsep

        env.update(REZSNAP_SNAPSHOT=pathsep.join(config.snapshots), REZSNAP_REZ_BUDGET="0",
                   REZSNAP_STATS_DIR=str(stats), REZSNAP_NETWORK_FS=network)
    return subprocess.run([_REZ, *args], env=env, check=False, capture_output=True, text=True, timeout=300)


def _same_text(text: str) -> str:
    """rez's output without what differs between two runs: clock times, dates, temporary files."""
    text = re.sub(r"^\d\d:\d\d:\d\d ", "", text, flags=re.MULTILINE)
    text = re.sub(r", on [^,]+, using", ", on DATE, using", text)
    return re.sub(r"/tmp/[^\s'\"]*rez_context[^\s'\"]*", "TMP", text)


CONFIGS = ["local-absent", "local-empty", "local-dev", "two-repos-one-snapshot", "two-repos-snapshot-of-one",
           "two-repos-two-snapshots", "releases-after-snapshot", "time", "paths", "nl"]


@pytest.mark.parametrize(("name", "network"), [(name, "") for name in CONFIGS] + [
    (name, "1") for name in ("local-dev", "two-repos-snapshot-of-one", "releases-after-snapshot")])
def test_rez_env_under_a_studio_configuration(hook: None, configured: tuple[Any, dict[str, StudioConfig]],
                                              name: str, network: str, tmp_path: Path) -> None:
    studio, configs = configured
    config = configs[name]
    requests = studio.requests[::10] + studio.failing_requests[:1]
    if config.changed_families:  # and requests that touch what changed since the snapshot
        requests += [[family] for family in config.changed_families[:3]]
    stats = tmp_path / "stats"
    for request in requests:
        args = ["env", *config.env_args, *request, "--", "printenv", "REZ_USED_RESOLVE"]
        theirs = _rez(config, args, None)
        ours = _rez(config, args, stats, network)
        assert ours.returncode == theirs.returncode, (request, theirs.stderr, ours.stderr)
        assert _same_text(ours.stdout) == _same_text(theirs.stdout), request
        assert _same_text(ours.stderr) == _same_text(theirs.stderr), request
    summary = summarise(str(stats))
    assert summary["processes"] == summary["solves"] == len(requests), summary
    assert summary["answered_by_rezsnap"] == len(requests), summary["rez_reasons"]
    if name in ("local-dev", "two-repos-snapshot-of-one", "releases-after-snapshot"):
        assert summary["live_families"] > 0  # the paths or families no snapshot vouches for
    elif name in ("local-absent", "local-empty", "two-repos-one-snapshot", "two-repos-two-snapshots", "nl"):
        assert summary["live_families"] == 0  # every package from a snapshot


def test_the_developers_package_is_resolved(configured: tuple[Any, dict[str, StudioConfig]], hook: None) -> None:
    """The newer version in ~/packages wins, as in rez; --nl leaves it out."""
    _, configs = configured
    config = configs["local-dev"]
    dev = next((Path(config.home) / "packages").iterdir())
    version = next(dev.iterdir()).name
    for name, expected in (("local-dev", True), ("nl", False)):
        run = _rez(configs[name], ["env", *configs[name].env_args, dev.name, "--", "printenv", "REZ_USED_RESOLVE"],
                   Path(config.home) / "stats")
        assert run.returncode == 0, run.stderr
        assert (f"{dev.name}-{version}" in run.stdout.split()) is expected, run.stdout


def test_failed_solve_context_and_graph_as_rez(hook: None, configured: tuple[Any, dict[str, StudioConfig]],
                                               tmp_path: Path) -> None:
    """A failing request answered by rezsnap: ``rez env -o`` saves rez's context; ``rez context``
    prints it and its failure graph as with plain rez."""
    studio, configs = configured
    config = configs["local-dev"]
    stats = tmp_path / "stats"
    for request in studio.failing_requests[:3]:
        shown = {}
        for side in ("rez", "rezsnap"):
            saved = tmp_path / f"{side}.rxt"
            run = _rez(config, ["env", *request, "-o", str(saved)], stats if side == "rezsnap" else None)
            assert run.returncode != 0
            context = _rez(config, ["context", str(saved)], None)
            graph = _rez(config, ["context", "--print-graph", str(saved)], None)
            shown[side] = (run.returncode, _same_text(run.stdout), _same_text(run.stderr),
                           context.returncode, _same_text(context.stdout.replace(str(saved), "FILE")),
                           graph.returncode, graph.stdout)
        assert shown["rezsnap"] == shown["rez"], request
    summary = summarise(str(stats))
    assert summary["answered_by_rezsnap"] == summary["solves"] == 3, summary


def test_rez_exceptions_as_rez(hook: None, configured: tuple[Any, dict[str, StudioConfig]], tmp_path: Path) -> None:
    """A missing family or version: rez's exception text and exit code, raised by rezsnap."""
    _, configs = configured
    config = configs["two-repos-two-snapshots"]
    stats = tmp_path / "stats"
    for request in (["no_such_family"], ["nuke_png_io-999"]):
        args = ["env", *request, "--", "true"]
        theirs, ours = _rez(config, args, None), _rez(config, args, stats)
        assert ours.returncode == theirs.returncode != 0
        assert _same_text(ours.stderr) == _same_text(theirs.stderr)
    assert [s["answered_by"] for r in iter_records(str(stats)) if r for s in r["solves"]] == ["rezsnap"] * 2


@pytest.mark.parametrize("network", ["", "1"])
def test_filters_and_orderers_from_the_rezconfig_and_the_command_line(
        hook: None, configured: tuple[Any, dict[str, StudioConfig]], tmp_path: Path, network: str) -> None:
    """A studio's rezconfig with ``package_filter`` and ``package_orderers``, and ``rez env
    --exclude``, ``--include``, ``--no-filters``, ``--time``: answered by rezsnap, as rez."""
    from collections import Counter

    from rezsnap.version import Requirement

    studio, configs = configured
    base = configs["local-empty"]
    stamps = sorted(p.timestamp for p in studio.packages if p.timestamp)
    moment = stamps[len(stamps) * 3 // 4]
    names = Counter(Requirement(text).name for request in studio.requests for text in request)
    first, second = (name for name, _ in names.most_common(2))
    versions = sorted({p.version for p in studio.packages if p.name == first}, key=lambda v: [int(x) if x.isdigit()
                                                                                             else x for x in v.split(".")])
    text = Path(base.rezconfig).read_text()
    text += (f"package_filter = [{{'excludes': ['after({moment})'], 'includes': ['{second}*']}}, "
             f"{{'excludes': ['*.beta', 'glob(*-rc*)']}}]\n"
             f"package_orderers = [{{'type': 'version_split', 'first_version': '{versions[len(versions) // 2]}', "
             f"'packages': ['{first}']}}, {{'type': 'sorted', 'descending': False, 'packages': ['{second}']}}]\n")
    rezconfig = tmp_path / "steered.rezconfig.py"
    rezconfig.write_text(text)
    config = StudioConfig("steered", str(rezconfig), base.home, base.snapshots)
    stats = tmp_path / "stats"
    runs = steered = 0
    for extra in ([], ["--exclude", f"{first}-{versions[-1]}"], ["--include", f"{first}-{versions[-1]}"],
                  ["--no-filters"], ["--time", str(stamps[len(stamps) // 2])]):
        for request in studio.requests[::12]:
            args = ["env", *extra, *request, "--", "printenv", "REZ_USED_RESOLVE"]
            theirs, ours = _rez(config, args, None), _rez(config, args, stats, network)
            assert ours.returncode == theirs.returncode, (extra, request, theirs.stderr, ours.stderr)
            assert _same_text(ours.stdout) == _same_text(theirs.stdout), (extra, request)
            assert _same_text(ours.stderr) == _same_text(theirs.stderr), (extra, request)
            runs += 1
            if not extra:
                unsteered = _rez(base, args, None)
                steered += unsteered.stdout != theirs.stdout or unsteered.returncode != theirs.returncode
    summary = summarise(str(stats))
    assert summary["answered_by_rezsnap"] == summary["solves"] == runs, summary["rez_reasons"]
    assert steered  # the rezconfig's filter and orderers changed some resolves
