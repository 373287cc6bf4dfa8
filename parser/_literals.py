"""Read the module-level literal assignments of a Python file without running it.

This is the conservative core shared by the scanner (``versions`` of combined
``name.py`` families) and the package parser: a module is *static* when every
top-level statement is a docstring, ``pass``, an undecorated ``def`` (rez does
not call plain functions at load time) or ``NAME = <literal>``. Anything else
raises ``DynamicSource``: the caller then declines or falls back to rez.
"""

from __future__ import annotations

import ast
from typing import Final

from rezsnap.version import RezsnapError

__all__ = [
    "FUNCTION",
    "SOLVER_FIELDS",
    "DynamicSource",
    "InvalidSource",
    "LateBound",
    "literal_value",
    "parse_module",
    "read_static_assignments",
]

#: Literals nested deeper than this are declined (rez would happily load them;
#: we would rather decline than recurse without bound).
MAX_LITERAL_DEPTH: Final = 50


class _Function:
    """Marks a name bound by ``def``: rez stores it as source code, not as data."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<function>"


FUNCTION: Final = _Function()


class DynamicSource(RezsnapError, ValueError):
    """The source is valid Python but not something a static read can answer."""

    def __init__(self, reason: str, lineno: int | None = None) -> None:
        super().__init__(reason, lineno)
        self.reason = reason
        self.lineno = lineno

    def __str__(self) -> str:
        where = f" (line {self.lineno})" if self.lineno else ""
        return f"not static{where}: {self.reason}"


class InvalidSource(RezsnapError, ValueError):
    """The source does not compile (syntax error, NUL byte, bad encoding)."""


def parse_module(source: str | bytes) -> ast.Module:
    """Compile ``source`` to an AST the way Python (and thus rez) would read it."""
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, UnicodeDecodeError, MemoryError, RecursionError) as exc:
        raise InvalidSource(f"{type(exc).__name__}: {exc}") from exc


def literal_value(node: ast.expr, depth: int = 0) -> object:
    """The value of a literal expression, or ``DynamicSource``.

    Accepts str, bytes-free constants (int, float, bool, None), unary minus on
    numbers, and lists, tuples and dicts of those. No names, calls, operators,
    f-strings, comprehensions or starred items.
    """
    if depth > MAX_LITERAL_DEPTH:
        raise DynamicSource("literal nested too deeply", getattr(node, "lineno", None))
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, (str, int, float, bool)) or value is None:
            return value
        raise DynamicSource(f"unsupported constant {type(value).__name__}", node.lineno)
    if isinstance(node, ast.List):
        return [literal_value(item, depth + 1) for item in node.elts]
    if isinstance(node, ast.Tuple):
        return tuple(literal_value(item, depth + 1) for item in node.elts)
    if isinstance(node, ast.Dict):
        result: dict[object, object] = {}
        for key_node, value_node in zip(node.keys, node.values):
            if key_node is None:
                raise DynamicSource("dict unpacking", node.lineno)
            key_value = literal_value(key_node, depth + 1)
            try:
                hash(key_value)
            except TypeError:
                raise DynamicSource("unhashable dict key", node.lineno) from None
            result[key_value] = literal_value(value_node, depth + 1)
        return result
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) in (int, float)
    ):
        return -node.operand.value  # type: ignore[operator]
    raise DynamicSource(f"{type(node).__name__} is not a literal", getattr(node, "lineno", None))


#: Fields whose value the solver needs: a function defining one is not static.
SOLVER_FIELDS: Final = frozenset({"name", "version", "requires", "variants", "timestamp"})


class LateBound(DynamicSource):
    """A solver field is an ``@late()`` function: code evaluated at resolve time, not data."""


def read_static_assignments(source: str | bytes) -> dict[str, object]:
    """The module-level ``NAME = literal`` values of a static file, last one winning.

    Names bound by ``def`` map to ``FUNCTION`` (rez keeps them as source code).
    Raises ``InvalidSource`` when the file does not compile, ``LateBound`` when a
    solver field is ``@late()``, ``DynamicSource`` for anything else not static.
    """
    values: dict[str, object] = {}
    _statement_values(parse_module(source).body, values, in_scope=False)
    return values


def _statement_values(body: list[ast.stmt], values: dict[str, object], in_scope: bool) -> None:
    """Collect ``NAME = literal`` values; raise DynamicSource on anything else."""
    for statement in body:
        line = statement.lineno
        if isinstance(statement, ast.Pass):
            continue
        if (
            isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str)
        ):
            continue  # docstring
        if isinstance(statement, ast.Assign):
            if len(statement.targets) != 1 or not isinstance(statement.targets[0], ast.Name):
                raise DynamicSource("assignment to something other than one plain name", line)
            value = literal_value(statement.value)
            if not in_scope:
                values[statement.targets[0].id] = value
            continue
        if isinstance(statement, ast.FunctionDef) and not in_scope:
            _check_function(statement)
            values[statement.name] = FUNCTION
            continue
        if isinstance(statement, ast.With) and not in_scope and _is_config_scope(statement):
            # rez runs the block; names bound inside belong to the scope, not the package
            _statement_values(statement.body, {}, in_scope=True)
            continue
        raise DynamicSource(f"top-level {type(statement).__name__}", line)



def _check_function(func: ast.FunctionDef) -> None:
    """Plain functions and ``@late()`` ones are kept as source by rez; ``@early`` ones run."""
    late = False
    for decorator in func.decorator_list:
        if (
            isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Name)
            and decorator.func.id == "late"
            and not decorator.args
            and not decorator.keywords
        ):
            late = True
            continue
        raise DynamicSource(f"decorated function '{func.name}' (only @late() is static)", func.lineno)
    if func.name in SOLVER_FIELDS:
        if late:
            raise LateBound(f"@late() function defines '{func.name}'", func.lineno)
        raise DynamicSource(f"function defines '{func.name}'", func.lineno)
    # Defaults and annotations are evaluated when rez execs the 'def'.
    args = func.args
    if args.defaults or args.kw_defaults or func.returns or any(
        a.annotation for a in args.args + args.kwonlyargs + args.posonlyargs
    ):
        raise DynamicSource(f"function '{func.name}' has defaults or annotations", func.lineno)


def _is_config_scope(statement: ast.With) -> bool:
    if len(statement.items) != 1 or statement.items[0].optional_vars is not None:
        return False
    call = statement.items[0].context_expr
    return (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id == "scope"
        and len(call.args) == 1
        and not call.keywords
        and isinstance(call.args[0], ast.Constant)
        and isinstance(call.args[0].value, str)
    )
