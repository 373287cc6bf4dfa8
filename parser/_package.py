"""The static ``package.py`` reader: rez's loaded values, without executing anything.

rez execs a ``package.py`` (``rez/serialise.py:_load_py``), runs every ``@early``
function, and validates the result against its package schema. This reads the
syntax tree instead and returns the same values for the static subset, or
declines. **It is biased hard toward declining**: a wrong answer would silently
change resolves, a decline only costs the rez fallback.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, TypeVar

from rezsnap._names import is_valid_package_name
from rezsnap.model import PackageData
from rezsnap.version import (
    InvalidRange,
    InvalidRequirement,
    InvalidVersion,
    Version,
    VersionRange,
    packed_version_key,
)

from ._literals import DynamicSource, InvalidSource, LateBound
from ._module import read_static_assignments
from ._regular import (
    RegularFields,
    read_regular_assignments,
    read_regular_fields,
    regular_fields,
    regular_value,
)
from ._request import parse_package_request

__all__ = [
    "Outcome",
    "ParseStatus",
    "analyse_combined_package",
    "analyse_package_py",
    "analyse_package_yaml",
    "normalise_request",
    "parse_package_request",
    "parse_static_package_py",
    "read_regular_records",
    "regular_data",
    "regular_package_data",
]

class ParseStatus(str, enum.Enum):
    STATIC = "static"  # read without executing anything; equal to rez's values
    DYNAMIC = "dynamic"  # declined: needs rez's loader (which executes the file)
    LATE = "late"  # declined: a solver field is late-bound (@late), not data
    ERROR = "error"  # rez would fail to load (or to validate) this file

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of a static read: the data, or why there is none."""

    status: ParseStatus
    data: PackageData | None = None
    reason: str | None = None


class _PackageError(ValueError):
    """A value rez's package schema rejects."""


def normalise_request(text: object) -> str:
    """``str(rez.utils.formatting.PackageRequest(text))``, or ``_PackageError``."""
    if not isinstance(text, str):
        raise _PackageError(f"requirement {text!r} is not a string")
    found = _NORMALISED.get(text)
    if found is None:
        found = _normalise(text)
        if len(_NORMALISED) >= _NORMALISED_MAX:
            _NORMALISED.clear()
        _NORMALISED[text] = found
    if isinstance(found, _Rejected):
        raise _PackageError(found.message)  # a fresh exception: a cached one would grow its traceback
    return found


# Request strings repeat across a repository (174,311 requests, 5,285 distinct, in
# the rez benchmark repository): each is normalised once per process.
_NORMALISED: dict[str, str | _Rejected] = {}
_NORMALISED_MAX = 100_000


@dataclass(frozen=True, slots=True)
class _Rejected:
    message: str


# Requests that rez prints as they are written (rez's PackageRequest parses them into a
# valid name and a one-bound range that prints as its own text), found without parsing:
# - a name, then '-' and a plain version (word tokens joined by '.' or '-'), or no version;
# - 'name-V+' (V and above);
# - 'name-V+<W' when V is below W, and W has no '_' (which V's successor, 'V_', would need:
#   a bound up to it prints as 'V').
_VERSION = r"[A-Za-z0-9_]+(?:[.-][A-Za-z0-9_]+)*"
_AS_WRITTEN: Final = re.compile(rf"[a-zA-Z0-9_]+(?:\.[a-zA-Z0-9_]+)*(?:-{_VERSION})?\Z")
_FROM: Final = re.compile(rf"[a-zA-Z0-9_]+(?:\.[a-zA-Z0-9_]+)*-(?P<lower>{_VERSION})\+(?:<(?P<upper>{_VERSION}))?\Z")


def _written_as_printed(text: str) -> bool:
    if not is_valid_package_name(text.partition("-")[0]):
        return False
    if _AS_WRITTEN.match(text):
        return True
    span = _FROM.match(text)
    if span is None:
        return False
    upper = span["upper"]
    return upper is None or ("_" not in upper and packed_version_key(span["lower"]) < packed_version_key(upper))


def _normalise(text: str) -> str | _Rejected:
    if _written_as_printed(text):
        return text  # most requests (a repository's distinct ones are normalised once each)
    try:
        return str(parse_package_request(text))
    except InvalidRequirement as exc:
        return _Rejected(str(exc))


