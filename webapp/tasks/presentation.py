"""What the task page shows next to the form: the protocol's guidance and the case it belongs to."""
from __future__ import annotations

from webapp.auth.policy import Action, Policy
from webapp.cases.dossier import describe_answers
from webapp.cases.models import Case, TaskStatus
from webapp.definitions.spec_cache import compiled_process_of
from webapp.roles import lane_label
from webapp.schools.models import School


def task_context(session, services, policy: Policy, task) -> dict:
    case = session.get(Case, task.case_id)
    school = session.get(School, case.school_id)
    variant = services.variants.get(school.variant)
    form = services.forms.get(task.form_key)
    element = compiled_process_of(session, case.process_version_id).element(task.element_id)
    return {
        "task": task,
        "case": case,
        "school": school,
        "form": form,
        "contacts": variant.contacts if variant else (),
        "guidance": element.documentation if element else "",
        "lane_label": (element.lane_label if element and element.lane_label else
                       lane_label(task.lane)),
        "may_work": policy.may_work_on(session, task),
        "may_release": policy.may_release(task),
        "may_raise_acute": policy.may_on_case(Action.RAISE_ACUTE_DANGER, session, case),
        "answers": (describe_answers(form, task.data or {}, variant)
                    if task.status == TaskStatus.COMPLETED else []),
        "now": services.now(),
    }
