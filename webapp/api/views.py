"""The JSON API's endpoints: thin adapters over the same read models and case commands as the pages.

Each one: what was asked (schema) → read model or command (policy checked there, under the case
lock for changes) → answer (schema). Refusals mirror the HTML side: a case or task the user may
not see is 404 (indistinguishable from a missing one), one they see but may not change is 403,
one already done (or taken by a colleague in the meantime) is 409.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf
from marshmallow import Schema, ValidationError
from sqlalchemy import select

from webapp.api import presenters
from webapp.api import schemas as s
from webapp.api.openapi import BINARY, openapi_document
from webapp.audit.log import record_audit
from webapp.auth.login import LoginRefused, attempt_login, log_out
from webapp.auth.models import Membership
from webapp.auth.policy import Action
from webapp.auth.session import current_actor, current_policy
from webapp.cases import dossier_actions, lifecycle, task_actions
from webapp.cases.dossier_actions import Upload
from webapp.cases.errors import (
    CaseNotFound,
    DraftTooLarge,
    InvalidSubmission,
    NotAllowed,
    NotPossibleNow,
    TaskAlreadyDone,
    TaskTaken,
)
from webapp.cases.read_models import (
    read_attachment,
    read_case,
    read_case_diagram,
    read_case_list,
    read_task,
)
from webapp.cases.starting import (
    PupilDetails,
    schools_of,
    start_reported_case,
    startable_definitions,
)
from webapp.db import get_session
from webapp.definitions.version_forms import form_of_task
from webapp.engine import ACUTE_DANGER_SIGNAL
from webapp.schools.models import School
from webapp.services import get_services
from webapp.tasks.listing import TaskListFilters, next_task_in_case, task_list
from webapp.web import attachment_response

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")




NOT_JSON = "Stuur een JSON-object (Content-Type: application/json)."
CHECK_FIELDS = "Controleer de velden; zie `errors`."
ALREADY_DONE = "Deze taak is al afgerond; er is niets (dubbel) opgeslagen."
NO_FILE = "Stuur het bestand als multipart/form-data in het veld `bestand`."
NOT_FOUND = "Deze zaak of taak bestaat niet, of u heeft er geen toegang toe."
NO_START_RIGHTS = "U mag op geen van uw scholen een zorg melden."


class ApiProblem(Exception):
    def __init__(self, status: int, message: str, errors: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors


def documented(*, summary: str, responses: dict[int, type[Schema] | str | None], body: type[Schema] | None = None,
               query: type[Schema] | None = None, public: bool = False, upload: str | None = None) -> Callable:
    """Attach what the OpenAPI document says about a view; the document is built from these.
    `upload` names the multipart file field of an upload; a response `BINARY` is a file."""
    def attach(view):
        view.openapi = {"summary": summary, "responses": responses, "body": body, "query": query,
                        "public": public, "upload": upload, "description": (view.__doc__ or "").strip()}
        return view
    return attach


def refusals_as_problems(view: Callable) -> Callable:
    """The case layer's refusals and conflicts as API problems, the same for every endpoint."""
    @wraps(view)
    def guarded(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except CaseNotFound:
            raise ApiProblem(404, NOT_FOUND) from None
        except TaskTaken as taken:
            raise ApiProblem(409, taken.message) from None
        except TaskAlreadyDone:
            raise ApiProblem(409, ALREADY_DONE) from None
        except NotAllowed as refused:
            raise ApiProblem(403, refused.message) from None
        except InvalidSubmission as invalid:
            raise ApiProblem(422, CHECK_FIELDS, invalid.errors) from None
        except DraftTooLarge as too_large:
            raise ApiProblem(413, too_large.message) from None
        except NotPossibleNow as impossible:
            raise ApiProblem(409, f"Dit kan in deze fase van de zaak niet (meer): {impossible}.") from None
    return guarded


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
    outcome = attempt_login(credentials["email"], credentials["wachtwoord"], credentials.get("code"))
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


def _query(schema: type[Schema]) -> dict:
    try:
        return schema().load(request.args.to_dict())
    except ValidationError as invalid:
        raise ApiProblem(422, CHECK_FIELDS, _flat_errors(invalid.messages)) from None


@blueprint.get("/taken")
@documented(summary="Takenlijst", query=s.TaskListQuerySchema,
            responses={200: s.TaskListSchema, 422: s.ValidationErrorSchema})
def task_index():
    """Mijn taken (opgepakt) of de taken voor mijn rol, met dezelfde filters als de takenpagina."""
    query = _query(s.TaskListQuerySchema)
    filters = TaskListFilters(chosen=query["lijst"], school_id=query["school"], route=query["route"],
                              step=query["stap"], due=query["termijn"], sort=query["sorteer"])
    db = get_session()
    now = get_services().now()
    rows = task_list(db, current_policy(), filters, now)
    record_audit(db, "tasklist.view", actor=current_actor(), at=now,
                 detail={"list": filters.chosen, "case_ids": sorted({row.case.id for row in rows})})
    db.commit()
    return _answer(s.TaskListSchema, {"lijst": filters.chosen,
                                      "taken": [presenters.task_list_item(r, current_user.id, now) for r in rows]})


def _form_values(task_id: int) -> dict:
    """The body's `waarden`, refusing names the task's form does not have."""
    values = _json_body(s.TaskValuesSchema)["waarden"]
    task = read_task(get_session(), get_services(), current_actor(), current_policy(), task_id, audit=False).task
    names = {f.name for f in form_of_task(get_session(), task).fields}
    unknown = sorted(set(values) - names)
    if unknown:
        raise ApiProblem(422, CHECK_FIELDS, {f"waarden.{name}": [s.UNKNOWN_FIELD] for name in unknown})
    return values


@blueprint.get("/taken/<int:task_id>")
@documented(summary="Eén taak met formulier en toelichting",
            responses={200: s.TaskSchema, 404: s.ErrorSchema})
@refusals_as_problems
def task(task_id: int):
    """De taak, de velden van het formulier (type, opties, verplicht), de toelichting uit de meldcode,
    een opgeslagen concept (open taak) of de gegeven antwoorden (afgeronde taak)."""
    view = read_task(get_session(), get_services(), current_actor(), current_policy(), task_id)
    return _answer(s.TaskSchema, presenters.task_dict(view, current_user.id))


@blueprint.put("/taken/<int:task_id>/concept")
@documented(summary="Concept opslaan", body=s.TaskValuesSchema,
            responses={200: s.DraftSavedSchema, 403: s.ErrorSchema, 404: s.ErrorSchema, 409: s.ErrorSchema,
                       413: s.ErrorSchema, 422: s.ValidationErrorSchema})
@refusals_as_problems
def save_draft(task_id: int):
    """Bewaart wat er is ingevuld, ook als het nog niet compleet is. Alleen bijlagen worden al
    gecontroleerd: ze moeten bij deze zaak horen (upload ze eerst met POST /api/v1/zaken/{id}/bijlagen).
    Een concept groter dan de ingestelde grens (MELDROUTE_DRAFT_MAX_KB) krijgt 413; het eerder
    opgeslagen concept blijft dan zoals het was."""
    values = _form_values(task_id)
    draft = task_actions.save_draft(get_session(), get_services(), current_actor(), task_id=task_id, values=values)
    return _answer(s.DraftSavedSchema, {"taak_id": task_id, "concept": draft})


@blueprint.post("/taken/<int:task_id>/afronden")
@documented(summary="Taak afronden", body=s.TaskValuesSchema,
            responses={200: s.TaskCompletedSchema, 403: s.ErrorSchema, 404: s.ErrorSchema, 409: s.ErrorSchema,
                       422: s.ValidationErrorSchema})
@refusals_as_problems
def complete_task(task_id: int):
    """Rondt de taak af met dezelfde controle als het formulier op de website. Precies één keer:
    wie een al afgeronde taak afrondt, krijgt 409 en er verandert niets; een taak die een collega
    intussen heeft opgepakt ook."""
    values = _form_values(task_id)
    db = get_session()
    done = lifecycle.complete_task(db, get_services(), current_actor(), task_id=task_id, submitted=values)
    following = next_task_in_case(db, current_policy(), done.case_id)
    return _answer(s.TaskCompletedSchema, {"taak_id": done.id, "status": done.status, "zaak_id": done.case_id,
                                           "volgende_taak_id": following.id if following else None})


@blueprint.post("/taken/<int:task_id>/oppakken")
@documented(summary="Taak oppakken", responses={200: s.TaskClaimSchema, 403: s.ErrorSchema, 404: s.ErrorSchema,
                                                 409: s.ErrorSchema})
@refusals_as_problems
def claim_task(task_id: int):
    """Zet de taak op uw naam: hij staat dan bij `lijst=mijn` en niet meer bij anderen met uw rol."""
    task_actions.claim_task(get_session(), get_services(), current_actor(), task_id=task_id)
    return _answer(s.TaskClaimSchema, {"taak_id": task_id, "opgepakt_door_mij": True})


@blueprint.post("/taken/<int:task_id>/vrijgeven")
@documented(summary="Taak vrijgeven", responses={200: s.TaskClaimSchema, 403: s.ErrorSchema, 404: s.ErrorSchema,
                                                  409: s.ErrorSchema})
@refusals_as_problems
def release_task(task_id: int):
    """Geeft een opgepakte taak vrij voor iedereen met de rol (uw eigen taak; IB en directie: elke).
    Een taak die door niemand is opgepakt blijft zoals hij is."""
    task_actions.release_task(get_session(), get_services(), current_actor(), task_id=task_id)
    return _answer(s.TaskClaimSchema, {"taak_id": task_id, "opgepakt_door_mij": False})


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
    schools = schools_of(db, definitions)
    return _answer(s.RouteListSchema, {"routes": [
        {"id": d.id, "sleutel": d.route_key, "naam": d.name, "school": presenters.school_ref(schools[d.school_id])}
        for d in definitions]})


@blueprint.get("/zaken")
@documented(summary="Zaken", query=s.CaseListQuerySchema,
            responses={200: s.CaseListSchema, 403: s.ErrorSchema, 422: s.ValidationErrorSchema})
@refusals_as_problems
def case_index():
    """De zaken die u mag zien, laatst gewijzigde eerst (zoals de pagina Zaken): lopend, afgesloten of alle."""
    query = _query(s.CaseListQuerySchema)
    rows = read_case_list(get_session(), get_services(), current_actor(), current_policy(), query["status"])
    return _answer(s.CaseListSchema, {"zaken": [presenters.case_list_item(row) for row in rows]})


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
            db, get_services(), current_actor(), definitions=startable_definitions(db, policy),
            route_id=request_data["route"],
            pupil=PupilDetails(described["naam"], described["groep"], described["geboortedatum"]),
        )
    except InvalidSubmission as invalid:
        raise ApiProblem(422, CHECK_FIELDS, {_pupil_key(k): v for k, v in invalid.errors.items()}) from None
    except NotPossibleNow as impossible:
        raise ApiProblem(409, f"De zaak kan niet worden gestart: {impossible}.") from None
    except NotAllowed as refused:
        raise ApiProblem(403, refused.message) from None
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
@documented(summary="Eén zaak: status, stappen, termijnen, tijdlijn, notities en bijlagen",
            responses={200: s.CaseSchema, 404: s.ErrorSchema})
