"""Plausible, valid answers for any form, so scenario tests state only the decisions that matter."""
from __future__ import annotations

from webapp.forms.definition import FieldDefinition, FormDefinition
from webapp.forms.submission import offered_contacts


def _sample(field: FieldDefinition, contacts):
    kind = field.type
    if kind == "text":
        return f"{field.label[:40]}"
    if kind == "textarea":
        return f"Toelichting bij: {field.label[:60]}"
    if kind == "date":
        return "2026-03-02"
    if kind == "number":
        return int(field.min or 1)
    if kind == "boolean":
        return False
    if kind == "choice":
        return field.options[0].value
    if kind == "multichoice":
        return [field.options[0].value]
    if kind == "duration":
        return {"amount": 1, "unit": "weken" if "weken" in field.units else field.units[0]}
    if kind == "contact":
        return offered_contacts(field, contacts)[0].id
    if kind == "file":
        return []
    raise ValueError(kind)


def fill_form(form: FormDefinition, contacts=(), answers: dict | None = None) -> dict:
    answers = dict(answers or {})
    unknown = set(answers) - {f.name for f in form.fields}
    if unknown:
        raise AssertionError(f"{form.key} has no field(s) {sorted(unknown)}")
    values = {}
    for field in form.fields:
        if field.name in answers:
            values[field.name] = answers[field.name]
            continue
        if field.show_if and not field.show_if.applies(values):
            continue
        if field.required:
            values[field.name] = _sample(field, contacts)
    return values
