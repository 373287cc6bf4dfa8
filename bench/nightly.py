"""``rezsnap bench nightly``: the nightly job as cron runs it, whole processes, against rez.

Every contender is a fresh interpreter, timed from start to exit as a user or cron waits
for it: ``rezsnap snapshot`` (a full build, then a no-change refresh with ``--previous``)
and ``rezsnap scan --json``, against one Python process that enumerates, loads and
stringifies every package with rez, and one that only enumerates them; and the library
calls a user's own script makes, ``rezsnap.build_snapshot(...)`` and ``rezsnap.scan_repo(...)``
in a fresh ``python -c`` (whatever it has installed: pandas, numpy). Rounds alternate the
contenders, after a warm-up round; rezsnap's modules are byte-compiled first, as a pip
install leaves them.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Sequence

from ._timing import Comparison, Timing, byte_compile_rezsnap, process_seconds
from .rez_reference import isolated_rez_environ, require_rez

__all__ = ["bench_nightly"]

#: A user's script that builds a snapshot with the library (``python -c _API_BUILD OUTPUT PATH...``)
_API_BUILD = "import rezsnap, sys; rezsnap.build_snapshot(sys.argv[2:], sys.argv[1], progress=False)"


def bench_nightly(paths: Sequence[str], *, repeat: int = 3) -> list[Comparison]:
    require_rez()
    byte_compile_rezsnap()
    paths = list(paths)
    env = isolated_rez_environ(os.environ)
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="rezsnap-nightly-") as scratch:
        output = os.path.join(scratch, "packages.parquet")
        api_output = os.path.join(scratch, "api.parquet")  # replaced by each full build

        def full() -> float:
            for name in (output, output + ".index"):  # a full build: nothing to refresh from
                if os.path.exists(name):
                    os.remove(name)
            return process_seconds([python, "-m", "rezsnap", "snapshot", "--paths", *paths, "-o", output,
                             "--no-progress"], env)

        contenders: dict[str, Callable[[], float]] = {
            "rez_load": lambda: process_seconds([python, "-m", "rezsnap.bench.rez_reference", "load", *paths], env),
            "full": full,
            "refresh": lambda: process_seconds([python, "-m", "rezsnap", "snapshot", "--paths", *paths, "-o", output,
                                         "--previous", output, "--no-progress"], env),
            "rez_enumerate": lambda: process_seconds([python, "-m", "rezsnap.bench.rez_reference", "enumerate", *paths],
                                              env),
            "scan": lambda: process_seconds([python, "-m", "rezsnap", "scan", "--json", "--paths", *paths], env),
            "api_build": lambda: process_seconds([python, "-c", _API_BUILD, api_output, *paths], env),
            "api_scan": lambda: process_seconds([python, "-c", "import rezsnap, sys; rezsnap.scan_repo(sys.argv[1:])",
                                                 *paths], env),
        }
        times: dict[str, list[float]] = {name: [] for name in contenders}
        for round_index in range(1 + repeat):
            for name, run in contenders.items():
                seconds = run()
                if round_index:  # the first round warms the page cache
                    times[name].append(seconds)
    full_build = Comparison("snapshot, whole process: rez enumerate + load vs a full 'rezsnap snapshot'",
                            Timing("rez", tuple(times["rez_load"])), Timing("rezsnap", tuple(times["full"])))
    refresh = Comparison("snapshot, whole process: a full 'rezsnap snapshot' vs a no-change refresh",
                         Timing("full", tuple(times["full"])), Timing("refresh", tuple(times["refresh"])))
    scan = Comparison("scan, whole process: rez's enumeration vs 'rezsnap scan --json'",
                      Timing("rez", tuple(times["rez_enumerate"])), Timing("rezsnap", tuple(times["scan"])))
    refresh.details["refresh_share_of_full_process"] = refresh.rezsnap.median / refresh.rez.median
    api_build = Comparison("snapshot, whole process: rez enumerate + load vs rezsnap.build_snapshot() in 'python -c'",
                           Timing("rez", tuple(times["rez_load"])), Timing("rezsnap", tuple(times["api_build"])))
    api_scan = Comparison("scan, whole process: rez's enumeration vs rezsnap.scan_repo() in 'python -c'",
                          Timing("rez", tuple(times["rez_enumerate"])), Timing("rezsnap", tuple(times["api_scan"])))
    return [full_build, refresh, scan, api_build, api_scan]
