"""The JSON API's endpoints. Each one: who may (policy) → what was asked (schema) → service → audit.

Answers mirror the HTML side: a case or task the user may not see is 404 (indistinguishable
from a missing one), one they see but may not change is 403, one already done is 409.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf
from marshmallow import Schema, ValidationError
from sqlalchemy import select

from webapp import get_services
from webapp.api import presenters
from webapp.api import schemas as s
from webapp.audit.log import record_audit
from webapp.auth.login import LoginRefused, attempt_login, log_out
from webapp.auth.models import Membership
from webapp.auth.policy import Action
from webapp.auth.session import current_policy, remote_addr
from webapp.cases import service as case_service
from webapp.cases.dossier import case_timeline
from webapp.cases.models import CaseTask, CaseTimer, TaskStatus, TimerStatus
from webapp.cases.starting import (
    PupilDetails,
    start_reported_case,
    startable_definitions,
)
from webapp.db import get_session
from webapp.schools.models import School
from webapp.tasks.listing import TaskListFilters, next_task_in_case, task_list
from webapp.tasks.presentation import task_context

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")




NOT_JSON = "Stuur een JSON-object (Content-Type: application/json)."
CHECK_FIELDS = "Controleer de velden; zie `errors`."
ALREADY_DONE = "Deze taak is al afgerond; er is niets (dubbel) opgeslagen."
NOT_YOURS = "U mag deze taak niet uitvoeren (andere rol, of al opgepakt door iemand anders)."
NO_START_RIGHTS = "U mag op geen van uw scholen een zorg melden."


class ApiProblem(Exception):
    def __init__(self, status: int, message: str, errors: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors


def documented(*, summary: str, responses: dict[int, type[Schema] | None], body: type[Schema] | None = None,
               query: type[Schema] | None = None, public: bool = False) -> Callable:
    """Attach what the OpenAPI document says about a view; the document is built from these."""
    def attach(view):
        view.openapi = {"summary": summary, "responses": responses, "body": body, "query": query,
                        "public": public, "description": (view.__doc__ or "").strip()}
        return view
    return attach


@blueprint.errorhandler(ApiProblem)
def _problem(problem: ApiProblem):
    payload = {"fout": problem.message}
    if problem.errors is not None:
        payload["errors"] = problem.errors
    return jsonify(payload), problem.status


@blueprint.errorhandler(CSRFError)
def _csrf_missing(_error):
    return jsonify({"fout": "CSRF-token ontbreekt of is verlopen: haal het op met GET /api/v1/sessie en "
                            "stuur het mee in de kop X-CSRFToken."}), 400


def _json_body(schema: type[Schema]) -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiProblem(400, NOT_JSON)
    try:
        return schema().load(body)
    except ValidationError as invalid:
        raise ApiProblem(422, CHECK_FIELDS, _flat_errors(invalid.messages)) from None


def _flat_errors(messages) -> dict[str, list[str]]:
    """marshmallow nests errors of nested objects; clients get `{"veld.subveld": [...]}`."""
    flat: dict[str, list[str]] = {}

    def walk(prefix: str, value):
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list) and all(isinstance(m, str) for m in value):
            flat.setdefault(prefix or "_", []).extend(value)
        else:
            flat.setdefault(prefix or "_", []).append(str(value))

    walk("", messages if isinstance(messages, dict) else {"_": messages})
    return flat


def _answer(schema: type[Schema], data: dict, status: int = 200):
    return jsonify(schema().dump(data)), status


def _audit(action: str, *, school_id=None, case_id=None, **detail) -> None:
    record_audit(get_session(), action, at=get_services().now(), user_id=current_user.id, school_id=school_id,
                 case_id=case_id, detail=detail, remote_addr=remote_addr())


# -- session --------------------------------------------------------------------------------


def _session_payload() -> dict:
    user = None
    if current_user.is_authenticated:
        memberships = get_session().execute(
            select(Membership, School).join(School, School.id == Membership.school_id)
            .where(Membership.user_id == current_user.id).order_by(School.name, Membership.role)
        ).all()
        user = presenters.user_dict(current_user, list(memberships))
    return {"ingelogd": user is not None, "csrf_token": generate_csrf(), "gebruiker": user}


@blueprint.get("/sessie")
@documented(summary="Sessie en CSRF-token", responses={200: s.SessionSchema}, public=True)
def session():
    """Wie er is ingelogd, en het CSRF-token voor verzoeken die iets veranderen (ook voor inloggen)."""
    return _answer(s.SessionSchema, _session_payload())


@blueprint.post("/sessie")
@documented(summary="Inloggen", body=s.LoginRequestSchema, public=True,
            responses={200: s.SessionSchema, 401: s.ErrorSchema, 422: s.ValidationErrorSchema,
                       429: s.ErrorSchema})
def login():
    """Inloggen met e-mailadres en wachtwoord; zelfde beperking van mislukte pogingen als de inlogpagina.
    Na inloggen is er een nieuwe sessie, dus ook een nieuw CSRF-token (in het antwoord)."""
    credentials = _json_body(s.LoginRequestSchema)
    outcome = attempt_login(credentials["email"], credentials["wachtwoord"])
    if isinstance(outcome, LoginRefused):
        raise ApiProblem(429 if outcome.throttled else 401, outcome.message)
    return _answer(s.SessionSchema, _session_payload())


@blueprint.delete("/sessie")
@documented(summary="Uitloggen", responses={200: s.SessionSchema})
def logout():
    """Uitloggen; het antwoord bevat het CSRF-token van de nieuwe, anonieme sessie."""
    log_out(current_user.id)
    return _answer(s.SessionSchema, _session_payload())


# -- tasks --------------------------------------------------------------------------------------


@blueprint.get("/taken")
@documented(summary="Takenlijst", query=s.TaskListQuerySchema,
            responses={200: s.TaskListSchema, 422: s.ValidationErrorSchema})
def task_index():
    """Mijn taken (opgepakt) of de taken voor mijn rol, met dezelfde filters als de takenpagina."""
    try:
        query = s.TaskListQuerySchema().load(request.args.to_dict())
    except ValidationError as invalid:
        raise ApiProblem(422, CHECK_FIELDS, _flat_errors(invalid.messages)) from None
    filters = TaskListFilters(chosen=query["lijst"], school_id=query["school"], route=query["route"],
                              step=query["stap"], due=query["termijn"], sort=query["sorteer"])
    db = get_session()
    now = get_services().now()
    rows = task_list(db, current_policy(), filters, now)
    _audit("tasklist.view", list=filters.chosen, case_ids=sorted({row.case.id for row in rows}))
    db.commit()
    return _answer(s.TaskListSchema, {"lijst": filters.chosen,
                                      "taken": [presenters.task_list_item(r, current_user.id, now) for r in rows]})


def _visible_task(task_id: int) -> CaseTask:
    task = current_policy().visible_task(get_session(), task_id)
    if task is None:
        raise ApiProblem(404, "Deze taak bestaat niet, of u heeft er geen toegang toe.")
    return task


def _workable_task(task_id: int) -> CaseTask:
    task = _visible_task(task_id)
    if task.status != TaskStatus.OPEN:
        raise ApiProblem(409, ALREADY_DONE)
    if not current_policy().may_work_on(get_session(), task):
        raise ApiProblem(403, NOT_YOURS)
    return task


def _known_fields_only(task: CaseTask, values: dict) -> None:
    names = {f.name for f in get_services().forms.get(task.form_key).fields}
    unknown = sorted(set(values) - names)
    if unknown:
        raise ApiProblem(422, CHECK_FIELDS, {f"waarden.{name}": [s.UNKNOWN_FIELD] for name in unknown})


@blueprint.get("/taken/<int:task_id>")
@documented(summary="Eén taak met formulier en toelichting",
            responses={200: s.TaskSchema, 404: s.ErrorSchema})
def task(task_id: int):
    """De taak, de velden van het formulier (type, opties, verplicht), de toelichting uit de meldcode,
    een opgeslagen concept (open taak) of de gegeven antwoorden (afgeronde taak)."""
    found = _visible_task(task_id)
    db = get_session()
    context = task_context(db, get_services(), current_policy(), found)
    _audit("task.view", school_id=found.school_id, case_id=found.case_id, case_task_id=found.id)
    db.commit()
    return _answer(s.TaskSchema, presenters.task_dict(context, current_user.id))


@blueprint.put("/taken/<int:task_id>/concept")
@documented(summary="Concept opslaan", body=s.TaskValuesSchema,
            responses={200: s.DraftSavedSchema, 403: s.ErrorSchema, 404: s.ErrorSchema, 409: s.ErrorSchema,
                       422: s.ValidationErrorSchema})
def save_draft(task_id: int):
    """Bewaart wat er is ingevuld, ook als het nog niet compleet is. Alleen bijlagen worden al
    gecontroleerd: ze moeten bij deze zaak horen."""
    found = _workable_task(task_id)
    values = _json_body(s.TaskValuesSchema)["waarden"]
    _known_fields_only(found, values)
    try:
        case_service.save_draft(get_session(), get_services(), case_task_id=found.id, values=values,
                                actor_id=current_user.id, remote_addr=remote_addr())
    except case_service.InvalidSubmission as invalid:
        raise ApiProblem(422, CHECK_FIELDS, invalid.errors) from None
    except case_service.TaskAlreadyDone:
        raise ApiProblem(409, ALREADY_DONE) from None
    return _answer(s.DraftSavedSchema, {"taak_id": found.id, "concept": values})


@blueprint.post("/taken/<int:task_id>/afronden")
@documented(summary="Taak afronden", body=s.TaskValuesSchema,
            responses={200: s.TaskCompletedSchema, 403: s.ErrorSchema, 404: s.ErrorSchema, 409: s.ErrorSchema,
                       422: s.ValidationErrorSchema})
def complete_task(task_id: int):
    """Rondt de taak af met dezelfde controle als het formulier op de website. Precies één keer:
    wie een al afgeronde taak afrondt, krijgt 409 en er verandert niets."""
    found = _workable_task(task_id)
    values = _json_body(s.TaskValuesSchema)["waarden"]
    _known_fields_only(found, values)
    db = get_session()
    try:
        done = case_service.complete_task(db, get_services(), case_task_id=found.id, submitted=values,
                                          actor_id=current_user.id, remote_addr=remote_addr())
    except case_service.InvalidSubmission as invalid:
        raise ApiProblem(422, CHECK_FIELDS, invalid.errors) from None
    except case_service.TaskAlreadyDone:
        raise ApiProblem(409, ALREADY_DONE) from None
    following = next_task_in_case(db, current_policy(), done.case_id)
    return _answer(s.TaskCompletedSchema, {"taak_id": done.id, "status": done.status, "zaak_id": done.case_id,
                                           "volgende_taak_id": following.id if following else None})


@blueprint.post("/taken/<int:task_id>/oppakken")
@documented(summary="Taak oppakken", responses={200: s.TaskClaimSchema, 403: s.ErrorSchema, 404: s.ErrorSchema,
                                                 409: s.ErrorSchema})
def claim_task(task_id: int):
    """Zet de taak op uw naam: hij staat dan bij `lijst=mijn` en niet meer bij anderen met uw rol."""
    found = _workable_task(task_id)
    try:
        case_service.claim_task(get_session(), get_services(), case_task_id=found.id, actor_id=current_user.id,
                                remote_addr=remote_addr())
    except case_service.AlreadyClaimed:
        raise ApiProblem(409, "Deze taak is al door iemand anders opgepakt of afgerond.") from None
    return _answer(s.TaskClaimSchema, {"taak_id": found.id, "opgepakt_door_mij": True})


@blueprint.post("/taken/<int:task_id>/vrijgeven")
@documented(summary="Taak vrijgeven", responses={200: s.TaskClaimSchema, 403: s.ErrorSchema, 404: s.ErrorSchema})
def release_task(task_id: int):
    """Geeft een opgepakte taak vrij voor iedereen met de rol (uw eigen taak; IB en directie: elke)."""
    found = _visible_task(task_id)
    if not current_policy().may_release(found):
        raise ApiProblem(403, "U kunt deze taak niet vrijgeven (niet opgepakt, of door iemand anders).")
    case_service.release_task(get_session(), get_services(), case_task_id=found.id, actor_id=current_user.id,
                              remote_addr=remote_addr())
    return _answer(s.TaskClaimSchema, {"taak_id": found.id, "opgepakt_door_mij": False})


# -- cases --------------------------------------------------------------------------------------


@blueprint.get("/routes")
@documented(summary="Routes waarop u een zorg kunt melden", responses={200: s.RouteListSchema, 403: s.ErrorSchema})
def routes():
    """De gepubliceerde routes van de scholen waar u een zorg mag melden (voor POST /api/v1/zaken)."""
    db = get_session()
    policy = current_policy()
    if not policy.schools_where(Action.START_CASE):
        raise ApiProblem(403, NO_START_RIGHTS)
    definitions = startable_definitions(db, policy)
    schools = {school.id: school for school in db.scalars(
        select(School).where(School.id.in_({d.school_id for d in definitions})))}
    return _answer(s.RouteListSchema, {"routes": [
        {"id": d.id, "sleutel": d.route_key, "naam": d.name, "school": presenters.school_ref(schools[d.school_id])}
        for d in definitions]})


@blueprint.post("/zaken")
@documented(summary="Zorg melden: zaak starten", body=s.StartCaseRequestSchema,
            responses={201: s.CaseStartedSchema, 403: s.ErrorSchema, 409: s.ErrorSchema,
                       422: s.ValidationErrorSchema})
def start_case():
    """Start een zaak op een route voor een leerling van de school van die route. De leerling wordt,
    net als op de website, gevonden op naam en geboortedatum (de groep wordt bijgewerkt) of aangemaakt;
    een leerling kiezen op nummer kan niet."""
    db = get_session()
    policy = current_policy()
    if not policy.schools_where(Action.START_CASE):
        raise ApiProblem(403, NO_START_RIGHTS)
    request_data = _json_body(s.StartCaseRequestSchema)
    described = request_data["leerling"]
    try:
        case = start_reported_case(
            db, get_services(), definitions=startable_definitions(db, policy), route_id=request_data["route"],
            pupil=PupilDetails(described["naam"], described["groep"], described["geboortedatum"]),
            actor_id=current_user.id, remote_addr=remote_addr(),
        )
    except case_service.InvalidSubmission as invalid:
        raise ApiProblem(422, CHECK_FIELDS, {_pupil_key(k): v for k, v in invalid.errors.items()}) from None
    except case_service.NotPossibleNow as impossible:
        raise ApiProblem(409, f"De zaak kan niet worden gestart: {impossible}.") from None
    first = next_task_in_case(db, policy, case.id)
    response, status = _answer(s.CaseStartedSchema, {
        "id": case.id, "referentie": case.reference, "status": case.status, "huidige_stap": case.current_step,
        "eerste_taak_id": first.id if first else None}, 201)
    response.headers["Location"] = f"{blueprint.url_prefix}/zaken/{case.id}"
    return response, status


def _pupil_key(key: str) -> str:
    """Pupil errors come back under the request's own names (`leerling.naam`)."""
    return f"leerling.{key}" if key in ("naam", "groep", "geboortedatum") else key


