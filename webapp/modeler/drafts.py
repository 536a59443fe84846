"""Changing a route's diagram: drafts (upload, save, autosave), publishing, exporting.

Each command checks the policy, changes what it must, writes the audit entry and commits once.
A draft is work in progress: it is stored with its problems and the author sees them; only a
draft without errors can be published, and publishing makes the next immutable version with
the forms it uses frozen in it. Two people saving one draft: the save that started from an older
revision is refused (`DraftConflict`) and changes nothing, so the other's work is not overwritten
and the refused author still has theirs in the editor.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.audit.actor import Actor
from webapp.audit.log import record_audit
from webapp.auth.policy import Action, Policy
from webapp.definitions.models import ProcessDefinition, ProcessDraft, ProcessVersion
from webapp.definitions.service import import_version
from webapp.definitions.version_forms import forms_of_version
from webapp.engine import (
    DiagramRejected,
    Problem,
    compile_bpmn,
    documentation_warnings,
    structural_problems,
)
from webapp.engine.parser import BPMN_NS
from webapp.engine.xmlsafe import MAX_DIAGRAM_BYTES, parse_untrusted_xml
from webapp.forms.catalog import FormCatalog
from webapp.modeler.compliance import compliance_hints
from webapp.modeler.read_models import may_manage
from webapp.schools.service import school_ids_of_board

MAX_NOTE_LENGTH = 2000


class NotAllowedHere(Exception):
    """The actor may not change diagrams of this school or board (or the route does not exist)."""


class DraftNotFound(Exception):
    pass


class UploadRefused(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


class PublishRefused(Exception):
    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []


class DraftConflict(Exception):
    def __init__(self, draft: ProcessDraft):
        who = draft.updated_by.display_name if draft.updated_by else "iemand anders"
        super().__init__(
            f"{who} heeft dit concept intussen opgeslagen ({draft.updated_at:%d-%m-%Y %H:%M}, "
            f"revisie {draft.revision}). Uw versie is niet opgeslagen en staat nog in de editor: "
            "download haar, laad het concept opnieuw en breng uw wijzigingen over."
        )
        self.draft = draft


@dataclass(frozen=True)
class CheckResult:
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def check_diagram(bpmn: bytes, forms: FormCatalog) -> CheckResult:
    """The server's authoritative check, as publishing applies it, without storing anything; a
    diagram without errors also gets the compliance hints (warnings)."""
    try:
        compiled = compile_bpmn(bpmn, filename="concept.bpmn", forms=forms)
    except DiagramRejected as rejected:
        return CheckResult(list(rejected.problems), list(rejected.warnings) or documentation_warnings(bpmn))
    except Exception as exc:  # a validator bug must still answer with a message, never a 500
        return CheckResult([Problem(f"interne fout bij het controleren ({type(exc).__name__})")])
    return CheckResult([], list(compiled.warnings) + compliance_hints(compiled))


def _audited(owned: ProcessDefinition | ProcessDraft, detail: dict) -> dict:
    """The audit entry's school and detail for work on a route: a board's route is no school's,
    so its entries carry `detail.board_id` (and no school)."""
    if owned.board_id is not None:
        return {"school_id": None, "detail": {**detail, "board_id": owned.board_id}}
    return {"school_id": owned.school_id, "detail": detail}


def _refused(session: Session, actor: Actor, owned: ProcessDefinition | ProcessDraft, detail: dict, now) -> None:
    """Someone tried to change a route (or draft) that is not theirs to change: on record."""
    record_audit(session, "diagram.refused", actor=actor, at=now, **_audited(owned, detail))
    session.commit()


def refused_read(session: Session, actor: Actor, definition_id: int, path: str, now) -> None:
    """Someone asked for a route they may not see (another school's, or none): on record, as a
    probe of a case is."""
    detail = {"attempted": "view", "requested_definition_id": definition_id, "path": path[:200]}
    owned = session.get(ProcessDefinition, definition_id)
    if owned is not None:
        _refused(session, actor, owned, detail, now)
        return
    record_audit(session, "diagram.refused", actor=actor, at=now, school_id=None, detail=detail)
    session.commit()


def managed_definition(session: Session, actor: Actor, policy: Policy, definition_id: int, *, attempted: str,
                       now) -> ProcessDefinition:
    """The route, if this actor may change it; a refusal of an existing route is audited."""
    definition = session.get(ProcessDefinition, definition_id)
    if definition is None:
        raise NotAllowedHere(definition_id)
    if not may_manage(session, policy, definition):
        _refused(session, actor, definition, {"attempted": attempted, "definition_id": definition.id}, now)
        raise NotAllowedHere(definition_id)
    return definition


def managed_draft(session: Session, actor: Actor, policy: Policy, draft_id: int, *, attempted: str,
                  now) -> ProcessDraft:
    """The draft, if this actor may change its route (else not found; an existing one audited)."""
    draft = session.get(ProcessDraft, draft_id, populate_existing=True)
    if draft is None:
        raise DraftNotFound(draft_id)
    if not may_manage(session, policy, draft):
        _refused(session, actor, draft, {"attempted": attempted, "draft_id": draft.id}, now)
        raise DraftNotFound(draft_id)
    return draft


def _as_text(bpmn: bytes) -> str:
    if len(bpmn) > MAX_DIAGRAM_BYTES:
        raise UploadRefused([Problem(f"het diagram is groter dan {MAX_DIAGRAM_BYTES // (1024 * 1024)} MB")])
    try:
        return bpmn.decode("utf-8")
    except UnicodeDecodeError:
        raise UploadRefused([Problem("het diagram is niet in UTF-8 opgeslagen; sla het op als UTF-8")]) from None


def new_draft(session: Session, forms: FormCatalog, actor: Actor, policy: Policy, *, definition_id: int,
              now, bpmn: bytes | None = None, filename: str | None = None) -> tuple[ProcessDraft, CheckResult]:
    """A draft from an uploaded file (refused, storing nothing, when it is not usable BPMN or holds
    elements that would change execution), or from the published version when no file is given."""
    definition = managed_definition(session, actor, policy, definition_id, attempted="draft_create", now=now)
    if bpmn is None:
        published = definition.published_version
        if published is None:
            raise UploadRefused([Problem("deze route heeft nog geen versie om van uit te gaan; upload een diagram")])
        text, filename = published.bpmn_xml, published.source_filename
    else:
        text = _as_text(bpmn)
        problems = structural_problems(bpmn)
        if problems:
            raise UploadRefused(problems)
    draft = ProcessDraft(
        definition_id=definition.id, school_id=definition.school_id, board_id=definition.board_id,
        base_version_id=definition.published_version_id, bpmn_xml=text, source_filename=filename,
        revision=1, created_by_id=actor.user_id, created_at=now, updated_by_id=actor.user_id, updated_at=now,
    )
    session.add(draft)
    session.flush()
    result = check_diagram(text.encode("utf-8"), forms)
    record_audit(session, "diagram.draft_create", actor=actor, at=now, **_audited(definition, {
        "route": definition.route_key, "draft_id": draft.id, "uploaded": bpmn is not None,
        "filename": filename, "errors": len(result.errors), "warnings": len(result.warnings)}))
    session.commit()
    return draft, result


def new_board_draft(session: Session, forms: FormCatalog, actor: Actor, policy: Policy, *, board_id: int,
                    from_definition_id: int, now) -> tuple[ProcessDraft, CheckResult]:
    """A draft of the board's route for the key of a school's route of the board, starting from that
    school's published version (the board's route is made the first time). Published, it reaches
    the schools of the board that have no route of that key of their own."""
    board_schools = school_ids_of_board(session, board_id)
    if not board_schools:
        raise NotAllowedHere(board_id)
    if not policy.may_for_board(Action.MANAGE_DIAGRAMS, board_schools):
        record_audit(session, "diagram.refused", actor=actor, at=now, school_id=None,
                     detail={"attempted": "board_draft_create", "board_id": board_id})
        session.commit()
        raise NotAllowedHere(board_id)
    source = session.get(ProcessDefinition, from_definition_id)
    if source is None or source.school_id not in board_schools or source.published_version is None:
        raise UploadRefused([Problem("kies een gepubliceerde route van een school van dit bestuur om van uit te gaan")])
    definition = session.scalar(select(ProcessDefinition).where(ProcessDefinition.board_id == board_id,
                                                                ProcessDefinition.route_key == source.route_key))
    if definition is None:
        definition = ProcessDefinition(board_id=board_id, route_key=source.route_key, name=source.name)
        session.add(definition)
        session.flush()
    published = source.published_version
    draft = ProcessDraft(
        definition_id=definition.id, board_id=board_id, base_version_id=definition.published_version_id,
        bpmn_xml=published.bpmn_xml, source_filename=published.source_filename, revision=1,
        created_by_id=actor.user_id, created_at=now, updated_by_id=actor.user_id, updated_at=now,
    )
    session.add(draft)
    session.flush()
    result = check_diagram(published.bpmn_xml.encode("utf-8"), forms)
    record_audit(session, "diagram.draft_create", actor=actor, at=now, **_audited(definition, {
        "route": definition.route_key, "draft_id": draft.id, "uploaded": False, "from_definition_id": source.id,
        "from_version": published.number, "errors": len(result.errors), "warnings": len(result.warnings)}))
    session.commit()
    return draft, result


def save_draft(session: Session, forms: FormCatalog, actor: Actor, policy: Policy, *, draft_id: int,
               bpmn: bytes, revision: int, now, autosave: bool = False) -> tuple[ProcessDraft, CheckResult]:
    """Store the editor's diagram if nobody saved since `revision`; answer with the server's problems."""
    draft = managed_draft(session, actor, policy, draft_id, attempted="draft_save", now=now)
    text = _as_text(bpmn)
    unreadable = _not_bpmn(bpmn)
    if unreadable:
        raise UploadRefused(unreadable)
    saved = session.execute(
        update(ProcessDraft)
        .where(ProcessDraft.id == draft.id, ProcessDraft.revision == revision)
        .values(bpmn_xml=text, revision=ProcessDraft.revision + 1, updated_by_id=actor.user_id, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if saved != 1:
        session.rollback()
        raise DraftConflict(managed_draft(session, actor, policy, draft_id, attempted="draft_save", now=now))
    result = check_diagram(bpmn, forms)
    record_audit(session, "diagram.draft_save", actor=actor, at=now, **_audited(draft, {
        "draft_id": draft.id, "revision": revision + 1, "autosave": autosave, "errors": len(result.errors)}))
    session.commit()
    return managed_draft(session, actor, policy, draft_id, attempted="draft_save", now=now), result


def _not_bpmn(bpmn: bytes) -> list[Problem]:
    """Not even a BPMN document: nothing worth keeping as a draft."""
    try:
        root = parse_untrusted_xml(bpmn).getroot()
    except DiagramRejected as rejected:
        return rejected.problems
    if root.tag != f"{{{BPMN_NS}}}definitions":
        return [Problem("geen BPMN 2.0-diagram (verwacht bpmn:definitions)", line=root.sourceline)]
    return []


def publish_draft(session: Session, forms: FormCatalog, actor: Actor, policy: Policy, *, draft_id: int,
                  revision: int, note: str, now) -> ProcessVersion:
    """The draft becomes the route's next version (forms frozen with it), published for new cases."""
    note = (note or "").strip()
    draft = managed_draft(session, actor, policy, draft_id, attempted="publish", now=now)
    if draft.revision != revision:
        raise DraftConflict(draft)
    if not note:
        raise PublishRefused("schrijf bij het publiceren kort op wat er verandert (wijzigingsnotitie)")
    if len(note) > MAX_NOTE_LENGTH:
        raise PublishRefused(f"de wijzigingsnotitie is langer dan {MAX_NOTE_LENGTH} tekens")
    definition = session.scalar(select(ProcessDefinition).where(ProcessDefinition.id == draft.definition_id)
                                .with_for_update())
    try:
        version = import_version(session, definition, draft.bpmn_xml.encode("utf-8"),
                                 filename=draft.source_filename or f"{definition.route_key}.bpmn", forms=forms,
                                 now=now, actor_id=actor.user_id, comment=note)
    except DiagramRejected as rejected:
        session.rollback()
        raise PublishRefused("het concept heeft nog fouten; los ze op voordat u publiceert",
                             rejected.problems) from None
    session.delete(draft)
    record_audit(session, "diagram.publish", actor=actor, at=now, **_audited(definition, {
        "route": definition.route_key, "version": version.number, "draft_id": draft_id}))
    session.commit()
    return version


