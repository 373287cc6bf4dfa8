"""The rez integration as a studio runs it: rez's real command-line tools in subprocesses,
with the integration turned on the documented way (``rezsnap rez enable`` writes a ``.pth``
into this environment's site-packages, where pip installed rez), against plain rez."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("rez")

from rezsnap.bench.memcached import memcached_binary, private_memcached
from rezsnap.bench.rez_reference import isolated_rez_environ

from rezsnap.cli import main
from rezsnap.rez._activation import enabled_for_a_while

MOMENT = "2000000000"  # a fixed --time: REZ_USED_TIMESTAMP is then the same on both sides
_PRINT_ENV = [sys.executable, "-c", "import json, os; print(json.dumps(dict(os.environ)))"]
_REZ = str(Path(sys.executable).with_name("rez"))


@pytest.fixture(scope="module")
def hook() -> Iterator[None]:
    with enabled_for_a_while():
        yield


# Different on every run of rez itself: the context's temporary files and the shell's start time.
_VOLATILE = ("REZ_CONTEXT_FILE", "REZ_RXT_FILE", "REZ_SHELL_INIT_TIMESTAMP")
_ISOLATED = isolated_rez_environ()


def _env(snapshot: Path | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in _ISOLATED.items() if not k.startswith("REZSNAP_")}
    if snapshot is not None:
        env.update(REZSNAP_SNAPSHOT=str(snapshot), REZSNAP_REZ_BUDGET="0", REZSNAP_STATS="1")
    env.update(extra)
    return env


def _rez(args: list[str], paths: list[str], snapshot: Path | None, **extra: str) -> subprocess.CompletedProcess[str]:
    env = _env(snapshot, REZ_PACKAGES_PATH=os.pathsep.join(paths), **extra)
    return subprocess.run([_REZ, *args], env=env, check=False, capture_output=True, text=True, timeout=300)


def _stats(stderr: str) -> dict[str, Any]:
    lines = [line for line in stderr.splitlines() if line.startswith("rezsnap.rez: ")]
    assert lines, stderr
    return json.loads(lines[-1][len("rezsnap.rez: "):])  # type: ignore[no-any-return]


def _shell_env(stdout: str) -> dict[str, str]:
    env: dict[str, str] = json.loads(stdout.strip().splitlines()[-1])
    return {k: v for k, v in env.items() if not k.startswith("REZSNAP_") and k not in _VOLATILE}


def _requests(rez_bench: tuple[Any, Path]) -> list[list[str]]:
    dataset, _ = rez_bench
    return [r["request"] for r in dataset.resolves if r["status"] == "success"][::40]  # type: ignore[no-any-return]


def test_enable_disable_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    snapshot = tmp_path / "s.parquet"
    snapshot.write_bytes(b"")
    assert main(["rez", "status", "--site", str(tmp_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["enabled"] is False
    assert main(["rez", "enable", "--snapshot", str(snapshot), "--site", str(tmp_path), "--json"]) == 0
    state = json.loads(capsys.readouterr().out)
    assert state["enabled"] is True and state["snapshot"] == str(snapshot)
    assert (tmp_path / "rezsnap-rez.pth").read_text().count("\nimport ") == 1
    assert main(["rez", "disable", "--site", str(tmp_path)]) == 0
    assert "disabled" in capsys.readouterr().out and not (tmp_path / "rezsnap-rez.pth").exists()
    assert main(["rez", "enable", "--snapshot", str(tmp_path / "typo"), "--site", str(tmp_path)]) == 2
    other = tmp_path / "show.parquet"
    other.write_bytes(b"")
    both = os.pathsep.join([str(snapshot), str(other)])  # one snapshot per repository
    assert main(["rez", "enable", "--snapshot", both, "--site", str(tmp_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["snapshot"] == both
    assert main(["rez", "enable", "--snapshot", f"{snapshot}{os.pathsep}{tmp_path / 'typo'}",
                 "--site", str(tmp_path)]) == 2
    assert main(["rez", "status", "extra", "--site", str(tmp_path)]) == 2


def test_a_hook_left_by_a_killed_run_is_removed_by_the_next(tmp_path: Path) -> None:
    """A benchmark or test run killed while it held the hook leaves it enabled; the next one
    that borrows the hook sees that the holder is gone and removes it when done. A hook a
    user enabled, or one a running process holds, is put back as it was."""
    from rezsnap.rez._activation import _holder, _write, enable, status

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    _write(None, str(tmp_path), held_by=int(gone))  # what a killed run leaves
    with enabled_for_a_while(site=str(tmp_path)):
        assert status(site=str(tmp_path)).enabled
    assert not status(site=str(tmp_path)).enabled
    _write(None, str(tmp_path), held_by=os.getpid())  # a holder that still runs
    with enabled_for_a_while(site=str(tmp_path)):
        pass
    assert status(site=str(tmp_path)).enabled  # still that holder's: removed once it is gone
    assert _holder(status(site=str(tmp_path)).pth) == os.getpid()
    snapshot = tmp_path / "s.parquet"
    enable(snapshot, site=str(tmp_path))  # a user's
    with enabled_for_a_while(site=str(tmp_path)):
        assert status(site=str(tmp_path)).snapshot is None
    assert status(site=str(tmp_path)).snapshot == str(snapshot)


@pytest.fixture(scope="module")
def studio(studio_with_snapshot: Any) -> tuple[Any, Path]:
    """Combined families, package.yaml, dynamic files, variants, weak and conflict requests."""
    return studio_with_snapshot(1_500, 4)  # type: ignore[no-any-return]


@pytest.mark.parametrize(("source", "network"), [("rez_bench", ""), ("studio", ""), ("rez_bench", "1"), ("studio", "1")])
def test_rez_env_environment_equals_rez(hook: None, source: str, network: str, request: pytest.FixtureRequest) -> None:
    """``network``: as on a network file system (families listed ahead of the solver, the
    resolved packages' definitions loaded by rez's loader on threads before rez asks)."""
    dataset, snapshot = request.getfixturevalue(source)
    paths = [str(dataset.path)]
    requests = _requests((dataset, snapshot)) if source == "rez_bench" else dataset.requests[::8]
    for one in requests:
        args = ["env", *one, "--time", MOMENT, "--", *_PRINT_ENV]
        theirs = _rez(args, paths, None)
        ours = _rez(args, paths, snapshot, REZSNAP_NETWORK_FS=network, REZSNAP_LOG="DEBUG")
        assert theirs.returncode == ours.returncode == 0, (theirs.stderr, ours.stderr)
        assert _shell_env(ours.stdout) == _shell_env(theirs.stdout), one
        assert _stats(ours.stderr)["fast"] == 1, ours.stderr
        assert ("definitions loaded on threads" in ours.stderr) == bool(network), ours.stderr


def test_saved_context_round_trip(hook: None, rez_bench: tuple[Any, Path], tmp_path: Path) -> None:
    """rez env -o, rez context (text and graph), ResolvedContext.load: as with plain rez; in
    network mode too, where a context that is only saved loads no definitions (plain rez's
    ``-o`` loads none after the solve either), and one read back builds its environment."""
    from rez.resolved_context import ResolvedContext

    dataset, snapshot = rez_bench
    paths = [str(dataset.path)]
    request = _requests(rez_bench)[1]
    saved = {}
    for side, source, network in (("rez", None, ""), ("rezsnap", snapshot, ""), ("network", snapshot, "1")):
        context_file = tmp_path / f"{side}.rxt"
        run = _rez(["env", *request, "--time", MOMENT, "-o", str(context_file)], paths, source,
                   REZSNAP_NETWORK_FS=network, REZSNAP_LOG="DEBUG")
        assert run.returncode == 0, run.stderr
        assert "definitions loaded on threads" not in run.stderr
        shown = _rez(["context", str(context_file)], paths, None)
        graph = _rez(["context", "--print-graph", str(context_file)], paths, None)
        assert shown.returncode == graph.returncode == 0, (shown.stderr, graph.stderr)
        loaded = ResolvedContext.load(str(context_file))
        text = _undated(shown.stdout.replace(str(context_file), "FILE"))
        saved[side] = (text, graph.stdout,
                       [v.uri for v in loaded.resolved_packages])
        if source is not None:
            assert _stats(run.stderr)["fast"] == 1
    assert saved["rezsnap"] == saved["rez"] == saved["network"]


def test_failing_request_prints_rez_text_and_code(hook: None, rez_bench: tuple[Any, Path], tmp_path: Path) -> None:
    """Answered by rezsnap: rez's output, exit code, saved context and failure graph; rez's
    exception (a missing family) raised as rez raises it."""
    dataset, snapshot = rez_bench
    paths = [str(dataset.path)]
    failing = next(r["request"] for r in dataset.resolves if r["status"] != "success")
    for request in (failing, ["no_such_family_at_all"]):
        args = ["env", *request, "--time", MOMENT, "--", "true"]
        theirs = _rez(args, paths, None)
        ours = _rez(args, paths, snapshot)
        assert ours.returncode == theirs.returncode != 0
        assert _undated(ours.stdout) == _undated(theirs.stdout)
        assert _log_text(ours.stderr) == _log_text(theirs.stderr)
        assert _stats(ours.stderr)["fast"] == 1, ours.stderr
    saved = {}
    for side, source in (("rez", None), ("rezsnap", snapshot)):
        context_file = tmp_path / f"{side}.rxt"
        run = _rez(["env", *failing, "--time", MOMENT, "-o", str(context_file)], paths, source)
        shown = _rez(["context", str(context_file)], paths, None)
        graph = _rez(["context", "--print-graph", str(context_file)], paths, None)
        saved[side] = (run.returncode, _undated(shown.stdout.replace(str(context_file), "FILE")), shown.returncode,
                       graph.stdout, graph.returncode)
    assert saved["rezsnap"] == saved["rez"]


def _log_text(stderr: str) -> list[str]:
    """rez's messages without the clock time its log lines start with, and without rezsnap's counters."""
    return [_undated(re.sub(r"^\d\d:\d\d:\d\d ", "", line)) for line in stderr.splitlines()
            if not line.startswith("rezsnap.rez: ")]


def _undated(text: str) -> str:
    """rez's "resolved by USER, on DATE, using Rez v3.4.0" says when it ran."""
    return re.sub(r", on [^,]+, using", ", on DATE, using", text)


