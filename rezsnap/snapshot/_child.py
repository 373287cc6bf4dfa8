"""``build_snapshot`` called from a library user's process, run in a process of rezsnap's own.

pyarrow imports pandas the first time it is given a Python list (250-340 ms) and numpy when it
starts, whenever they are installed. The ``rezsnap`` program keeps them out of its own
processes (``rezsnap._unused``); a library caller's process is left as it is, since something
else in it may need them. So when the build would write (a full build, or a refresh that
finds something changed) and those imports are still ahead of the caller's process, the
build runs in a child interpreter that rezsnap owns, as the command line runs it, and its
report (or its exception) comes back pickled: the caller's process imports neither pyarrow
nor pandas for it, and refuses nothing.
"""

from __future__ import annotations

import importlib.util
import os
import pickle
import subprocess
import sys
from typing import Any

from rezsnap._unused import PYARROW_WITHOUT_NUMPY, owns_process, pyarrow_major

from ._errors import SnapshotError
from ._report import SnapshotReport

__all__ = ["build_in_child", "imports_ahead"]


def imports_ahead() -> bool:
    """Whether writing a snapshot in this process would import modules rezsnap does not use
    (pandas, and numpy where pyarrow runs without it): installed and not imported yet, in a
    process that rezsnap does not own."""
    if owns_process() or "pyarrow" in sys.modules:
        return False
    unused = ["pandas"] + (["numpy"] if pyarrow_major() >= PYARROW_WITHOUT_NUMPY else [])
    return any(name not in sys.modules and importlib.util.find_spec(name) is not None for name in unused)


def build_in_child(arguments: dict[str, Any]) -> SnapshotReport:
    """``build_snapshot(**arguments)`` in a child interpreter: its report, or its exception raised here."""
    run = subprocess.run([sys.executable, "-m", "rezsnap.snapshot._child"], input=pickle.dumps(arguments),
                         stdout=subprocess.PIPE, check=False)
    if run.returncode == 130:
        raise KeyboardInterrupt
    try:
        outcome = pickle.loads(run.stdout)
    except Exception:  # noqa: BLE001 - a child that died before it could answer
        raise SnapshotError(f"the snapshot builder process failed (exit code {run.returncode}); nothing was "
                            f"written and {os.path.abspath(arguments['output'])} is unchanged") from None
    if isinstance(outcome, BaseException):
        raise outcome
    assert isinstance(outcome, SnapshotReport)
    return outcome


def _main() -> int:
    from rezsnap._unused import keep_unused_modules_out, own_process

    own_process()
    keep_unused_modules_out()
    # the answer goes to the parent on the original stdout; anything printed meanwhile (package
    # code run by rez's loader) goes to stderr
    answer = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    arguments = pickle.load(sys.stdin.buffer)
    from ._job import build_snapshot

    try:
        outcome: object = build_snapshot(**arguments)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - raised again in the parent
        outcome = exc
    try:
        data = pickle.dumps(outcome)
    except Exception:  # noqa: BLE001 - an exception that does not pickle: its text does
        data = pickle.dumps(SnapshotError(f"{type(outcome).__name__}: {outcome}"))
    answer.write(data)
    answer.close()
    return 0


if __name__ == "__main__":
    sys.exit(_main())
