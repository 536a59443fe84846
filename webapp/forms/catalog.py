"""All form definitions of an installation, read once from the forms/ folder.

Form files are part of the deployed code (not data users change at run time), so reading them
once per process is safe. A broken form file stops the app at start-up with its name and problem.
"""
from __future__ import annotations

from pathlib import Path

from webapp.forms.definition import FormDefinition, FormDefinitionError, parse_form
from webapp.yamlfiles import YAMLError, load_yaml


class UnknownForm(KeyError):
    pass


class FormCatalog:
    def __init__(self, forms: dict[str, FormDefinition], sources: dict[str, str] | None = None):
        self._forms = forms
        # The YAML text of each form, as read: what a published version freezes and exports.
        self._sources = dict(sources or {})

    @classmethod
    def from_directory(cls, directory: Path) -> FormCatalog:
        paths = {path.relative_to(directory).with_suffix("").as_posix(): path
                 for path in sorted(Path(directory).rglob("*.yaml"))}
        sources = {key: path.read_text(encoding="utf-8") for key, path in paths.items()}
        try:
            catalog = cls.from_sources(sources)
            catalog.check_references()
        except FormDefinitionError as exc:
            raise FormDefinitionError(f"{paths[exc.form_key]}: {exc}" if exc.form_key in paths else str(exc)) from None
        return catalog

    @classmethod
    def from_sources(cls, sources: dict[str, str]) -> FormCatalog:
        forms = {}
        for key, text in sources.items():
            try:
                raw = load_yaml(text)
            except YAMLError as exc:
                raise FormDefinitionError(f"formulier {key}: geen geldige YAML ({exc})", form_key=key) from None
            try:
                forms[key] = parse_form(key, raw)
            except FormDefinitionError as exc:
                raise FormDefinitionError(str(exc), form_key=key) from None
        return cls(forms, sources)

    def check_references(self) -> None:
        """References between the forms of one variant (its folder): every field a form shows as
        answered earlier exists in another of its forms, and a form that can name the pupil to
        outsiders has a form where parents give the consent that allows it."""
        for key, form in self._forms.items():
            siblings = [other for other_key, other in self._forms.items()
                        if other_key != key and _folder(other_key) == _folder(key)]
            known = {f.name for other in siblings for f in other.fields}
            unknown = [name for name in form.earlier if name not in known]
            if unknown:
                raise FormDefinitionError(
                    f"formulier {key}: 'earlier' noemt velden die geen ander formulier van "
                    f"{_folder(key)} heeft: {', '.join(unknown)}", form_key=key)
            naming = [f.name for f in form.fields if f.names_pupil]
            if naming and not any(f.permits_naming for other in siblings for f in other.fields):
                raise FormDefinitionError(
                    f"formulier {key}, veld {naming[0]}: 'names_pupil' zonder formulier met "
                    f"'permits_naming' in {_folder(key)}: toestemming kan nergens worden vastgelegd", form_key=key)

    def source(self, key: str) -> str:
        try:
            return self._sources[key]
        except KeyError:
            raise UnknownForm(key) from None

    def get(self, key: str) -> FormDefinition:
        try:
            return self._forms[key]
        except KeyError:
            raise UnknownForm(key) from None

    def keys(self) -> list[str]:
        return sorted(self._forms)

    # FormLookup, as the engine's import validation asks it
    def has_form(self, key: str) -> bool:
        return key in self._forms

    def field_names(self, key: str) -> frozenset[str]:
        return self._forms[key].field_names


def _folder(key: str) -> str:
    return key.rpartition("/")[0]
