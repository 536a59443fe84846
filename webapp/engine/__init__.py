"""The engine layer: the only code that knows SpiffWorkflow.

parse → validate → compile (`compile_bpmn`) → run (`CaseWorkflow`) → serialize (`dump`/`load`).
Everything above this package speaks in element ids, form keys, lanes and datetimes.
"""
from webapp.engine.due_dates import CALENDAR_NAMES, SchoolCalendar
from webapp.engine.environment import EngineEnvironment
from webapp.engine.import_checks import (
    FormLookup,
    compile_bpmn,
    documentation_warnings,
    structural_problems,
)
from webapp.engine.problems import DiagramRejected, Problem
from webapp.engine.runtime import (
    CaseWorkflow,
    TaskNotReady,
    TimerInfo,
    UnknownTask,
    UserTaskInfo,
)
from webapp.engine.specs import (
    ACUTE_DANGER_SIGNAL,
    CASE_START_NAMES,
    CompiledProcess,
    ElementInfo,
)

__all__ = [
    "ACUTE_DANGER_SIGNAL", "CALENDAR_NAMES", "CASE_START_NAMES", "CaseWorkflow", "CompiledProcess", "DiagramRejected",
    "ElementInfo", "EngineEnvironment", "FormLookup", "Problem", "SchoolCalendar", "TaskNotReady", "TimerInfo",
    "UnknownTask", "UserTaskInfo", "compile_bpmn", "documentation_warnings", "structural_problems",
]
