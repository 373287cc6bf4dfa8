"""rez's ``Version``: parsing, printing and ordering through one cached sort key.

A version string is cut into tokens (maximal runs of ASCII ``[A-Za-z0-9_]``)
separated by exactly one other character each; separators are cosmetic. Each
token is cut into digit runs and non-digit runs (sub-tokens). Spec A.4 gives an
order-preserving tuple key::

    key(version) = tuple(key(token) for token in tokens)      # () when empty
    key(token)   = tuple(sub_key(s) for s in sub_tokens)
    sub_key(s)   = (0, s) if s is alphabetic else (1, int(s), s)

so comparisons, equality and hashing are plain tuple operations.

Range bounds compare versions far more often than anything else, so a version
also has ``packed_key``: the same order packed into one ``bytes`` (a comparison
is one ``memcmp`` instead of a walk down three levels of tuples)::

    packed(version) = b"".join(0x01 packed(token) for token) 0x00   # 0x02: infinity
    packed(token)   = b"".join(packed(sub) for sub) 0x00
    packed(sub)     = 0x01 s 0x00                          # alphabetic
                    | 0x02 len(digits) digits s 0x00       # numeric: int(s) is digits

where ``digits`` is ``s`` without leading zeros and ``len(digits)`` one byte (or
0xff and four bytes). Every choice point orders its markers as the tuples order
their alternatives (end < token; end < alphabetic < numeric), and each encoding
is prefix-free, so ``packed(a) < packed(b)`` exactly when ``key(a) < key(b)``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Final

from ._errors import InvalidVersion

__all__ = ["Version", "VersionKey", "is_valid_version", "packed_version_key", "version_key"]

SubKey = tuple[Any, ...]
TokenKey = tuple[SubKey, ...]
VersionKey = tuple[TokenKey, ...]

_VALID_VERSION: Final = re.compile(r"[A-Za-z0-9_]+(?:[^A-Za-z0-9_][A-Za-z0-9_]+)*\Z")
_TOKEN: Final = re.compile(r"[A-Za-z0-9_]+")
_SUB_TOKEN: Final = re.compile(r"[0-9]+|[^0-9]+")
_INF_KEY: Final[VersionKey] = (((2,),),)
_INF_PACKED: Final = b"\x02"
_EMPTY_PACKED: Final = b"\x00"


@lru_cache(maxsize=65536)
def _token_key(token: str) -> TokenKey:
    if token.isdigit():  # the common case: one numeric sub-token
        return ((1, int(token), token),)
    return tuple(
        (1, int(sub), sub) if sub[0].isdigit() else (0, sub) for sub in _SUB_TOKEN.findall(token)
    )


@lru_cache(maxsize=65536)
def _packed_token(token: str) -> bytes:
    parts = [b"\x01"]  # a token starts
    for sub in _SUB_TOKEN.findall(token):
        if sub[0].isdigit():
            digits = sub.lstrip("0") or "0"
            size = len(digits)
            length = bytes((size,)) if size < 0xFF else b"\xff" + size.to_bytes(4, "big")
            parts += (b"\x02", length, digits.encode(), sub.encode(), b"\x00")
        else:
            parts += (b"\x01", sub.encode(), b"\x00")
    parts.append(b"\x00")  # the token ends
    return b"".join(parts)


def packed_version_key(text: str) -> bytes:
    """``Version(text).packed_key`` of an already validated version string."""
    if not text:
        return _EMPTY_PACKED
    return b"".join(map(_packed_token, _TOKEN.findall(text))) + b"\x00"


def is_valid_version(text: str) -> bool:
    """Whether ``Version(text)`` would succeed (the empty string is the empty version)."""
    return not text or _VALID_VERSION.match(text) is not None


def version_key(text: str) -> VersionKey:
    """The sort key of an already validated, non-empty version string."""
    return tuple(map(_token_key, _TOKEN.findall(text)))


class Version:
    """An immutable rez version: ``Version("1.2.3")``, ``Version("")`` (the empty version).

    ``str()`` reproduces the text it was built from; ``==``, ``<`` and ``hash``
    ignore separators (``Version("1.0") == Version("1-0")``).
    """

    __slots__ = ("_hash", "_key", "_packed", "_str")

    _str: str
    _key: VersionKey | None
    _packed: bytes | None
    _hash: int | None

    inf: Version  # greater than every version; only used as an unbounded upper end

    def __init__(self, text: str | None = "") -> None:
        if text is None:
            text = ""
        elif not isinstance(text, str):
            raise TypeError(f"Version() takes a str, not {type(text).__name__}")
        elif text and not _VALID_VERSION.match(text):
            raise InvalidVersion(text)
        self._str = text
        self._key = None if text else ()
        self._packed = None
        self._hash = None

    @classmethod
    def _infinity(cls) -> Version:
        inf = cls.__new__(cls)
        inf._str = "[INF]"
        inf._key = _INF_KEY
        inf._packed = _INF_PACKED
        inf._hash = None
        return inf

    @property
    def key(self) -> VersionKey:
        """The order-preserving tuple key (spec A.4)."""
        key = self._key
        if key is None:
            key = self._key = tuple(map(_token_key, _TOKEN.findall(self._str)))
        return key

    @property
    def packed_key(self) -> bytes:
        """``key``'s order packed into bytes (see the module docstring): what bounds compare."""
        packed = self._packed
        if packed is None:
            packed = self._packed = packed_version_key(self._str)
        return packed

    @property
    def is_inf(self) -> bool:
        return self._key is _INF_KEY

    @property
    def tokens(self) -> tuple[str, ...]:
        """The version's tokens as text (``"1.0-rc1"`` → ``("1", "0", "rc1")``)."""
        return () if self.is_inf else tuple(_TOKEN.findall(self._str))

    def next(self) -> Version:
        """The smallest version above every version that has this one as a prefix."""
        if self.is_inf:
            return self
        if not self._str:
            return Version.inf
        return Version(self._str + "_")

    def __str__(self) -> str:
        return self._str

    def __repr__(self) -> str:
        return f"Version({self._str!r})"

    def __bool__(self) -> bool:
        return bool(self._str)

    def __hash__(self) -> int:
        h = self._hash
        if h is None:
            h = self._hash = hash(self.key)
        return h

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self is other or self.key == other.key

    def __ne__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self.key != other.key

    def __lt__(self, other: Version) -> bool:
        try:  # hot in sorts: read the cached keys directly
            mine, theirs = self._key, other._key
        except AttributeError:
            return NotImplemented
        if mine is None:
            mine = self.key
        if theirs is None:
            theirs = other.key
        return mine < theirs

    def __le__(self, other: Version) -> bool:
        try:  # hot in sorts: read the cached keys directly
            mine, theirs = self._key, other._key
        except AttributeError:
            return NotImplemented
        if mine is None:
            mine = self.key
        if theirs is None:
            theirs = other.key
        return mine <= theirs

    def __gt__(self, other: Version) -> bool:
        try:  # hot in sorts: read the cached keys directly
            mine, theirs = self._key, other._key
        except AttributeError:
            return NotImplemented
        if mine is None:
            mine = self.key
        if theirs is None:
            theirs = other.key
        return mine > theirs

    def __ge__(self, other: Version) -> bool:
        try:  # hot in sorts: read the cached keys directly
            mine, theirs = self._key, other._key
        except AttributeError:
            return NotImplemented
        if mine is None:
            mine = self.key
        if theirs is None:
            theirs = other.key
        return mine >= theirs

    def __reduce__(self) -> tuple[Any, ...]:
        if self.is_inf:
            return (Version._infinity, ())
        return (Version, (self._str,))


Version.inf = Version._infinity()
