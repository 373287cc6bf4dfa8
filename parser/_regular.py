"""The fast path: files in the plain layout rez writes for released packages.

A released ``package.py`` is usually a list of ``name = <value>`` lines whose
values are plain strings, integers and lists of them (``rez/utils/serialise``
writes them so). One regular expression recognises a whole file of that shape,
and its values are read straight from the text. Anything else (a ``def``, a
triple-quoted string, an escape, a comment inside brackets, a coding cookie
other than UTF-8...) returns ``None`` and the AST reader answers instead. The
two paths are differential-tested on the same inputs.
"""

from __future__ import annotations

import keyword
import re
from typing import Final

from ._module import REZ_GLOBALS

__all__ = ["read_regular_assignments", "read_regular_pairs", "regular_value"]

# Strings without escapes, newlines or NULs: their value is the text between the quotes.
_STRING = r"""'[^'\\\n\r\x00]*'|"[^"\\\n\r\x00]*\""""
_INTEGER = r"-?(?:0|[1-9][0-9]*)"
_GAP = r"[ \n]*"
_INNER = rf"\[{_GAP}(?:(?:{_STRING}){_GAP},{_GAP})*(?:(?:{_STRING}){_GAP},?{_GAP})?\]"
_ITEM = rf"(?:{_STRING}|{_INNER})"
_LIST = rf"\[{_GAP}(?:{_ITEM}{_GAP},{_GAP})*(?:{_ITEM}{_GAP},?{_GAP})?\]"
_VALUE = rf"(?:{_STRING}|{_INTEGER}|{_LIST})"
_ASSIGNMENT = rf"([A-Za-z_][A-Za-z0-9_]*) *= *({_VALUE}) *\n"
# One line of the file (a list value may span several): an assignment, a comment or a blank.
# The grammar is deterministic (each value's first character picks its alternative), so
# successive matches that leave no gap read the whole file as the one way it can be read.
_LINES: Final = re.compile(rf"{_ASSIGNMENT}|#[^\n\r\x00]*\n| *\n")
_STRINGS: Final = re.compile(_STRING)
_LISTS: Final = re.compile(rf"{_INNER}|{_STRING}")
# PEP 263: a cookie in the first two lines sets the encoding.
_COOKIE: Final = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.MULTILINE)


def read_regular_pairs(source: bytes) -> list[tuple[str, str]] | None:
    """The module-level ``(name, value text)`` assignments, in file order, of a file in rez's
    plain layout, or ``None`` for any other file. ``regular_value`` reads a value text."""
    if b"\r" in source or source.startswith(b"\xef\xbb\xbf"):
        return None
    if b"coding" in source:
        for line in source.split(b"\n", 2)[:2]:
            cookie = _COOKIE.match(line)
            if cookie and cookie.group(1).lower() not in (b"utf-8", b"utf8"):
                return None
    try:
        text = source.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text.endswith("\n"):
        text += "\n"  # the last line needs no newline in Python
    pairs: list[tuple[str, str]] = []
    end = 0
    for unit in _LINES.finditer(text):
        if unit.start() != end:
            return None  # text no line shape matches
        end = unit.end()
        if unit[1] is not None:
            pairs.append((unit[1], unit[2]))
    if end != len(text):
        return None
    if not _NOT_ASSIGNABLE.isdisjoint([name for name, _ in pairs]):
        return None  # a syntax or compile error, or rez's own name: the AST reader says
    return pairs


def read_regular_assignments(source: bytes) -> dict[str, object] | None:
    """The module-level values of a file in rez's plain layout, or ``None`` for any other file."""
    pairs = read_regular_pairs(source)
    if pairs is None:
        return None
    return {name: regular_value(raw) for name, raw in pairs}  # a later assignment wins


#: Names an assignment cannot bind (hard keywords, ``__debug__``) and rez's own globals.
_NOT_ASSIGNABLE: Final = frozenset([*keyword.kwlist, "__debug__", *REZ_GLOBALS])


def regular_value(raw: str) -> object:
    """The value of a value text that ``read_regular_pairs`` returned."""
    if raw[0] in "'\"":
        return raw[1:-1]
    if raw[0] != "[":
        return int(raw)
    return [_strings(item) if item[0] == "[" else item[1:-1] for item in _LISTS.findall(raw[1:-1])]


def _strings(raw: str) -> list[str]:
    return [item[1:-1] for item in _STRINGS.findall(raw)]
