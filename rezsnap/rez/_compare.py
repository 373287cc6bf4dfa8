"""``rezsnap compare``: rez and rezsnap on the same requests, every difference reported."""

from __future__ import annotations

import difflib
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["OUTCOMES", "CompareReport", "RequestOutcome", "compare", "random_requests"]

#: Per request. ``identical`` and ``both fail`` (same status, same text) agree; a
#: ``failure text differs`` (both fail, with another status or text) is counted apart
#: from the divergences (a resolve that differs, or fails on one side only).
OUTCOMES = ("identical", "divergent", "rezsnap-only failure", "rez-only failure", "both fail",
            "failure text differs")
_AGREE = ("identical", "both fail", "failure text differs")


@dataclass(frozen=True)
class RequestOutcome:
    request: list[str]
    outcome: str
    rez: list[str]  # resolved variant URIs, or [status, failure text]
    rezsnap: list[str]
    diff: str = ""
    rez_ms: float = 0.0
    rezsnap_ms: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class CompareReport:
    outcomes: list[RequestOutcome] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(o.outcome for o in self.outcomes)
        return {name: found[name] for name in OUTCOMES}

    @property
    def diverged(self) -> int:
        return sum(1 for o in self.outcomes if o.outcome not in _AGREE)

    @property
    def text_differences(self) -> int:
        return sum(1 for o in self.outcomes if o.outcome == "failure text differs")

    def as_dict(self) -> dict[str, Any]:
        return {"counts": self.counts, "diverged": self.diverged, "text_differences": self.text_differences,
                "outcomes": [o.as_dict() for o in self.outcomes]}


def random_requests(families: dict[str, list[str]], count: int, *, seed: int = 0) -> list[list[str]]:
    """Requests of one to four families each, drawn from ``{family: versions}``, with a
    range form picked per family (any version, a major, from a version, below one)."""
    rng = random.Random(seed)
    names = sorted(families)
    requests = []
    for _ in range(count):
        request = []
        for name in rng.sample(names, min(len(names), rng.randint(1, 4))):
            versions = [v for v in families[name] if v]
            pick = rng.choice(versions) if versions else ""
            major = pick.split(".")[0]
            forms = [name] + ([f"{name}-{major}", f"{name}-{pick}+", f"{name}<{pick}", f"{name}-{pick}"]
                              if pick else [])
            request.append(rng.choice(forms))
        requests.append(request)
    return requests


def compare(requests: Sequence[Sequence[str]], paths: Sequence[str], snapshot: str,
            progress: Callable[[int], None] | None = None, *, package_filter: Any = None,
            package_orderers: Any = None) -> CompareReport:
    """Solve each request with rez (``rez.solver.Solver`` over ``paths``, as ``rez env``
    does) and with rezsnap (over ``snapshot``), and classify the pair; both with the
    package filter and orderers given (rez's config forms, rez's or rezsnap's objects)."""
    from rezsnap.bench.solve import rez_solve
    from rezsnap.solver import Repository, solve_with
    from rezsnap.solver._filters import package_filter_list
    from rezsnap.solver._orderers import package_order_list

    ours_filter = package_filter_list(package_filter) if package_filter is not None else None
    ours_orderers = package_order_list(package_orderers) if package_orderers is not None else None
    steering = {"package_filter": ours_filter.to_pod() if ours_filter else None,
                "package_orderers": _pod(package_orderers)}
    repository = Repository.from_snapshot(snapshot)
    report = CompareReport()
    for index, request in enumerate(requests):
        start = time.perf_counter()
        try:
            theirs = rez_solve(list(request), paths, **steering)
        except Exception as exc:  # noqa: BLE001  rez raising is an outcome too
            theirs = ("error", [f"{type(exc).__name__}: {exc}"])
        rez_ms = (time.perf_counter() - start) * 1e3
        result = solve_with(repository, list(request), validate_names=False, package_filter=ours_filter or None,
                            package_orderers=ours_orderers or None)
        if result.status == "solved":
            ours = ("solved", [str(v.uri) for v in result.resolved_packages])
        else:
            ours = (result.status, [str(result.failure_description)])
        report.outcomes.append(_classify(list(request), theirs, ours, rez_ms, result.solve_time_ms))
        if progress is not None:
            progress(index + 1)
    return report


def _pod(orderers: Any) -> Any:
    """rez's config form of orderers given in any form (None: none)."""
    if orderers is None or type(orderers) in (list, tuple):  # a rez PackageOrderList is a list subclass
        return orderers
    return orderers.to_pod()


def _classify(request: list[str], theirs: tuple[str, list[str]], ours: tuple[str, list[str]],
              rez_ms: float, rezsnap_ms: float) -> RequestOutcome:
    rez_list = theirs[1] if theirs[0] == "solved" else [theirs[0], *theirs[1]]
    our_list = ours[1] if ours[0] == "solved" else [ours[0], *ours[1]]
    if theirs[0] == ours[0] == "solved":
        outcome = "identical" if theirs[1] == ours[1] else "divergent"
    elif theirs[0] == "solved":
        outcome = "rezsnap-only failure"
    elif ours[0] == "solved":
        outcome = "rez-only failure"
    else:
        outcome = "both fail" if rez_list == our_list else "failure text differs"
    diff = "" if outcome in ("identical", "both fail") else "\n".join(
        difflib.unified_diff(rez_list, our_list, "rez", "rezsnap", lineterm=""))
    return RequestOutcome(request, outcome, rez_list, our_list, diff, rez_ms, rezsnap_ms)
