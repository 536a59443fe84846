"""Turning rows into the plain dicts the API schemas dump: one place for each shape."""
from __future__ import annotations

from webapp.auth.models import Membership, User
from webapp.cases.models import Attachment, Case, CaseCorrection, CaseNote, TaskStatus
from webapp.cases.read_models import CaseListRow, CaseView, TaskView
from webapp.cases.timeline import TimelineEntry
from webapp.forms.definition import FieldDefinition, FormDefinition, Option
from webapp.forms.submission import offered_contacts
from webapp.roles import ROLE_LABELS
from webapp.schools.models import School
from webapp.services import get_services
from webapp.tasks.listing import TaskListRow


def school_ref(school: School) -> dict:
    return {"id": school.id, "naam": school.name}


def user_dict(user: User, memberships: list[tuple[Membership, School]]) -> dict:
    return {
        "id": user.id, "naam": user.display_name, "email": user.email,
        "rollen": [{"school": school_ref(school), "rol": m.role.value,
                    "rol_label": ROLE_LABELS[m.role]} for m, school in memberships],
    }


def form_dict(form: FormDefinition, contacts) -> dict:
    return {"sleutel": form.key, "titel": form.title, "intro": form.intro,
            "velden": [_field_dict(f, contacts) for f in form.fields]}


def _field_dict(definition: FieldDefinition, contacts) -> dict:
    options = definition.options
    if definition.type == "contact":  # the school's sociale kaart is the list to choose from
        options = tuple(Option(c.id, f"{c.organisation} {c.phone}".strip())
                        for c in offered_contacts(definition, contacts))
    term = definition.max_term
    return {
        "naam": definition.name, "type": definition.type, "label": definition.label, "uitleg": definition.help,
        "verplicht": definition.required,
        "opties": [{"waarde": o.value, "label": o.label} for o in options],
        "min": definition.min, "max": definition.max, "max_lengte": definition.max_length,
        "eenheden": list(definition.units) if definition.type == "duration" else [],
        "max_termijn": {"aantal": term["amount"], "eenheid": term["unit"]} if term else None,
        "toon_als": ({"veld": definition.show_if.field, "gelijk_aan": definition.show_if.equals}
                     if definition.show_if else None),
        "verplicht_als": ({"veld": definition.required_when.field, "gelijk_aan": definition.required_when.equals}
                          if definition.required_when else None),
        "noemt_leerling": definition.names_pupil,
    }


def task_list_item(row: TaskListRow, user_id: int, now) -> dict:
    task, case, pupil, definition, school = row
    return {
        "id": task.id, "naam": task.name, "stap": task.element_id, "zaak_id": case.id,
        "zaak_referentie": case.reference, "leerling": {"naam": pupil.name, "groep": pupil.group_name},
        "school": school_ref(school),
        "route": {"id": definition.id, "sleutel": definition.route_key, "naam": definition.name},
        "lane": task.lane, "lane_label": get_services().task_lane_term(school, task), "termijn": task.due_at,
        "verlopen": task.due_at is not None and task.due_at < now, "aangemaakt_op": task.created_at,
        "opgepakt_door_mij": task.claimed_by_id == user_id,
    }


def task_dict(view: TaskView, user_id: int) -> dict:
    task, case = view.task, view.case
    return {
        "id": task.id, "naam": task.name, "stap": task.element_id, "status": task.status,
        "zaak_id": case.id, "zaak_referentie": case.reference, "school": school_ref(view.school),
        "lane": task.lane, "lane_label": view.lane_label, "termijn": task.due_at,
        "termijn_telling": view.due_calendar,
        "opgepakt_door_mij": task.claimed_by_id == user_id, "mag_werken": view.may_work,
        "toelichting": view.guidance or "",
        "formulier": form_dict(view.form, view.contacts),
        "concept": view.draft,
        "antwoorden": task.data if task.status == TaskStatus.COMPLETED else None,
        "eerder_vastgelegd": [{"vraag": a.label, "antwoord": a.text, "taak": a.task_name,
                               "afgerond_op": a.completed_at, "bijlagen": a.attachment_ids}
                              for a in view.earlier],
    }


