# The compiled twin of ``_regular.python_regular_fields`` (see _cregular.c).
from typing import TypeAlias

_Fields: TypeAlias = tuple[str, str, str | None, str | None, int | str | None]

def regular_fields(paths: list[str], unassignable: tuple[bytes, ...], /) -> list[_Fields | None]: ...
def source_fields(source: bytes, unassignable: tuple[bytes, ...], /) -> _Fields | None: ...
