"""The ``rezsnap`` command's entry point: as little as possible runs before Ctrl-C is handled,
and nothing after the work is done.

The command line module imports argparse and, per command, pyarrow, the scanner and the
builder: a Ctrl-C while those load gives one line and exit code 130, not a traceback.

When the command is done, the process ends the way mypy's ``hard_exit`` does: the
standard streams are flushed, the ``atexit`` handlers run (rezsnap's process pool is shut
down there, temporary files are removed), and ``os._exit`` skips the interpreter's
teardown, which frees every object one by one: 20 ms and more after a scan or a build
(its tables, the walk's records) that nobody waits for. A thread that is still running
(a caller's own) gets the ordinary exit, which waits for it.
"""

from __future__ import annotations

import atexit
import os
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
    _exit(code)


def _exit(code: int) -> None:
    pool = sys.modules.get("rezsnap._pool")
    if pool is not None:
        pool.shutdown_shared_pool()  # its manager thread ends with it
    threading = sys.modules.get("threading")  # not imported: no thread of its was started
    if threading is not None and any(thread.is_alive() and not thread.daemon for thread in threading.enumerate()
                                     if thread is not threading.current_thread()):
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (| head) or stream: nothing more to say
            pass
    os._exit(code)
