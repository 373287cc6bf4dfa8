"""Alternating timing of rez against rezsnap on the same input, in one run."""

from __future__ import annotations

import gc
import json
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Comparison", "Timing", "byte_compile_rezsnap", "compare", "format_comparison", "fresh_process", "process_seconds", "timed", "timed_process"]


@dataclass(frozen=True, slots=True)
class Timing:
    """Wall-clock seconds of repeated runs of one contender."""

    name: str
    seconds: tuple[float, ...]

    @property
    def min(self) -> float:
        return min(self.seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def max(self) -> float:
        return max(self.seconds)

    def summary(self) -> dict[str, Any]:
        return {"name": self.name, "min": self.min, "median": self.median, "max": self.max,
                "runs": list(self.seconds)}


@dataclass(frozen=True, slots=True)
class Comparison:
    """rez against rezsnap on one task; ``ratio`` = rez median / rezsnap median."""

    task: str
    rez: Timing
    rezsnap: Timing
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.rez.median / self.rezsnap.median

    def as_dict(self) -> dict[str, Any]:
        return {"task": self.task, "rez": self.rez.summary(), "rezsnap": self.rezsnap.summary(),
                "ratio": self.ratio, "details": self.details}


def timed(func: Callable[[], object]) -> float:
    """Seconds of one call, after a collection (so that no earlier garbage is charged)."""
    gc.collect()
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def fresh_process(script: str, argument: object, *, env: dict[str, str] | None = None,
                  timeout: float = 7200) -> tuple[float, Any]:
    """Run ``script`` in a new interpreter with ``argument`` as JSON in ``sys.argv[1]``;
    return the wall seconds (interpreter start included) and the JSON its last line printed."""
    start = time.perf_counter()
    completed = subprocess.run([sys.executable, "-c", script, json.dumps(argument)], env=env,
                               capture_output=True, text=True, check=True, timeout=timeout)
    seconds = time.perf_counter() - start
    return seconds, json.loads(completed.stdout.strip().splitlines()[-1])


def process_seconds(argv: list[str], env: dict[str, str] | None = None, timeout: float = 7200) -> float:
    """Wall seconds of one whole process (start to exit, as cron or a user waits for it);
    ``CalledProcessError`` when it fails."""
    seconds, code = timed_process(argv, env, timeout)
    if code != 0:
        raise subprocess.CalledProcessError(code, argv)
    return seconds


def timed_process(argv: list[str], env: dict[str, str] | None = None, timeout: float = 7200,
                  output: str | None = None) -> tuple[float, int]:
    """Wall seconds of one whole process, and its exit code; its standard output is written
    to the file ``output`` (or discarded), its errors are discarded.

    The wait is one blocking ``waitpid``: ``Popen.wait(timeout)`` (and so ``subprocess.run``
    with a timeout) polls, sleeping up to 50 ms between polls, which made a 0.2 s process
    measure 0.22, 0.27 or 0.32 s. A timer kills a process that runs past ``timeout``.
    """
    sink = open(output, "wb") if output is not None else None  # noqa: SIM115  closed below
    try:
        start = time.perf_counter()
        process = subprocess.Popen(argv, env=env, stdout=sink or subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = threading.Timer(timeout, process.kill)
        deadline.start()
        try:
            code = process.wait()
        finally:
            deadline.cancel()
        return time.perf_counter() - start, code
    finally:
        if sink is not None:
            sink.close()


#: Every package of the distribution (each may live in its own folder: see pyproject's package-dir).
_PACKAGES = ("rezsnap", "rezsnap.cli", "rezsnap.version", "rezsnap.snapshot", "rezsnap.rez", "rezsnap.scanner",
             "rezsnap.parser", "rezsnap.solver", "rezsnap.datasets", "rezsnap.bench")


def byte_compile_rezsnap() -> None:
    """Byte-compile rezsnap's modules, as a pip install leaves them: a process timed whole must
    not compile its sources on every start (a checkout run with PYTHONDONTWRITEBYTECODE would)."""
    import compileall
    import importlib

    for package in _PACKAGES:
        for folder in importlib.import_module(package).__path__:
            compileall.compile_dir(folder, maxlevels=0, quiet=1)


def compare(
    task: str,
    rez: Callable[[], object],
    rezsnap: Callable[[], object],
    *,
    repeat: int = 5,
    warmup: int = 1,
    before_each: Callable[[], None] | None = None,
) -> Comparison:
    """Run ``warmup`` untimed rounds, then ``repeat`` rounds of rez then rezsnap, alternating.

    Alternating spreads the drift of a shared machine over both contenders;
    ``before_each`` runs untimed before every single run (e.g. to drop caches).
    """
    rez_times: list[float] = []
    ours: list[float] = []
    for round_index in range(warmup + repeat):
        for func, sink in ((rez, rez_times), (rezsnap, ours)):
            if before_each is not None:
                before_each()
            seconds = timed(func)
            if round_index >= warmup:
                sink.append(seconds)
    return Comparison(task, Timing("rez", tuple(rez_times)), Timing("rezsnap", tuple(ours)))


def format_comparison(comparison: Comparison) -> str:
    rows = [f"{comparison.task}:"]
    for timing in (comparison.rez, comparison.rezsnap):
        rows.append(
            f"  {timing.name:<9} median {timing.median * 1e3:9.2f} ms   "
            f"min {timing.min * 1e3:9.2f} ms   max {timing.max * 1e3:9.2f} ms   "
            f"({len(timing.seconds)} runs)"
        )
    rows.append(f"  ratio    {comparison.ratio:.2f}x ({comparison.rez.name} median / {comparison.rezsnap.name} median)")
    return "\n".join(rows)



