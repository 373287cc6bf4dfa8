"""Switching the integration on from the environment (the start-up hook calls this).

``REZSNAP_SNAPSHOT=FILES``   solve with these snapshots (over those ``rezsnap rez enable`` recorded;
                             several separated by ``os.pathsep``, each answering for its paths);
``REZSNAP_DISABLE=1``        do nothing (one command without the integration);
``REZSNAP_SHADOW=1``         run rez's solver too, log divergences, use rez's result;
``REZSNAP_REZ_BUDGET=N``     rez solves alone while it loads at most N packages (default 40; 0:
                             rezsnap answers every solve it can);
``REZSNAP_STATS=1``          print the fast-path counters to stderr when the process exits;
``REZSNAP_STATS_DIR=FOLDER`` write this process's solves into FOLDER as one JSON file at exit
                             (``rezsnap rez report FOLDER`` summarises them; ``_stats.py``);
``REZSNAP_LOG=LEVEL``        log level of the ``rezsnap.rez`` logger (e.g. ``INFO``, ``DEBUG``);
``REZSNAP_NETWORK_FS=1|0``   the package paths are on a network file system, or a local one
                             (unset: timed on the first family a solve lists).
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import sys

from ._patch import DEFAULT_REZ_BUDGET, install, stats
from ._startup import chosen_snapshot, is_true

__all__ = ["activate_from_environment"]


def activate_from_environment(environ: dict[str, str] | None = None, *, snapshot: str | None = None) -> bool:
    """Install the patch as the ``REZSNAP_*`` variables say; True when it was installed."""
    env = os.environ if environ is None else environ
    chosen = chosen_snapshot(env, snapshot)
    if chosen is None:
        return False
    level = env.get("REZSNAP_LOG")
    if level:
        logger = logging.getLogger("rezsnap.rez")
        logger.setLevel(level.upper())
        if not logger.handlers:
            logger.addHandler(logging.StreamHandler())
    budget = env.get("REZSNAP_REZ_BUDGET", "")
    network = env.get("REZSNAP_NETWORK_FS", "").strip()
    install(chosen, shadow=is_true(env.get("REZSNAP_SHADOW")),
            rez_budget=int(budget) if budget.strip().isdigit() else DEFAULT_REZ_BUDGET,
            network_fs=is_true(network) if network else None)
    folder = env.get("REZSNAP_STATS_DIR")
    if folder:
        from ._patch import set_recorder
        from ._stats import SolveRecorder

        recorder = SolveRecorder(folder)
        set_recorder(recorder)
        atexit.register(recorder.flush)
    if is_true(env.get("REZSNAP_STATS")):
        atexit.register(lambda: sys.stderr.write(f"rezsnap.rez: {json.dumps(stats().as_dict())}\n"))
    return True