def test_graph_equals_rez_graph(rez_bench: tuple[Any, Path]) -> None:
    """context.graph() of a fast solve is the graph rez's solver draws: same nodes, edges, attributes."""
    from rez.solver import Solver
    from rez.utils.graph_utils import write_compacted
    from rez.version import Requirement
    from rezsnap.solver import Repository, solve_with

    from rezsnap.rez._graph import rez_graph

    dataset, snapshot = rez_bench
    repository = Repository.from_snapshot(snapshot)
    solved = [r["request"] for r in dataset.resolves if r["status"] == "success"][::6]
    for request in solved:
        rez_solver = Solver([Requirement(r) for r in request], [str(dataset.path)], prune_unfailed=True)
        rez_solver.solve()
        result = solve_with(repository, request, validate_names=False, graph=True)
        assert result.graph is not None
        ours = rez_graph(result.graph, [Requirement(r) for r in request])
        assert write_compacted(ours) == write_compacted(rez_solver.get_graph()), request


# --- memcached ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def memcached() -> Iterator[str]:
    if memcached_binary() is None:
        pytest.skip("no memcached binary (.ci/run installs the Debian package)")
    with private_memcached() as address:
        yield address


@pytest.mark.parametrize(("which", "network"), [(2, ""), (3, "1")])
def test_memcached_stores_and_serves_a_rezsnap_solve(hook: None, memcached: str, rez_bench: tuple[Any, Path],
                                                     which: int, network: str) -> None:
    """rez's resolve cache sits in front of the patched solve: the first run is solved by
    rezsnap and cached, the repeat comes from memcached (no solve at all), both as rez.
    ``network``: as on a network file system, where rez's loader runs on threads (its package
    files cached in memcached too) before rez asks."""
    dataset, snapshot = rez_bench
    paths = [str(dataset.path)]
    request = _requests(rez_bench)[which]  # each case its own request: the cache is shared
    args = ["env", *request, "--", *_PRINT_ENV]
    cache = {"REZ_MEMCACHED_URI": memcached, "REZ_RESOLVE_CACHING": "1", "REZSNAP_NETWORK_FS": network}
    plain = _rez(args, paths, None)
    first = _rez(args, paths, snapshot, **cache)
    repeat = _rez(args, paths, snapshot, **cache)
    for run in (plain, first, repeat):
        assert run.returncode == 0, run.stderr
    assert _stats(first.stderr)["fast"] == 1
    # served by the cache: rez never called its solve, so the integration was never even imported
    assert "rezsnap.rez: " not in repeat.stderr
    ignored = ("REZ_USED_TIMESTAMP", "REZ_MEMCACHED_URI", "REZ_RESOLVE_CACHING")  # the cache settings themselves
    environments = [{k: v for k, v in _shell_env(run.stdout).items() if k not in ignored}
                    for run in (plain, first, repeat)]
    assert environments[0] == environments[1] == environments[2]


