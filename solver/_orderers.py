"""rez's package orderers (``rez/package_order.py``): the version order a slice tries.

rez sorts a slice's versions, and the requirement ranges that order a version's variants,
by ``orderer.sort_key``: for a version, ``FallbackComparable(the orderer's key, version)``
(compared by the orderer's key; by the version where comparing the keys raises); for a
range, a tuple over its bounds of (lower key, -2 inclusive/-1), (upper key, 2/1). The
orderer of a family is the first orderer of the list naming it, else the first naming
``*``, else ``sorted`` descending (the default, which the solver keeps as its fast path).

Types (rez 3.4.0): ``no_order`` (every key equal: the listing order stays), ``sorted``
(``descending``), ``per_family`` (``orderers`` by family, ``default_order``),
``version_split`` (``first_version``: versions up to it first, then the newer ones) and
``soft_timestamp`` (``timestamp``, ``rank``: versions released before the time first; it
reads the family's release times, as rez does, from every package of the family).

Built without rez, from rez's config form (a list of dicts) or a rez ``PackageOrderList``'s
``to_pod()``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rezsnap.version import RezsnapError, Version, VersionRange

from ._failures import SolverError

__all__ = ["OrdererError", "PackageOrderList", "package_order_list", "reads_release_times"]

ALL_PACKAGES = "*"

#: the family's (version, timestamp) pairs, every version (soft_timestamp reads them)
FamilyTimes = Callable[[str], Sequence[tuple[Version, int | None]]]


class OrdererError(RezsnapError):
    """An orderer rez would not build from this config."""


class _Fallback:
    """rez's ``FallbackComparable``: the orderer's key, the version where that raises."""

    __slots__ = ("fallback", "main")

    def __init__(self, main: Any, fallback: Any) -> None:
        self.main, self.fallback = main, fallback

    # A family without an orderer keys its versions by the bare packed key (the solver's fast
    # path): compared with one, it stands for FallbackComparable(key, key), as in rez.
    def __eq__(self, other: object) -> bool:
        main, fallback = (other.main, other.fallback) if isinstance(other, _Fallback) else (other, other)
        try:
            return bool(self.main == main)
        except Exception:  # noqa: BLE001  as rez: any failure compares the versions instead
            return bool(self.fallback == fallback)

    def __lt__(self, other: Any) -> bool:
        main, fallback = (other.main, other.fallback) if isinstance(other, _Fallback) else (other, other)
        try:
            return bool(self.main < main)
        except Exception:  # noqa: BLE001
            return bool(self.fallback < fallback)

    def __gt__(self, other: Any) -> bool:  # a bare key on the left
        main, fallback = (other.main, other.fallback) if isinstance(other, _Fallback) else (other, other)
        try:
            return bool(self.main > main)
        except Exception:  # noqa: BLE001
            return bool(self.fallback > fallback)

    __hash__ = None  # type: ignore[assignment]


class _Reversed:
    """rez's ``_ReversedComparable``: ``<`` is ``>`` of the values; nothing else compares."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Reversed):
            return NotImplemented
        return bool(self.value == other.value)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, _Reversed):
            return NotImplemented
        return bool(self.value > other.value)

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, _Reversed):
            return NotImplemented
        return bool(self.value < other.value)

    __hash__ = None  # type: ignore[assignment]


class _Order:
    """One orderer: ``key(family, version)`` is its ``sort_key_implementation``."""

    name = ""

    def __init__(self, packages: Any) -> None:
        if packages is None:
            self.packages: list[str] = [ALL_PACKAGES]
        elif isinstance(packages, str):
            self.packages = [packages]
        else:
            self.packages = sorted(packages)

    def key(self, family: str, version: Version, times: FamilyTimes) -> Any:
        raise NotImplementedError

    def fresh(self) -> _Order:
        """This orderer without what it cached (only ``soft_timestamp`` caches)."""
        return self


class _NoOrder(_Order):
    name = "no_order"

    def key(self, family: str, version: Version, times: FamilyTimes) -> Any:
        return 0


