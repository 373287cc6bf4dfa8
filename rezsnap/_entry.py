"""The ``rezsnap`` command's entry point: as little as possible runs before Ctrl-C is handled.

The command line module imports argparse and, per command, pyarrow, the scanner and the
builder: a Ctrl-C while those load gives one line and exit code 130, not a traceback.
"""

from __future__ import annotations

import sys

__all__ = ["run"]


def run() -> None:
    try:
        from rezsnap._unused import own_process
        from rezsnap.cli import main

        own_process()  # a command may keep modules it does not use out of this process

        code = main()
    except KeyboardInterrupt:
        sys.stderr.write("rezsnap: interrupted\n")
        code = 130
    sys.exit(code)
