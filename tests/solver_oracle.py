"""rez's live solver and ours, side by side: results in one comparable shape (spec E)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from rezsnap.solver import Repository, solve_with


def rez_result(
    requests: Sequence[str], paths: Sequence[str], mode: str, package_requests: bool = True, *,
    package_filter: Any = None, package_orderers: Any = None, timestamp: int | None = None,
) -> dict[str, Any]:
    """rez 3.4.0's ``Solver``, with requests parsed as ``ResolvedContext`` does (``PackageRequest``)
    or as rez's solver tests do (``Requirement``); exceptions become status error. A filter and
    orderers (rez's config forms) and a resolve time apply as rez's ``Resolver`` applies them:
    the time joins the filter as ``after(T)``; ``config.packages_path`` is ``paths`` (where
    rez's ``soft_timestamp`` reads release times)."""
    from rez.config import config
    from rez.package_filter import PackageFilterList, TimestampRule
    from rez.package_order import PackageOrderList
    from rez.solver import Solver
    from rez.utils.formatting import PackageRequest
    from rez.version import Requirement

    parse = PackageRequest if package_requests else Requirement
    filters = PackageFilterList.from_pod(package_filter if isinstance(package_filter, list) else [package_filter]) \
        if package_filter is not None else PackageFilterList()
    if timestamp:
        filters = filters.copy()
        filters.add_exclusion(TimestampRule.after(timestamp))
    config.override("variant_select_mode", mode)
    config.override("packages_path", list(paths))
    try:
        solver = Solver([parse(r) for r in requests], package_paths=list(paths), package_filter=filters,
                        package_orderers=PackageOrderList.from_pod(package_orderers or []))
        solver.solve()
    except Exception as exc:  # noqa: BLE001  rez aborts: ours must say error
        return {"status": "error", "exception": type(exc).__name__, "message": str(exc)}
    finally:
        config.remove_override("variant_select_mode")
        config.remove_override("packages_path")
    status = solver.status.name
    if status != "solved":
        return {"status": status, "failure": solver.failure_description()}
    return {"status": "solved", "resolved": [str(v) for v in solver.resolved_packages],
            "ephemerals": [str(e) for e in solver.resolved_ephemerals]}


def our_result(
    requests: Sequence[str], repository: Repository, mode: str, package_requests: bool = True, *,
    package_filter: Any = None, package_orderers: Any = None, timestamp: int | None = None,
) -> dict[str, Any]:
    from rezsnap.solver._api import _steering

    steering, orderers = _steering(package_filter, package_orderers)
    result = solve_with(repository, list(requests), variant_select_mode=mode, validate_names=package_requests,
                        timestamp=timestamp, package_filter=steering, package_orderers=orderers)
    if result.status == "error":
        return {"status": "error", "message": result.failure_description}
    if result.status != "solved":
        return {"status": result.status, "failure": result.failure_description}
    return {"status": "solved", "resolved": [v.qualified_name for v in result.resolved_packages],
            "ephemerals": list(result.resolved_ephemerals)}


_ITEM = re.compile(r"\((?:[^()]|\([^()]*\))*\)")


def _failure_key(text: str | None) -> Any:
    """TotalReduction items compare as a multiset; a cycle as "a cycle" (spec D.10, D.11)."""
    if text is None:
        return None
    if text.startswith("A package was completely reduced: "):
        return ("reduced", sorted(_ITEM.findall(text)))
    if text.startswith("A cyclic dependency was detected: "):
        # Which cycle rez reports, and from where, follows set order (PYTHONHASHSEED): with
        # several cycles in the graph rez itself differs between runs (spec D.10, D.16).
        return "cycle"
    return text


def same(ours: dict[str, Any], theirs: dict[str, Any]) -> bool:
    if ours["status"] != theirs["status"]:
        return False
    if ours["status"] == "error":
        return True
    if ours["status"] == "failed":
        return _failure_key(ours["failure"]) == _failure_key(theirs["failure"])
    return ours["resolved"] == theirs["resolved"] and ours["ephemerals"] == theirs["ephemerals"]