@refusals_as_problems
def case(case_id: int):
    """De zaak met open taken (en hun termijnen), wachtende termijnen, de tijdlijn met antwoorden,
    de notities en bijlagen van het dossier, en wat u nu in de zaak kunt doen."""
    view = read_case(get_session(), get_services(), current_actor(), current_policy(), case_id)
    return _answer(s.CaseSchema, presenters.case_dict(view))


@blueprint.get("/zaken/<int:case_id>/diagram")
@documented(summary="Het diagram van de zaak en waar de zaak staat",
            responses={200: s.CaseDiagramSchema, 404: s.ErrorSchema})
@refusals_as_problems
def case_diagram(case_id: int):
    """Het BPMN-diagram van de versie waarmee de zaak startte (latere versies gelden niet voor de zaak),
    met de elementen waar de zaak nu staat en die zijn afgerond."""
    diagram = read_case_diagram(get_session(), get_services(), current_actor(), current_policy(), case_id)
    return _answer(s.CaseDiagramSchema, diagram.as_dict())


@blueprint.post("/zaken/<int:case_id>/notities")
@documented(summary="Notitie toevoegen aan het dossier", body=s.NoteRequestSchema,
            responses={201: s.NoteSchema, 403: s.ErrorSchema, 404: s.ErrorSchema, 422: s.ValidationErrorSchema})
