"""rez's live solver and ours, side by side: results in one comparable shape (spec E)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from rezsnap.solver import Repository, solve_with


def rez_result(
    requests: Sequence[str], paths: Sequence[str], mode: str, package_requests: bool = True
) -> dict[str, Any]:
    """rez 3.4.0's ``Solver``, with requests parsed as ``ResolvedContext`` does (``PackageRequest``)
    or as rez's solver tests do (``Requirement``); exceptions become status error."""
    from rez.config import config
    from rez.solver import Solver
    from rez.utils.formatting import PackageRequest
    from rez.version import Requirement

    parse = PackageRequest if package_requests else Requirement
    config.override("variant_select_mode", mode)
    try:
        solver = Solver([parse(r) for r in requests], package_paths=list(paths))
        solver.solve()
    except Exception as exc:  # noqa: BLE001  rez aborts: ours must say error
        return {"status": "error", "exception": type(exc).__name__, "message": str(exc)}
    finally:
        config.remove_override("variant_select_mode")
    status = solver.status.name
    if status != "solved":
        return {"status": status, "failure": solver.failure_description()}
    return {"status": "solved", "resolved": [str(v) for v in solver.resolved_packages],
            "ephemerals": [str(e) for e in solver.resolved_ephemerals]}


def our_result(
    requests: Sequence[str], repository: Repository, mode: str, package_requests: bool = True
) -> dict[str, Any]:
    result = solve_with(repository, list(requests), variant_select_mode=mode, validate_names=package_requests)
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