class _Sorted(_Order):
    name = "sorted"

    def __init__(self, packages: Any, descending: bool) -> None:
        super().__init__(packages)
        self.descending = bool(descending)

    def key(self, family: str, version: Version, times: FamilyTimes) -> Any:
        return version.packed_key if self.descending else _Reversed(version.packed_key)


class _PerFamily(_Order):
    name = "per_family"

    def __init__(self, orders: dict[str, _Order], default: _Order | None) -> None:
        super().__init__(list(orders))
        self.orders, self.default = orders, default

    def fresh(self) -> _Order:
        fresh = {family: order.fresh() for family, order in self.orders.items()}
        return _PerFamily(fresh, None if self.default is None else self.default.fresh())

    def key(self, family: str, version: Version, times: FamilyTimes) -> Any:
        order = self.orders.get(family, self.default)
        if order is None:
            raise RuntimeError(f"package family orderer does not apply to package family {family!r}")
        return order.key(family, version, times)


class _VersionSplit(_Order):
    name = "version_split"

    def __init__(self, packages: Any, first_version: str) -> None:
        super().__init__(packages)
        self.first = Version(str(first_version)).packed_key

    def key(self, family: str, version: Version, times: FamilyTimes) -> Any:
        packed = version.packed_key
        return (1 if packed <= self.first else 0, packed)


class _SoftTimestamp(_Order):
    name = "soft_timestamp"

    def __init__(self, packages: Any, timestamp: int, rank: int = 0) -> None:
        super().__init__(packages)
        self.timestamp, self.rank = int(timestamp), int(rank)
        self._first_after: dict[str, Version | None] = {}

    def fresh(self) -> _Order:
        return _SoftTimestamp(self.packages, self.timestamp, self.rank)

    def _first_after_of(self, family: str, times: FamilyTimes) -> Version | None:
        """rez's ``_calc_first_after`` (its loop variables too)."""
        if family in self._first_after:
            return self._first_after[family]
        descending = sorted(times(family), key=lambda item: item[0].packed_key, reverse=True)
        first_after: Version | None = None
        index, version = 0, None
        for index, (version, stamp) in enumerate(descending):
            if not stamp:
                continue
            if stamp > self.timestamp:
                first_after = version
            else:
                break
        if self.rank and version is not None:
            trimmed = version.key[: self.rank - 1]
            first_after = None
            for after, _ in reversed(descending[:index]):
                if after.key[: self.rank - 1] != trimmed:
                    first_after = after
                    break
        self._first_after[family] = first_after
        return first_after

    def key(self, family: str, version: Version, times: FamilyTimes) -> Any:
        first_after = self._first_after_of(family, times)
        before = 1 if first_after is None else int(version.packed_key < first_after.packed_key)
        if before:
            return (before, version.packed_key)
        if self.rank:
            if version.is_inf:  # the upper end of an open range: rez's trim raises, aborting the solve
                raise SolverError("RuntimeError: Version.inf cannot be trimmed")
            return (before, _Reversed(version.key[: self.rank - 1]), version.key[self.rank - 1:])
        return (before, _Reversed(version.packed_key))


def _members(order: _Order) -> list[_Order]:
    if isinstance(order, _PerFamily):
        nested = [*order.orders.values(), *([order.default] if order.default is not None else [])]
        return [member for one in nested for member in _members(one)]
    return [order]


def _may_raise(order: _Order) -> bool:
    return any(isinstance(one, _SoftTimestamp) and one.rank > 0 for one in _members(order))


def reads_release_times(orders: PackageOrderList) -> bool:
    """Whether a ``soft_timestamp`` orderer is among them (rez's reads ``config.packages_path``)."""
    return any(isinstance(one, _SoftTimestamp) for order in orders.orders for one in _members(order))


