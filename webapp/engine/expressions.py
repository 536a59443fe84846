"""The expression language of Meldroute diagrams: a small, safe subset of Python expressions.

Gateway conditions (`uitkomst == "ongegrond"`), timer expressions (`werkdagen(5)`) and due dates
come from diagrams that policy owners upload, so they are untrusted. Every expression is parsed,
checked against a whitelist of syntax (no attribute access, no subscripts, no lambdas or
comprehensions, calls only to named functions we provide) and then evaluated by `simpleeval`,
never by Python's `eval`. Both layers would have to fail for code to run.

Safe is not enough: an expression also runs under the case lock, so it must be cheap. What it may
build is bounded (elements, nesting, text length, size of numbers; checked *before* a repetition
is built), the syntax tree may not nest deeply, and every evaluation has a step and time budget.
The import check evaluates each expression against sample data under the same bounds, so a
diagram whose expression can only exceed them is refused before any case runs it.
"""
from __future__ import annotations

import ast
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from simpleeval import EvalWithCompoundTypes, InvalidExpression

MAX_EXPRESSION_LENGTH = 2000
MAX_NESTING = 24            # depth of the syntax tree
MAX_ELEMENTS = 1000         # items in all lists/tuples a computed value holds, nested ones included
MAX_VALUE_DEPTH = 4         # lists in lists in …
MAX_TEXT_LENGTH = 10_000    # characters of a computed text
MAX_INTEGER_BITS = 256      # size of a computed whole number
MAX_STEPS = 20_000          # nodes evaluated in one evaluation
# CPU time of this thread, not wall time: a busy machine must not turn a sound expression into a
# refused one; the step and size bounds above are what bound the work, this is the backstop.
MAX_CPU_SECONDS = 1.0

_ALLOWED_NODES: tuple[type[ast.AST], ...] = (
    ast.Expression,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.BoolOp, ast.And, ast.Or,
    ast.UnaryOp, ast.Not, ast.USub, ast.UAdd,
    ast.BinOp, ast.Add, ast.Sub, ast.Mult,
    ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn,
    ast.Is, ast.IsNot,
    ast.IfExp,
    ast.List, ast.Tuple,
    ast.Call,
)

SAFE_BUILTINS: dict[str, Callable] = {"len": len, "min": min, "max": max, "abs": abs}
CONSTANT_NAMES = {"True": True, "False": False, "None": None}


class ExpressionError(ValueError):
    """An expression is not allowed, cannot be parsed, or failed while being evaluated."""


class ExpressionTooCostly(ExpressionError):
    """An expression would build too much or run too long; it can never be made to work."""


@dataclass(frozen=True)
class ParsedExpression:
    source: str
    tree: ast.Expression
    names: frozenset[str]
    functions: frozenset[str]


def _describe(node: ast.AST) -> str:
    descriptions = {
        ast.Attribute: "toegang tot attributen (a.b)",
        ast.Subscript: "indexeren (a[b])",
        ast.Lambda: "lambda-functies",
        ast.ListComp: "comprehensions",
        ast.GeneratorExp: "generators",
        ast.NamedExpr: "toekenningen (:=)",
        ast.JoinedStr: "f-strings",
        ast.Starred: "uitpakken met *",
        ast.Dict: "woordenboeken",
    }
    return descriptions.get(type(node), type(node).__name__)


@lru_cache(maxsize=4096)
def parse_expression(source: str) -> ParsedExpression:
    """Parse and check one expression. Raises ExpressionError naming what is not allowed."""
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError("lege expressie")
    if len(source) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(f"expressie is langer dan {MAX_EXPRESSION_LENGTH} tekens")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"ongeldige expressie: {exc.msg}") from None
    except (RecursionError, MemoryError):
        raise ExpressionTooCostly("expressie is te diep genest") from None
    if _depth(tree) > MAX_NESTING:
        raise ExpressionTooCostly(f"expressie is dieper genest dan {MAX_NESTING} niveaus")

    names: set[str] = set()
    functions: set[str] = set()
    callees: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise ExpressionError(f"niet toegestaan in een expressie: {_describe(node)}")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                raise ExpressionError("alleen functies bij naam aanroepen is toegestaan")
            if node.keywords:
                raise ExpressionError("benoemde argumenten (naam=waarde) zijn niet toegestaan")
            functions.add(node.func.id)
            callees.add(id(node.func))
        elif isinstance(node, ast.Name):
            if node.id.startswith("_"):
                raise ExpressionError(f"namen die met '_' beginnen zijn niet toegestaan: {node.id}")
        elif isinstance(node, ast.Constant) and not isinstance(
            node.value, (str, int, float, bool, type(None))
        ):
            raise ExpressionError("alleen tekst, getallen, ja/nee en None zijn toegestaan")
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and id(node) not in callees and node.id not in CONSTANT_NAMES:
            names.add(node.id)
    return ParsedExpression(source, tree, frozenset(names), frozenset(functions))


