"""Read the module-level data of a ``package.py`` as rez's ``exec`` would bind it, without running it.

rez execs the file in a namespace holding ``scope``, ``early``, ``late`` and a
few more (``rez/serialise.py:_load_py``), then keeps the names it bound, minus
modules and plain functions. This walks the statements in order and answers
for the subset whose effect is certain: docstrings, ``pass``, assignments of
data (``_literals``), undecorated or ``@late()`` ``def``\\s, ``with scope(...)``
blocks, imports of standard-library modules and of rez's ``lint_helper``.
Anything else raises ``DynamicSource``; a file rez would fail to load raises
``InvalidSource``.
"""

from __future__ import annotations
import __future__

import ast
import importlib
from typing import Final

from ._literals import (
    FUNCTION,
    MODULE,
    OPAQUE,
    SOURCE_NAME,
    DynamicSource,
    InvalidSource,
    LateBound,
    literal_value,
    parse_module,
)
from ._scopes import Settings, exit_block, set_attribute, wrapped

__all__ = ["REX_FUNCTIONS", "SOLVER_FIELDS", "read_static_assignments"]

#: Fields whose value the solver needs: a function defining one is not static.
SOLVER_FIELDS: Final = frozenset({"name", "version", "requires", "variants", "timestamp"})
#: Names rez binds before the exec (and drops from the package afterwards).
REZ_GLOBALS: Final = frozenset({"scope", "early", "late", "include", "ModifyList", "InvalidPackageError"})
#: rez's ``package_rex_keys``: ``@late()`` on one of these fails the load.
REX_FUNCTIONS: Final = frozenset({"pre_commands", "commands", "post_commands",
                                  "pre_build_commands", "pre_test_commands"})
#: rez's ``lint_helper`` module answers ``None`` for any attribute it does not have.
LINT_HELPER: Final = "rez.utils.lint_helper"
#: Standard-library modules present on every platform rez runs on, free of import
#: side effects: importing one binds a module, which rez strips from the package.
STANDARD_MODULES: Final = frozenset({
    "os", "os.path", "sys", "platform", "re", "json", "string", "datetime", "time", "glob",
    "getpass", "socket", "shutil", "subprocess", "functools", "itertools", "collections",
    "textwrap", "pathlib", "tempfile", "math", "copy", "fnmatch", "io", "logging", "uuid",
    "hashlib", "struct", "inspect", "types", "typing", "warnings", "traceback", "errno",
    "stat", "locale", "shlex", "argparse", "ast", "operator",
})
# rez compiles package.py from a module with 'from __future__ import annotations'
# and without dont_inherit: the flag applies to the package code too.
_REZ_COMPILE_FLAGS: Final = __future__.annotations.compiler_flag
# Attributes that a scope object (rez.utils.scope._Scope, a UserDict) already has:
# assigning through one of them does not build a nested setting.
SCOPE_OBJECT_ATTRIBUTES: Final = frozenset({
    "clear", "copy", "data", "fromkeys", "get", "items", "keys", "pop", "popitem",
    "setdefault", "update", "values", "read_only", "pending", "name", "context", "locals",
    "to_dict", "format_expand", "format_pretty",
})


def read_static_assignments(source: str | bytes) -> dict[str, object]:
    """The names a static file binds at module level and their values, last one winning.

    Names bound by ``def`` map to ``FUNCTION``, by ``import`` to ``MODULE``.
    Raises ``InvalidSource`` when rez would fail to load the file, ``LateBound``
    when a solver field is ``@late()``, ``DynamicSource`` for anything not static.
    """
    tree = parse_module(source)
    if any(not isinstance(statement, (ast.Assign, ast.Expr, ast.Pass)) for statement in tree.body):
        _compile(tree)  # function bodies and blocks hold errors that only the compiler finds
    reader = _ModuleReader()
    for statement in tree.body:
        reader.statement(statement)
    return reader.values


def _compile(tree: ast.Module) -> None:
    try:
        compile(tree, SOURCE_NAME, "exec", flags=_REZ_COMPILE_FLAGS, dont_inherit=True)
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        raise InvalidSource(f"{type(exc).__name__}: {exc}") from exc