def _order(pod: Any) -> _Order:
    """rez's ``package_order.from_pod``."""
    if isinstance(pod, (list, tuple)) and len(pod) == 2:
        kind, pod = pod
    elif isinstance(pod, dict):
        pod = dict(pod)
        kind = pod.pop("type", None)
    else:
        raise OrdererError(f"an orderer is a dict with a 'type', not {pod!r}")
    packages = pod.get("packages")
    try:
        if kind == "no_order":
            return _NoOrder(packages)
        if kind == "sorted":
            return _Sorted(packages, pod["descending"])
        if kind == "version_split":
            return _VersionSplit(packages, pod["first_version"])
        if kind == "soft_timestamp":
            return _SoftTimestamp(packages, pod["timestamp"], pod.get("rank", 0))
        if kind == "per_family":
            orders: dict[str, _Order] = {}
            for member in pod["orderers"]:
                member = dict(member)
                for family in member.pop("packages"):
                    orders[family] = _order(member)
            default = pod.get("default_order")
            return _PerFamily(orders, _order(default) if default else None)
    except (KeyError, TypeError, ValueError) as exc:
        raise OrdererError(f"invalid {kind} orderer {pod!r}: {type(exc).__name__}: {exc}") from None
    raise OrdererError(f"unknown package orderer type {kind!r}")


class PackageOrderList:
    """Orderers; a family's is the first naming it, else the first naming ``*``."""

    __slots__ = ("_by_family", "_keys", "_pod", "may_raise", "orders")

    def __init__(self, orders: Sequence[_Order] = (), pod: Sequence[Any] = ()) -> None:
        self.orders = list(orders)
        self._pod = list(pod)  # the config form it was built from
        self._keys: dict[tuple[str, bytes], Any] = {}
        #: whether computing a key may raise as rez's does (soft_timestamp with a rank)
        self.may_raise = any(_may_raise(order) for order in self.orders)
        self._by_family: dict[str, _Order] = {}
        for order in self.orders:
            for family in order.packages:
                self._by_family.setdefault(family, order)

    def __bool__(self) -> bool:
        return bool(self.orders)

    def for_one_solve(self) -> PackageOrderList:
        """A copy whose ``soft_timestamp`` orderers start without cached release times (they
        belong to one solve's packages)."""
        return PackageOrderList([order.fresh() for order in self.orders], self._pod)

    def to_pod(self) -> list[Any]:
        """rez's config form (as given)."""
        return list(self._pod)

    def order_of(self, family: str) -> _Order | None:
        """The family's orderer (None: rez's default, sorted descending)."""
        return self._by_family.get(family) or self._by_family.get(ALL_PACKAGES)

    def version_key(self, family: str, version: Version, times: FamilyTimes) -> Any:
        """rez's ``sort_key`` of a version: the bare packed key for a family without an
        orderer, else ``_Fallback(the orderer's key, packed key)`` (kept per solve)."""
        order = self.order_of(family)
        packed = version.packed_key
        if order is None:
            return packed
        found = self._keys.get((family, packed))
        if found is None:
            found = self._keys[family, packed] = _Fallback(order.key(family, version, times), packed)
        return found

    def range_key(self, family: str, range_: VersionRange | None, times: FamilyTimes) -> Any:
        """rez's ``sort_key`` of a requirement's range (0 for a bare weak requirement)."""
        if range_ is None:
            return 0
        return tuple(
            ((self.version_key(family, b.lower, times), -2 if b.lower_inclusive else -1),
             (self.version_key(family, b.upper, times), 2 if b.upper_inclusive else 1))
            for b in range_.bounds)

    @classmethod
    def from_pod(cls, data: Any) -> PackageOrderList:
        if data is None:
            return cls()
        if not isinstance(data, (list, tuple)):
            raise TypeError(f"package_orderers must be a list of dicts, not {type(data).__name__}")
        return cls([_order(pod) for pod in data], data)


def package_order_list(value: Any) -> PackageOrderList:
    """A ``PackageOrderList`` from ours, rez's (``to_pod()``) or the config form."""
    if isinstance(value, PackageOrderList):
        return value
    if type(value) not in (list, tuple, dict) and hasattr(value, "to_pod"):
        value = value.to_pod()
    return PackageOrderList.from_pod(value)
