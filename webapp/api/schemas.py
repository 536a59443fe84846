"""Marshmallow schemas for every request and response of the JSON API.

They are the API's contract: views load requests and dump responses through them, and the
OpenAPI document (webapp/api/openapi.py) is generated from them. Keys are Dutch, like the rest
of the product; `errors` and `csrf_token` keep the names clients of web APIs expect.
"""
from __future__ import annotations

from typing import ClassVar

from marshmallow import Schema, fields, validate

from webapp.cases.dossier_actions import MAX_NOTE_LENGTH, NOTE_KINDS, VERDICTS
from webapp.cases.read_models import CASE_LIST_STATUSES
from webapp.ids import MAX_ID
from webapp.tasks.listing import DUE_FILTERS, LISTS, SORT_ORDERS

# marshmallow's own messages are English; every request field gets these instead.
DUTCH_FIELD_MESSAGES = {
    "required": "Dit veld is verplicht.",
    "null": "Dit veld mag niet leeg zijn.",
    "invalid": "Ongeldige waarde.",
    "type": "Ongeldige waarde.",
    "too_large": "Dit getal is te groot.",
    "invalid_utf8": "Ongeldige tekst.",
}
UNKNOWN_FIELD = "Onbekend veld."


class ApiSchema(Schema):
    error_messages: ClassVar[dict[str, str]] = {"unknown": UNKNOWN_FIELD, "type": "Verwacht een JSON-object."}

    def on_bind_field(self, field_name, field_obj):
        field_obj.error_messages = {
            key: DUTCH_FIELD_MESSAGES.get(key, "Ongeldige waarde.") for key in field_obj.error_messages
        }


def _one_of(choices) -> validate.OneOf:
    return validate.OneOf(list(choices), error="Kies een van: {choices}.")


def _id(strict: bool = True, **kwargs) -> fields.Integer:
    """An id: a JSON integer in bodies (strict), digits in a query string (not strict)."""
    return fields.Integer(strict=strict, validate=validate.Range(min=1, max=MAX_ID, error="Onbekend nummer."),
                          **kwargs)


# -- shared -----------------------------------------------------------------------------------


class ErrorSchema(ApiSchema):
    fout = fields.String(required=True, metadata={"description": "Wat er mis is, in het Nederlands."})


class ValidationErrorSchema(ApiSchema):
    fout = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True,
                         metadata={"description": "Per veld de meldingen, zoals bij het HTML-formulier."})


class SchoolRefSchema(ApiSchema):
    id = fields.Integer(required=True)
    naam = fields.String(required=True)


class RouteRefSchema(ApiSchema):
    id = fields.Integer(required=True)
    sleutel = fields.String(required=True)
    naam = fields.String(required=True)


# -- session ------------------------------------------------------------------------------------


class LoginRequestSchema(ApiSchema):
    email = fields.String(required=True, validate=validate.Length(max=254, error="Maximaal 254 tekens."))
    wachtwoord = fields.String(required=True, validate=validate.Length(max=1000, error="Maximaal 1000 tekens."))
    code = fields.String(load_default=None, validate=validate.Length(max=40, error="Maximaal 40 tekens."),
                         metadata={"description": "met tweestapsverificatie: de code uit de app of een herstelcode"})


class MembershipSchema(ApiSchema):
    school = fields.Nested(SchoolRefSchema, required=True)
    rol = fields.String(required=True)
    rol_label = fields.String(required=True)


class UserSchema(ApiSchema):
    id = fields.Integer(required=True)
    naam = fields.String(required=True)
    email = fields.String(required=True)
    rollen = fields.List(fields.Nested(MembershipSchema), required=True)


class SessionSchema(ApiSchema):
    ingelogd = fields.Boolean(required=True)
    csrf_token = fields.String(required=True, metadata={
        "description": "Meesturen in de kop X-CSRFToken bij elk verzoek dat iets verandert."})
    gebruiker = fields.Nested(UserSchema, allow_none=True, required=True)


# -- forms --------------------------------------------------------------------------------------


class OptionSchema(ApiSchema):
    waarde = fields.String(required=True)
    label = fields.String(required=True)


class TermSchema(ApiSchema):
    aantal = fields.Integer(required=True)
    eenheid = fields.String(required=True)


