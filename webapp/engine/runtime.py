"""Running one case's workflow: the only place that drives SpiffWorkflow at run time.

`CaseWorkflow` wraps a `BpmnWorkflow` with the operations Meldroute needs and answers in
Meldroute's own terms (task and timer infos, element ids). It knows nothing of the database:
the case layer loads it, calls one operation, dumps it and indexes the result, in one transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions import (
    MultipleEventDefinition,
    SignalEventDefinition,
)
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState

from webapp.engine.due_dates import agreed_term_text
from webapp.engine.environment import EngineEnvironment
from webapp.engine.serialization import dump_state, load_state
from webapp.engine.specs import CASE_STARTED_AT, CompiledProcess, ElementInfo
from webapp.engine.timer_definitions import literal_timer_value
from webapp.roles import Lane

_DUE_AT = "meldroute_due_at"


class TaskNotReady(Exception):
    """The task exists but is not (or no longer) waiting for a person: already done or cancelled."""


class UnknownTask(Exception):
    pass


@dataclass(frozen=True)
class UserTaskInfo:
    task_id: str
    element_id: str
    name: str
    lane: Lane | None
    lane_label: str | None
    form_key: str
    documentation: str
    due_at: datetime | None
    also_lanes: tuple[Lane, ...] = ()
    never_by: tuple[Lane, ...] = ()
    melding: bool = False


@dataclass(frozen=True)
class TimerInfo:
    task_id: str
    element_id: str
    name: str
    fires_at: datetime


class CaseWorkflow:
    def __init__(self, workflow: BpmnWorkflow, compiled: CompiledProcess, environment: EngineEnvironment):
        self.workflow = workflow
        self.compiled = compiled
        self.environment = environment
        workflow.script_engine = environment.script_engine()

    @classmethod
    def start(cls, compiled: CompiledProcess, environment: EngineEnvironment, start_data: dict) -> CaseWorkflow:
        workflow = BpmnWorkflow(compiled.spec, compiled.subprocess_specs)
        case = cls(workflow, compiled, environment)
        # The moment the worry was reported (or the case reopened): where phase 1 begins.
        workflow.task_tree.data.update({CASE_STARTED_AT: environment.deadlines.now().isoformat(), **start_data})
        case._advance()
        return case

    @classmethod
    def load(cls, state: str, compiled: CompiledProcess, environment: EngineEnvironment) -> CaseWorkflow:
        return cls(load_state(state, compiled), compiled, environment)

    def dump(self) -> str:
        return dump_state(self.workflow)

    # -- reading -------------------------------------------------------------------------

    @property
    def is_completed(self) -> bool:
        return self.workflow.is_completed()

    def ready_user_tasks(self) -> list[UserTaskInfo]:
        return [self._user_task_info(t) for t in self.workflow.get_tasks(state=TaskState.READY, manual=True)]

    def waiting_timers(self) -> list[TimerInfo]:
        timers = []
        for task in self.workflow.get_tasks(state=TaskState.WAITING):
            fires_at = _timer_due(task)
            if fires_at is not None:
                element = self._timer_element(task)
                timers.append(TimerInfo(str(task.id), element.id, _timer_label(task, element), fires_at))
        return timers

    def _timer_element(self, task) -> ElementInfo:
        """The timer event itself; for an event-based gateway, the timer it waits for."""
        element = self._element(task)
        if element.kind == "eventBasedGateway":
            for output in task.task_spec.outputs:
                candidate = self.compiled.elements.get(output.bpmn_id)
                if candidate is not None and candidate.timer_expression:
                    return candidate
        return element

    def task_state(self, task_id: str) -> str:
        return TaskState.get_name(self._task(task_id).state)

    def completed_elements(self) -> list[str]:
        """Element ids of everything completed so far, in order (the path the case took)."""
        done = self.workflow.get_tasks(state=TaskState.COMPLETED)
        done.sort(key=lambda t: t.last_state_change)
        return [t.task_spec.bpmn_id for t in done if t.task_spec.bpmn_id in self.compiled.elements]

    def current_elements(self) -> list[str]:
        """Element ids where the case stands now: tasks waiting for a person, and the timers and
        events it waits for (an event-based gateway with the events it waits between).

        Boundary events other than timers (acute danger, "the pupil leaves") can happen at any
        moment of their task: they are possibilities, not the case's position. Boundary timers are
        the task's deadline, so they count."""
        ids = [t.element_id for t in self.ready_user_tasks()]
        for task in self.workflow.get_tasks(state=TaskState.WAITING):
            if not isinstance(task.task_spec, CatchingEvent):
                continue
            on_boundary = task.parent is not None and isinstance(task.parent.task_spec, BoundaryEventSplit)
            if on_boundary and _timer_due(task) is None:
                continue
            element = self._element(task)
            ids.append(element.id)
            if element.kind == "eventBasedGateway":
                ids.extend(o.bpmn_id for o in task.task_spec.outputs if o.bpmn_id in self.compiled.elements)
        return list(dict.fromkeys(ids))

    @property
    def marks_meldingen(self) -> bool:
        return self.compiled.marks_meldingen

    def reached_end_events(self) -> list[ElementInfo]:
        return [
            self.compiled.elements[e] for e in self.completed_elements()
            if self.compiled.elements[e].kind == "endEvent"
        ]

    def can_receive_signal(self, name: str) -> bool:
        if name in self.compiled.thrown_signals:
            return False
        # While the first task a signal opened is still open, the same signal again would only
        # open it twice (a double click on "acuut gevaar"): it is already being acted on.
        if any(_opened_by_signal(t, name) for t in self.workflow.get_tasks(state=TaskState.READY)):
            return False
        return bool(self.workflow.get_tasks(catches_event=_signal(name)))

    def receivable_signals(self) -> dict[str, str]:
        """Signal name → label (the catching event's name) for what may happen now."""
        names = sorted({e.signal_name for e in self.compiled.elements.values() if e.signal_name})
        return {name: self.signal_label(name) for name in names if self.can_receive_signal(name)}

    def signal_label(self, name: str) -> str:
        for element in self.compiled.elements.values():
            if element.signal_name == name and element.name:
                return element.name
        return name

    # -- changing ------------------------------------------------------------------------

    def complete_user_task(self, task_id: str, data: dict) -> UserTaskInfo:
        task = self._task(task_id)
        if not task.task_spec.manual:
            raise UnknownTask(task_id)
        # Task.run() does not check state: without this, a double submit would run a task twice.
        if task.state != TaskState.READY:
            raise TaskNotReady(task_id)
        info = self._user_task_info(task)
        task.data.update(data)
        task.run()
        self._advance()
        return info

    def fire_due_timers(self) -> list[TimerInfo]:
        """Let every timer whose moment has passed fire, and run the engine on from there."""
        waiting = {t.task_id: t for t in self.waiting_timers()}
        self._advance()
        still_waiting = {t.task_id for t in self.waiting_timers()}
        return [
            timer for task_id, timer in waiting.items()
            if task_id not in still_waiting
            and self.workflow.get_task_from_id(UUID(task_id)).state == TaskState.COMPLETED
        ]

    def send_signal(self, name: str, payload: dict | None = None) -> None:
        armed = [t for t in self.workflow.get_tasks(catches_event=_signal(name)) if _non_interrupting_boundary(t)]
        try:
            self.workflow.send_event(BpmnEvent(SignalEventDefinition(name), payload or {}))
        except WorkflowException as exc:
            raise TaskNotReady(f"dit proces wacht nu niet op signaal '{name}'") from exc
        self._rearm(armed)
        self._advance()

    def _rearm(self, armed) -> None:
        """BPMN lets a non-interrupting boundary event happen again while its activity runs;
        SpiffWorkflow fires one only once. Acute danger must stay raisable after an emergency
        that ended in advice only, so a fired one gets a fresh waiting sibling."""
        for fired in armed:
            if fired.state == TaskState.WAITING:
                continue
            split = fired.parent
            main = next((c for c in split.children if not isinstance(c.task_spec, type(fired.task_spec))), None)
            if main is None or main.has_state(TaskState.FINISHED_MASK):
                continue
            fresh = split._add_child(fired.task_spec, TaskState.FUTURE)
            fresh.task_spec._update(fresh)
            fresh._sync_children(fresh.task_spec.outputs, TaskState.MAYBE)

    # -- internals -----------------------------------------------------------------------

    def _advance(self) -> None:
        self.workflow.refresh_timers()
        self.workflow.do_engine_steps()
        self._stamp_due_dates()

    def _stamp_due_dates(self) -> None:
        """Evaluate a task's due-date expression once, when it becomes ready, and keep the result."""
        for task in self.workflow.get_tasks(state=TaskState.READY, manual=True):
            element = self._element(task)
            if element.due_date and _DUE_AT not in task.internal_data:
                moment = self.environment.deadlines.to_moment(
                    self._evaluate_due_date(task, element.due_date)
                )
                task.internal_data[_DUE_AT] = moment.isoformat()

    def _evaluate_due_date(self, task, expression: str):
        literal = literal_timer_value(expression)
        if literal is not None:
            if literal.upper().startswith("P"):
                return self.environment.deadlines.after_term(literal)
            return literal
        return self.workflow.script_engine.evaluate(task, expression)

    def _task(self, task_id: str):
        try:
            task = self.workflow.get_task_from_id(UUID(str(task_id)))
        except (ValueError, TypeError):
            task = None
        if task is None:
            raise UnknownTask(task_id)
        return task

    def _element(self, task) -> ElementInfo:
        element_id = task.task_spec.bpmn_id
        return self.compiled.elements.get(element_id) or ElementInfo(
            id=element_id or task.task_spec.name, kind="", name=task.task_spec.bpmn_name or ""
        )

    def _user_task_info(self, task) -> UserTaskInfo:
        element = self._element(task)
        return UserTaskInfo(
            task_id=str(task.id),
            element_id=element.id,
            name=element.label,
            lane=element.lane,
            lane_label=element.lane_label,
            form_key=element.form_key or "",
            documentation=element.documentation,
            due_at=self._due_at(task),
            also_lanes=element.also_lanes,
            never_by=element.never_by,
            melding=element.melding,
        )

    def _due_at(self, task) -> datetime | None:
        candidates = []
        if _DUE_AT in task.internal_data:
            candidates.append(datetime.fromisoformat(task.internal_data[_DUE_AT]))
        parent = task.parent
        if parent is not None and isinstance(parent.task_spec, BoundaryEventSplit):
            for sibling in parent.children:
                # A non-interrupting timer that already fired still marks when the task was due.
                if sibling is not task and sibling.state in (TaskState.WAITING, TaskState.COMPLETED):
                    due = _timer_due(sibling)
                    if due is not None:
                        candidates.append(due)
        return min(candidates) if candidates else None


