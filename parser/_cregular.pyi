from typing import Any, TypeAlias

# The compiled twin of ``_regular.python_regular_fields`` (see _cregular.c).

_Fields: TypeAlias = tuple[str, str, str | None, str | None, int | str | None]

def regular_fields(
    paths: list[str],
    unassignable: tuple[bytes, ...],
    records: tuple[type, dict[str, Any], dict[str, Any]] | None = None,
    /,
) -> list[Any]: ...
def source_fields(source: bytes, unassignable: tuple[bytes, ...], /) -> _Fields | None: ...
