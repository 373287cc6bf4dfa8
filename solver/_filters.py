"""rez's package filters (``rez/package_filter.py``): which packages a solve may see.

A filter holds exclusion and inclusion rules, each either for one family or for all; a
package is excluded when an exclusion matches and no inclusion does. A filter list
excludes a package when any of its filters does. Rules, as rez parses them:
``glob(PATTERN)`` and ``regex(PATTERN)`` match the qualified name (``foo-1.0.beta``),
``range(REQUIREMENT)`` matches the versions that do not conflict with the requirement,
``before(T)``/``after(T)`` (optionally ``family:T``) match by release time, and a package
without one never matches them; an unlabelled rule is a glob when it holds ``*``, else a
range. A glob or regex applies to one family when its text starts with a name and a
separator (rez's ``[^*?]+[-@#]``, greedy, so ``foo-1.0-beta`` names the family ``foo-1.0``,
which no package has: such a rule applies to nothing). rez adds a resolve's ``--time T``
as ``after(T)`` to the last filter of the list (sorted by cost), so an inclusion in that
filter lets a later package through.

Built without rez, from rez's config form (a dict with ``excludes``/``includes``, or a
list of them) or from a rez filter's ``to_pod()``.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from typing import Any, Final

from rezsnap.version import Requirement, RezsnapError, Version

__all__ = ["FilterError", "FilterRule", "PackageFilter", "PackageFilterList", "package_filter_list"]

_LABEL: Final = re.compile(r"^([^(]+)\(([^\(\)]+)\)$")
_FAMILY: Final = re.compile(r"[^*?]+[-@#]")
_KINDS: Final = ("glob", "regex", "range", "before", "after")


class FilterError(RezsnapError):
    """A rule rez refuses (rez raises ``ConfigurationError``)."""


def _label(text: str) -> tuple[str | None, str]:
    found = _LABEL.match(text)
    return (found.group(1), found.group(2)) if found else (None, text)


def _family(text: str) -> str | None:
    found = _FAMILY.match(text)
    return found.group()[:-1] if found else None


class FilterRule:
    """One rule; ``matches(name, version, timestamp)``."""

    __slots__ = ("_regex", "_requirement", "_timestamp", "cost", "family", "kind", "text")

    def __init__(self, kind: str, body: str) -> None:
        self.kind = kind
        self._regex: re.Pattern[str] | None = None
        self._requirement: Requirement | None = None
        self._timestamp = 0
        if kind in ("glob", "regex"):
            self.text = body
            self._regex = re.compile(fnmatch.translate(body) if kind == "glob" else body)
            self.family, self.cost = _family(body), 10
        elif kind == "range":
            self._requirement = Requirement(body)
            self.text = str(self._requirement)
            self.family, self.cost = self._requirement.name, 10
        else:  # before, after
            family, stamp = body.split(":", 1) if ":" in body else (None, body)
            self._timestamp = int(stamp)
            self.family, self.cost = family, 1000  # rez: reading a release time loads the package
            self.text = f"{family}:{self._timestamp}" if family else str(self._timestamp)

    @classmethod
    def parse(cls, text: str) -> FilterRule:
        """rez's ``Rule.parse_rule``."""
        label, body = _label(text)
        if label is None:
            label = "glob" if "*" in body else "range"
        elif label not in _KINDS:
            raise FilterError(f"'{label}' is not a valid package filter type")
        labelled = f"{label}({body})"
        try:
            return cls(label, _label(labelled)[1])  # rez parses the labelled text again
        except Exception as exc:  # noqa: BLE001  as rez: any failure is a refused rule
            raise FilterError(f"Error parsing package filter '{labelled}': {type(exc).__name__}: {exc}") from None

    def matches(self, name: str, version: Version, timestamp: int | None) -> bool:
        if self._regex is not None:
            text = str(version)
            return self._regex.match(f"{name}-{text}" if text else name) is not None
        if self._requirement is not None:
            return not self._requirement.conflicts_with_version(version)
        if not timestamp:
            return False
        return timestamp > self._timestamp if self.kind == "after" else timestamp <= self._timestamp

    def __str__(self) -> str:
        return f"{self.kind}({self.text})"

    __repr__ = __str__


