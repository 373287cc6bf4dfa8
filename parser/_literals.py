"""Evaluate the expressions of a ``package.py`` that are data, without running anything.

The evaluation is Python's own on Python's own values: a literal, a name bound
earlier in the file to such a value, and operators whose result cannot depend
on anything but their operands (``+`` on strings, lists, tuples and numbers,
``%`` with plain ``%s``/``%d`` directives, f-strings of strings and numbers).
Anything else raises ``DynamicSource`` and the caller declines.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Callable, Mapping
from typing import Final

from rezsnap.version import RezsnapError

__all__ = [
    "FUNCTION",
    "MODULE",
    "OPAQUE",
    "DynamicSource",
    "InvalidSource",
    "LateBound",
    "literal_value",
    "parse_module",
]

#: Literals nested deeper than this are declined (rez would happily load them;
#: we would rather decline than recurse without bound).
MAX_LITERAL_DEPTH: Final = 50
#: Longest string, list or tuple an operator may build: ``a = a + a`` repeated
#: would otherwise double without bound.
MAX_BUILT_LENGTH: Final = 100_000


class _Marker:
    """A name bound to something that is not data (rez strips or keeps it as code)."""

    __slots__ = ("_label",)

    def __init__(self, label: str) -> None:
        self._label = label

    def __repr__(self) -> str:
        return f"<{self._label}>"


#: Bound by ``def``: rez stores it as source code (or strips it), not as data.
FUNCTION: Final = _Marker("function")
#: Bound by ``import``: rez strips modules from the package.
MODULE: Final = _Marker("module")
#: Bound to a value this reader does not model (a name imported from a module).
OPAQUE: Final = _Marker("opaque")


class DynamicSource(RezsnapError, ValueError):
    """The source is valid Python but not something a static read can answer."""

    def __init__(self, reason: str, lineno: int | None = None) -> None:
        super().__init__(reason, lineno)
        self.reason = reason
        self.lineno = lineno

    def __str__(self) -> str:
        where = f" (line {self.lineno})" if self.lineno else ""
        return f"not static{where}: {self.reason}"


class LateBound(DynamicSource):
    """A solver field is an ``@late()`` function: code evaluated at resolve time, not data."""


class InvalidSource(RezsnapError, ValueError):
    """rez fails to load the source: it does not compile, or its execution raises for sure."""


#: The file name the reader compiles package code under: its warnings (invalid
#: escapes, "is" with a literal...) are rez's to print when it loads the file, not ours.
SOURCE_NAME: Final = "<rezsnap-package-definition>"
# One filter, set once: warnings.catch_warnings() per file is neither free nor thread-safe.
warnings.filterwarnings("ignore", module=re.escape(SOURCE_NAME))


def parse_module(source: str | bytes) -> ast.Module:
    """Compile ``source`` to an AST the way Python (and thus rez) would read it."""
    try:
        return ast.parse(source, SOURCE_NAME)
    except (SyntaxError, ValueError, UnicodeDecodeError, MemoryError, RecursionError) as exc:
        raise InvalidSource(f"{type(exc).__name__}: {exc}") from exc


_NO_NAMES: Final[Mapping[str, object]] = {}
# Formatting directives whose output depends only on the operand: no width or
# precision, which could ask for gigabytes ("%0999999999d").
_PLAIN_PERCENT = re.compile(r"(?:[^%]|%[sdir%])*")
_FORMATTABLE = (str, int, float, bool, type(None))


def literal_value(node: ast.expr, names: Mapping[str, object] = _NO_NAMES, depth: int = 0) -> object:
    """The value of a data expression, or ``DynamicSource``.

    ``names`` are the values bound so far (module level, then a scope's own).
    """
    if depth > MAX_LITERAL_DEPTH:
        raise DynamicSource("literal nested too deeply", getattr(node, "lineno", None))
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, (str, int, float, bool)) or value is None:
            return value
        raise DynamicSource(f"unsupported constant {type(value).__name__}", node.lineno)
    if isinstance(node, ast.List):
        return [literal_value(item, names, depth + 1) for item in node.elts]
    if isinstance(node, ast.Tuple):
        return tuple(literal_value(item, names, depth + 1) for item in node.elts)
    if isinstance(node, ast.Dict):
        return _dict_value(node, names, depth)
    if isinstance(node, ast.Name):
        return _name_value(node, names)
    if isinstance(node, ast.BinOp):
        return _binop_value(node, names, depth)
    if isinstance(node, ast.JoinedStr):
        return _fstring_value(node, names, depth)
    if isinstance(node, ast.Call):
        return _call_value(node, names, depth)
    if isinstance(node, ast.Subscript):
        return _subscript_value(node, names, depth)
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) in (int, float)
    ):
        return -node.operand.value  # type: ignore[operator]
    raise DynamicSource(f"{type(node).__name__} is not a literal", getattr(node, "lineno", None))


def _dict_value(node: ast.Dict, names: Mapping[str, object], depth: int) -> dict[object, object]:
    result: dict[object, object] = {}
    for key_node, value_node in zip(node.keys, node.values):
        if key_node is None:
            raise DynamicSource("dict unpacking", node.lineno)
        key_value = literal_value(key_node, names, depth + 1)
        try:
            hash(key_value)
        except TypeError:
            raise DynamicSource("unhashable dict key", node.lineno) from None
        result[key_value] = literal_value(value_node, names, depth + 1)
    return result


def _name_value(node: ast.Name, names: Mapping[str, object]) -> object:
    value = names.get(node.id, OPAQUE)
    if isinstance(value, _Marker):  # unbound here, a builtin, rez's own, a function or a module
        raise DynamicSource(f"name '{node.id}' is not bound to data", node.lineno)
    return value


def _binop_value(node: ast.BinOp, names: Mapping[str, object], depth: int) -> object:
    left = literal_value(node.left, names, depth + 1)
    right = literal_value(node.right, names, depth + 1)
    if isinstance(node.op, ast.Add):
        numbers = (int, float)
        if isinstance(left, numbers) and isinstance(right, numbers):
            return left + right
        if type(left) is type(right) and isinstance(left, (str, list, tuple)):
            _check_length(len(left) + len(right), node)  # type: ignore[arg-type]
            return left + right  # type: ignore[operator]
    elif isinstance(node.op, ast.Mod) and isinstance(left, str) and _PLAIN_PERCENT.fullmatch(left):
        operands = right if isinstance(right, tuple) else (right,)
        if all(isinstance(item, _FORMATTABLE) for item in operands):
            _check_growth(left, operands)
            try:
                text = left % right
            except (TypeError, ValueError) as exc:  # rez's exec would raise it: let rez say so
                raise DynamicSource(f"'%' raises {type(exc).__name__}", node.lineno) from None
            _check_length(len(text), node)
            return text
    raise DynamicSource(f"operator {type(node.op).__name__} on these operands", node.lineno)


def _fstring_value(node: ast.JoinedStr, names: Mapping[str, object], depth: int) -> str:
    parts: list[str] = []
    for part in node.values:
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            parts.append(part.value)
            continue
        if not isinstance(part, ast.FormattedValue) or part.format_spec is not None:
            raise DynamicSource("f-string with a format spec", node.lineno)
        value = literal_value(part.value, names, depth + 1)
        if not isinstance(value, _FORMATTABLE):
            raise DynamicSource("f-string of a container", node.lineno)
        if part.conversion == ord("r"):
            parts.append(_text(value, repr))
        elif part.conversion in (-1, ord("s")):
            parts.append(_text(value, str))  # format(v, "") is str(v) for these types
        else:
            raise DynamicSource("f-string conversion", node.lineno)
    text = "".join(parts)
    _check_length(len(text), node)
    return text


# str methods whose result depends only on the string and the (data) arguments.
_STR_METHODS: Final = frozenset({"format", "split", "rsplit", "replace", "strip", "lstrip", "rstrip",
                                 "lower", "upper", "join"})
# "{name}" or "{}"/"{0}" fields only: no attribute or index lookups, conversions or specs.
_PLAIN_FIELDS = re.compile(r"(?:[^{}]|\{\{|\}\}|\{(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]*)\})*")


def _call_value(node: ast.Call, names: Mapping[str, object], depth: int) -> object:
    """``str(x)`` on a string or number, and pure ``str`` methods on data."""
    if any(isinstance(arg, ast.Starred) for arg in node.args) or any(k.arg is None for k in node.keywords):
        raise DynamicSource("call with unpacking", node.lineno)
    args = [literal_value(arg, names, depth + 1) for arg in node.args]
    keywords = {k.arg: literal_value(k.value, names, depth + 1) for k in node.keywords}
    func = node.func
    if isinstance(func, ast.Name) and func.id == "str" and "str" not in names:  # the builtin
        if len(args) == 1 and not keywords and isinstance(args[0], _FORMATTABLE):
            return _text(args[0], str)
    elif isinstance(func, ast.Attribute) and func.attr in _STR_METHODS:
        subject = literal_value(func.value, names, depth + 1)
        operands = [*args, *keywords.values()]
        if isinstance(subject, str) and _pure_str_call(func.attr, subject, operands):
            try:
                result = getattr(subject, func.attr)(*args, **keywords)  # type: ignore[arg-type]
            except (TypeError, ValueError, IndexError, KeyError) as exc:
                raise DynamicSource(f"str.{func.attr} raises {type(exc).__name__}", node.lineno) from None
            _check_length(len(result), node)
            return result
    raise DynamicSource("Call is not a literal", node.lineno)


def _pure_str_call(method: str, subject: str, operands: list[object]) -> bool:
    if method == "join":
        if len(operands) != 1 or not isinstance(operands[0], (list, tuple)):
            return False
        items = operands[0]
        if not all(isinstance(item, str) for item in items):
            return False
        _check_length(sum(map(len, items)) + len(subject) * len(items), None)  # before building it
        return True
    if method == "format" and not _PLAIN_FIELDS.fullmatch(subject):
        return False
    _check_growth(subject, operands)
    return all(isinstance(operand, _FORMATTABLE) for operand in operands)


def _check_growth(template: str, operands: object) -> None:
    """Refuse, before building it, a result that each character of ``template``
    could multiply beyond ``MAX_BUILT_LENGTH`` (``replace``, ``format``, ``%``)."""
    items = operands if isinstance(operands, (list, tuple)) else [operands]
    longest = max((len(_text(item, str)) for item in items if isinstance(item, _FORMATTABLE)), default=0)
    _check_length(len(template) * (1 + longest), None)


def _subscript_value(node: ast.Subscript, names: Mapping[str, object], depth: int) -> object:
    """``data[i]`` and ``data[i:j]`` on strings, lists and tuples, with integer constants."""
    subject = literal_value(node.value, names, depth + 1)
    if isinstance(subject, (str, list, tuple)):
        index = node.slice
        try:
            if isinstance(index, ast.Slice):
                if index.step is None:
                    bounds = [None if b is None else literal_value(b, names, depth + 1) for b in (index.lower, index.upper)]
                    if all(b is None or type(b) is int for b in bounds):
                        return subject[bounds[0]:bounds[1]]  # type: ignore[index]
            else:
                position = literal_value(index, names, depth + 1)
                if type(position) is int:
                    return subject[position]
        except IndexError:
            raise DynamicSource("index out of range", node.lineno) from None
    raise DynamicSource("Subscript is not a literal", node.lineno)


def _text(value: object, convert: Callable[[object], str]) -> str:
    try:
        return convert(value)
    except ValueError:  # an int beyond Python's digit limit: rez's exec raises too
        raise DynamicSource("number too long to format") from None


def _check_length(length: int, node: ast.expr | None) -> None:
    if length > MAX_BUILT_LENGTH:
        raise DynamicSource("value built by an operator is too long", getattr(node, "lineno", None))