_AFTER_A_SEARCH = """
import json, sys
import rez.packages, rez.resolver
list(rez.packages.iter_packages("chest"))
print(json.dumps([sorted(m for m in sys.modules if m.startswith(("rezsnap", "pyarrow", "numpy"))),
                  getattr(rez.resolver.Resolver._solve, "_rezsnap_trampoline", False)]))
"""


def test_activation_imports_nothing_until_a_solve(hook: None, rez_bench: tuple[Any, Path]) -> None:
    """A rez command that solves nothing pays for one small standard-library module."""
    dataset, snapshot = rez_bench
    env = _env(snapshot, REZ_PACKAGES_PATH=str(dataset.path))
    run = subprocess.run([sys.executable, "-c", _AFTER_A_SEARCH], env=env, check=False, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    modules, armed = json.loads(run.stdout)
    assert armed  # rez's resolver is patched, lazily
    assert modules == ["rezsnap", "rezsnap._lazy", "rezsnap.rez", "rezsnap.rez._startup"]
    disabled = subprocess.run([sys.executable, "-c", _AFTER_A_SEARCH], env={**env, "REZSNAP_DISABLE": "1"}, check=False,
                              capture_output=True, text=True, timeout=120)
    assert json.loads(disabled.stdout)[1] is False


def test_an_answered_rez_env_imports_no_pyarrow(hook: None, rez_bench: tuple[Any, Path]) -> None:
    """The integration reads the snapshot's solve index: a ``rez env`` that rezsnap answers
    imports neither pyarrow nor numpy (about 0.3 s of every process)."""
    dataset, snapshot = rez_bench
    env = _env(snapshot, REZ_PACKAGES_PATH=str(dataset.path))
    run = subprocess.run([sys.executable, "-X", "importtime", _REZ, "env", *_requests(rez_bench)[0], "--", "true"],
                         env=env, check=False, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert _stats(run.stderr)["fast"] == 1, run.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines() if line.startswith("import time:")}
    assert "rezsnap.solver._layered" in imported
    assert [name for name in ("pyarrow", "numpy", "pandas") if name in imported] == []
