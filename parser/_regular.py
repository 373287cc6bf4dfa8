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

__all__ = ["read_regular_assignments"]

# Strings without escapes, newlines or NULs: their value is the text between the quotes.
_STRING = r"""'[^'\\\n\r\x00]*'|"[^"\\\n\r\x00]*\""""
_INTEGER = r"-?(?:0|[1-9][0-9]*)"
_GAP = r"[ \n]*"
_INNER = rf"\[{_GAP}(?:(?:{_STRING}){_GAP},{_GAP})*(?:(?:{_STRING}){_GAP},?{_GAP})?\]"
_ITEM = rf"(?:{_STRING}|{_INNER})"
_LIST = rf"\[{_GAP}(?:{_ITEM}{_GAP},{_GAP})*(?:{_ITEM}{_GAP},?{_GAP})?\]"
_VALUE = rf"(?:{_STRING}|{_INTEGER}|{_LIST})"
_ASSIGNMENT = rf"([A-Za-z_][A-Za-z0-9_]*) *= *({_VALUE}) *\n"
_LINE = rf"(?:{_ASSIGNMENT}|#[^\n\r\x00]*\n| *\n)"
_FILE: Final = re.compile(rf"(?:{_LINE})*")
# In a file _FILE matched, only assignments start a line with a name.
_NAMES: Final = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*) *= *", re.MULTILINE)
_VALUES: Final = re.compile(_VALUE)
_STRINGS: Final = re.compile(_STRING)
_LISTS: Final = re.compile(rf"{_INNER}|{_STRING}")
# PEP 263: a cookie in the first two lines sets the encoding.
_COOKIE: Final = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.MULTILINE)


def read_regular_assignments(source: bytes) -> dict[str, object] | None:
    """The module-level values of a file in rez's plain layout, or ``None`` for any other file."""
    if b"\r" in source or source.startswith(b"\xef\xbb\xbf"):
        return None
    head = source.split(b"\n", 2)[:2]
    for line in head:
        cookie = _COOKIE.match(line)
        if cookie and cookie.group(1).lower() not in (b"utf-8", b"utf8"):
            return None
    try:
        text = source.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text.endswith("\n"):
        text += "\n"  # the last line needs no newline in Python
    if _FILE.fullmatch(text) is None:
        return None
    values: dict[str, object] = {}
    match_value = _VALUES.match
    for match in _NAMES.finditer(text):
        name = match.group(1)
        if keyword.iskeyword(name) or name == "__debug__" or name in REZ_GLOBALS:
            return None  # a syntax or compile error, or rez's own name: the AST reader says
        raw = match_value(text, match.end())
        assert raw is not None  # _FILE matched: a value follows
        values[name] = _value(raw.group())
    return values


def _value(raw: str) -> object:
    if raw[0] in "'\"":
        return raw[1:-1]
    if raw[0] != "[":
        return int(raw)
    return [_strings(item) if item[0] == "[" else item[1:-1] for item in _LISTS.findall(raw[1:-1])]


def _strings(raw: str) -> list[str]:
    return [item[1:-1] for item in _STRINGS.findall(raw)]
