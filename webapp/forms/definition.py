"""Form definitions: what a user task asks, declared in YAML under forms/.

A form key is the file's path below forms/ without extension ("basismodel/stap1_signaleren").
The format is meant to be read and edited by policy owners:

    title: Stap 1 — signalen in kaart brengen
    intro: Korte toelichting boven het formulier (optioneel).
    fields:
      - name: uitkomst              # becomes a variable in the case; gateways test it
        type: choice                # text, textarea, date, number, boolean, choice, multichoice,
                                    # duration, contact, file
        label: Wat is uw besluit aan het einde van deze stap?
        required: true
        options:
          - {value: ongegrond, label: Het vermoeden blijkt ongegrond}
          - {value: bevestiging, label: Ik twijfel of vind een bevestiging}
      - name: tijdslimiet
        type: duration
        label: Afgesproken tijdslimiet
        units: [dagen, weken, maanden]
        max: {amount: 1, unit: maanden}
      - name: werkaantekeningen_vernietigd
        type: boolean
        label: De werkaantekeningen vernietigen?
        effect: werkaantekeningen_vernietigen   # what "ja" does to the dossier (FIELD_EFFECTS)

Parental consent before the pupil is named to outsiders (checked when the task is completed,
against the answers of the case's earlier completed tasks, webapp/cases/earlier_answers.py):

      - name: toestemming_sot
        type: choice
        permits_naming: [gegeven]     # these answers let later tasks name the pupil to outsiders
      - name: consultatie_extern
        type: choice
        names_pupil: op_naam          # this answer is accepted only after such an answer
      - name: toestemmingsformulier
        type: file
        required_when: {field: toestemming_vastgelegd, equals: bijlage}   # required only then

What a task shows of earlier answers (the "Eerder vastgelegd" panel), as a form-level list of
fields of the variant's other forms:

    earlier: [toestemming_sot, reden_weigering]
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from webapp.engine.due_dates import DURATION_UNITS

FIELD_TYPES = frozenset(
    ["text", "textarea", "date", "number", "boolean", "choice", "multichoice", "duration",
     "contact", "file"]
)
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
RESERVED_FIELD_NAMES = frozenset({"leerling_geboortedatum", "zorg_gemeld_op", "True", "False", "None"})


# What answering "ja" to a boolean field does to the dossier, beyond the case data (see
# webapp/cases/dossier_actions.py apply_field_effects): the form says it, the case layer does it.
FIELD_EFFECTS = {
    # "Are the work notes destroyed?" — yes destroys them (after the school's term for unfounded cases)
    "werkaantekeningen_vernietigen": "vernietigt de werkaantekeningen (notities) van de zaak",
    # the signals concern a staff member: only the director and the board may see the case from now on
    "betreft_medewerker": "maakt de zaak alleen zichtbaar voor directie en bestuur",
}


# Which entries of the sociale kaart a contact field offers.
CONTACT_SELECTIONS = {"meldpunt": "alleen meldpunten (Veilig Thuis, AMK, SHG)"}


class FormDefinitionError(ValueError):
    def __init__(self, message: str, *, form_key: str | None = None):
        super().__init__(message)
        self.form_key = form_key


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class ShowIf:
    """When a follow-up field applies: the one meaning the server's check, the page's hint and the
    browser's hiding all use. `equals` is typed as the controlling field's values are (a boolean
    for a ja/nee field, an option value for a choice), `form_value` is what its HTML control
    sends for that value, and `hint` is how the page names it."""

    field: str
    equals: bool | str
    form_value: str
    hint: str
    in_list: bool = False  # the controlling field is a multiple choice: shown when it holds the value

    def applies(self, values: Mapping) -> bool:
        current = values.get(self.field)
        if self.in_list:
            return isinstance(current, (list, tuple)) and self.equals in current
        return current == self.equals


@dataclass(frozen=True)
class FieldDefinition:
    name: str
    type: str
    label: str
    help: str = ""
    required: bool = False
    options: tuple[Option, ...] = ()
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    units: tuple[str, ...] = ("dagen", "werkdagen", "weken", "maanden")
    max_term: dict | None = None
    # A field shown only when another field has a value (e.g. "reden" when "zonder_ouders" is ja).
    show_if: ShowIf | None = None
    effect: str | None = None  # one of FIELD_EFFECTS, on boolean fields
    # Parental consent (issue 15 item 11): answers of this choice that allow naming the pupil to
    # outsiders later in the case, and the answer of a choice that names the pupil to them.
    permits_naming: tuple[str, ...] = ()
    names_pupil: str | None = None
    # Required only when another field of the form has a value (a file when "bijlage" is chosen).
    required_when: ShowIf | None = None
    contacts: str | None = None  # on contact fields: one of CONTACT_SELECTIONS, else the whole sociale kaart

    def option_label(self, value) -> str:
        for option in self.options:
            if option.value == value:
                return option.label
        return str(value)


@dataclass(frozen=True)
class FormDefinition:
    key: str
    title: str
    intro: str = ""
    fields: tuple[FieldDefinition, ...] = field(default_factory=tuple)
    # Fields of the variant's other forms whose latest answers this task shows ("Eerder vastgelegd").
    earlier: tuple[str, ...] = ()

    @property
    def field_names(self) -> frozenset[str]:
        """The case variables this form produces: its fields, plus for every agreed term the
        moment it ends (`<name>_einde`), fixed when the form is completed."""
        names = {f.name for f in self.fields}
        names |= {term_end_name(f.name) for f in self.fields if f.type == "duration"}
        return frozenset(names)

    def field(self, name: str) -> FieldDefinition | None:
        return next((f for f in self.fields if f.name == name), None)


def term_end_name(field_name: str) -> str:
    return f"{field_name}_einde"


def parse_form(key: str, raw) -> FormDefinition:
    if not isinstance(raw, dict):
        raise FormDefinitionError(f"formulier {key}: verwacht een YAML-object met title en fields")
    title = raw.get("title")
    if not title or not isinstance(title, str):
        raise FormDefinitionError(f"formulier {key}: 'title' ontbreekt")
    raw_fields = raw.get("fields") or []
    if not isinstance(raw_fields, list):
        raise FormDefinitionError(f"formulier {key}: 'fields' moet een lijst zijn")
    fields = tuple(_parse_field(key, index, f) for index, f in enumerate(raw_fields))
    names = [f.name for f in fields]
    names += [term_end_name(f.name) for f in fields if f.type == "duration"]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise FormDefinitionError(f"formulier {key}: veldnaam dubbel: {', '.join(sorted(duplicates))}")
    by_name = {f.name: f for f in fields}
    fields = tuple(
        replace(f, show_if=_show_if(key, f.name, f.show_if, by_name)) if f.show_if else f for f in fields
    )
    # required_when has show_if's shape and meaning: the same typed condition.
    fields = tuple(
        replace(f, required_when=_show_if(key, f.name, f.required_when, by_name, "required_when"))
        if f.required_when else f
        for f in fields
    )
    unknown = set(raw) - {"title", "intro", "fields", "earlier"}
    if unknown:
        raise FormDefinitionError(f"formulier {key}: onbekende sleutel(s) {', '.join(sorted(unknown))}")
    earlier = raw.get("earlier") or []
    if not isinstance(earlier, list) or not all(isinstance(n, str) and _NAME.match(n) for n in earlier):
        raise FormDefinitionError(f"formulier {key}: 'earlier' is een lijst veldnamen van andere formulieren")
    return FormDefinition(key=key, title=title.strip(), intro=(raw.get("intro") or "").strip(), fields=fields,
                          earlier=tuple(earlier))


def _parse_field(key: str, index: int, raw) -> FieldDefinition:
    where = f"formulier {key}, veld {index + 1}"
    if not isinstance(raw, dict):
        raise FormDefinitionError(f"{where}: verwacht een object")
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.match(name) or name in RESERVED_FIELD_NAMES:
        raise FormDefinitionError(
            f"{where}: ongeldige naam {name!r} (kleine letters, cijfers en _, beginnend met een letter)"
        )
    where = f"formulier {key}, veld {name}"
    field_type = raw.get("type")
    if field_type not in FIELD_TYPES:
        raise FormDefinitionError(f"{where}: onbekend type {field_type!r}; kies uit {', '.join(sorted(FIELD_TYPES))}")
    label = raw.get("label")
    if not label:
        raise FormDefinitionError(f"{where}: 'label' ontbreekt")
    options = tuple(_parse_option(where, o) for o in raw.get("options") or ())
    if field_type in ("choice", "multichoice") and not options:
        raise FormDefinitionError(f"{where}: een keuzeveld heeft 'options' nodig")
    units = tuple(raw.get("units") or FieldDefinition.units)
    bad_units = set(units) - set(DURATION_UNITS)
    if bad_units:
        raise FormDefinitionError(f"{where}: onbekende eenheid {', '.join(sorted(bad_units))}")
    max_term = raw.get("max") if field_type == "duration" else None
    if max_term is not None and (
        not isinstance(max_term, dict) or max_term.get("unit") not in DURATION_UNITS
        or not isinstance(max_term.get("amount"), int)
    ):
        raise FormDefinitionError(f"{where}: 'max' van een duur is {{amount: n, unit: ...}}")
    allowed = {"name", "type", "label", "help", "required", "options", "min", "max", "max_length",
               "units", "show_if", "effect", "contacts", "permits_naming", "names_pupil", "required_when"}
    unknown = set(raw) - allowed
    if unknown:
        raise FormDefinitionError(f"{where}: onbekende sleutel(s) {', '.join(sorted(unknown))}")
    show_if = raw.get("show_if")
    if show_if is not None and (not isinstance(show_if, dict) or set(show_if) != {"field", "equals"}):
        raise FormDefinitionError(f"{where}: show_if is {{field: naam, equals: waarde}}")
    effect = raw.get("effect")
    if effect is not None and (effect not in FIELD_EFFECTS or field_type != "boolean"):
        raise FormDefinitionError(
            f"{where}: 'effect' kan alleen bij een ja/nee-veld, en is een van {', '.join(sorted(FIELD_EFFECTS))}")
    option_values = {o.value for o in options}
    permits_naming = raw.get("permits_naming") or []
    if not isinstance(permits_naming, list) or (permits_naming and (
            field_type != "choice" or not set(map(str, permits_naming)) <= option_values)):
        raise FormDefinitionError(f"{where}: 'permits_naming' is een lijst opties van dit keuzeveld")
    names_pupil = raw.get("names_pupil")
    if names_pupil is not None and (field_type != "choice" or str(names_pupil) not in option_values):
        raise FormDefinitionError(f"{where}: 'names_pupil' is een optie van dit keuzeveld")
    required_when = raw.get("required_when")
    if required_when is not None and (not isinstance(required_when, dict)
                                      or set(required_when) != {"field", "equals"}):
        raise FormDefinitionError(f"{where}: required_when is {{field: naam, equals: waarde}}")
    contacts = raw.get("contacts")
    if contacts is not None and (field_type != "contact" or contacts not in CONTACT_SELECTIONS):
        raise FormDefinitionError(
            f"{where}: 'contacts' kan alleen bij een contactveld, en is een van {', '.join(sorted(CONTACT_SELECTIONS))}")
    return FieldDefinition(
        name=name,
        type=field_type,
        label=str(label).strip(),
        help=str(raw.get("help") or "").strip(),
        required=bool(raw.get("required", False)),
        options=options,
        min=raw.get("min"),
        max=raw.get("max") if field_type == "number" else None,
        max_length=raw.get("max_length"),
        units=units,
        max_term=max_term,
        show_if=show_if,
        effect=effect,
        permits_naming=tuple(str(v) for v in permits_naming),
        names_pupil=str(names_pupil) if names_pupil is not None else None,
        required_when=required_when,
        contacts=contacts,
    )


_BOOLEAN_WORDS = {True: True, False: False, "ja": True, "nee": False}


def _show_if(key: str, name: str, raw: dict, fields_by_name: dict[str, FieldDefinition],
             option: str = "show_if") -> ShowIf:
    """Type `equals` by the controlling field, so that it can only mean one thing (for `show_if`,
    and for `required_when`, which has the same shape)."""
    where = f"formulier {key}, veld {name}: {option}"
    controller = fields_by_name.get(raw["field"]) if isinstance(raw["field"], str) else None
    if controller is None or controller.name == name:
        raise FormDefinitionError(f"{where} verwijst naar onbekend veld {raw['field']!r}")
    wanted = raw["equals"]
    if controller.type == "boolean":
        if not isinstance(wanted, (bool, str)) or wanted not in _BOOLEAN_WORDS:
            raise FormDefinitionError(f"{where}: {controller.name} is een ja/nee-veld; equals is ja of nee")
        typed = _BOOLEAN_WORDS[wanted]
        return ShowIf(controller.name, typed, "ja" if typed else "nee", "ja" if typed else "nee")
    if controller.type in ("choice", "multichoice"):
        option = next((o for o in controller.options if o.value == wanted), None)
        if option is None:
            raise FormDefinitionError(
                f"{where}: {wanted!r} is geen waarde van {controller.name} "
                f"(kies uit {', '.join(o.value for o in controller.options)})")
        return ShowIf(controller.name, option.value, option.value, option.label,
                      in_list=controller.type == "multichoice")
    raise FormDefinitionError(
        f"{where}: alleen een ja/nee- of keuzeveld kan een vervolgvraag tonen, {controller.name} is {controller.type}")


def _parse_option(where: str, raw) -> Option:
    if isinstance(raw, str):
        return Option(raw, raw)
    if isinstance(raw, dict) and "value" in raw:
        unknown = sorted(str(key) for key in raw if key not in ("value", "label"))
        if unknown:
            # In YAML's {value: …, label: …} a comma ends the label; what follows becomes a key.
            raise FormDefinitionError(
                f"{where}: optie {raw['value']!r} heeft onbekende sleutels {', '.join(unknown)}"
                " (staat er een komma in het label? Zet het label dan tussen aanhalingstekens)"
            )
        return Option(str(raw["value"]), str(raw.get("label", raw["value"])))
    raise FormDefinitionError(f"{where}: optie moet tekst zijn of {{value, label}}")