@refusals_as_problems
def add_note(case_id: int):
    """Een feit (waargenomen) of hypothese, met de bron als een ander het vertelde; of een
    vervolgaantekening die een eerdere hypothese bevestigt of ontkracht (`vervolg_op`, `oordeel`)."""
    body = _json_body(s.NoteRequestSchema)
    note = dossier_actions.add_note(
        get_session(), get_services(), current_actor(), case_id=case_id, kind=body["soort"], body=body["tekst"],
        source=body["bron"], follows_up_id=body["vervolg_op"], verdict=body["oordeel"])
    return _answer(s.NoteSchema, presenters.note_dict(note), 201)


@blueprint.post("/zaken/<int:case_id>/bijlagen")
@documented(summary="Bijlage uploaden", upload="bestand",
            responses={201: s.AttachmentSchema, 403: s.ErrorSchema, 404: s.ErrorSchema,
                       413: s.ErrorSchema, 422: s.ValidationErrorSchema})
@refusals_as_problems
def upload_attachment(case_id: int):
    """Een bestand (multipart/form-data, veld `bestand`; PDF, afbeelding, tekst of Word, maximaal 10 MB)
    in het dossier. Het `id` kan daarna in een bestandsveld van een formulier van deze zaak."""
    upload = request.files.get("bestand")
    if upload is None:
        raise ApiProblem(422, CHECK_FIELDS, {"bestand": [NO_FILE]})
    attachment = dossier_actions.add_attachment(
        get_session(), get_services(), current_actor(), case_id=case_id,
        upload=Upload(upload.filename or "", upload.mimetype or "", upload.read()))
    return _answer(s.AttachmentSchema, presenters.attachment_dict(attachment), 201)