class ShowIfSchema(ApiSchema):
    veld = fields.String(required=True)
    gelijk_aan = fields.Raw(required=True, allow_none=True)


class FormFieldSchema(ApiSchema):
    naam = fields.String(required=True, metadata={"description": "Sleutel in `waarden`."})
    type = fields.String(required=True, validate=validate.OneOf(
        ["text", "textarea", "date", "number", "boolean", "choice", "multichoice", "duration", "contact",
         "file"]), metadata={"description": (
            "text/textarea: tekst; date: 'jjjj-mm-dd'; number: geheel getal; boolean: true/false; "
            "choice/contact: een `waarde` uit `opties`; multichoice: lijst van waarden; duration: "
            "{\"amount\": n, \"unit\": eenheid}; file: lijst van bijlage-id's van deze zaak")})
    label = fields.String(required=True)
    uitleg = fields.String(required=True)
    verplicht = fields.Boolean(required=True)
    opties = fields.List(fields.Nested(OptionSchema), required=True)
    min = fields.Float(allow_none=True, required=True)
    max = fields.Float(allow_none=True, required=True)
    max_lengte = fields.Integer(allow_none=True, required=True)
    eenheden = fields.List(fields.String(), required=True)
    max_termijn = fields.Nested(TermSchema, allow_none=True, required=True)
    toon_als = fields.Nested(ShowIfSchema, allow_none=True, required=True, metadata={
        "description": "Alleen gevraagd (en verplicht) als dit andere veld deze waarde heeft."})
    verplicht_als = fields.Nested(ShowIfSchema, allow_none=True, required=True, metadata={
        "description": "Verplicht (als het gevraagd wordt) wanneer dit andere veld deze waarde heeft."})
    noemt_leerling = fields.String(allow_none=True, required=True, metadata={
        "description": "De optie die de leerling bij naam noemt tegenover externen: alleen geaccepteerd als "
                       "de ouders eerder in de zaak toestemming gaven."})


class FormSchema(ApiSchema):
    sleutel = fields.String(required=True)
    titel = fields.String(required=True)
    intro = fields.String(required=True)
    velden = fields.List(fields.Nested(FormFieldSchema), required=True)


# -- tasks --------------------------------------------------------------------------------------


class TaskListQuerySchema(ApiSchema):
    lijst = fields.String(load_default="mijn", validate=_one_of(LISTS), metadata={
        "description": "mijn: taken die u heeft opgepakt; rol: nog niet opgepakte taken voor uw rol."})
    school = _id(strict=False, load_default=None)
    route = fields.String(load_default="", validate=validate.Length(max=80, error="Maximaal 80 tekens."))
    stap = fields.String(load_default="", validate=validate.Length(max=300, error="Maximaal 300 tekens."))
    termijn = fields.String(load_default="", validate=_one_of(DUE_FILTERS))
    sorteer = fields.String(load_default="", validate=_one_of(SORT_ORDERS))


class PupilRefSchema(ApiSchema):
    naam = fields.String(required=True)
    groep = fields.String(required=True)


class TaskListItemSchema(ApiSchema):
    id = fields.Integer(required=True)
    naam = fields.String(required=True)
    stap = fields.String(required=True, metadata={"description": "Element-id in het BPMN-diagram."})
    zaak_id = fields.Integer(required=True)
    zaak_referentie = fields.String(required=True)
    leerling = fields.Nested(PupilRefSchema, required=True)
    school = fields.Nested(SchoolRefSchema, required=True)
    route = fields.Nested(RouteRefSchema, required=True)
    lane = fields.String(required=True)
    lane_label = fields.String(required=True)
    termijn = fields.DateTime(allow_none=True, required=True)
    verlopen = fields.Boolean(required=True)
    aangemaakt_op = fields.DateTime(required=True)
    opgepakt_door_mij = fields.Boolean(required=True)


class TaskListSchema(ApiSchema):
    lijst = fields.String(required=True)
    taken = fields.List(fields.Nested(TaskListItemSchema), required=True)