def _timer_label(task, element: ElementInfo) -> str:
    """A timer on an agreed term says what was agreed: "Termijn hulp zoeken (1 week)"."""
    agreed = agreed_term_text(element.timer_expression, task.data)
    return f"{element.label} ({agreed})" if agreed else element.label


def _opened_by_signal(task, name: str) -> bool:
    parent = task.parent
    if parent is None or not isinstance(parent.task_spec, CatchingEvent):
        return False
    definition = parent.task_spec.event_definition
    return isinstance(definition, SignalEventDefinition) and definition.name == name


def _non_interrupting_boundary(task) -> bool:
    return (task.parent is not None and isinstance(task.parent.task_spec, BoundaryEventSplit)
            and not getattr(task.task_spec, "cancel_activity", True))


def _signal(name: str) -> BpmnEvent:
    return BpmnEvent(SignalEventDefinition(name))


def _timer_due(task) -> datetime | None:
    """When a catch event (or event-based gateway) with a timer fires or fired."""
    definition = getattr(task.task_spec, "event_definition", None)
    if not isinstance(task.task_spec, CatchingEvent) or definition is None:
        return None
    if isinstance(definition, MultipleEventDefinition):
        if not any(isinstance(d, TimerEventDefinition) for d in definition.event_definitions):
            return None
    elif not isinstance(definition, TimerEventDefinition):
        return None
    value = task.internal_data.get("event_value")
    return datetime.fromisoformat(value) if isinstance(value, str) else None
