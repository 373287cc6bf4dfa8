"""Arming the integration at interpreter start-up, for the price of one small import.

``rezsnap rez enable`` writes a ``.pth`` line that calls ``arm()`` in every Python process
of rez's environment. ``arm()`` imports nothing but the standard library and reads no
file: it only makes sure that when rez's resolver module is imported, its
``Resolver._solve`` is replaced by a trampoline, and that the first solve imports the
real integration (``_patch.install``). A rez command that solves nothing (``rez search``,
``rez context FILE``, a ``python`` inside a ``rez env``) pays for this module and nothing
else.

Environment: ``REZSNAP_DISABLE=1`` turns it off for one command; ``REZSNAP_SNAPSHOT=FILE``
names the snapshot (over the one ``enable`` recorded); ``REZSNAP_SHADOW``,
``REZSNAP_STATS``, ``REZSNAP_LOG`` and ``REZSNAP_REZ_BUDGET`` as ``activate_from_environment``.
"""

from __future__ import annotations

import importlib.machinery
import os
import sys
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Any

__all__ = ["arm", "armed_snapshot", "chosen_snapshot", "is_true"]

_TRUE = ("1", "true", "yes", "on")
_RESOLVER = "rez.resolver"
_SNAPSHOT: str | None = None


def armed_snapshot() -> str | None:
    """The snapshot ``arm()`` chose in this process (None: not armed)."""
    return _SNAPSHOT


def is_true(value: str | None) -> bool:
    """A ``REZSNAP_*`` switch: 1, true, yes or on."""
    return (value or "").lower() in _TRUE


def chosen_snapshot(env: Mapping[str, str], snapshot: str | None) -> str | None:
    """The snapshot the environment asks for (``REZSNAP_SNAPSHOT`` over ``snapshot``), or
    None when there is none or ``REZSNAP_DISABLE`` is set."""
    if is_true(env.get("REZSNAP_DISABLE")):
        return None
    return env.get("REZSNAP_SNAPSHOT") or snapshot or None


def arm(snapshot: str | None = None, environ: Mapping[str, str] | None = None) -> bool:
    """Answer this process's rez solves from ``REZSNAP_SNAPSHOT`` or ``snapshot``, from the
    first solve on; True when armed."""
    global _SNAPSHOT
    chosen = chosen_snapshot(os.environ if environ is None else environ, snapshot)
    if not chosen:
        return False
    first = _SNAPSHOT is None
    _SNAPSHOT = chosen
    if not first:
        return True
    module = sys.modules.get(_RESOLVER)
    if module is not None:
        _patch_resolver(module)
    else:
        sys.meta_path.insert(0, _ResolverWatcher())
    return True


def _patch_resolver(module: ModuleType) -> None:
    resolver_class = module.Resolver
    original = resolver_class._solve
    if getattr(original, "_rezsnap_trampoline", False):
        return

    def _solve(resolver: Any) -> Any:
        # The first solve: put rez's method back, let the integration patch it for real.
        resolver_class._solve = original
        try:
            from rezsnap.rez._hook import activate_from_environment

            activate_from_environment(snapshot=_SNAPSHOT)
        except Exception as exc:  # noqa: BLE001  never break a rez command
            sys.stderr.write(f"rezsnap: the integration is off for this command ({type(exc).__name__}: {exc})\n")
        return resolver_class._solve(resolver)

    _solve._rezsnap_trampoline = True  # type: ignore[attr-defined]
    resolver_class._solve = _solve


class _ResolverWatcher:
    """A ``sys.meta_path`` finder that patches ``rez.resolver`` right after it is imported, then
    steps aside (a plain class: ``importlib.abc`` alone would cost 9 ms at every start-up)."""

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None) -> Any:
        if fullname != _RESOLVER:
            return None
        try:
            sys.meta_path.remove(self)
        except ValueError:
            pass
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        loader = spec.loader
        execute = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            execute(module)
            _patch_resolver(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec
