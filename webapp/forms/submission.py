"""Validating what a user entered in a task form, with marshmallow, in Dutch.

Every field of a form ends up in the case data, also when left empty (as None, or [] for a
multiple choice): gateway conditions can always refer to any field of a form they follow.
Values are kept as JSON primitives (dates as ISO text, terms as {"amount", "unit"}).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from marshmallow import Schema, ValidationError, fields, validate

from webapp.engine.due_dates import describe_term
from webapp.forms.definition import FieldDefinition, FormDefinition, term_end_name

REQUIRED = "Dit veld is verplicht."
INVALID = "Ongeldige waarde."
_DAYS_PER_UNIT = {"dagen": 1.0, "werkdagen": 7 / 5, "weken": 7.0, "maanden": 30.44}


@dataclass(frozen=True)
class Contact:
    """An organisation of the school's sociale kaart, selectable in a contact field."""

    id: str
    organisation: str
    phone: str = ""
    address: str = ""
    email: str = ""
    website: str = ""
    # A body a melding can be made to (Veilig Thuis, AMK, SHG): only these are offered where a
    # form asks where the melding or the meldpunt's advice went.
    meldpunt: bool = False


def offered_contacts(definition: FieldDefinition, contacts: Sequence[Contact]) -> tuple[Contact, ...]:
    """The sociale-kaart entries a contact field offers, and so the only ones it accepts."""
    if definition.contacts == "meldpunt":
        return tuple(c for c in contacts if c.meldpunt)
    return tuple(contacts)


@dataclass
class ValidationResult:
    data: dict
    errors: dict[str, list[str]]

    @property
    def ok(self) -> bool:
        return not self.errors


def _messages(**extra) -> dict:
    return {"required": REQUIRED, "null": REQUIRED, "invalid": INVALID, **extra}


def _choice(values: Sequence[str]) -> validate.OneOf:
    return validate.OneOf(values, error="Kies een van de mogelijkheden.")


class _TermSchema(Schema):
    amount = fields.Integer(
        required=True, strict=False,
        validate=validate.Range(min=1, max=3650, error="Vul een positief aantal in."),
        error_messages=_messages(invalid="Vul een geheel getal in."),
    )
    unit = fields.String(required=True, error_messages=_messages())


def _term_field(definition: FieldDefinition) -> fields.Field:
    def check(term):
        if term["unit"] not in definition.units:
            raise ValidationError("Kies een van de eenheden.")
        limit = definition.max_term
        if limit and term["amount"] * _DAYS_PER_UNIT[term["unit"]] > limit["amount"] * _DAYS_PER_UNIT[limit["unit"]] + 0.01:
            raise ValidationError(f"De termijn is maximaal {describe_term(limit)}.")

    return fields.Nested(_TermSchema, validate=check, error_messages=_messages())


def _marshmallow_field(definition: FieldDefinition, contacts: Sequence[Contact]) -> fields.Field:
    options = [o.value for o in definition.options]
    kind = definition.type
    common = {"required": False, "allow_none": True, "error_messages": _messages()}
    if kind in ("text", "textarea"):
        limit = definition.max_length or (500 if kind == "text" else 20000)
        return fields.String(validate=validate.Length(max=limit, error=f"Maximaal {limit} tekens."), **common)
    if kind == "date":
        return fields.Date(**{**common, "error_messages": _messages(invalid="Vul een geldige datum in (dd-mm-jjjj).")})
    if kind == "number":
        bounds = validate.Range(min=definition.min, max=definition.max,
                                error="Vul een getal in tussen {min} en {max}.")
        return fields.Integer(strict=False, validate=bounds,
                              **{**common, "error_messages": _messages(invalid="Vul een geheel getal in.")})
    if kind == "boolean":
        return fields.Boolean(truthy={True, "ja", "true", "1", "on"}, falsy={False, "nee", "false", "0"},
                              **{**common, "error_messages": _messages(invalid="Kies ja of nee.")})
    if kind == "choice":
        return fields.String(validate=_choice(options), **common)
    if kind == "multichoice":
        return fields.List(fields.String(validate=_choice(options)), **common)
    if kind == "duration":
        return _term_field(definition)
    if kind == "contact":
        return fields.String(validate=_choice([c.id for c in offered_contacts(definition, contacts)]), **common)
    if kind == "file":
        return fields.List(fields.Integer(strict=False), **common)
    raise ValueError(f"unknown field type {kind}")


def _is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _shown(definition: FieldDefinition, values: Mapping) -> bool:
    return definition.show_if is None or definition.show_if.applies(values)


def build_schema(form: FormDefinition, contacts: Sequence[Contact] = ()) -> type[Schema]:
    declared = {f.name: _marshmallow_field(f, contacts) for f in form.fields}
    return Schema.from_dict(declared, name=f"Form_{form.key.replace('/', '_')}")


