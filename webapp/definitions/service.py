"""Storing diagrams as process definition versions.

Importing validates first and stores only a diagram that passed every check, in one
transaction: a refused upload leaves nothing behind. Versions are immutable; publishing points
the definition at a version, and running cases keep the version they started on.
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.definitions.models import ProcessDefinition, ProcessVersion
from webapp.definitions.spec_cache import content_hash, remember
from webapp.definitions.version_forms import freeze_forms, frozen_hashes
from webapp.engine import CompiledProcess, DiagramRejected, Problem, compile_bpmn
from webapp.forms.catalog import FormCatalog
from webapp.schools.models import School
from webapp.schools.variants import Variant


def get_or_create_definition(session: Session, school: School, route_key: str, name: str) -> ProcessDefinition:
    definition = session.scalar(
        select(ProcessDefinition).where(
            ProcessDefinition.school_id == school.id, ProcessDefinition.route_key == route_key
        )
    )
    if definition is None:
        definition = ProcessDefinition(school_id=school.id, route_key=route_key, name=name)
        session.add(definition)
        session.flush()
    return definition


def import_version(
    session: Session,
    definition: ProcessDefinition,
    bpmn: bytes,
    *,
    filename: str,
    forms: FormCatalog,
    now,
    actor_id: int | None = None,
    comment: str | None = None,
    publish: bool = True,
) -> ProcessVersion:
    """Validate and store a new version. Raises DiagramRejected (nothing stored) when invalid."""
    compiled = compile_bpmn(bpmn, filename=filename, forms=forms)
    try:
        xml_text = bpmn.decode("utf-8")
    except UnicodeDecodeError:
        raise DiagramRejected([Problem(
            "het diagram is geldige XML maar niet in UTF-8 opgeslagen; sla het op als UTF-8"
        )]) from None
    digest = content_hash(xml_text)
    number = (session.scalar(
        select(func.max(ProcessVersion.number)).where(ProcessVersion.definition_id == definition.id)
    ) or 0) + 1
    version = ProcessVersion(
        definition_id=definition.id,
        number=number,
        bpmn_process_id=compiled.process_id,
        bpmn_xml=xml_text,
        content_hash=digest,
        source_filename=filename,
        comment=comment,
        created_by_id=actor_id,
        created_at=now,
    )
    session.add(version)
    session.flush()
    freeze_forms(session, version, compiled.form_keys, forms)
    session.flush()
    remember(digest, compiled)
    if publish:
        definition.published_version_id = version.id
    return version


def latest_version(session: Session, definition: ProcessDefinition) -> ProcessVersion | None:
    return session.scalar(
        select(ProcessVersion)
        .where(ProcessVersion.definition_id == definition.id)
        .order_by(ProcessVersion.number.desc())
        .limit(1)
    )


class VariantFileRejected(Exception):
    """A diagram in a variant's folder that the import checks refuse, with the file it is in."""

    def __init__(self, path: str, rejected: DiagramRejected):
        super().__init__(f"{path}: {rejected}")
        self.path = path
        self.problems = rejected.problems

    def report_lines(self) -> list[str]:
        return [problem.format(self.path) for problem in self.problems]


def install_variant(
    session: Session, school: School, variant: Variant, *, forms: FormCatalog, now
) -> list[ProcessVersion]:
    """Make every route of the school's variant available; new versions only where the file changed."""
    installed = []
    for route in variant.routes:
        definition = get_or_create_definition(session, school, route.key, route.name)
        bpmn = variant.bpmn_path(route).read_bytes()
        current = latest_version(session, definition)
        if (current is not None and current.content_hash == content_hash(bpmn.decode("utf-8"))
                and not _forms_changed(session, current, forms)):
            continue
        try:
            installed.append(import_version(
                session, definition, bpmn, filename=f"{variant.key}/{route.file}", forms=forms, now=now,
                comment=f"Geladen uit workflows/{variant.key}/{route.file}",
            ))
        except DiagramRejected as rejected:
            raise VariantFileRejected(str(variant.bpmn_path(route)), rejected) from None
    return installed


def _forms_changed(session: Session, version: ProcessVersion, forms: FormCatalog) -> bool:
    """Whether a form the version froze reads differently in `forms` now (then a new version
    carries the new form to new cases; cases on the old version keep theirs)."""
    for key, digest in frozen_hashes(session, version.id).items():
        if not forms.has_form(key) or content_hash(forms.source(key)) != digest:
            return True
    return False


def check_diagram(bpmn: bytes, *, filename: str, forms: FormCatalog) -> CompiledProcess:
    """The import validation alone, without storing (used by `meldroute check-bpmn`)."""
    return compile_bpmn(bpmn, filename=filename, forms=forms)
