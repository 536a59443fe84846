"""What the engine needs from the world: a clock, a working-day calendar, and a safe evaluator.

SpiffWorkflow sends every condition, timer and due-date expression through its script engine,
whose default is plain `eval`/`exec`. `RestrictedScriptEngine` replaces both paths: expressions go
to the restricted evaluator, scripts and service calls are refused outright.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import time

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import (
    BasePythonScriptEngineEnvironment,
)

from webapp.clock import Clock
from webapp.engine.due_dates import DeadlineCalculator, WorkingDayCalendar
from webapp.engine.expressions import evaluate_expression, parse_expression


class ScriptsForbidden(RuntimeError):
    pass


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    def __init__(self, functions: dict):
        super().__init__({})
        self.functions = functions

    def evaluate(self, expression, context, external_context=None):
        names = dict(external_context or {})
        names.update(context)
        return evaluate_expression(expression, names, self.functions)

    def execute(self, script, context, external_context=None):
        raise ScriptsForbidden("Meldroute voert geen scripts uit diagrammen uit")

    def call_service(self, context, **kwargs):
        raise ScriptsForbidden("Meldroute roept geen services aan vanuit diagrammen")


class RestrictedScriptEngine(PythonScriptEngine):
    def __init__(self, deadlines: DeadlineCalculator):
        super().__init__(environment=RestrictedEnvironment(deadlines.expression_functions()))
        self.deadlines = deadlines

    def validate(self, expression):
        parse_expression(expression)


@dataclass
class EngineEnvironment:
    clock: Clock
    calendar: WorkingDayCalendar = field(default_factory=WorkingDayCalendar)
    school_day_end: time = time(17, 0)
    # The case's school's own calendar, for `schooldagen(n)`; None: school days are working days.
    school_calendar: WorkingDayCalendar | None = None

    @property
    def deadlines(self) -> DeadlineCalculator:
        return DeadlineCalculator(self.clock, self.calendar, self.school_day_end, self.school_calendar)

    def with_school_calendar(self, calendar: WorkingDayCalendar) -> EngineEnvironment:
        return replace(self, school_calendar=calendar)

    def script_engine(self) -> RestrictedScriptEngine:
        return RestrictedScriptEngine(self.deadlines)
