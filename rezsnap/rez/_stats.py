"""What a studio sees: one JSON file per ``rez`` process that solved, and their summary.

``REZSNAP_STATS_DIR=FOLDER`` makes every process with the integration write, when it exits,
one file ``FOLDER/<host>-<pid>-<time>-<random>.json`` with its solves (requests, answered
by rezsnap or by rez and why, families read live, seconds). The folder is usually shared
(NFS) by hundreds of processes on many hosts: appends from several NFS clients are not
atomic, so nothing is appended and nothing is locked. Each process writes its own file
under a temporary name (a dot file, which readers skip) and renames it into place: a
rename in one folder is atomic, also on NFS, so a reader sees a whole file or none.

``rezsnap rez report FOLDER`` (``summarise``) reads them all: the share rezsnap answered,
rez's answers by reason, the families read live, the seconds.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["RECORD_VERSION", "SolveRecorder", "iter_records", "report_text", "summarise"]

RECORD_VERSION = 1


class SolveRecorder:
    """Collects this process's solves; ``flush()`` writes them (at exit) as one file."""

    def __init__(self, folder: str, *, host: str | None = None, clock: Callable[[], float] = time.time) -> None:
        self.folder = folder
        self.host = host or socket.gethostname()
        self.solves: list[dict[str, Any]] = []
        self._clock = clock

    def __call__(self, requests: list[str], answered_by: str, reason: str | None, live_families: int,
                 seconds: float) -> None:
        self.solves.append({"requests": requests, "answered_by": answered_by, "reason": reason,
                            "live_families": live_families, "seconds": round(seconds, 6)})

    def flush(self) -> str | None:
        """Write the record (None when nothing was solved, or it could not be written: a
        statistics folder must never fail a ``rez env``)."""
        if not self.solves:
            return None
        host = self.host
        now = self._clock()
        name = f"{_safe(host)}-{os.getpid()}-{int(now * 1e6)}-{os.urandom(4).hex()}.json"
        record = {"version": RECORD_VERSION, "host": host, "pid": os.getpid(), "time": now,
                  "user": os.environ.get("USER") or os.environ.get("USERNAME") or "", "solves": self.solves}
        final = os.path.join(self.folder, name)
        temporary = os.path.join(self.folder, f".{name}.tmp")
        try:
            os.makedirs(self.folder, exist_ok=True)
            with open(temporary, "w", encoding="utf-8") as sink:
                json.dump(record, sink)
            os.rename(temporary, final)
        except OSError:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            return None
        self.solves = []
        return final


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "._" else "_" for c in text) or "host"


def iter_records(folder: str) -> Iterator[dict[str, Any] | None]:
    """Each record of ``folder`` (None for a file that is not one: damaged, foreign)."""
    try:
        names = sorted(os.listdir(folder))
    except OSError as exc:
        raise FileNotFoundError(f"cannot read the statistics folder {folder}: {exc.strerror or exc}") from None
    for name in names:
        if name.startswith(".") or not name.endswith(".json"):
            continue
        try:
            with open(os.path.join(folder, name), encoding="utf-8") as source:
                record = json.load(source)
        except (OSError, ValueError):
            yield None
            continue
        if not isinstance(record, dict) or not isinstance(record.get("solves"), list):
            yield None
            continue
        yield record


def summarise(folder: str) -> dict[str, Any]:
    """The hit rate across a statistics folder's records."""
    processes = unreadable = 0
    hosts: set[str] = set()
    answered: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    seconds: dict[str, list[float]] = {"rezsnap": [], "rez": []}
    live = 0
    for record in iter_records(folder):
        if record is None:
            unreadable += 1
            continue
        processes += 1
        hosts.add(str(record.get("host", "")))
        for solve in record["solves"]:
            if not isinstance(solve, dict):
                continue
            by = "rezsnap" if solve.get("answered_by") == "rezsnap" else "rez"
            answered[by] += 1
            if by == "rez":
                reasons[str(solve.get("reason"))] += 1
            live += int(solve.get("live_families") or 0)
            seconds[by].append(float(solve.get("seconds") or 0.0))
    solves = sum(answered.values())
    return {
        "processes": processes,
        "hosts": len(hosts),
        "unreadable_files": unreadable,
        "solves": solves,
        "answered_by_rezsnap": answered["rezsnap"],
        "answered_by_rez": answered["rez"],
        "rezsnap_share": answered["rezsnap"] / solves if solves else 0.0,
        "rez_reasons": dict(reasons.most_common()),
        "live_families": live,
        "seconds": {by: _timing(values) for by, values in seconds.items()},
    }


def _timing(values: list[float]) -> dict[str, float]:
    if not values:
        return {"total": 0.0, "mean": 0.0, "median": 0.0}
    ordered = sorted(values)
    return {"total": round(sum(ordered), 6), "mean": round(sum(ordered) / len(ordered), 6),
            "median": ordered[len(ordered) // 2]}


def report_text(summary: dict[str, Any]) -> str:
    """The summary as a person reads it."""
    lines = [
        f"{summary['solves']} solves in {summary['processes']} processes on {summary['hosts']} hosts",
        (f"answered by rezsnap: {summary['answered_by_rezsnap']} ({summary['rezsnap_share']:.1%}), "
         f"by rez: {summary['answered_by_rez']}"),
    ]
    for reason, count in summary["rez_reasons"].items():
        lines.append(f"  rez: {count:6d}  {reason}")
    lines.append(f"families read live: {summary['live_families']}")
    for by, timing in summary["seconds"].items():
        lines.append(f"seconds solving, {by}: total {timing['total']:.3f}, mean {timing['mean']:.4f}, "
                     f"median {timing['median']:.4f}")
    if summary["unreadable_files"]:
        lines.append(f"files that are not records (skipped): {summary['unreadable_files']}")
    return "\n".join(lines)
