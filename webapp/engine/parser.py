"""SpiffWorkflow's BPMN parser, with Meldroute's timers plugged in.

Only the timer event parsing changes: timers become `DeadlineDateTimer`/`DeadlineDurationTimer`,
which use Meldroute's clock and calendar. Cycles are refused (reminders are Meldroute's own job,
not the diagram's).
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.bpmn.parser.event_parsers import (
    BoundaryEventParser,
    IntermediateCatchEventParser,
    StartEventParser,
)
from SpiffWorkflow.bpmn.parser.util import first, full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.defaults import (
    BoundaryEvent,
    IntermediateCatchEvent,
    StartEvent,
)

from webapp.engine.timer_definitions import DeadlineDateTimer, DeadlineDurationTimer

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
MELDROUTE_NS = "https://meldroute.nl/schema/bpmn"


class _DeadlineTimerParsing:
    def parse_timer_event(self, event):
        description = self.get_event_description(event)
        name = self.node.get("name", self.node.get("id"))
        time_date = first(self.xpath(".//bpmn:timeDate"))
        if time_date is not None:
            return DeadlineDateTimer(name, (time_date.text or "").strip(), description=description)
        time_duration = first(self.xpath(".//bpmn:timeDuration"))
        if time_duration is not None:
            return DeadlineDurationTimer(
                name, (time_duration.text or "").strip(), description=description
            )
        if first(self.xpath(".//bpmn:timeCycle")) is not None:
            raise ValidationException(
                "herhalende timers (timeCycle) worden niet ondersteund; herinneringen regelt "
                "Meldroute zelf", node=self.node, file_name=self.filename,
            )
        raise ValidationException(
            "timer zonder timeDate of timeDuration", node=self.node, file_name=self.filename
        )


class _StartEventParser(_DeadlineTimerParsing, StartEventParser):
    pass


class _IntermediateCatchEventParser(_DeadlineTimerParsing, IntermediateCatchEventParser):
    pass


class _BoundaryEventParser(_DeadlineTimerParsing, BoundaryEventParser):
    pass


class MeldrouteBpmnParser(BpmnParser):
    OVERRIDE_PARSER_CLASSES = {
        full_tag("startEvent"): (_StartEventParser, StartEvent),
        full_tag("intermediateCatchEvent"): (_IntermediateCatchEventParser, IntermediateCatchEvent),
        full_tag("boundaryEvent"): (_BoundaryEventParser, BoundaryEvent),
    }
