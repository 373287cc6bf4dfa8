"""``rezsnap demo``: the whole toolkit on a built-in dataset."""

from __future__ import annotations

import json
from argparse import Namespace
from typing import TextIO

from ._common import EXIT_FAILED, EXIT_OK

__all__ = ["demo_command"]


def demo_command(args: Namespace, out: TextIO, err: TextIO) -> int:
    from rezsnap._demo import default_dataset, run_demo

    def show(line: str) -> None:
        if not args.json:
            out.write(line + "\n")
            out.flush()

    summary = run_demo(args.dataset or default_dataset(), requests=args.sample, progress=args.progress,
                       say=lambda text: err.write(f"rezsnap demo: {text}\n"), show=show)
    if args.json:
        out.write(json.dumps(summary.as_dict()) + "\n")
    elif summary.rez == "compared":
        same = sum(s["same_as_rez"] for s in summary.solves)
        rez_total = sum(s["rez_ms"] for s in summary.solves)
        ours_total = sum(s["rezsnap_ms"] for s in summary.solves)
        out.write(f"{same}/{len(summary.solves)} resolves identical to rez; rez {rez_total:.0f} ms, "
                  f"rezsnap {ours_total:.0f} ms (snapshot read included) = {rez_total / ours_total:.0f}x\n")
    else:
        out.write(f"rez: {summary.rez}\n")
    return EXIT_OK if all(s.get("same_as_rez", True) for s in summary.solves) else EXIT_FAILED