class EarlierAnswerSchema(ApiSchema):
    vraag = fields.String(required=True)
    antwoord = fields.String(required=True)
    taak = fields.String(required=True, metadata={"description": "De taak waarin het is vastgelegd."})
    afgerond_op = fields.DateTime(required=True)
    bijlagen = fields.List(fields.Integer(), required=True)


class TaskSchema(ApiSchema):
    id = fields.Integer(required=True)
    naam = fields.String(required=True)
    stap = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["open", "completed", "cancelled"]))
    zaak_id = fields.Integer(required=True)
    zaak_referentie = fields.String(required=True)
    school = fields.Nested(SchoolRefSchema, required=True)
    lane = fields.String(required=True)
    lane_label = fields.String(required=True)
    termijn = fields.DateTime(allow_none=True, required=True)
    termijn_telling = fields.String(allow_none=True, required=True, validate=validate.OneOf(["schooldagen", "werkdagen"]),
                                    metadata={"description": "Welke telling de termijn bepaalde: schooldagen (schoolkalender) "
                                              "of werkdagen (weekenden en feestdagen); leeg voor kalenderdagen."})
    opgepakt_door_mij = fields.Boolean(required=True)
    mag_werken = fields.Boolean(required=True, metadata={
        "description": "Of u deze taak nu mag opslaan of afronden."})
    toelichting = fields.String(required=True, metadata={"description": "Wat de meldcode bij deze stap zegt."})
    formulier = fields.Nested(FormSchema, required=True)
    concept = fields.Dict(keys=fields.String(), allow_none=True, required=True, metadata={
        "description": "Het opgeslagen concept van een open taak; alleen als u de taak mag doen (`mag_werken`)."})
    antwoorden = fields.Dict(keys=fields.String(), allow_none=True, required=True, metadata={
        "description": "De opgeslagen gegevens van een afgeronde taak."})
    eerder_vastgelegd = fields.List(fields.Nested(EarlierAnswerSchema), required=True, metadata={
        "description": "Wat eerdere taken van de zaak vastlegden en deze stap moet meewegen (bijvoorbeeld "
                       "een geweigerde toestemming bij de weging); wie alleen het eigen deel van het "
                       "dossier ziet, krijgt alleen de eigen antwoorden."})


class TaskValuesSchema(ApiSchema):
    waarden = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), required=True, metadata={
        "description": "Per formulierveld (`formulier.velden[].naam`) de waarde."})


class DraftSavedSchema(ApiSchema):
    taak_id = fields.Integer(required=True)
    concept = fields.Dict(keys=fields.String(), required=True)


class TaskClaimSchema(ApiSchema):
    taak_id = fields.Integer(required=True)
    opgepakt_door_mij = fields.Boolean(required=True)


class TaskCompletedSchema(ApiSchema):
    taak_id = fields.Integer(required=True)
    status = fields.String(required=True)
    zaak_id = fields.Integer(required=True)
    volgende_taak_id = fields.Integer(allow_none=True, required=True, metadata={
        "description": "De volgende taak van deze zaak die u nu mag doen, als die er is."})


# -- cases --------------------------------------------------------------------------------------


class RouteSchema(ApiSchema):
    id = fields.Integer(required=True)
    sleutel = fields.String(required=True)
    naam = fields.String(required=True)
    school = fields.Nested(SchoolRefSchema, required=True)


class RouteListSchema(ApiSchema):
    routes = fields.List(fields.Nested(RouteSchema), required=True)


class PupilDetailsSchema(ApiSchema):
    naam = fields.String(required=True)
    groep = fields.String(required=True)
    geboortedatum = fields.String(required=True, metadata={"description": "jjjj-mm-dd"})


class StartCaseRequestSchema(ApiSchema):
    route = _id(required=True, metadata={"description": "`id` uit GET /api/v1/routes."})
    leerling = fields.Nested(PupilDetailsSchema, required=True, metadata={
        "description": "De leerling: gevonden op naam en geboortedatum op de school van de route, anders "
                       "aangemaakt. Zoals op de website; een leerling kiezen op nummer kan niet."})


class CaseStartedSchema(ApiSchema):
    id = fields.Integer(required=True)
    referentie = fields.String(required=True)
    status = fields.String(required=True)
    huidige_stap = fields.String(required=True)
    eerste_taak_id = fields.Integer(allow_none=True, required=True, metadata={
        "description": "De eerste taak die u in deze zaak mag doen, als die er is."})


