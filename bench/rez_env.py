"""``rezsnap bench rez-env``: ``ResolvedContext`` in a fresh process, without and with the
``rezsnap.rez`` patch, on the same requests (what a ``rez env`` costs before the shell)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from typing import Any

from rezsnap.snapshot import build_snapshot

from ._timing import Comparison, Timing, fresh_process
from .rez_reference import isolated_rez_environ, require_rez

__all__ = ["bench_rez_env"]

_CONTEXTS = """
import json, sys
mode, paths, snapshot, requests = json.loads(sys.argv[1])
if mode == "rezsnap":
    import rezsnap.rez
    rezsnap.rez.install(snapshot)
from rez.resolved_context import ResolvedContext
results = []
for request in requests:
    context = ResolvedContext(request, package_paths=paths, add_implicit_packages=False)
    results.append([context.status.name, [v.uri for v in context.resolved_packages or []]])
stats = rezsnap.rez.stats().as_dict() if mode == "rezsnap" else None
print(json.dumps([results, stats]))
"""


def _contexts(mode: str, paths: Sequence[str], snapshot: str, requests: list[list[str]]) -> tuple[float, Any]:
    """Wall seconds of a fresh interpreter that imports what it needs and resolves every request."""
    return fresh_process(_CONTEXTS, [mode, list(paths), snapshot, requests], env=isolated_rez_environ())


def bench_rez_env(paths: Sequence[str], requests: list[list[str]]) -> Comparison:
    require_rez()
    with tempfile.TemporaryDirectory(prefix="rezsnap-bench-") as scratch:
        snapshot = os.path.join(scratch, "snapshot.parquet")
        build_snapshot(list(paths), snapshot, progress=False)
        _contexts("rez", paths, snapshot, requests[:1])  # warm the page cache for both
        rez_s, (rez_results, _) = _contexts("rez", paths, snapshot, requests)
        ours_s, (our_results, stats) = _contexts("rezsnap", paths, snapshot, requests)
    comparison = Comparison(f"rez env: ResolvedContext x {len(requests)}, fresh process each",
                            Timing("rez", (rez_s,)), Timing("rezsnap", (ours_s,)))
    comparison.details.update(
        requests=len(requests), identical=sum(a == b for a, b in zip(rez_results, our_results)),
        fast=stats["fast"], fallbacks=stats["fallbacks"],
    )
    return comparison
