"""The rez-faithful solver (spec rez-solver.md section D) over a snapshot or any package source."""

from ._api import ResolvedVariant, SolveResult, solve, solve_many, solve_with
from ._failures import SolverError
from ._repository import Repository

__all__ = ["Repository", "ResolvedVariant", "SolveResult", "SolverError", "solve", "solve_many", "solve_with"]