class OpenTaskSchema(ApiSchema):
    id = fields.Integer(required=True)
    naam = fields.String(required=True)
    stap = fields.String(required=True)
    lane = fields.String(required=True)
    lane_label = fields.String(required=True)
    termijn = fields.DateTime(allow_none=True, required=True)
    opgepakt = fields.Boolean(required=True)


class WaitingTimerSchema(ApiSchema):
    naam = fields.String(required=True)
    stap = fields.String(required=True)
    verloopt_op = fields.DateTime(required=True)


class AnswerSchema(ApiSchema):
    label = fields.String(required=True)
    tekst = fields.String(required=True)
    bijlage_ids = fields.List(fields.Integer(), required=True)


class NoteSchema(ApiSchema):
    id = fields.Integer(required=True)
    soort = fields.String(required=True, metadata={"description": "feit (waargenomen) of hypothese"})
    bron = fields.String(allow_none=True, required=True, metadata={"description": "Wie het vertelde, als een ander."})
    tekst = fields.String(required=True)
    oordeel = fields.String(allow_none=True, required=True, metadata={
        "description": "Bij een vervolgaantekening: bevestigd of ontkracht."})
    vervolg_op = fields.Integer(allow_none=True, required=True, metadata={
        "description": "De hypothese (notitie-id) die deze vervolgaantekening beoordeelt."})
    door = fields.String(allow_none=True, required=True)
    op = fields.DateTime(required=True)


class NoteRequestSchema(ApiSchema):
    soort = fields.String(required=True, validate=_one_of(NOTE_KINDS))
    tekst = fields.String(required=True, validate=validate.Length(
        min=1, max=MAX_NOTE_LENGTH, error=f"Tussen 1 en {MAX_NOTE_LENGTH} tekens."))
    bron = fields.String(load_default=None, allow_none=True,
                         validate=validate.Length(max=300, error="Maximaal 300 tekens."))
    vervolg_op = _id(load_default=None, allow_none=True, metadata={
        "description": "Een vervolgaantekening: het id van de hypothese in deze zaak die u beoordeelt."})
    oordeel = fields.String(load_default=None, allow_none=True, validate=_one_of(VERDICTS), metadata={
        "description": "Verplicht bij `vervolg_op`."})


class AttachmentSchema(ApiSchema):
    id = fields.Integer(required=True, metadata={"description": "Voor een bestandsveld van een formulier."})
    bestandsnaam = fields.String(required=True)
    type = fields.String(required=True)
    grootte = fields.Integer(required=True, metadata={"description": "In bytes."})
    sha256 = fields.String(required=True)
    geupload_op = fields.DateTime(required=True)


class SignalSchema(ApiSchema):
    naam = fields.String(required=True, metadata={"description": "Voor POST …/gebeurtenissen."})
    label = fields.String(required=True)


class SignalRequestSchema(ApiSchema):
    gebeurtenis = fields.String(required=True, validate=validate.Length(
        min=1, max=200, error="Tussen 1 en 200 tekens."), metadata={
        "description": "`naam` uit `gebeurtenissen` van de zaak. Acuut gevaar heeft een eigen eindpunt."})


class ReopenRequestSchema(ApiSchema):
    reden = fields.String(required=True, validate=validate.Length(min=1, max=2000, error="Tussen 1 en 2000 tekens."))


class CorrectionSchema(ApiSchema):
    id = fields.Integer(required=True)
    verzocht_door = fields.String(required=True)
    verzocht_op = fields.Date(required=True)
    betreft = fields.String(required=True)
    tekst = fields.String(required=True)
    vastgelegd_op = fields.DateTime(required=True)


class CorrectionRequestSchema(ApiSchema):
    verzocht_door = fields.String(required=True, validate=validate.Length(min=1, max=200, error="Tussen 1 en 200 tekens."))
    verzocht_op = fields.String(required=True, metadata={"description": "jjjj-mm-dd: wanneer de ouder het vroeg"})
    betreft = fields.String(required=True, validate=validate.Length(min=1, max=300, error="Tussen 1 en 300 tekens."))
    tekst = fields.String(required=True, validate=validate.Length(min=1, max=20000, error="Tussen 1 en 20000 tekens."))


