"""The fast path: files in the plain layout rez writes for released packages.

A released ``package.py`` is usually a list of ``name = <value>`` lines whose
values are plain strings, integers and lists of them (``rez/utils/serialise``
writes them so). One regular expression recognises a whole file of that shape,
and its values are read straight from the text. Anything else (a ``def``, a
triple-quoted string, an escape, a comment inside brackets, a coding cookie
other than UTF-8...) returns ``None`` and the AST reader answers instead. The
two paths are differential-tested on the same inputs.

``_cregular.c`` is the expression's compiled twin: the same grammar, and for a batch the
reads too, without holding the GIL (so threads overlap). It is optional (built when the
install finds a C compiler; ``REZSNAP_PURE_PYTHON=1`` turns it off), declines whatever it
doubts, and is differential-tested against the expression.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Sequence
from typing import Any, Final, cast

from rezsnap._compiled import compiled_module

from ._module import REZ_GLOBALS

_cregular: Final = compiled_module("rezsnap.parser._cregular")

#: Whether the compiled twin of ``regular_fields`` (``_cregular.c``) is installed and used.
COMPILED: Final = _cregular is not None

__all__ = [
    "COMPILED",
    "Records",
    "RegularFields",
    "python_regular_fields",
    "read_regular_assignments",
    "read_regular_fields",
    "read_regular_pairs",
    "regular_fields",
    "regular_value",
]

# Strings without escapes, newlines or NULs: their value is the text between the quotes.
_STRING = r"""'[^'\\\n\r\x00]*'|"[^"\\\n\r\x00]*\""""
# At most 18 digits: a longer literal (past int64, or past Python's limit on digits that
# the compiler enforces) is the AST reader's to judge.
_INTEGER = r"-?(?:0|[1-9][0-9]{0,17})"
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


#: What ``regular_fields`` reads: ``name`` and ``version`` as rez reads them from the file
#: (``""``: absent or not a string); the value texts of ``requires`` and ``variants``
#: (``None``: absent), which repeat across versions and are converted once each;
#: ``timestamp`` as an integer (``None``: absent), or its value text when it is not one
#: (which rez rejects).
RegularFields = tuple[str, str, str | None, str | None, int | str | None]
#: ``read_regular_fields``' ``records``: the record type, and the caches of converted texts.
Records = tuple[type, dict[str, Any], dict[str, Any]]
_UNASSIGNABLE_BYTES: Final = tuple(sorted(name.encode() for name in _NOT_ASSIGNABLE))


def regular_fields(source: bytes) -> RegularFields | None:
    """``RegularFields`` of a file in rez's plain layout (a later assignment wins), or
    ``None`` for any other file. Read by the compiled twin when it
    is installed (the two are differential-tested), else by ``python_regular_fields``."""
    if _cregular is None:
        return python_regular_fields(source)
    return cast("RegularFields | None", _cregular.source_fields(source, _UNASSIGNABLE_BYTES))


def python_regular_fields(source: bytes) -> RegularFields | None:
    """``regular_fields``, read by the regular expression."""
    pairs = read_regular_pairs(source)
    if pairs is None:
        return None
    texts = dict(pairs)  # a later assignment wins
    timestamp = texts.get("timestamp")
    if timestamp is not None and timestamp[0] not in "'\"[":
        timestamp = int(timestamp)  # type: ignore[assignment]
    return (_string_or_empty(texts.get("name")), _string_or_empty(texts.get("version")),
            texts.get("requires"), texts.get("variants"), timestamp)


def _string_or_empty(text: str | None) -> str:
    value = None if text is None else regular_value(text)
    return value if isinstance(value, str) else ""


def read_regular_fields(paths: Sequence[str], records: Records | None = None) -> list[Any]:
    """``regular_fields`` of each file, read by the compiled twin (``_cregular.c``). ``None``
    where the file is of another shape, could not be read, or the twin is not installed:
    the caller reads that file itself and decides (so a doubt never costs a wrong answer).

    With ``records`` (a named tuple type of the five fields, and caches from the value
    texts of ``requires`` and of ``variants`` to their converted tuples), a file whose two
    texts are both cached as tuples, and whose timestamp is an int or absent, gives the
    record instead of its fields."""
    if _cregular is None:
        return [None] * len(paths)
    return cast("list[Any]", _cregular.regular_fields(list(paths), _UNASSIGNABLE_BYTES, records))


def regular_value(raw: str) -> object:
    """The value of a value text that ``read_regular_pairs`` returned."""
    if raw[0] in "'\"":
        return raw[1:-1]
    if raw[0] != "[":
        return int(raw)
    return [_strings(item) if item[0] == "[" else item[1:-1] for item in _LISTS.findall(raw[1:-1])]


def _strings(raw: str) -> list[str]:
    return [item[1:-1] for item in _STRINGS.findall(raw)]
