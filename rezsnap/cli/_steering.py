"""``--exclude``, ``--include``, ``--no-filters`` and rez's config: what steers a solve.

As ``rez env`` builds them: the filter starts from rez's ``package_filter`` setting (none
with ``--no-filters``), each ``--exclude`` joins its last filter, each ``--include`` every
filter; the orderers are rez's ``package_orderers`` setting. rez's settings are read only
when rez is installed and ``--no-rez-config`` is not given.
"""

from __future__ import annotations

import argparse
import importlib.util
from typing import Any

from rezsnap.version import RezsnapError

from ._common import UsageError

__all__ = ["add_steering_arguments", "steering"]


def add_steering_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("package filters and orderers (as rez env)")
    group.add_argument("--exclude", nargs="+", action="extend", default=[], metavar="RULE",
                       help="hide the packages a rule matches, as rez env --exclude: glob(*.beta), "
                       "'foo-2+', before(T), after(T), regex(...), range(...)")
    group.add_argument("--include", nargs="+", action="extend", default=[], metavar="RULE",
                       help="keep the packages a rule matches, whatever the exclusions (rez env --include)")
    group.add_argument("--no-filters", action="store_true",
                       help="ignore rez's package_filter setting (--exclude/--include still apply)")
    group.add_argument("--no-rez-config", action="store_true",
                       help="ignore rez's configuration (package_filter, package_orderers)")


def _rez_settings(args: argparse.Namespace) -> tuple[Any, Any]:
    """rez's ``package_filter`` and ``package_orderers`` settings (None without rez)."""
    if args.no_rez_config or importlib.util.find_spec("rez") is None:
        return None, None
    from rez.config import config

    return config.package_filter, config.package_orderers


def steering(args: argparse.Namespace) -> tuple[Any, Any]:
    """(our ``PackageFilterList`` or None, our ``PackageOrderList`` or None)."""
    from rezsnap.solver._filters import FilterRule, PackageFilterList
    from rezsnap.solver._orderers import package_order_list

    setting_filter, setting_orderers = _rez_settings(args)
    try:
        filters = PackageFilterList() if args.no_filters else PackageFilterList.from_pod(setting_filter)
        for text in args.exclude:
            filters.add_exclusion(FilterRule.parse(text))
        for text in args.include:
            filters.add_inclusion(FilterRule.parse(text))
        orderers = package_order_list(setting_orderers) if setting_orderers else None
    except (RezsnapError, TypeError) as exc:
        raise UsageError(str(exc)) from None
    return filters or None, orderers or None
