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
            return cls.from_sources(sources)
        except FormDefinitionError as exc:
            raise FormDefinitionError(f"{paths[exc.form_key]}: {exc}" if exc.form_key in paths else str(exc)) from None

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