def publish_file(session: Session, forms: FormCatalog, actor: Actor, *, definition: ProcessDefinition,
                 bpmn: bytes, filename: str, note: str, now) -> ProcessVersion:
    """Publish a file directly (the command line, for administrators): same checks, same audit."""
    note = (note or "").strip()
    if not note:
        raise PublishRefused("geef een wijzigingsnotitie (--note)")
    session.scalar(select(ProcessDefinition.id).where(ProcessDefinition.id == definition.id).with_for_update())
    try:
        version = import_version(session, definition, bpmn, filename=filename, forms=forms, now=now,
                                 actor_id=actor.user_id, comment=note)
    except DiagramRejected:
        session.rollback()
        raise
    record_audit(session, "diagram.publish", actor=actor, at=now, **_audited(definition, {
        "route": definition.route_key, "version": version.number, "filename": filename}))
    session.commit()
    return version


@dataclass(frozen=True)
class Export:
    filename: str
    bpmn_xml: str
    forms: dict[str, str]


def export_version(session: Session, actor: Actor, version: ProcessVersion, now) -> Export:
    """A version's diagram and frozen forms, for download; audited."""
    definition = version.definition
    catalog = forms_of_version(session, version.id)
    forms = {key: catalog.source(key) for key in catalog.keys()}
    record_audit(session, "diagram.export", actor=actor, at=now, **_audited(definition, {
        "route": definition.route_key, "version": version.number}))
    session.commit()
    return Export(f"{definition.route_key}-v{version.number}.bpmn", version.bpmn_xml, forms)
