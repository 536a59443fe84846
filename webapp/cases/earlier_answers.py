"""What earlier tasks of a case answered, read from the case's completed task rows (`CaseTask.data`).

One source for two uses (issue 15, items 11 and 15): the rule that the pupil is named to outsiders
only after the parents' consent was recorded, checked when a task is completed, and the "Eerder
vastgelegd" panel of a task (a refused consent and its reason shown at the weighing), read by the
task page and the task API alike. The completed rows are what the timeline shows, so the panel
and the check never disagree with it; the workflow's data is not needed.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.cases.models import Case, CaseTask, TaskStatus
from webapp.cases.timeline import describe_answers
from webapp.definitions.version_forms import form_of_task, forms_of_version
from webapp.forms.definition import FieldDefinition, FormDefinition


@dataclass(frozen=True)
class EarlierAnswer:
    """One earlier answer as a task shows it: the question, the answer, and where it was given."""

    label: str
    text: str
    task_name: str
    completed_at: datetime
    attachment_ids: list[int] = field(default_factory=list)


def _latest_first(session: Session, case_id: int) -> Iterator[tuple[CaseTask, FormDefinition]]:
    tasks = session.scalars(select(CaseTask).where(CaseTask.case_id == case_id,
                                                   CaseTask.status == TaskStatus.COMPLETED)
                            .order_by(CaseTask.completed_at.desc(), CaseTask.id.desc()))
    for task in tasks:
        yield task, form_of_task(session, task)


def _answered(task: CaseTask, definition: FieldDefinition) -> bool:
    return (task.data or {}).get(definition.name) not in (None, "", [])


# -- consent before naming the pupil to outsiders ----------------------------------------------


def naming_errors(session: Session, task: CaseTask, form: FormDefinition, data: dict) -> dict[str, list[str]]:
    """Messages per field for answers that name the pupil to outsiders while the latest consent
    answer of the case (in an earlier completed task) does not allow it."""
    naming = [f for f in form.fields if f.names_pupil and data.get(f.name) == f.names_pupil]
    if not naming:
        return {}
    consent = _latest_consent(session, task.case_id)
    if consent is not None and consent.allows_naming:
        return {}
    if consent is None:
        catalog = forms_of_version(session, session.get(Case, task.case_id).process_version_id)
        where = sorted({catalog.get(key).title for key in catalog.keys()
                        if any(f.permits_naming for f in catalog.get(key).fields)})
        message = ("De leerling mag alleen op naam worden besproken als de ouders eerder in deze zaak "
                   "toestemming hebben gegeven, en die is nog niet vastgelegd"
                   + (f" (dat gebeurt bij: {'; '.join(where)})" if where else "")
                   + ". Bespreek de leerling anoniem, zonder naam of herkenbare gegevens.")
    else:
        message = (f"De ouders hebben geen toestemming gegeven ({consent.task_name}). Bespreek de leerling "
                   "anoniem, zonder naam of herkenbare gegevens.")
    return {f.name: [message] for f in naming}


class _Consent(NamedTuple):
    task_name: str  # the task in which it was answered
    allows_naming: bool


def _latest_consent(session: Session, case_id: int) -> _Consent | None:
    """The latest consent answer of the case: a later refusal overrides an earlier consent."""
    for task, form in _latest_first(session, case_id):
        for definition in form.fields:
            if definition.permits_naming and _answered(task, definition):
                return _Consent(task.name, task.data[definition.name] in definition.permits_naming)
    return None


# -- the "Eerder vastgelegd" panel -------------------------------------------------------------


def earlier_answers(session: Session, task: CaseTask, form: FormDefinition, variant=None, *,
                    only_by: int | None = None) -> list[EarlierAnswer]:
    """For each field the task's form lists under `earlier`, its latest answer in another
    completed task of the case, in the form's order. `only_by`: a reader on need to know sees
    only answers they gave themselves, as in the timeline."""
    wanted = list(form.earlier)
    if not wanted:
        return []
    found: dict[str, EarlierAnswer] = {}
    for earlier_task, earlier_form in _latest_first(session, task.case_id):
        if earlier_task.id == task.id or (only_by is not None and earlier_task.completed_by_id != only_by):
            continue
        for definition in earlier_form.fields:
            if definition.name in wanted and definition.name not in found and _answered(earlier_task, definition):
                single = FormDefinition(key=earlier_form.key, title=earlier_form.title, fields=(definition,))
                answer = describe_answers(single, earlier_task.data, variant)[0]
                found[definition.name] = EarlierAnswer(answer.label, answer.text, earlier_task.name,
                                                       earlier_task.completed_at, answer.attachment_ids)
        if len(found) == len(wanted):
            break
    return [found[name] for name in wanted if name in found]
