"""What the diagram pages show: a school's routes with their versions and drafts, as a reader may see them.

Every member of a school sees its published diagrams; only those who may manage diagrams see the
drafts and the whole history. Another school's route or draft is not found (404), like a case.
A board's routes (board-wide variants) are seen by the members of its schools and managed by
whom the policy allows at every school of the board (`Policy.may_for_board`).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.auth.policy import Action, Policy
from webapp.definitions.models import ProcessDefinition, ProcessDraft, ProcessVersion
from webapp.definitions.version_forms import forms_of_version
from webapp.forms.catalog import FormCatalog
from webapp.modeler.form_changes import FormChange, form_changes
from webapp.schools.models import Board, School
from webapp.schools.service import school_ids_of_board

# A route or draft belongs to a school or to a board: both rows carry `school_id` and `board_id`.
RouteOwned = ProcessDefinition | ProcessDraft


@dataclass(frozen=True)
class RouteView:
    definition: ProcessDefinition
    owner_name: str  # the school's name, or the board's for a board-wide route
    may_manage: bool
    versions: list[ProcessVersion]
    drafts: list[ProcessDraft]


@dataclass(frozen=True)
class BoardRoutes:
    """A board's section of the index: its routes, and (for who may manage them) the schools'
    routes a board-wide route can start from."""
    board: Board
    may_manage: bool
    routes: list[RouteView]
    school_routes: list[ProcessDefinition]


def owner_school_ids(session: Session, owned: RouteOwned) -> list[int]:
    """The schools a route (or draft) reaches: its school, or every school of its board."""
    return [owned.school_id] if owned.school_id is not None else school_ids_of_board(session, owned.board_id)


def owner_name(session: Session, owned: RouteOwned) -> str:
    if owned.school_id is not None:
        return session.get(School, owned.school_id).name
    return f"Bestuur {session.get(Board, owned.board_id).name}"


def may_manage(session: Session, policy: Policy, owned: RouteOwned) -> bool:
    if owned.school_id is not None:
        return policy.may_at_school(Action.MANAGE_DIAGRAMS, owned.school_id)
    return policy.may_for_board(Action.MANAGE_DIAGRAMS, school_ids_of_board(session, owned.board_id))


def visible_definition(session: Session, policy: Policy, definition_id: int) -> ProcessDefinition | None:
    definition = session.get(ProcessDefinition, definition_id)
    if definition is None or not any(policy.roles_at(s) for s in owner_school_ids(session, definition)):
        return None
    return definition


def route_view(session: Session, policy: Policy, definition: ProcessDefinition) -> RouteView:
    manages = may_manage(session, policy, definition)
    published = definition.published_version
    versions = list(reversed(definition.versions)) if manages else ([published] if published else [])
    drafts = list(session.scalars(select(ProcessDraft).where(ProcessDraft.definition_id == definition.id)
                                  .order_by(ProcessDraft.updated_at.desc()))) if manages else []
    return RouteView(definition, owner_name(session, definition), manages, versions, drafts)


def school_routes(session: Session, policy: Policy) -> list[RouteView]:
    definitions = session.scalars(
        select(ProcessDefinition).where(ProcessDefinition.school_id.in_(policy.school_ids))
        .order_by(ProcessDefinition.school_id, ProcessDefinition.route_key)
    )
    return [route_view(session, policy, d) for d in definitions]


def board_routes(session: Session, policy: Policy) -> list[BoardRoutes]:
    """The boards of the reader's schools that have routes, or that the reader may make routes for."""
    boards = session.scalars(select(Board).where(Board.id.in_(
        select(School.board_id).where(School.id.in_(policy.school_ids)))).order_by(Board.name))
    sections = []
    for board in boards:
        schools = school_ids_of_board(session, board.id)
        manages = policy.may_for_board(Action.MANAGE_DIAGRAMS, schools)
        routes = [route_view(session, policy, d) for d in session.scalars(
            select(ProcessDefinition).where(ProcessDefinition.board_id == board.id)
            .order_by(ProcessDefinition.route_key))]
        starting_points = list(session.scalars(
            select(ProcessDefinition).where(ProcessDefinition.school_id.in_(schools),
                                            ProcessDefinition.published_version_id.is_not(None))
            .order_by(ProcessDefinition.school_id, ProcessDefinition.route_key))) if manages else []
        if routes or manages:
            sections.append(BoardRoutes(board, manages, routes, starting_points))
    return sections


def owner_variants(session: Session, owned: RouteOwned) -> list[str]:
    """The meldcode variants of the schools a route reaches (their forms are the panel's choice)."""
    return sorted(set(session.scalars(select(School.variant).where(
        School.id.in_(owner_school_ids(session, owned))))))


def school_forms(forms: FormCatalog, school: School, also: frozenset[str] = frozenset()) -> list[dict]:
    """The forms the panel offers for a school's user tasks (see `route_forms`)."""
    return route_forms(forms, [school.variant], also)


def route_forms(forms: FormCatalog, variants: list[str], also: frozenset[str] = frozenset()) -> list[dict]:
    """The forms the panel offers for a route's user tasks: those of its schools' variants, plus
    any the diagram already uses; each with its fields (for deadlines and gateway conditions)."""
    prefixes = tuple(f"{variant}/" for variant in variants)
    keys = sorted({k for k in forms.keys() if k.startswith(prefixes)} | {k for k in also if forms.has_form(k)})
    result = []
    for key in keys:
        form = forms.get(key)
        result.append({
            "key": key, "titel": form.title,
            "velden": [{"naam": f.name, "label": f.label, "type": f.type,
                        "opties": [{"waarde": o.value, "label": o.label} for o in (f.options or ())]}
                       for f in form.fields],
        })
    return result


def version_form_changes(session: Session, definition: ProcessDefinition, old_number: int,
                         new_number: int) -> list[FormChange]:
    """What changed in the forms the two versions froze (the diff page lists it below the diagram's)."""
    ids = {v.number: v.id for v in definition.versions}
    return form_changes(forms_of_version(session, ids[old_number]), forms_of_version(session, ids[new_number]))