@blueprint.get("/zaken/<int:case_id>/bijlagen/<int:attachment_id>")
@documented(summary="Bijlage downloaden", responses={200: BINARY, 404: s.ErrorSchema})
@refusals_as_problems
def download_attachment(case_id: int, attachment_id: int):
    """Het bestand zelf, met zijn naam in Content-Disposition (RFC 6266, ook buiten Latin-1)."""
    return attachment_response(read_attachment(get_session(), get_services(), current_actor(), current_policy(),
                                               case_id, attachment_id))


@blueprint.post("/zaken/<int:case_id>/acuut-gevaar")
@documented(summary="Acuut gevaar melden: de acute route starten",
            responses={200: s.CaseStatusSchema, 403: s.ErrorSchema, 404: s.ErrorSchema, 409: s.ErrorSchema})
@refusals_as_problems
def raise_acute_danger(case_id: int):
    """Start de acute route van de meldcode (ieder personeelslid dat de zaak ziet mag dit). Bel bij acuut
    gevaar ook direct 112 of het meldpunt: deze melding vervangt dat niet. 409 als de acute route al
    loopt of de zaak gesloten is."""
    case = lifecycle.raise_acute_danger(get_session(), get_services(), current_actor(), case_id=case_id)
    return _answer(s.CaseStatusSchema, presenters.case_status(case))


@blueprint.post("/zaken/<int:case_id>/gebeurtenissen")
@documented(summary="Gebeurtenis vastleggen", body=s.SignalRequestSchema,
            responses={200: s.CaseStatusSchema, 400: s.ErrorSchema, 403: s.ErrorSchema, 404: s.ErrorSchema,
                       409: s.ErrorSchema, 422: s.ValidationErrorSchema})
@refusals_as_problems
def send_signal(case_id: int):
    """Iets waarop het diagram wacht, zoals 'de leerling verlaat de school' (`gebeurtenissen` van de zaak).
    IB en directie; acuut gevaar heeft zijn eigen eindpunt."""
    name = _json_body(s.SignalRequestSchema)["gebeurtenis"]
    if name == ACUTE_DANGER_SIGNAL:
        raise ApiProblem(400, "Acuut gevaar meldt u met POST /api/v1/zaken/{id}/acuut-gevaar.")
    case = lifecycle.send_case_signal(get_session(), get_services(), current_actor(), case_id=case_id, signal=name)
    return _answer(s.CaseStatusSchema, presenters.case_status(case))


@blueprint.post("/zaken/<int:case_id>/heropenen")
@documented(summary="Een afgesloten zaak heropenen", body=s.ReopenRequestSchema,
            responses={200: s.CaseStatusSchema, 403: s.ErrorSchema, 404: s.ErrorSchema, 409: s.ErrorSchema,
                       422: s.ValidationErrorSchema})
@refusals_as_problems
def reopen_case(case_id: int):
    """Een afgesloten zaak is alleen te lezen; IB of directie kan haar met een reden heropenen. De route
    begint dan opnieuw bij het begin (op de versie van de zaak); het dossier tot nu toe blijft."""
    reason = _json_body(s.ReopenRequestSchema)["reden"]
    case = lifecycle.reopen_case(get_session(), get_services(), current_actor(), case_id=case_id, reason=reason)
    return _answer(s.CaseStatusSchema, presenters.case_status(case))


@blueprint.post("/zaken/<int:case_id>/correcties")
@documented(summary="Correctieverzoek van ouders vastleggen", body=s.CorrectionRequestSchema,
            responses={201: s.CorrectionSchema, 403: s.ErrorSchema, 404: s.ErrorSchema, 422: s.ValidationErrorSchema})
@refusals_as_problems
def add_correction(case_id: int):
    """Het verzoek komt naast wat het corrigeert; het origineel blijft zoals het was. Ook bij een afgesloten zaak."""
    body = _json_body(s.CorrectionRequestSchema)
    correction = dossier_actions.add_correction(
        get_session(), get_services(), current_actor(), case_id=case_id, requested_by=body["verzocht_door"],
        requested_on=body["verzocht_op"], about=body["betreft"], body=body["tekst"])
    return _answer(s.CorrectionSchema, presenters.correction_dict(correction), 201)


@blueprint.get("/openapi.json")
@documented(summary="Deze beschrijving (OpenAPI 3.1)", responses={200: None}, public=True)
def openapi():
    """De OpenAPI-beschrijving van deze API, gemaakt uit de schema's waarmee de API werkt."""
    return jsonify(openapi_document(current_app))