def _required(definition: FieldDefinition, values: Mapping) -> bool:
    return definition.required or (definition.required_when is not None and definition.required_when.applies(values))


def _missing_required(form: FormDefinition, values: Mapping, already_wrong) -> dict[str, list[str]]:
    return {
        f.name: [REQUIRED] for f in form.fields
        if _required(f, values) and f.name not in already_wrong and _shown(f, values)
        and _is_empty(values.get(f.name))
    }


def validate_submission(
    form: FormDefinition, submitted: Mapping, contacts: Sequence[Contact] = (), deadlines=None
) -> ValidationResult:
    """Check submitted values; return clean case data or Dutch messages per field.

    With a `deadlines` calculator, every agreed term also yields `<name>_einde`: the moment it
    ends, counted from now (the moment the term was agreed)."""
    # Only the form's own fields: `<name>_einde` is computed here, never taken from the user.
    own_fields = {f.name for f in form.fields}
    raw = {name: value for name, value in submitted.items() if name in own_fields and not _is_empty(value)}
    schema = build_schema(form, contacts)()
    try:
        loaded, errors = schema.load(raw), {}
    except ValidationError as exc:
        loaded, errors = exc.valid_data or {}, _flatten(exc.messages)
    errors.update(_missing_required(form, loaded, errors))
    if errors:
        return ValidationResult(data={}, errors=errors)
    data = {}
    for definition in form.fields:
        value = loaded.get(definition.name)
        if not _shown(definition, loaded):
            value = None
        data[definition.name] = _to_primitive(definition, value)
        if definition.type == "duration" and deadlines is not None:
            data[term_end_name(definition.name)] = (
                deadlines.after_term(value).isoformat() if value is not None else None
            )
    return ValidationResult(data=data, errors={})


def _to_primitive(definition: FieldDefinition, value):
    if value is None:
        return [] if definition.type in ("multichoice", "file") else None
    if isinstance(value, date):
        return value.isoformat()
    return value


def _flatten(messages) -> dict[str, list[str]]:
    flat: dict[str, list[str]] = {}
    for name, value in messages.items():
        if isinstance(value, dict):
            inner = [m for sub in value.values() for m in (sub if isinstance(sub, list) else [sub])]
            flat[name] = [str(m) for m in inner] or [INVALID]
        elif isinstance(value, list):
            flat[name] = [str(m) for m in value]
        else:
            flat[name] = [str(value)]
    return flat


MAX_DRAFT_LIST = 200


def _draft_text(value, limit: int) -> str | None:
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value[:limit]
    return None


def _draft_value(definition: FieldDefinition, value):
    """What a draft may keep of one field: the shape the field's page can show (text for a text,
    date, number or choice; a list of texts for a multiple choice; …), valid or not, or nothing."""
    kind = definition.type
    limit = definition.max_length or (500 if kind == "text" else 20000)
    if kind in ("multichoice", "file"):
        items = value if isinstance(value, list) else [value]
        if kind == "file":  # attachment ids, checked against the case by the caller
            return [item if isinstance(item, int) else item[:40] for item in items[:MAX_DRAFT_LIST]
                    if isinstance(item, (int, str)) and not isinstance(item, bool)]
        kept = [_draft_text(item, 200) for item in items[:MAX_DRAFT_LIST]]
        return [item for item in kept if item is not None]
    if kind == "duration":
        if not isinstance(value, dict):
            return None
        amount, unit = _draft_text(value.get("amount"), 20), _draft_text(value.get("unit"), 40)
        return {"amount": amount or "", "unit": unit or ""}
    if kind == "boolean" and isinstance(value, bool):
        return value
    return _draft_text(value, limit if kind in ("text", "textarea") else 200)


def sanitize_draft(form: FormDefinition, values: Mapping) -> dict:
    """A draft reduced to the form's own fields, each in the shape of its type (unknown fields and
    values no field can hold are dropped), so that no stored draft can break a page."""
    fields_by_name = {f.name: f for f in form.fields}
    draft = {}
    for name, value in (values or {}).items():
        definition = fields_by_name.get(name)
        if definition is None or value is None:
            continue
        kept = _draft_value(definition, value)
        if kept is not None:
            draft[name] = kept
    return draft


def values_from_form_post(form: FormDefinition, post) -> dict:
    """Turn an HTML form post (a MultiDict) into the values `validate_submission` expects."""
    values = {}
    for definition in form.fields:
        name = definition.name
        if definition.type == "multichoice":
            values[name] = [v for v in post.getlist(name) if v]
        elif definition.type == "duration":
            amount, unit = post.get(f"{name}__amount", "").strip(), post.get(f"{name}__unit", "").strip()
            values[name] = {"amount": amount, "unit": unit} if amount or unit else None
        elif definition.type == "file":
            values[name] = [v for v in post.getlist(name) if v]
        else:
            values[name] = post.get(name, "").strip() if isinstance(post.get(name), str) else post.get(name)
    return values