def _route_ref(definition) -> dict:
    return {"id": definition.id, "sleutel": definition.route_key, "naam": definition.name}


def _pupil_ref(pupil) -> dict:
    # Only what the case page shows of the pupil: no date of birth, no internal id.
    return {"naam": pupil.name, "groep": pupil.group_name}


def case_list_item(row: CaseListRow) -> dict:
    case = row.case
    return {
        "id": case.id, "referentie": case.reference, "status": case.status, "huidige_stap": case.current_step,
        "uitkomst": case.outcome, "gestart_op": case.started_at, "acuut_gemeld_op": case.acute_raised_at,
        "school": school_ref(row.school), "leerling": _pupil_ref(row.pupil), "route": _route_ref(row.definition),
    }


def case_dict(view: CaseView) -> dict:
    case = view.case
    return {
        "id": case.id, "referentie": case.reference, "status": case.status, "huidige_stap": case.current_step,
        "uitkomst": case.outcome, "gestart_op": case.started_at, "gesloten_op": case.closed_at,
        "acuut_gemeld_op": case.acute_raised_at, "school": school_ref(view.school),
        "leerling": _pupil_ref(case.pupil), "route": _route_ref(case.definition), "versie": view.version_number,
        "open_taken": [{"id": t.id, "naam": t.name, "stap": t.element_id, "lane": t.lane,
                        "lane_label": get_services().task_lane_term(view.school, t), "termijn": t.due_at,
                        "opgepakt": t.claimed_by_id is not None} for t in view.open_tasks],
        "wachtende_termijnen": [{"naam": t.name, "stap": t.element_id, "verloopt_op": t.fires_at}
                                for t in view.waiting_timers],
        "tijdlijn": [_timeline_entry(entry) for entry in view.timeline],
        "notities": [note_dict(note) for note in view.notes],
        "bijlagen": [attachment_dict(a) for a in view.attachments],
        "gebeurtenissen": ([{"naam": name, "label": label} for name, label in view.signals.items()]
                           if view.may_signal else []),
        "mag_acuut_melden": view.may_raise_acute, "mag_gebeurtenis_vastleggen": view.may_signal,
        "mag_toevoegen": view.may_add, "mag_heropenen": view.may_reopen, "mag_corrigeren": view.may_correct,
        "volledig_dossier": view.whole_dossier,
        "correcties": [correction_dict(c) for c in view.corrections],
    }


def correction_dict(correction: CaseCorrection) -> dict:
    return {"id": correction.id, "verzocht_door": correction.requested_by, "verzocht_op": correction.requested_on,
            "betreft": correction.about, "tekst": correction.body, "vastgelegd_op": correction.recorded_at}


def case_status(case: Case) -> dict:
    return {"id": case.id, "status": case.status, "huidige_stap": case.current_step,
            "acuut_gemeld_op": case.acute_raised_at}


def note_dict(note: CaseNote) -> dict:
    return {"id": note.id, "soort": note.kind, "bron": note.source, "tekst": note.body, "oordeel": note.verdict,
            "vervolg_op": note.follows_up_id, "door": note.author.display_name if note.author else None,
            "op": note.created_at}


def attachment_dict(attachment: Attachment) -> dict:
    return {"id": attachment.id, "bestandsnaam": attachment.filename, "type": attachment.content_type,
            "grootte": attachment.size_bytes, "sha256": attachment.sha256, "geupload_op": attachment.uploaded_at}


def _timeline_entry(entry: TimelineEntry) -> dict:
    return {
        "op": entry.at, "soort": entry.kind, "titel": entry.title, "door": entry.actor,
        "antwoorden": [{"label": a.label, "tekst": a.text, "bijlage_ids": list(a.attachment_ids)}
                       for a in entry.answers],
        "notitie": note_dict(entry.note) if entry.note is not None else None,
    }
