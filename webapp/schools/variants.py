"""A meldcode variant: one folder under workflows/ with its diagrams and metadata.

    workflows/<variant>/variant.yaml   who it belongs to, the source text, the school's own words
                                       for the organisations, the routes and the sociale kaart
    workflows/<variant>/*.bpmn         one diagram per route
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from webapp.forms.submission import Contact
from webapp.roles import Lane, lane_for_name, lane_label
from webapp.yamlfiles import YAMLError, load_yaml


class VariantError(ValueError):
    pass


@dataclass(frozen=True)
class Route:
    key: str
    name: str
    file: str
    description: str = ""


@dataclass(frozen=True)
class Variant:
    key: str
    name: str
    organisation: str
    source_document: str
    directory: Path
    routes: tuple[Route, ...]
    terms: dict = field(default_factory=dict)
    contacts: tuple[Contact, ...] = ()
    emergency_contact_ids: tuple[str, ...] = ()
    # The school's own word for each lane (role), used on every page, list, mail and in the API.
    lane_terms: dict[str, str] = field(default_factory=dict)

    def route(self, key: str) -> Route:
        for route in self.routes:
            if route.key == key:
                return route
        raise VariantError(f"variant {self.key} heeft geen route {key!r}")

    def bpmn_path(self, route: Route) -> Path:
        return self.directory / route.file

    def contact(self, contact_id: str) -> Contact | None:
        return next((c for c in self.contacts if c.id == contact_id), None)

    def lane_term(self, lane_value: str | None) -> str:
        """The school's term for a stored lane value ("a+b" when a task is shared by two lanes)."""
        parts = [part for part in (lane_value or "").split("+") if part]
        return " of ".join(self.lane_terms.get(part) or lane_label(part) for part in parts) or (lane_value or "")

    @property
    def emergency_contacts(self) -> tuple[Contact, ...]:
        """Whom the school's staff call in acute danger, in the variant's order, each with a number."""
        return tuple(c for c in (self.contact(i) for i in self.emergency_contact_ids) if c is not None)


def load_variant(directory: Path) -> Variant:
    meta_path = directory / "variant.yaml"
    if not meta_path.exists():
        raise VariantError(f"{directory}: variant.yaml ontbreekt")
    try:
        raw = load_yaml(meta_path.read_text(encoding="utf-8")) or {}
    except YAMLError as exc:
        raise VariantError(f"{meta_path}: geen geldige YAML ({exc})") from None
    try:
        routes = tuple(
            Route(key=r["key"], name=r["name"], file=r["file"], description=r.get("description", ""))
            for r in raw["routes"]
        )
        contacts = tuple(
            Contact(
                id=c["id"], organisation=c["organisation"], phone=str(c.get("phone", "")),
                address=c.get("address", ""), email=c.get("email", ""), website=c.get("website", ""),
                meldpunt=c.get("meldpunt", False) is True,
            )
            for c in raw.get("sociale_kaart", [])
        )
        variant = Variant(
            key=directory.name,
            name=raw["name"],
            organisation=raw["organisation"],
            source_document=raw["source_document"],
            directory=directory,
            routes=routes,
            terms=dict(raw.get("terms", {})),
            contacts=contacts,
            emergency_contact_ids=tuple(raw.get("emergency_contacts", [])),
            lane_terms={str(key): str(term).strip() for key, term in (raw.get("lanes") or {}).items()},
        )
    except (KeyError, TypeError) as exc:
        raise VariantError(f"{meta_path}: ontbrekend of ongeldig veld {exc}") from None
    _check_emergency_contacts(meta_path, variant)
    _check_lane_terms(meta_path, variant)
    for route in routes:
        if not variant.bpmn_path(route).exists():
            raise VariantError(f"{meta_path}: route {route.key} verwijst naar ontbrekend {route.file}")
    return variant


def _check_emergency_contacts(meta_path: Path, variant: Variant) -> None:
    """The acute pages tell staff whom to call: every number must be there, and a meldpunt with it."""
    for contact_id in variant.emergency_contact_ids:
        contact = variant.contact(contact_id)
        if contact is None:
            raise VariantError(f"{meta_path}: emergency_contacts noemt {contact_id!r}, dat niet op de sociale kaart staat")
        if not contact.phone.strip():
            raise VariantError(f"{meta_path}: noodcontact {contact_id!r} ({contact.organisation}) heeft geen telefoonnummer")
    if not any(c.meldpunt for c in variant.emergency_contacts):
        raise VariantError(f"{meta_path}: emergency_contacts noemt geen meldpunt (meldpunt: true op de sociale kaart)")


def _check_lane_terms(meta_path: Path, variant: Variant) -> None:
    """A school's term for a lane must be one the diagrams' lanes are recognised by, so that the
    modeler can name lanes with it and every page says the same word for one role."""
    for key, term in variant.lane_terms.items():
        if key not in {lane.value for lane in Lane}:
            raise VariantError(f"{meta_path}: lanes noemt onbekende rol {key!r} (kies uit {', '.join(l.value for l in Lane)})")
        if lane_for_name(term) is not Lane(key):
            raise VariantError(f"{meta_path}: lanes.{key}: {term!r} wordt niet herkend als die rol")


def load_variants(workflows_dir: Path) -> dict[str, Variant]:
    return {
        path.name: load_variant(path)
        for path in sorted(Path(workflows_dir).iterdir())
        if path.is_dir() and (path / "variant.yaml").exists()
    }
