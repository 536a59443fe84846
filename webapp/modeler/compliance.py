"""Compliance hints: the diagram compared with the 2019 legal basismodel of the meldcode.

Warnings, never errors: a school's own text is its diagram (see the domain notes), and these hints
read what the diagram says — element names, guidance, gateways, the acute-danger signal — so a
policy owner sees what the improved model asks that their route may be missing. A school still on
the old 5a/5b model (before 1 January 2019) is told what to update.
"""
from __future__ import annotations

import re

from webapp.engine import ACUTE_DANGER_SIGNAL, CompiledProcess, Problem

OLD_MODEL = re.compile(r"\b5\s?[ab]\b", re.IGNORECASE)
OLD_NAMES = re.compile(r"\bAMK\b|\bSHG\b")
WEIGHING = re.compile(r"afweg", re.IGNORECASE)
STAFF = re.compile(r"medewerker", re.IGNORECASE)
UNFOUNDED = re.compile(r"ongegrond", re.IGNORECASE)
DESTROYED = re.compile(r"vernietig", re.IGNORECASE)


def _hint(message: str, element_id: str | None = None, line: int | None = None) -> Problem:
    return Problem(message, element_id, line, severity="warning")


def _text(element) -> str:
    return f"{element.name}\n{element.documentation}"


def compliance_hints(compiled: CompiledProcess) -> list[Problem]:
    elements = list(compiled.elements.values())
    hints: list[Problem] = []

    # 5a/5b names alone are no problem when both can happen (an inclusive gateway), as in the
    # basismodel variant itself; "5a *or* 5b" is the old model.
    both = any(e.kind == "inclusiveGateway" for e in elements)
    old = [e for e in elements if OLD_MODEL.search(e.name)] if not both else []
    if old:
        hints.append(_hint(
            "oud model (vóór 2019): stap 5 is hier 'hulp organiseren (5a) óf melden (5b)'. Sinds 1 januari "
            "2019 zijn het twee beslissingen — is melden noodzakelijk? en is hulp (ook) mogelijk? — die samen "
            "kunnen gelden: teken ze met een inclusieve gateway.",
            old[0].id, old[0].line))
    elif not both:
        hints.append(_hint(
            "stap 5 kent sinds 2019 twee beslissingen (melden noodzakelijk? hulp mogelijk?) die samen kunnen "
            "gelden: teken ze met een inclusieve gateway, zodat melden én hulp tegelijk kan."))

    old_names = [e for e in elements if OLD_NAMES.search(e.name)]
    if old_names:
        hints.append(_hint(
            f"'{old_names[0].label}' noemt het AMK of SHG: die gingen op 1 januari 2015 op in Veilig Thuis "
            "(0800-2000); pas de namen aan.", old_names[0].id, old_names[0].line))

    if not any(WEIGHING.search(_text(e)) for e in elements):
        hints.append(_hint(
            "het afwegingskader is verplicht: geen stap noemt het. De vijf afwegingsvragen (vermoeden? acute of "
            "structurele onveiligheid? effectieve hulp mogelijk? hulp aanvaard? resultaat bereikt?) horen in "
            "een stap met formulier, met bij twijfel over de veiligheid direct melden."))

    # Interrupting or not (a non-interrupting one lets an advice-only emergency resume the plan):
    # what matters is that acute danger can be raised from every step of it.
    acute = [e for e in elements if e.kind == "boundaryEvent" and e.signal_name == ACUTE_DANGER_SIGNAL
             and compiled.elements.get(e.attached_to or "")
             and compiled.elements[e.attached_to].kind == "subProcess"]
    if not acute:
        hints.append(_hint(
            "acuut gevaar moet op elk moment van het stappenplan kunnen worden gemeld: zet het stappenplan in "
            "een subproces met op de rand een signaalgebeurtenis 'Acuut gevaar' (signaal acuut_gevaar)."))
    else:
        plan = {e.attached_to for e in acute}
        # The acute route's own steps and the duty about a staff member belong outside the plan.
        outside = [e for e in elements if e.kind == "userTask" and not _inside(compiled, e, plan)
                   and not _after_acute(e, acute) and not STAFF.search(e.name)]
        if outside:
            hints.append(_hint(
                f"stap '{outside[0].label}' ligt buiten het subproces waarin acuut gevaar kan worden gemeld; "
                "vanuit die stap is de acute route niet bereikbaar.", outside[0].id, outside[0].line))

    if not any(STAFF.search(e.name) for e in elements if e.kind.endswith("Gateway") or e.kind == "userTask"):
        hints.append(_hint(
            "signalen over een medewerker vallen buiten het stappenplan (meld- en aangifteplicht: direct naar "
            "het bestuur): geen gateway of stap vraagt ernaar."))

    unfounded = [e for e in elements if UNFOUNDED.search(e.name)]
    if not unfounded:
        hints.append(_hint(
            "een ongegrond vermoeden: sluit af en vernietig de werkaantekeningen (bewaar alleen wat de bewaartermijn "
            "vraagt); geen stap regelt dat."))
    elif not any(DESTROYED.search(_text(e)) for e in unfounded):
        hints.append(_hint(
            "bij een ongegrond vermoeden horen de werkaantekeningen te worden vernietigd: zeg dat in de handreiking "
            "van deze stap.", unfounded[0].id, unfounded[0].line))
    return hints


def _inside(compiled: CompiledProcess, element, subprocess_ids: set[str]) -> bool:
    parent = element.parent_id
    while parent:
        if parent in subprocess_ids:
            return True
        info = compiled.elements.get(parent)
        parent = info.parent_id if info else None
    return False


def _after_acute(element, acute) -> bool:
    """The acute route's own steps (and aftercare) follow the boundary event, outside the plan."""
    return bool(re.search(r"acuut|nood|crisis|politie", element.name, re.IGNORECASE))
