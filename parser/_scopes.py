"""The settings that ``with scope("name") as s:`` blocks build, as rez's scope objects hold them.

rez's ``_Scope`` (``rez/utils/scope.py``) keeps settings in a dict: ``s.a = v`` stores ``v``;
``s.a.b = v`` first reads ``s.a``, which is a child settings object when ``a`` is unset (or
a dict stored by an earlier block), but the value itself when ``a`` was set to data, and
setting an attribute on a string, a number or a list raises ``AttributeError``: rez fails
to load the file. Scope objects live per path of scope names for the whole exec, so a
later ``with scope("config")`` block sees what an earlier one set.

This models exactly what decides such a failure: which names of which settings object
hold data, and which hold child objects. Values that this reader does not model (a name
imported from a module, a function) are ``UNKNOWN``: setting through one is declined.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from ._literals import FUNCTION, MODULE, DynamicSource, InvalidSource

__all__ = ["UNKNOWN", "Settings", "exit_block", "set_attribute", "wrapped"]


class Settings(dict[str, object]):
    """The data of one scope object or child settings object: name -> data, child or UNKNOWN."""


class _Unknown:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<unknown>"


#: A setting whose value this reader does not model.
UNKNOWN: Final = _Unknown()
_ABSENT: Final = object()
_MARKER: Final = type(FUNCTION)  # FUNCTION, MODULE, OPAQUE


def wrapped(value: object) -> object:
    """What ``RecursiveAttribute._update`` stores: a dict becomes a child object, recursively."""
    if isinstance(value, dict):  # a key that is not a string is no attribute: no chain reaches it
        return Settings({key: wrapped(item) for key, item in value.items() if isinstance(key, str)})
    return value


def set_attribute(settings: Settings, chain: list[str], value: object, line: int) -> None:
    """``target.<chain> = value`` on the scope object whose data is ``settings``.

    Every name but the last is read first (``__getattr__``), then the last one set.
    The caller has checked that no name in ``chain[:-1]`` is an attribute of the object
    itself (``data``, ``get``, ``_update``...), which Python would find before the settings.
    """
    *path, last = chain
    if last.startswith("__") and last.endswith("__"):
        raise DynamicSource(f"scope attribute '{last}' is not a setting", line)
    current = settings
    for position, name in enumerate(path):
        child = current.get(name, _ABSENT)
        if child is _ABSENT:
            child = current[name] = Settings()  # rez attaches the new child when the set below succeeds
        elif child is UNKNOWN:
            raise DynamicSource(f"setting through '{name}', a value this reader does not model", line)
        elif not isinstance(child, Settings):
            following = chain[position + 1]
            raise InvalidSource(f"AttributeError: '{type(child).__name__}' object has no attribute '{following}'")
        current = child
    current[last] = value


def exit_block(settings: Settings, before: Mapping[str, object], after: Mapping[str, object]) -> None:
    """``_Scope.__exit__``: every name of the namespace that differs (``!=``) from the one
    the block entered becomes a setting. A function or module compares equal only to
    itself; anything else this reader does not model cannot be compared as rez would
    compare it (it could be NaN): ``UNKNOWN``."""
    for name, value in after.items():
        if name.startswith("__") and name.endswith("__"):
            continue
        old = before.get(name, _ABSENT)
        if old is _ABSENT:
            settings[name] = wrapped(value)
        elif old is value and (value is FUNCTION or value is MODULE):
            continue
        elif isinstance(old, _MARKER) or isinstance(value, _MARKER):
            settings[name] = UNKNOWN
        elif value != old:
            settings[name] = wrapped(value)
