"""The expression language of Meldroute diagrams: a small, safe subset of Python expressions.

Gateway conditions (`uitkomst == "ongegrond"`), timer expressions (`werkdagen(5)`) and due dates
come from diagrams that policy owners upload, so they are untrusted. Every expression is parsed,
checked against a whitelist of syntax (no attribute access, no subscripts, no lambdas or
comprehensions, calls only to named functions we provide) and then evaluated by `simpleeval`,
never by Python's `eval`. Both layers would have to fail for code to run.
"""
from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from simpleeval import EvalWithCompoundTypes, InvalidExpression

MAX_EXPRESSION_LENGTH = 2000

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
    evaluator = EvalWithCompoundTypes(
        functions={**SAFE_BUILTINS, **functions},
        names={**CONSTANT_NAMES, **{n: names[n] for n in parsed.names}},
    )
    try:
        return evaluator.eval(source.strip(), previously_parsed=parsed.tree.body)
    except InvalidExpression as exc:
        raise ExpressionError(f"expressie kan niet worden uitgevoerd: {exc}") from None
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise ExpressionError(f"fout bij het uitrekenen van '{source}': {exc}") from None
