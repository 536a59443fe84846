"""Reading a case: its timeline with the answers given, in words a school understands."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.auth.models import User
from webapp.cases.models import Case, CaseEvent, CaseNote, CaseTask
from webapp.engine.due_dates import describe_term
from webapp.forms.catalog import FormCatalog, UnknownForm
from webapp.forms.definition import FormDefinition


@dataclass
class Answer:
    label: str
    text: str
    attachment_ids: list[int] = field(default_factory=list)


@dataclass
class TimelineEntry:
    at: datetime
    kind: str
    title: str
    actor: str | None
    answers: list[Answer] = field(default_factory=list)
    note: CaseNote | None = None
    actor_id: int | None = None


def describe_answers(form: FormDefinition, data: dict, variant=None) -> list[Answer]:
    answers = []
    for definition in form.fields:
        value = data.get(definition.name)
        if value in (None, "", []):
            continue
        text, attachments = _display(definition, value, variant), []
        if definition.type == "file":
            attachments, text = list(value), f"{len(value)} bijlage(n)"
        answers.append(Answer(definition.label, text, attachments))
    return answers


def _display(definition, value, variant) -> str:
    if definition.type == "boolean":
        return "ja" if value else "nee"
    if definition.type == "choice":
        return definition.option_label(value)
    if definition.type == "multichoice":
        return ", ".join(definition.option_label(v) for v in value)
    if definition.type == "duration":
        return describe_term(value)
    if definition.type == "date":
        return "-".join(reversed(value.split("-")))
    if definition.type == "contact" and variant is not None:
        contact = variant.contact(value)
        return f"{contact.organisation} {contact.phone}".strip() if contact else value
    return str(value)


def case_timeline(session: Session, forms: FormCatalog, variant, case: Case) -> list[TimelineEntry]:
    events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                             .order_by(CaseEvent.at, CaseEvent.id)).all()
    tasks = {t.id: t for t in session.scalars(select(CaseTask).where(CaseTask.case_id == case.id))}
    notes = {n.id: n for n in session.scalars(select(CaseNote).where(CaseNote.case_id == case.id))}
    names = _user_names(session, {e.actor_id for e in events})
    entries = []
    for event in events:
        entry = TimelineEntry(event.at, event.kind, event.title, names.get(event.actor_id), actor_id=event.actor_id)
        detail = event.detail or {}
        task = tasks.get(detail.get("case_task_id"))
        if event.kind == "task_completed" and task is not None and task.data:
            try:
                entry.answers = describe_answers(forms.get(task.form_key), task.data, variant)
            except UnknownForm:
                entry.answers = [Answer(k, str(v)) for k, v in task.data.items()]
        if event.kind == "note_added":
            entry.note = notes.get(detail.get("note_id"))
        entries.append(entry)
    return entries


def _user_names(session: Session, ids) -> dict[int, str]:
    ids = [i for i in ids if i]
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())
