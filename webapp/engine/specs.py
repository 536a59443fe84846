"""A validated, compiled process: SpiffWorkflow's spec plus what Meldroute reads from the diagram.

Compiled processes are immutable once built, so they can be cached per definition version.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from webapp.engine.due_dates import calendar_of_expression
from webapp.roles import Lane

ACUTE_DANGER_SIGNAL = "acuut_gevaar"

# Data every case starts with (and nothing more about the pupil: the name stays out of the engine),
# and the moment the worry was reported: a phase's maximum counts from its start
# (`maanden(1, zorg_gemeld_op)`, the basismodel's phase 1).
CASE_STARTED_AT = "zorg_gemeld_op"
CASE_START_NAMES = frozenset({"leerling_geboortedatum", CASE_STARTED_AT})
# What raising acute danger puts in the case data: who raised it and when (the acute tasks'
# "dezelfde dag" counts from that moment).
ACUTE_DANGER_NAMES = frozenset({"gemeld_door", "acuut_gemeld_op"})

TASK_KINDS = frozenset({"userTask", "task"})
GATEWAY_KINDS = frozenset(
    {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway"}
)


@dataclass(frozen=True)
class ElementInfo:
    id: str
    kind: str
    name: str
    line: int | None = None
    lane: Lane | None = None
    lane_label: str | None = None
    # Lanes whose roles may work this user task too (`meldroute:alsoLanes`).
    also_lanes: tuple[Lane, ...] = ()
    # Lanes whose doers in this case may never do this task (`meldroute:neverBy`): "de
    # coördinatie ligt nooit bij de leerkracht van de betreffende leerling".
    never_by: tuple[Lane, ...] = ()
    form_key: str | None = None
    documentation: str = ""
    due_date: str | None = None
    attached_to: str | None = None
    timer_expression: str | None = None
    interrupting: bool | None = None
    signal_name: str | None = None
    parent_id: str | None = None
    outcome: str | None = None  # meldroute:outcome of an end event: how a case ending here was handled
    melding: bool = False  # meldroute:melding="true" of a user task: completing it is a melding

    @property
    def label(self) -> str:
        return self.name or self.id


@dataclass(frozen=True)
class CompiledProcess:
    process_id: str
    name: str
    spec: object = field(repr=False)
    subprocess_specs: dict = field(repr=False)
    elements: dict[str, ElementInfo] = field(repr=False)
    # What was accepted but does not run (documentation-only elements), for the modeler to show.
    warnings: tuple = field(default=(), repr=False)

    def element(self, element_id: str) -> ElementInfo | None:
        return self.elements.get(element_id)

    def elements_of_kind(self, *kinds: str) -> list[ElementInfo]:
        return [e for e in self.elements.values() if e.kind in kinds]

    def due_calendar(self, element_id: str) -> str | None:
        """Which day count ('schooldagen', 'werkdagen') sets this task's due date: its own
        due-date expression or a timer on its border; None for calendar days or no due date."""
        element = self.elements.get(element_id)
        if element is None:
            return None
        expressions = [element.due_date] + [
            e.timer_expression for e in self.elements.values() if e.attached_to == element_id and e.timer_expression]
        return next((name for name in map(calendar_of_expression, expressions) if name), None)

    @property
    def caught_signals(self) -> frozenset[str]:
        return frozenset(
            e.signal_name for e in self.elements.values()
            if e.signal_name and e.kind in ("boundaryEvent", "intermediateCatchEvent", "startEvent")
        )

    @property
    def thrown_signals(self) -> frozenset[str]:
        """Signals the diagram throws itself (a melding in an emergency stopping the step plan):
        they belong to the diagram, so nobody may send them from outside."""
        return frozenset(
            e.signal_name for e in self.elements.values()
            if e.signal_name and e.kind in ("intermediateThrowEvent", "endEvent")
        )

    @property
    def handles_acute_danger(self) -> bool:
        return ACUTE_DANGER_SIGNAL in self.caught_signals

    @property
    def marks_meldingen(self) -> bool:
        """Whether the diagram marks its melding steps itself (versions stored before
        `meldroute:melding` do not: the case layer falls back to its list for them)."""
        return any(e.melding for e in self.elements.values())

    @property
    def form_keys(self) -> frozenset[str]:
        return frozenset(e.form_key for e in self.elements.values() if e.form_key)