class PackageFilter:
    """Exclusion and inclusion rules by family (None: every family), cheapest first."""

    __slots__ = ("_excludes", "_includes")

    def __init__(self) -> None:
        self._excludes: dict[str | None, list[FilterRule]] = {}
        self._includes: dict[str | None, list[FilterRule]] = {}

    @property
    def cost(self) -> float:
        total = 0.0
        for family, rules in self._excludes.items():
            cost = float(sum(rule.cost for rule in rules))
            total += cost / 10 if family else cost
        return total

    def add_exclusion(self, rule: FilterRule) -> None:
        _add(self._excludes, rule)

    def add_inclusion(self, rule: FilterRule) -> None:
        _add(self._includes, rule)

    def copy(self) -> PackageFilter:
        other = PackageFilter()
        other._excludes = {k: list(v) for k, v in self._excludes.items()}
        other._includes = {k: list(v) for k, v in self._includes.items()}
        return other

    def excludes(self, name: str, version: Version, timestamp: int | None) -> bool:
        excludes = self._excludes
        if not excludes:
            return False
        if not (_any(excludes.get(name), name, version, timestamp)
                or _any(excludes.get(None), name, version, timestamp)):
            return False
        includes = self._includes
        return not (_any(includes.get(name), name, version, timestamp)
                    or _any(includes.get(None), name, version, timestamp))

    def __bool__(self) -> bool:
        return bool(self._excludes)

    def to_pod(self) -> dict[str, list[str]]:
        pod = {}
        for key, rules in (("excludes", self._excludes), ("includes", self._includes)):
            if rules:
                pod[key] = [str(rule) for family_rules in rules.values() for rule in family_rules]
        return pod


def _add(rules: dict[str | None, list[FilterRule]], rule: FilterRule) -> None:
    rules[rule.family] = sorted([*rules.get(rule.family, []), rule], key=lambda r: r.cost)


def _any(rules: list[FilterRule] | None, name: str, version: Version, timestamp: int | None) -> bool:
    if rules:
        for rule in rules:
            if rule.matches(name, version, timestamp):
                return True
    return False


class PackageFilterList:
    """Filters, cheapest first; a package is excluded when any filter excludes it."""

    __slots__ = ("_decided", "filters")

    def __init__(self, filters: Sequence[PackageFilter] = ()) -> None:
        self.filters: list[PackageFilter] = []
        # a package's fate depends on its name, version and release time only: decided once
        # for every solve this list steers (cleared whenever a rule is added)
        self._decided: dict[tuple[str, bytes, str, int | None], bool] = {}
        for one in filters:
            self.add_filter(one)

    def add_filter(self, one: PackageFilter) -> None:
        self.filters = sorted([*self.filters, one], key=lambda f: f.cost)
        self._decided.clear()

    def add_exclusion(self, rule: FilterRule) -> None:
        """To the last filter (a new one when there is none), as rez adds ``--exclude``."""
        self._decided.clear()
        if self.filters:
            self.filters[-1].add_exclusion(rule)
        else:
            one = PackageFilter()
            one.add_exclusion(rule)
            self.add_filter(one)

    def add_inclusion(self, rule: FilterRule) -> None:
        """To every filter (none: the rule is dropped), as rez adds ``--include``."""
        self._decided.clear()
        for one in self.filters:
            one.add_inclusion(rule)

    def copy(self) -> PackageFilterList:
        other = PackageFilterList()
        other.filters = [one.copy() for one in self.filters]
        return other

    def with_timestamp(self, timestamp: int | None) -> PackageFilterList:
        """The list a resolve at ``timestamp`` applies (rez's ``Resolver``: ``after(T)``
        added to a copy's last filter)."""
        if not timestamp:
            return self
        combined = self.copy()
        combined.add_exclusion(FilterRule("after", str(timestamp)))
        return combined

    def excludes(self, name: str, version: Version, timestamp: int | None) -> bool:
        # the text too: glob and regex rules read it, and equal versions may be spelt apart
        key = (name, version.packed_key, str(version), timestamp)
        found = self._decided.get(key)
        if found is None:
            found = False
            for one in self.filters:
                if one.excludes(name, version, timestamp):
                    found = True
                    break
            if len(self._decided) > 500_000:
                self._decided.clear()
            self._decided[key] = found
        return found

    def __bool__(self) -> bool:
        return any(self.filters)

    def to_pod(self) -> list[dict[str, list[str]]]:
        return [one.to_pod() for one in self.filters]

    @classmethod
    def from_pod(cls, data: Any) -> PackageFilterList:
        """rez's config form: a dict (``excludes``/``includes``: a rule or a list) or a list of them."""
        if data is None:
            return cls()
        if isinstance(data, dict):
            data = [data]
        if not isinstance(data, (list, tuple)):
            raise TypeError(f"package_filter must be a dict or a list of dicts, not {type(data).__name__}")
        found = cls()
        for pod in data:
            if not isinstance(pod, dict):
                raise TypeError(f"package_filter entries must be dicts, not {type(pod).__name__}")
            one = PackageFilter()
            for key, add in (("excludes", one.add_exclusion), ("includes", one.add_inclusion)):
                texts = pod.get(key, [])
                for text in [texts] if isinstance(texts, str) else texts:
                    add(FilterRule.parse(text))
            found.add_filter(one)
        return found


def package_filter_list(value: Any) -> PackageFilterList:
    """A ``PackageFilterList`` from ours, rez's (``to_pod()``) or the config form."""
    if isinstance(value, PackageFilterList):
        return value
    if type(value) not in (list, tuple, dict) and hasattr(value, "to_pod"):
        value = value.to_pod()
    return PackageFilterList.from_pod(value)