class _ModuleReader:
    """The module namespace as the exec builds it, statement by statement."""

    def __init__(self) -> None:
        self.values: dict[str, object] = {}
        self.rebound: set[str] = set()  # rez's own names the file has bound to something else
        self.scopes: dict[tuple[str, ...], Settings] = {}  # rez keeps one scope object per path of names

    def statement(self, statement: ast.stmt) -> None:
        line = statement.lineno
        if isinstance(statement, ast.Pass) or _is_docstring(statement):
            return
        if isinstance(statement, ast.Assign):
            own = self._own_binding(statement.value)
            if own is not None and all(isinstance(t, ast.Name) and t.id == own for t in statement.targets):
                return  # ``late = locals()["late"]``: rez's own object bound to its own name again
            value = literal_value(statement.value, self.values)
            for target in statement.targets:
                if not isinstance(target, ast.Name):
                    raise DynamicSource("assignment to something other than a plain name", line)
                self._bind(target.id, value, line)
        elif isinstance(statement, ast.FunctionDef):
            self._bind(statement.name, self._function(statement), line)
        elif isinstance(statement, ast.With):
            self._with_scope(statement)
        elif isinstance(statement, ast.Import):
            for alias in statement.names:
                if alias.name not in STANDARD_MODULES:
                    raise DynamicSource(f"import of '{alias.name}'", line)
                self._bind(alias.asname or alias.name.partition(".")[0], MODULE, line, field_ok=False)
        elif isinstance(statement, ast.ImportFrom):
            self._import_from(statement)
        else:
            raise DynamicSource(f"top-level {type(statement).__name__}", line)

    def _bind(self, name: str, value: object, line: int, *, field_ok: bool = True) -> None:
        if name == "__debug__":
            raise InvalidSource(f"SyntaxError: cannot assign to __debug__ (line {line})")
        if name in REZ_GLOBALS:
            self.rebound.add(name)  # rez drops the name from the package either way
            self.values.pop(name, None)
            return
        if name in SOLVER_FIELDS and not field_ok:
            raise DynamicSource(f"'{name}' bound by an import", line)
        self.values[name] = value

    def _function(self, func: ast.FunctionDef) -> object:
        """Plain functions, ``@late()`` and ``@include(...)`` ones are kept as source by rez
        (``include`` only records module names for when the code runs); ``@early`` ones run."""
        late = False
        for decorator in func.decorator_list:
            if self._is_rez_call(decorator, "late") and not decorator.args and not decorator.keywords:  # type: ignore[attr-defined]
                late = True
            elif (
                self._is_rez_call(decorator, "include")
                and decorator.args  # type: ignore[attr-defined]
                and not decorator.keywords  # type: ignore[attr-defined]
                and not any(isinstance(arg, ast.Starred) for arg in decorator.args)  # type: ignore[attr-defined]
            ):
                for arg in decorator.args:  # type: ignore[attr-defined]
                    literal_value(arg, self.values)
            else:
                raise DynamicSource(f"decorated function '{func.name}' (only @late() and @include() are static)",
                                    func.lineno)
        if late and func.name in REX_FUNCTIONS:  # rez's late() raises when it decorates it
            raise InvalidSource(f"ValueError: Cannot use @late decorator on function '{func.name}'")
        if func.name in SOLVER_FIELDS:
            if late:
                raise LateBound(f"@late() function defines '{func.name}'", func.lineno)
            raise DynamicSource(f"function defines '{func.name}'", func.lineno)
        # Defaults are evaluated when rez execs the 'def': data, or not static. Annotations
        # are not evaluated: rez compiles the file with postponed annotations (see _compile).
        for default in [*func.args.defaults, *func.args.kw_defaults]:
            if default is not None:
                literal_value(default, self.values)
        return FUNCTION

    def _own_binding(self, node: ast.expr) -> str | None:
        """The name of ``locals()["late"]`` or ``globals()["late"]`` (any of rez's own names
        the file has not rebound): at module level both are the namespace rez execs in, so
        the value is rez's own object (a way of writing ``late`` that pleases linters)."""
        if not (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Call)):
            return None
        call, key = node.value, node.slice
        if (
            isinstance(call.func, ast.Name)
            and call.func.id in ("locals", "globals")
            and call.func.id not in self.values  # the builtin
            and not call.args
            and not call.keywords
            and isinstance(key, ast.Constant)
            and key.value in REZ_GLOBALS
            and key.value not in self.rebound
        ):
            return str(key.value)
        return None

    def _is_rez_call(self, node: ast.expr, name: str) -> bool:
        """``node`` calls rez's own ``name`` (not one the file rebound)."""
        return (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == name
            and name not in self.rebound
        )

    def _with_scope(self, statement: ast.With, names: dict[str, object] | None = None,
                    path: tuple[str, ...] = (), parent: Settings | None = None) -> None:
        """``with scope("name") [as target]:``: rez collects the block's bindings into a
        dict named after the scope, then restores the module namespace (``_scopes.py``)."""
        line = statement.lineno
        call = statement.items[0].context_expr if len(statement.items) == 1 else None
        if (
            call is None
            or not self._is_rez_call(call, "scope")
            or len(call.args) != 1  # type: ignore[attr-defined]
            or call.keywords  # type: ignore[attr-defined]
            or not isinstance(call.args[0], ast.Constant)  # type: ignore[attr-defined]
            or not isinstance(call.args[0].value, str)  # type: ignore[attr-defined]
        ):
            raise DynamicSource("top-level With other than 'with scope(\"name\")'", line)
        scope_name: str = call.args[0].value  # type: ignore[attr-defined]
        if names is None and scope_name in SOLVER_FIELDS:
            # rez replaces the field with the scope's dict
            raise DynamicSource(f"scope named like the field '{scope_name}'", line)
        target = statement.items[0].optional_vars
        if target is not None and (not isinstance(target, ast.Name) or target.id in REZ_GLOBALS):
            raise DynamicSource("'with scope(...) as' something other than a plain name", line)
        entered = self.values if names is None else names
        scope_names = dict(entered)
        scope_target = target.id if target is not None else None
        if scope_target is not None:
            scope_names.pop(scope_target, None)
        scope_path = (*path, scope_name)
        settings = self.scopes.setdefault(scope_path, Settings())
        for inner in statement.body:
            self._scope_statement(inner, scope_names, scope_target, settings, scope_path)
        exit_block(settings, entered, scope_names)
        if parent is not None:  # ScopeContext._scope_exit: the enclosing scope gets a copy
            parent[scope_name] = wrapped(settings)

    def _scope_statement(self, statement: ast.stmt, names: dict[str, object], target: str | None,
                         settings: Settings, path: tuple[str, ...]) -> None:
        line = statement.lineno
        if isinstance(statement, ast.Pass) or _is_docstring(statement):
            return
        if isinstance(statement, ast.With):
            self._with_scope(statement, names, path, settings)
            return
        if not isinstance(statement, ast.Assign):
            raise DynamicSource(f"{type(statement).__name__} in a scope block", line)
        value = literal_value(statement.value, names)
        for node in statement.targets:
            if isinstance(node, ast.Name):
                if node.id == "__debug__":
                    raise InvalidSource(f"SyntaxError: cannot assign to __debug__ (line {line})")
                if node.id in REZ_GLOBALS or node.id == target:
                    raise DynamicSource(f"'{node.id}' rebound in a scope block", line)
                names[node.id] = value
                continue
            chain = _setting_chain(node, target)
            if chain is None:
                raise DynamicSource("assignment in a scope block to something other than a setting", line)
            set_attribute(settings, chain, value, line)

    def _import_from(self, statement: ast.ImportFrom) -> None:
        line = statement.lineno
        module = statement.module or ""
        if statement.level or any(alias.name == "*" for alias in statement.names):
            raise DynamicSource("relative or star import", line)
        if module == LINT_HELPER:
            for alias in statement.names:
                if alias.name.startswith("_") or alias.name == "used":
                    raise DynamicSource(f"'{alias.name}' is a real attribute of lint_helper", line)
                self._bind(alias.asname or alias.name, None, line, field_ok=False)
            return
        if module not in STANDARD_MODULES:
            raise DynamicSource(f"import from '{module}'", line)
        imported = importlib.import_module(module)
        for alias in statement.names:
            if not hasattr(imported, alias.name):
                raise DynamicSource(f"'{module}' has no '{alias.name}' here", line)
            self._bind(alias.asname or alias.name, OPAQUE, line, field_ok=False)


def _is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def _setting_chain(node: ast.expr, target: str | None) -> list[str] | None:
    """The names of ``target.a.b`` (``["a", "b"]``), a setting of the scope object, or None.
    Every name but the last is read first: one that the object itself has (``data``,
    ``get``, a private method...) would be found before the settings, so none may be one."""
    chain: list[str] = []
    while isinstance(node, ast.Attribute):
        chain.append(node.attr)
        node = node.value
    if target is None or not chain or not isinstance(node, ast.Name) or node.id != target:
        return None
    chain.reverse()
    if any(name.startswith("_") or name in SCOPE_OBJECT_ATTRIBUTES for name in chain[:-1]):
        return None
    return chain
