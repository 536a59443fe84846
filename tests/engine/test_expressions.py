"""The restricted evaluator: what diagrams may compute, and the code they can never run."""
from __future__ import annotations

import pytest

from webapp.engine.expressions import (
    ExpressionError,
    evaluate_expression,
    parse_expression,
)

ESCAPES = [
    "__import__('os').system('touch {marker}')",
    "().__class__.__base__.__subclasses__()",
    "[c for c in ().__class__.__base__.__subclasses__()]",
    "(lambda: __import__('os'))()",
    "getattr(uitkomst, '__class__')",
    "eval(\"__import__('os').system('touch {marker}')\")",
    "exec('import os')",
    "open('{marker}', 'w')",
    "uitkomst.__class__",
    "signalen[0]",
    "f'{{uitkomst}}'",
    "(x := 1)",
    "type(uitkomst)",
    "{{'a': 1}}",
]


@pytest.mark.parametrize("expression", ESCAPES)
def test_code_in_an_expression_is_refused_and_never_runs(expression, tmp_path):
    marker = tmp_path / "pwned"
    source = expression.format(marker=marker)
    with pytest.raises(ExpressionError):
        evaluate_expression(source, {"uitkomst": "ongegrond", "signalen": ["a"]}, {})
    assert not marker.exists()


def test_the_default_spiffworkflow_engine_would_have_run_it(tmp_path):
    """Why the restricted evaluator exists: SpiffWorkflow's default evaluates with eval()."""
    from SpiffWorkflow.bpmn.script_engine.python_environment import TaskDataEnvironment

    marker = tmp_path / "pwned"
    TaskDataEnvironment().evaluate(f"__import__('pathlib').Path('{marker}').touch()", {})
    assert marker.exists()


@pytest.mark.parametrize("expression, expected", [
    ('uitkomst == "ongegrond"', True),
    ('uitkomst != "ongegrond" or melden == True', True),
    ('"letsel" in signalen and len(signalen) >= 2', True),
    ("not melden", False),
    ("leeftijd >= 12", True),
    ('uitkomst if melden else "nee"', "ongegrond"),
    ("x in [1, 2, 3]", True),
])
def test_what_conditions_may_do(expression, expected):
    data = {"uitkomst": "ongegrond", "melden": True, "signalen": ["letsel", "verzuim"],
            "leeftijd": 12, "x": 2}
    assert evaluate_expression(expression, data, {}) == expected


def test_only_functions_handed_in_can_be_called():
    assert evaluate_expression("dubbel(2)", {}, {"dubbel": lambda n: 2 * n}) == 4
    with pytest.raises(ExpressionError, match="onbekende functie"):
        evaluate_expression("dubbel(2)", {}, {})


def test_missing_variable_gives_a_clear_error():
    with pytest.raises(ExpressionError, match="onbekende naam: uitkomst"):
        evaluate_expression('uitkomst == "x"', {}, {})


def test_names_and_functions_are_reported_for_linting():
    parsed = parse_expression("werkdagen(5) if spoed else termijn(afgesproken)")
    assert parsed.names == {"spoed", "afgesproken"}
    assert parsed.functions == {"werkdagen", "termijn"}
