"""What a "ja" on a form field with an `effect` does to the case (see webapp/forms/definition.py).

Run by the completion of the task, inside its unit of work: the effect happens in the same
transaction as the answer that asked for it.
"""
from __future__ import annotations

from collections.abc import Mapping

from webapp.cases.unit_of_work import CaseChange
from webapp.clock import SCHOOL_TIMEZONE
from webapp.forms.definition import FormDefinition
from webapp.privacy.destruction import destroy_work_notes
from webapp.privacy.retention import schedule_work_notes


def apply_field_effects(change: CaseChange, form: FormDefinition, data: Mapping) -> None:
    for definition in form.fields:
        if definition.effect is None or data.get(definition.name) is not True:
            continue
        if definition.effect == "werkaantekeningen_vernietigen" and change.case.work_notes_destroyed_at is None:
            due = schedule_work_notes(change.session, change.case, change.now)
            if due <= change.now:
                destroy_work_notes(change)
            else:
                change.event("work_notes_scheduled", "Werkaantekeningen worden vernietigd op "
                             f"{due.astimezone(SCHOOL_TIMEZONE):%d-%m-%Y} (bewaartermijn van de school)")
        elif definition.effect == "betreft_medewerker" and not change.case.concerns_staff_member:
            change.case.concerns_staff_member = True
            change.event("staff_member_concern", "De signalen betreffen een medewerker: de zaak is vanaf nu "
                         "alleen zichtbaar voor directie en bestuur")
            change.audit("case.restrict_to_management", {"reason": "betreft_medewerker"})
