"""``rezsnap rez``: the rez integration switched on or off for this Python's rez."""

from __future__ import annotations

import json
import os
from argparse import Namespace
from typing import TextIO

from ._common import EXIT_OK, UsageError

__all__ = ["rez_command"]


def rez_command(args: Namespace, out: TextIO, err: TextIO) -> int:
    from rezsnap.rez import disable, enable, status

    if args.action == "enable":
        if args.snapshot and not os.path.isfile(args.snapshot):
            raise UsageError(f"no such snapshot file: {args.snapshot}")
        state = enable(args.snapshot, site=args.site)
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
