"""Switching the integration on from the environment (a ``sitecustomize.py`` calls this).

``REZSNAP_SNAPSHOT=FILE``  solve from this snapshot (nothing happens without it);
``REZSNAP_SHADOW=1``       run rez's solver too, log divergences, use rez's result;
``REZSNAP_DISABLE=1``      do nothing (a quick way out without editing sitecustomize);
``REZSNAP_STATS=1``        print the fast-path counters to stderr when the process exits;
``REZSNAP_LOG=LEVEL``      log level of the ``rezsnap.rez`` logger (e.g. ``INFO``, ``DEBUG``).
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import sys

from ._patch import install, stats

__all__ = ["activate_from_environment"]

_TRUE = ("1", "true", "yes", "on")


def activate_from_environment(environ: dict[str, str] | None = None) -> bool:
    """Install the patch as the ``REZSNAP_*`` variables say; True when it was installed."""
    env = os.environ if environ is None else environ
    if env.get("REZSNAP_DISABLE", "").lower() in _TRUE or not env.get("REZSNAP_SNAPSHOT"):
        return False
    level = env.get("REZSNAP_LOG")
    if level:
        logger = logging.getLogger("rezsnap.rez")
        logger.setLevel(level.upper())
        if not logger.handlers:
            logger.addHandler(logging.StreamHandler())
    install(env["REZSNAP_SNAPSHOT"], shadow=env.get("REZSNAP_SHADOW", "").lower() in _TRUE)
    if env.get("REZSNAP_STATS", "").lower() in _TRUE:
        atexit.register(lambda: sys.stderr.write(f"rezsnap.rez: {json.dumps(stats().as_dict())}\n"))
    return True
