"""Issue 14 item 1: an expression from an uploaded diagram cannot stall a case (and with it the
case lock, on SQLite the whole database) by building huge values or running long; the import
check refuses such expressions and stays bounded itself."""
from __future__ import annotations

import time

import pytest

from tests.engine.test_import_validation import FORMS, diagram, problems_of
from webapp.clock import SCHOOL_TIMEZONE, MovableClock
from webapp.engine import compile_bpmn
from webapp.engine.environment import EngineEnvironment
from webapp.engine.expressions import (
    ExpressionError,
    ExpressionTooCostly,
    evaluate_expression,
)

COSTLY = [
    "[[[0]*99999]*99999]*99999 == [[[0]*99999]*99999]*99999",
    "[[0]*99999]*99999 == [[0]*99999]*99999",
    "[0]*99999 == [0]*99999",
    "'a'*10000000000 == 'a'",
    "'a'*99999 + 'b' == 'c'",
    "[[[[[[0]]]]]] == 0",
    "99999999999999999999999999999999999999*99999999999999999999999999999999999999"
    "*99999999999999999999999999999999999999*99999999999999999999999999999999999999 > 0",
    "-" * 100 + "1 < 0",
    "[" * 30 + "]" * 30 + " == 0",
]


@pytest.mark.parametrize("expression", COSTLY)
def test_costly_expressions_are_stopped_quickly(expression):
    started = time.monotonic()
    with pytest.raises(ExpressionError):
        evaluate_expression(expression, {}, {})
    assert time.monotonic() - started < 1


def test_an_exponent_is_not_part_of_the_language():
    with pytest.raises(ExpressionError, match="Pow"):
        evaluate_expression("10**10 > 1", {}, {})


def test_ordinary_expressions_still_work():
    assert evaluate_expression("[1, 2] + [3] == [1, 2, 3]", {}, {}) is True
    assert evaluate_expression("'ja' * 3 == 'jajaja'", {}, {}) is True
    assert evaluate_expression("len(signalen) > 1", {"signalen": ["a", "b"]}, {}) is True


def test_a_long_answer_can_still_be_compared():
    """The bounds are on what an expression builds, not on what a user typed."""
    answer = "x" * 50_000
    assert evaluate_expression("toelichting != ''", {"toelichting": answer}, {}) is True


@pytest.mark.parametrize("call", ["werkdagen(10000000000)", "dagen(10**2)", "dagen(99999999999999)",
                                  "weken(99999999999)", "maanden(99999999999)",
                                  "termijn(t)"])
def test_deadline_functions_with_an_absurd_count_fail_quickly(call):
    from datetime import datetime
    environment = EngineEnvironment(MovableClock(datetime(2030, 1, 7, 9, 0, tzinfo=SCHOOL_TIMEZONE)))
    functions = environment.deadlines.expression_functions()
    started = time.monotonic()
    with pytest.raises(ExpressionError):
        evaluate_expression(call, {"t": {"amount": 10**12, "unit": "werkdagen"}}, functions)
    assert time.monotonic() - started < 1
    assert evaluate_expression("werkdagen(5)", {}, functions)


def _gateway_condition(condition: str) -> bytes:
    return diagram().replace(b'uitkomst_fase1 == "ongegrond"', condition.encode())


@pytest.mark.parametrize("condition", [
    "[[[0]*99999]*99999]*99999 == [[[0]*99999]*99999]*99999",
    "'a'*10000000000 == 'a'",
    "uitkomst_fase1 * 99999 == 'a'",
])
def test_import_refuses_expressions_that_exceed_the_bounds(condition):
    started = time.monotonic()
    problems = problems_of(_gateway_condition(condition))
    assert time.monotonic() - started < 2
    assert any(p.element_id == "Flow_3" and "te veel" in p.message for p in problems)


def test_import_refuses_an_expression_that_can_only_fail():
    problems = problems_of(_gateway_condition("len(uitkomst_fase1, 1) == 2"))
    assert any(p.element_id == "Flow_3" and "faalt bij elke invulling" in p.message for p in problems)


def test_import_accepts_an_expression_that_works_for_some_data():
    compile_bpmn(_gateway_condition('uitkomst_fase1 == "ongegrond"'), filename="t.bpmn", forms=FORMS)
    compile_bpmn(_gateway_condition("uitkomst_fase1 > 2"), filename="t.bpmn", forms=FORMS)


def test_a_gateway_right_after_the_start_cannot_stall_the_dry_start():
    """The import runs the diagram from its start; before the bounds this took minutes."""
    body = """
    <bpmn:startEvent id="Start_1"/>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start_1" targetRef="Gateway_1"/>
    <bpmn:exclusiveGateway id="Gateway_1" default="Flow_4"/>
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Gateway_1" targetRef="End_1">
      <bpmn:conditionExpression>[[0]*99999]*99999 == [[0]*99999]*99999</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Flow_4" sourceRef="Gateway_1" targetRef="End_2"/>
    <bpmn:endEvent id="End_1"/>
    <bpmn:endEvent id="End_2"/>"""
    started = time.monotonic()
    problems = problems_of(diagram(body, lanes=""))
    assert time.monotonic() - started < 2
    assert any(p.element_id == "Flow_3" for p in problems)


def test_too_costly_is_an_expression_error():
    assert issubclass(ExpressionTooCostly, ExpressionError)
