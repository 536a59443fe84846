"""What the diagram pages show: a school's routes with their versions and drafts, as a reader may see them.

Every member of a school sees its published diagrams; only those who may manage diagrams see the
drafts and the whole history. Another school's route or draft is not found (404), like a case.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.auth.policy import Action, Policy
from webapp.definitions.models import ProcessDefinition, ProcessDraft, ProcessVersion
from webapp.definitions.version_forms import forms_of_version
from webapp.forms.catalog import FormCatalog
from webapp.modeler.form_changes import FormChange, form_changes
from webapp.schools.models import School


@dataclass(frozen=True)
class RouteView:
    definition: ProcessDefinition
    school: School
    may_manage: bool
    versions: list[ProcessVersion]
    drafts: list[ProcessDraft]


def visible_definition(session: Session, policy: Policy, definition_id: int) -> ProcessDefinition | None:
    definition = session.get(ProcessDefinition, definition_id)
    if definition is None or not policy.roles_at(definition.school_id):
        return None
    return definition


def route_view(session: Session, policy: Policy, definition: ProcessDefinition) -> RouteView:
    may_manage = policy.may_at_school(Action.MANAGE_DIAGRAMS, definition.school_id)
    published = definition.published_version
    versions = list(reversed(definition.versions)) if may_manage else ([published] if published else [])
    drafts = list(session.scalars(select(ProcessDraft).where(ProcessDraft.definition_id == definition.id)
                                  .order_by(ProcessDraft.updated_at.desc()))) if may_manage else []
    return RouteView(definition, session.get(School, definition.school_id), may_manage, versions, drafts)


def school_routes(session: Session, policy: Policy) -> list[RouteView]:
    definitions = session.scalars(
        select(ProcessDefinition).where(ProcessDefinition.school_id.in_(policy.school_ids))
        .order_by(ProcessDefinition.school_id, ProcessDefinition.route_key)
    )
    return [route_view(session, policy, d) for d in definitions]


def school_forms(forms: FormCatalog, school: School, also: frozenset[str] = frozenset()) -> list[dict]:
    """The forms the panel offers for a school's user tasks: those of its variant, plus any the
    diagram already uses; each with its fields (for deadlines and gateway conditions)."""
    prefix = f"{school.variant}/"
    keys = sorted({k for k in forms.keys() if k.startswith(prefix)} | {k for k in also if forms.has_form(k)})
    result = []
    for key in keys:
        form = forms.get(key)
        result.append({
            "key": key, "titel": form.title,
            "velden": [{"naam": f.name, "label": f.label, "type": f.type,
                        "opties": [{"waarde": o.value, "label": o.label} for o in (f.options or ())]}
                       for f in form.fields],
        })
    return result


def version_form_changes(session: Session, definition: ProcessDefinition, old_number: int,
                         new_number: int) -> list[FormChange]:
    """What changed in the forms the two versions froze (the diff page lists it below the diagram's)."""
    ids = {v.number: v.id for v in definition.versions}
    return form_changes(forms_of_version(session, ids[old_number]), forms_of_version(session, ids[new_number]))
