"""Regenerate ``data/rez-benchmark-resolves-rez-3.4.0.json.gz`` with rez itself.

``python -m rezsnap.datasets.record_resolves [OUTPUT]`` runs rez's ``ResolvedContext``
on each of the rez benchmark's 188 requests (rez's default configuration, no implicit
packages) and writes, per request: the request, the status, the ordered resolved
variants as URIs relative to the repository, and the failure text. Takes several
minutes (rez needs about 2.4 s per request here).
"""

from __future__ import annotations

import gzip
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._rez_benchmark import rez_benchmark

__all__ = ["record_resolves"]


def record_resolves() -> list[dict[str, Any]]:
    from rez.resolved_context import ResolvedContext

    dataset = rez_benchmark()
    root = str(dataset.path) + os.sep
    records = []
    for request in dataset.requests:
        start = time.perf_counter()
        context = ResolvedContext(request, package_paths=[str(dataset.path)], add_implicit_packages=False)
        record: dict[str, Any] = {"request": request, "resolve_time": time.perf_counter() - start}
        if context.success:
            record["status"] = "success"
            record["resolved_packages"] = [
                v.uri.removeprefix(root) for v in context.resolved_packages or []
            ]
        else:
            record["status"] = "failed"
            record["failure"] = context.failure_description
        records.append(record)
    return records


def main(argv: Sequence[str]) -> int:
    from rezsnap.bench.rez_reference import isolated_rez_environ

    if os.environ.get("REZSNAP_REZ_ISOLATED") != "1":
        # rez reads its configuration at import: re-run with rez's default configuration only
        env = {**isolated_rez_environ(), "REZSNAP_REZ_ISOLATED": "1"}
        os.execve(sys.executable, [sys.executable, "-m", "rezsnap.datasets.record_resolves", *argv], env)
    output = Path(argv[0]) if argv else Path(__file__).parent / "data" / "rez-benchmark-resolves-rez-3.4.0.json.gz"
    with gzip.open(output, "wt") as handle:
        json.dump(record_resolves(), handle)
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
