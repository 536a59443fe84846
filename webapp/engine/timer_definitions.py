"""BPMN timer definitions that read Meldroute's clock and deadline rules.

A timer's expression is evaluated once, when the timer starts waiting; the resulting absolute
moment is kept in the task (`event_value`, ISO text with offset) and indexed by the case layer.
`timeDuration` takes an ISO duration (P14D, P1M — calendar months) or a term entered in a form;
`timeDate` takes a moment, typically from a deadline function such as `werkdagen(5)`.
Unquoted ISO durations and dates are accepted as literals so that diagrams drawn in ordinary
BPMN tools (which write P14D, not "P14D") behave as their authors expect.
"""
from __future__ import annotations

import re
from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
)

from webapp.engine.due_dates import is_iso_duration

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ][0-9:.]+([+-]\d{2}:?\d{2}|Z)?)?$")


def literal_timer_value(text: str) -> str | None:
    """The literal an unquoted ISO duration/date stands for, or None for a real expression."""
    stripped = (text or "").strip()
    if is_iso_duration(stripped) or _ISO_DATE.match(stripped):
        return stripped
    return None


def _evaluate(my_task, expression: str):
    literal = literal_timer_value(expression)
    if literal is not None:
        return literal
    return my_task.workflow.script_engine.evaluate(my_task, expression)


def _deadlines(my_task):
    return my_task.workflow.script_engine.deadlines


def _fired(my_task, due_iso: str) -> bool:
    if datetime.fromisoformat(due_iso) <= _deadlines(my_task).now():
        my_task._set_internal_data(event_fired=True)
    return my_task._get_internal_data("event_fired", False)


class DeadlineDateTimer(TimeDateEventDefinition):
    def has_fired(self, my_task):
        due = my_task._get_internal_data("event_value")
        if due is None:
            due = _deadlines(my_task).to_moment(_evaluate(my_task, self.expression)).isoformat()
            my_task._set_internal_data(event_value=due)
        return _fired(my_task, due)


class DeadlineDurationTimer(DurationTimerEventDefinition):
    def has_fired(self, my_task):
        due = my_task._get_internal_data("event_value")
        if due is None:
            due = _deadlines(my_task).after_term(_evaluate(my_task, self.expression)).isoformat()
            my_task._set_internal_data(event_value=due)
        return _fired(my_task, due)
