"""What changed in the forms between two versions of a route, in Dutch.

Forms are frozen per version (webapp/definitions/version_forms.py), so a new version can ask other
questions with the same form key and the same diagram: the diagram diff alone would not show it.
Per form the versions use: fields added, removed and changed (label, type, required, options, and
the rules a field carries: when it is shown or required, its effect, its choice of contacts, consent).
"""
from __future__ import annotations

from dataclasses import dataclass

from webapp.forms.catalog import FormCatalog
from webapp.forms.definition import FieldDefinition, FormDefinition

FIELD_TYPE_NAMES = {
    "text": "tekst", "textarea": "lange tekst", "date": "datum", "number": "getal", "boolean": "ja/nee",
    "choice": "keuze", "multichoice": "meerkeuze", "duration": "termijn", "contact": "contactgegevens",
    "file": "bestand",
}


@dataclass(frozen=True)
class FormChange:
    form_key: str
    title: str
    kind: str                # "toegevoegd", "verwijderd" or "gewijzigd"
    changes: tuple[str, ...]  # one Dutch line per field; empty for a form added or removed whole

    @property
    def heading(self) -> str:
        if self.kind == "toegevoegd":
            return f"Formulier '{self.title}' ({self.form_key}): nieuw in deze versie"
        if self.kind == "verwijderd":
            return f"Formulier '{self.title}' ({self.form_key}): niet meer gebruikt"
        return f"Formulier '{self.title}' ({self.form_key})"


def _type_name(field_type: str) -> str:
    return FIELD_TYPE_NAMES.get(field_type, field_type)


def _yes_no(value: bool) -> str:
    return "ja" if value else "nee"


def _describe(field: FieldDefinition) -> str:
    required = ", verplicht" if field.required else ""
    return f"'{field.label}' ({field.name}, {_type_name(field.type)}{required})"


def _option_changes(old: FieldDefinition, new: FieldDefinition) -> list[str]:
    before = {o.value: o.label for o in old.options}
    after = {o.value: o.label for o in new.options}
    parts = [f"optie toegevoegd '{after[v]}'" for v in after if v not in before]
    parts += [f"optie verwijderd '{before[v]}'" for v in before if v not in after]
    parts += [f"optie '{v}': '{before[v]}' → '{after[v]}'" for v in after if v in before and before[v] != after[v]]
    return parts


def _field_changes(old: FieldDefinition, new: FieldDefinition) -> list[str]:
    parts = []
    if old.label != new.label:
        parts.append(f"label: '{old.label}' → '{new.label}'")
    if old.type != new.type:
        parts.append(f"soort: {_type_name(old.type)} → {_type_name(new.type)}")
    if old.required != new.required:
        parts.append(f"verplicht: {_yes_no(old.required)} → {_yes_no(new.required)}")
    for label, describe in _RULES:
        before, after = describe(old), describe(new)
        if before != after:
            parts.append(f"{label}: {before} → {after}")
    return parts + _option_changes(old, new)


def _condition(condition) -> str:
    return f"bij {condition.field} = '{condition.hint}'" if condition else "altijd"


# What else a field says that changes what the form asks or what happens with the answer.
_RULES = (
    ("getoond", lambda f: _condition(f.show_if)),
    ("verplicht als", lambda f: _condition(f.required_when) if f.required_when else "—"),
    ("gevolg", lambda f: f.effect or "geen"),
    ("keuze uit de sociale kaart", lambda f: "alleen meldpunten" if f.contacts == "meldpunt" else "alles"),
    ("toestemming om de leerling te noemen bij", lambda f: ", ".join(f.permits_naming) or "—"),
    ("noemt de leerling bij", lambda f: f.names_pupil or "—"),
    ("toelichting", lambda f: f"'{f.help}'" if f.help else "geen"),
)


def _form_changes(old: FormDefinition, new: FormDefinition) -> list[str]:
    before = {f.name: f for f in old.fields}
    after = {f.name: f for f in new.fields}
    lines = [f"Veld toegevoegd: {_describe(after[name])}" for name in after if name not in before]
    lines += [f"Veld verwijderd: {_describe(before[name])}" for name in before if name not in after]
    for name in after:
        if name in before and (parts := _field_changes(before[name], after[name])):
            lines.append(f"Veld gewijzigd: '{after[name].label}' ({name}) — {'; '.join(parts)}")
    if old.earlier != new.earlier:
        lines.append(f"Eerder vastgelegd getoond: {', '.join(old.earlier) or '—'} → {', '.join(new.earlier) or '—'}")
    return lines


def form_changes(old: FormCatalog, new: FormCatalog) -> list[FormChange]:
    """The differences between the forms two versions froze, form by form (sorted by key)."""
    old_keys, new_keys = set(old.keys()), set(new.keys())
    result = []
    for key in sorted(old_keys | new_keys):
        if key not in old_keys:
            result.append(FormChange(key, new.get(key).title, "toegevoegd", ()))
        elif key not in new_keys:
            result.append(FormChange(key, old.get(key).title, "verwijderd", ()))
        elif lines := _form_changes(old.get(key), new.get(key)):
            result.append(FormChange(key, new.get(key).title, "gewijzigd", tuple(lines)))
    return result