class CaseStatusSchema(ApiSchema):
    id = fields.Integer(required=True)
    status = fields.String(required=True)
    huidige_stap = fields.String(required=True)
    acuut_gemeld_op = fields.DateTime(allow_none=True, required=True)


class CaseDiagramSchema(ApiSchema):
    versie = fields.Integer(required=True, metadata={"description": "De versie waarmee de zaak startte."})
    bpmn = fields.String(required=True, metadata={"description": "Het BPMN 2.0-diagram (XML) van die versie."})
    huidig = fields.List(fields.String(), required=True, metadata={
        "description": "Element-id's waar de zaak nu staat (open taken, wachtende termijnen en gebeurtenissen)."})
    afgerond = fields.List(fields.String(), required=True, metadata={
        "description": "Element-id's die zijn afgerond, in de volgorde waarin ze het laatst zijn gedaan."})


class CaseListQuerySchema(ApiSchema):
    status = fields.String(load_default="open", validate=_one_of(CASE_LIST_STATUSES))


class CaseListItemSchema(ApiSchema):
    id = fields.Integer(required=True)
    referentie = fields.String(required=True)
    status = fields.String(required=True)
    huidige_stap = fields.String(required=True)
    uitkomst = fields.String(allow_none=True, required=True)
    gestart_op = fields.DateTime(required=True)
    acuut_gemeld_op = fields.DateTime(allow_none=True, required=True)
    school = fields.Nested(SchoolRefSchema, required=True)
    leerling = fields.Nested(PupilRefSchema, required=True)
    route = fields.Nested(RouteRefSchema, required=True)


class CaseListSchema(ApiSchema):
    zaken = fields.List(fields.Nested(CaseListItemSchema), required=True)


class TimelineEntrySchema(ApiSchema):
    op = fields.DateTime(required=True)
    soort = fields.String(required=True)
    titel = fields.String(required=True)
    door = fields.String(allow_none=True, required=True)
    antwoorden = fields.List(fields.Nested(AnswerSchema), required=True)
    notitie = fields.Nested(NoteSchema, allow_none=True, required=True)


class CaseSchema(ApiSchema):
    id = fields.Integer(required=True)
    referentie = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["open", "closed"]))
    huidige_stap = fields.String(required=True)
    uitkomst = fields.String(allow_none=True, required=True)
    gestart_op = fields.DateTime(required=True)
    gesloten_op = fields.DateTime(allow_none=True, required=True)
    acuut_gemeld_op = fields.DateTime(allow_none=True, required=True)
    school = fields.Nested(SchoolRefSchema, required=True)
    leerling = fields.Nested(PupilRefSchema, required=True)
    route = fields.Nested(RouteRefSchema, required=True)
    versie = fields.Integer(required=True, metadata={"description": "De diagramversie waarop de zaak loopt."})
    open_taken = fields.List(fields.Nested(OpenTaskSchema), required=True)
    wachtende_termijnen = fields.List(fields.Nested(WaitingTimerSchema), required=True)
    tijdlijn = fields.List(fields.Nested(TimelineEntrySchema), required=True)
    notities = fields.List(fields.Nested(NoteSchema), required=True)
    bijlagen = fields.List(fields.Nested(AttachmentSchema), required=True)
    gebeurtenissen = fields.List(fields.Nested(SignalSchema), required=True, metadata={
        "description": "Gebeurtenissen die de zaak nu kan vastleggen (als `mag_gebeurtenis_vastleggen`)."})
    mag_acuut_melden = fields.Boolean(required=True)
    mag_gebeurtenis_vastleggen = fields.Boolean(required=True)
    mag_toevoegen = fields.Boolean(required=True, metadata={"description": "Notities en bijlagen toevoegen."})
    mag_heropenen = fields.Boolean(required=True)
    mag_corrigeren = fields.Boolean(required=True, metadata={"description": "Een correctieverzoek van ouders vastleggen."})
    volledig_dossier = fields.Boolean(required=True, metadata={
        "description": "false: u ziet de stand van zaken en uw eigen bijdragen (need to know)."})
    correcties = fields.List(fields.Nested(CorrectionSchema), required=True)