@blueprint.get("/zaken/<int:case_id>")
@documented(summary="Eén zaak: status, huidige stappen, termijnen en tijdlijn",
            responses={200: s.CaseSchema, 404: s.ErrorSchema})
def case(case_id: int):
    """De zaak met open taken (en hun termijnen), wachtende termijnen en de tijdlijn met antwoorden."""
    db = get_session()
    services = get_services()
    found = current_policy().visible_case(db, case_id)
    if found is None:
        raise ApiProblem(404, "Deze zaak bestaat niet, of u heeft er geen toegang toe.")
    school = db.get(School, found.school_id)
    open_tasks = db.scalars(select(CaseTask).where(CaseTask.case_id == found.id, CaseTask.status == TaskStatus.OPEN)
                            .order_by(CaseTask.id)).all()
    timers = db.scalars(select(CaseTimer).where(CaseTimer.case_id == found.id,
                                                CaseTimer.status == TimerStatus.WAITING)
                        .order_by(CaseTimer.fires_at)).all()
    timeline = case_timeline(db, services.forms, services.variants.get(school.variant), found)
    payload = presenters.case_dict(found, school, list(open_tasks), list(timers), timeline)
    _audit("case.view", school_id=found.school_id, case_id=found.id)
    db.commit()
    return _answer(s.CaseSchema, payload)


@blueprint.get("/openapi.json")
@documented(summary="Deze beschrijving (OpenAPI 3.1)", responses={200: None}, public=True)
def openapi():
    """De OpenAPI-beschrijving van deze API, gemaakt uit de schema's waarmee de API werkt."""
    from flask import current_app

    from webapp.api.openapi import openapi_document

    return jsonify(openapi_document(current_app))
