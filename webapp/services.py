"""What the case layer needs from the running application (web, worker or CLI), built once per app.

The clock, the working-day calendar and the evaluator (the engine's environment), the form
catalog and the variants: read-only after start-up, the same in every process of a deployment.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time

from flask import Flask, current_app

from webapp.clock import SystemClock
from webapp.engine import EngineEnvironment
from webapp.engine.due_dates import WorkingDayCalendar
from webapp.forms.catalog import FormCatalog
from webapp.roles import lane_label, lanes_of_stored
from webapp.schools.variants import Variant, load_variants

EXTENSION_KEY = "meldroute.services"


@dataclass(frozen=True)
class CaseServices:
    environment: EngineEnvironment
    forms: FormCatalog
    variants: Mapping[str, Variant]
    # A task's draft (what was typed, as stored JSON) may take at most this many bytes.
    draft_max_bytes: int = 256 * 1024

    def now(self) -> datetime:
        return self.environment.clock.now()

    def variant_of(self, school) -> Variant | None:
        """The meldcode variant a school runs (its terms, sociale kaart, emergency contacts)."""
        return self.variants.get(school.variant) if school is not None else None

    def lane_term(self, school, lane_value: str | None) -> str:
        """The school's own word for a lane, the same on every page, list, notice and in the API."""
        variant = self.variant_of(school)
        return variant.lane_term(lane_value) if variant else lane_label(lane_value or "")

    def task_lane_term(self, school, task) -> str:
        """Who does a task, in the school's words: its lane, and the lanes that may do it too
        (`meldroute:alsoLanes`): "Directie (ook: Leerkracht, Intern begeleider)"."""
        own = self.lane_term(school, task.lane)
        others = [self.lane_term(school, value) for value in lanes_of_stored(task.also_lanes)]
        return f"{own} (ook: {', '.join(others)})" if others else own


def build_services(config) -> CaseServices:
    day_end = datetime.strptime(config["SCHOOL_DAY_END"], "%H:%M").time()
    environment = EngineEnvironment(
        clock=config.get("CLOCK") or SystemClock(),
        calendar=WorkingDayCalendar(),
        school_day_end=time(day_end.hour, day_end.minute),
    )
    return CaseServices(
        environment=environment,
        forms=FormCatalog.from_directory(config["FORMS_DIR"]),
        variants=load_variants(config["WORKFLOWS_DIR"]),
        draft_max_bytes=int(config.get("DRAFT_MAX_KB", 256)) * 1024,
    )


def get_services(app: Flask | None = None) -> CaseServices:
    return (app or current_app).extensions[EXTENSION_KEY]