def _requests(value: object, field: str) -> tuple[str, ...]:
    if not isinstance(value, list):  # rez's schema wants a list: a tuple or str fails
        raise _PackageError(f"'{field}' must be a list, not {type(value).__name__}")
    return tuple([normalise_request(item) for item in value])


def _read_values(source: str | bytes) -> dict[str, object] | Outcome:
    if isinstance(source, bytes):
        regular = read_regular_assignments(source)  # rez's plain released layout: no AST needed
        if regular is not None:
            return regular
    try:
        values = read_static_assignments(source)
    except InvalidSource as exc:
        return Outcome(ParseStatus.ERROR, reason=str(exc))
    except LateBound as exc:
        return Outcome(ParseStatus.LATE, reason=str(exc))
    except DynamicSource as exc:
        return Outcome(ParseStatus.DYNAMIC, reason=str(exc))
    return values


def _file_text(values: dict[str, object], field: str) -> str:
    value = values.get(field, "")
    return value if isinstance(value, str) else ""


def _requires_field(value: object) -> tuple[str, ...]:
    return _requests(value, "requires")


def _variants_field(value: object) -> tuple[tuple[str, ...], ...]:
    if not isinstance(value, list):
        raise _PackageError("'variants' must be a list of lists")
    return tuple(_requests(variant, "variants") for variant in value)


def _not_an_int(value: object) -> str:
    return f"'timestamp' must be an int, not {type(value).__name__}"


def _timestamp_field(value: object) -> int:
    if not isinstance(value, int):  # rez: None is an error too
        raise _PackageError(_not_an_int(value))
    return int(value)  # True loads as 1


def _package_data(values: dict[str, object], name: str | None, version: str | None) -> Outcome:
    try:
        requires = _requires_field(values.get("requires", []))
        variants = _variants_field(values.get("variants", []))
        timestamp = _timestamp_field(values["timestamp"]) if "timestamp" in values else None
    except _PackageError as exc:
        return Outcome(ParseStatus.ERROR, reason=str(exc))
    data = PackageData(
        _file_text(values, "name") if name is None else name,
        _file_text(values, "version") if version is None else version,
        requires,
        variants,
        timestamp,
    )
    return Outcome(ParseStatus.STATIC, data)


def regular_package_data(fields: RegularFields, name: str | None = None, version: str | None = None) -> Outcome:
    """``_package_data`` for a file in rez's plain layout, from its ``regular_fields``."""
    data = regular_data(fields, name, version)
    if isinstance(data, str):
        return Outcome(ParseStatus.ERROR, reason=data)
    return Outcome(ParseStatus.STATIC, data)


def regular_data(fields: RegularFields, name: str | None = None, version: str | None = None) -> PackageData | str:
    """``regular_package_data``'s data, or why rez rejects the file: the batch's hot path.

    The solver fields' value texts repeat across a repository's versions (5,285
    distinct among 174,311 requests in the rez benchmark repository), so each text is
    converted once per process."""
    file_name, file_version, requires_text, variants_text, timestamp = fields
    requires_text = "[]" if requires_text is None else requires_text
    requires = _REQUIRES_OF.get(requires_text)
    if requires is None:
        requires = _converted(_REQUIRES_OF, _requires_field, requires_text)
    variants_text = "[]" if variants_text is None else variants_text
    variants = _VARIANTS_OF.get(variants_text)
    if variants is None:
        variants = _converted(_VARIANTS_OF, _variants_field, variants_text)
    if isinstance(requires, _Rejected):
        return requires.message
    if isinstance(variants, _Rejected):
        return variants.message
    if isinstance(timestamp, str):  # a string or a list: rez's schema wants an int
        return _not_an_int(regular_value(timestamp))
    return PackageData(file_name if name is None else name, file_version if version is None else version,
                       requires, variants, timestamp)


def read_regular_records(paths: list[str]) -> list[PackageData | RegularFields | None]:
    """``read_regular_fields`` with records: a file whose solver fields' texts were converted
    before comes as its ``PackageData`` (built by the compiled reader), else as its fields."""
    return read_regular_fields(paths, (PackageData, _REQUIRES_OF, _VARIANTS_OF))


