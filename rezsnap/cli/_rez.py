"""``rezsnap rez``: the rez integration switched on or off for this Python's rez."""

from __future__ import annotations

import json
import os
from argparse import Namespace
from typing import TextIO

from ._common import EXIT_OK, UsageError

__all__ = ["rez_command"]


def rez_command(args: Namespace, out: TextIO, err: TextIO) -> int:
    if args.action == "report":
        return _report(args, out)
    if args.folder is not None:
        raise UsageError(f"'rezsnap rez {args.action}' takes no folder")
    from rezsnap.rez import disable, enable, status

    if args.action == "enable":
        snapshots = [part for part in (args.snapshot or "").split(os.pathsep) if part]
        for snapshot in snapshots:
            if not os.path.isfile(snapshot):
                raise UsageError(f"no such snapshot file: {snapshot}")
        state = enable(os.pathsep.join(os.path.abspath(s) for s in snapshots) or None, site=args.site)
    elif args.action == "disable":
        state = disable(site=args.site)
    else:
        state = status(site=args.site)
    if args.json:
        out.write(json.dumps(state.as_dict()) + "\n")
    else:
        word = "enabled" if state.enabled else "disabled"
        snapshot = f" (snapshot: {state.snapshot or '$REZSNAP_SNAPSHOT'})" if state.enabled else ""
        out.write(f"rezsnap rez integration {word}: {state.pth}{snapshot}\n")
    return EXIT_OK


def _report(args: Namespace, out: TextIO) -> int:
    from rezsnap.rez._stats import report_text, summarise

    if args.folder is None:
        raise UsageError("'rezsnap rez report' needs the statistics folder (REZSNAP_STATS_DIR)")
    if not os.path.isdir(args.folder):
        raise UsageError(f"no such folder: {args.folder}")
    summary = summarise(args.folder)
    out.write((json.dumps(summary) if args.json else report_text(summary)) + "\n")
    return EXIT_OK