def _depth(tree: ast.AST) -> int:
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_NESTING:
            break
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _too_costly(what: str) -> ExpressionTooCostly:
    return ExpressionTooCostly(f"expressie bouwt of rekent te veel ({what})")


def _measure(value) -> tuple[int, int]:
    """(elements, characters) of a value, walking at most MAX_ELEMENTS items: a value shared many
    times (`[[0]*999]*999`) is counted as often as it appears, since that is what comparing it costs."""
    elements = characters = 0
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            characters += len(item)
        elif isinstance(item, (list, tuple)):
            if depth >= MAX_VALUE_DEPTH:
                raise _too_costly(f"lijsten dieper dan {MAX_VALUE_DEPTH} niveaus")
            elements += len(item)
            if elements > MAX_ELEMENTS:
                raise _too_costly(f"meer dan {MAX_ELEMENTS} elementen")
            stack.extend((child, depth + 1) for child in item)
    if characters > MAX_TEXT_LENGTH * 10:
        raise _too_costly("te veel tekst")
    return elements, characters


def _check_result(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value.bit_length() > MAX_INTEGER_BITS:
        raise _too_costly("te groot getal")
    if isinstance(value, str) and len(value) > MAX_TEXT_LENGTH:
        raise _too_costly(f"tekst langer dan {MAX_TEXT_LENGTH} tekens")
    if isinstance(value, (list, tuple)):
        _measure(value)
    return value


def _repeat_size(sequence, count) -> None:
    if isinstance(count, bool) or not isinstance(count, int):
        return
    if isinstance(sequence, str):
        if count * len(sequence) > MAX_TEXT_LENGTH:
            raise _too_costly(f"tekst langer dan {MAX_TEXT_LENGTH} tekens")
    elif isinstance(sequence, (list, tuple)):
        elements, characters = _measure(sequence)
        if count * max(elements, 1) > MAX_ELEMENTS or count * characters > MAX_TEXT_LENGTH * 10:
            raise _too_costly(f"meer dan {MAX_ELEMENTS} elementen")


def _bounded_mult(a, b):
    if isinstance(a, (str, list, tuple)):
        _repeat_size(a, b)
    elif isinstance(b, (str, list, tuple)):
        _repeat_size(b, a)
    elif isinstance(a, int) and isinstance(b, int) and a.bit_length() + b.bit_length() > MAX_INTEGER_BITS + 1:
        raise _too_costly("te groot getal")
    return _check_result(a * b)


def _bounded_add(a, b):
    if isinstance(a, (str, list, tuple)) and isinstance(b, (str, list, tuple)):
        if isinstance(a, str) and isinstance(b, str) and len(a) + len(b) > MAX_TEXT_LENGTH:
            raise _too_costly(f"tekst langer dan {MAX_TEXT_LENGTH} tekens")
    return _check_result(a + b)


def _bounded_sub(a, b):
    return _check_result(a - b)


class _BoundedEvaluator(EvalWithCompoundTypes):
    """simpleeval with a step and time budget and a size check on every value an operation builds
    (names and constants are the inputs and are not limited here)."""

    _BUILT = (ast.BinOp, ast.List, ast.Tuple, ast.Call, ast.UnaryOp)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.operators[ast.Mult] = _bounded_mult
        self.operators[ast.Add] = _bounded_add
        self.operators[ast.Sub] = _bounded_sub
        self._steps = 0
        self._deadline = time.thread_time() + MAX_CPU_SECONDS

    def _eval(self, node):
        self._steps += 1
        if self._steps > MAX_STEPS or time.thread_time() > self._deadline:
            raise _too_costly("duurt te lang")
        result = super()._eval(node)
        if isinstance(node, self._BUILT):
            _check_result(result)
        return result


def evaluate_expression(
    source: str,
    names: Mapping[str, object],
    functions: Mapping[str, Callable],
):
    """Evaluate an expression over task data and the given functions (only those)."""
    parsed = parse_expression(source)
    unknown_functions = parsed.functions - set(functions) - set(SAFE_BUILTINS)
    if unknown_functions:
        raise ExpressionError(f"onbekende functie: {', '.join(sorted(unknown_functions))}")
    missing = sorted(n for n in parsed.names if n not in names)
    if missing:
        raise ExpressionError(f"onbekende naam: {', '.join(missing)} (nog niet ingevuld?)")
    evaluator = _BoundedEvaluator(
        functions={**SAFE_BUILTINS, **functions},
        names={**CONSTANT_NAMES, **{n: names[n] for n in parsed.names}},
    )
    try:
        return evaluator.eval(source.strip(), previously_parsed=parsed.tree.body)
    except ExpressionError:
        raise
    except InvalidExpression as exc:
        raise ExpressionError(f"expressie kan niet worden uitgevoerd: {exc}") from None
    except (RecursionError, MemoryError, OverflowError):
        raise _too_costly("te groot of te diep") from None
    except (TypeError, ValueError, ArithmeticError, AttributeError, KeyError, IndexError) as exc:
        raise ExpressionError(f"fout bij het uitrekenen van '{source}': {exc}") from None