_Field = TypeVar("_Field")
# value text -> the field, or why rez rejects it
_REQUIRES_OF: dict[str, tuple[str, ...] | _Rejected] = {}
_VARIANTS_OF: dict[str, tuple[tuple[str, ...], ...] | _Rejected] = {}


def _converted(cache: dict[str, _Field | _Rejected], field: Callable[[object], _Field], text: str) -> _Field | _Rejected:
    found = cache.get(text)
    if found is None:
        try:
            found = field(regular_value(text))
        except _PackageError as exc:
            found = _Rejected(str(exc))
        if len(cache) >= _NORMALISED_MAX:
            cache.clear()
        cache[text] = found
    return found


def analyse_package_py(source: str | bytes, name: str | None = None, version: str | None = None) -> Outcome:
    """Read a ``package.py`` statically: its data, or whether it is dynamic, late or an error.

    rez takes a package's name and version from its path (spec 5.1): a caller
    that knows the path passes them. Left out, the file's own ``name`` and
    ``version`` literals are used (``""`` when absent).
    """
    if isinstance(source, bytes):
        fields = regular_fields(source)  # rez's plain released layout: no AST needed
        if fields is not None:
            return regular_package_data(fields, name, version)
    values = _read_values(source)
    if isinstance(values, Outcome):
        return values
    return _package_data(values, name, version)


def _yaml_values(source: str | bytes) -> dict[str, object] | Outcome:
    """rez reads YAML with PyYAML; for plain data the safe loader gives what rez's
    ``FullLoader`` gives, and a Python-specific tag is declined."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        text = source.decode("utf-8") if isinstance(source, bytes) else source
        data = yaml.load(text, Loader=loader)
    except yaml.constructor.ConstructorError as exc:
        return Outcome(ParseStatus.DYNAMIC, reason=f"YAML tag the safe loader refuses: {exc}")
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        return Outcome(ParseStatus.ERROR, reason=f"{type(exc).__name__}: {exc}")
    if data is None:
        data = {}  # rez reads an empty file as {}
    if not isinstance(data, dict):
        return Outcome(ParseStatus.ERROR, reason=f"top level is a {type(data).__name__}, not a mapping")
    return {str(k): v for k, v in data.items()}


def analyse_package_yaml(source: str | bytes, name: str | None = None, version: str | None = None) -> Outcome:
    """Read a ``package.yaml`` as rez does (see ``_yaml_values``)."""
    values = _yaml_values(source)
    if isinstance(values, Outcome):
        return values
    return _package_data(values, name, version)


def analyse_combined_package(
    source: str | bytes, fmt: str, family: str, version: str
) -> Outcome:
    """One package of a combined ``<family>.py``/``.yaml`` file (spec 5.2).

    As rez's ``FileSystemCombinedPackageResource._load``: the file's data, and
    when it lists ``versions``, every ``version_overrides`` entry whose range
    contains ``version`` applied in file order.
    """
    if fmt == "yaml":
        whole = analyse_package_yaml(source)
        if whole.status is not ParseStatus.STATIC:
            return whole
        import yaml

        values = yaml.load(source, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    else:
        read = _read_values(source)
        if isinstance(read, Outcome):
            return read
        values = read
    data = dict(values)
    if "versions" in data:
        del data["versions"]
        overrides = data.pop("version_overrides", None) or {}
        if not isinstance(overrides, dict):
            return Outcome(ParseStatus.ERROR, reason="'version_overrides' is not a mapping")
        try:
            target = Version(version)
            for range_text, override in overrides.items():
                if not isinstance(override, dict):
                    return Outcome(ParseStatus.ERROR, reason="'version_overrides' values must be mappings")
                if target in VersionRange(str(range_text)):
                    data.update(override)
        except (InvalidVersion, InvalidRange) as exc:
            return Outcome(ParseStatus.ERROR, reason=str(exc))
    return _package_data({str(k): v for k, v in data.items()}, family, version)


def parse_static_package_py(source: str | bytes) -> PackageData | None:
    """The file's package data when it is static, else ``None`` (dynamic, late-bound or invalid).

    ``name`` and ``version`` are the file's own literals (``""`` when absent):
    rez takes them from the path, so the caller that knows the path replaces them.
    """
    return analyse_package_py(source).data
