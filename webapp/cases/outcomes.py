"""How a closed case was handled, and which steps are meldingen: read from the diagram.

A diagram says both itself: `meldroute:outcome="…"` on an end event (one of `OutcomeKind`, the
engine refuses others) and `meldroute:melding="true"` on the user task where the melding to
Veilig Thuis / AMK is made. The case layer files a case once, when it closes (`cases.outcome_kind`),
and marks each task row (`case_tasks.melding`), so the monitor counts indexed columns and never
reads a workflow.

Versions stored before the attributes existed lack them; their cases still count through the
fallbacks below: the end event's label (the patterns) and the "melding doen" steps of the shipped
variants (`LEGACY_MELDING_ELEMENTS`). Acute danger wins over every other category: the case was
handled as an emergency, whatever the end. A case in which a melding was made is a melding, unless
it left the meldcode (a staff member).
"""
from __future__ import annotations

import re

from webapp.outcome_kinds import OutcomeKind

# The "melding doen" step of the shipped variants before `meldroute:melding` (basismodel, Oostpoort,
# Symbio: Stap5b_Melden; Fedra: Melding_Doen; fasenmodel: Fase3_MeldingAMK). Only for stored
# versions whose diagram marks no melding step itself; migration 0011 marked their task rows so.
LEGACY_MELDING_ELEMENTS = frozenset({"Stap5b_Melden", "Melding_Doen", "Fase3_MeldingAMK"})

_OUTSIDE = re.compile(r"medewerker|personeelslid|meldplicht|aangifteplicht|schoolbestuur", re.I)
_UNFOUNDED = re.compile(r"ongegrond|ontkracht|geen zorgen|geen actie|andere oorzaak|niet gestart|"
                        r"geen stappenplan|niet op huiselijk", re.I)
_MELDING = re.compile(r"\bgemeld\b|\bmelding\b.*\bgedaan\b", re.I)
_EXPIRED = re.compile(r"verstreken", re.I)
_HELP = re.compile(r"hulp|nazorg|reguliere besprekingen", re.I)


def is_melding_step(element_id: str, *, marked: bool, diagram_marks_meldingen: bool) -> bool:
    """Whether completing this user task is a melding: the diagram's mark; for a diagram that
    marks no step at all (a version stored before the attribute), the legacy list."""
    return marked or (not diagram_marks_meldingen and element_id in LEGACY_MELDING_ELEMENTS)


def recorded_step_is_melding(step: dict) -> bool:
    """For a step of a destroyed dossier's anonymous record (`CaseStatistics.steps`); records
    written before the mark was kept fall back to the legacy list."""
    return bool(step.get("melding", step.get("element") in LEGACY_MELDING_ELEMENTS))


def classify_outcome(end_label: str, *, declared: str | None = None, acute: bool, reported: bool) -> str:
    """`declared`: the `meldroute:outcome` of the end event reached last, None when it has none."""
    if acute:
        return OutcomeKind.ACUTE
    if declared is not None:
        return OutcomeKind.MELDING if reported and declared != OutcomeKind.OUTSIDE else declared
    return _classify_label(end_label, reported=reported)


def _classify_label(end_label: str, *, reported: bool) -> str:
    if _OUTSIDE.search(end_label):
        return OutcomeKind.OUTSIDE
    if reported or _MELDING.search(end_label):
        return OutcomeKind.MELDING
    if _UNFOUNDED.search(end_label):
        return OutcomeKind.UNFOUNDED
    if _EXPIRED.search(end_label):
        return OutcomeKind.OTHER
    if _HELP.search(end_label):
        return OutcomeKind.HELP
    return OutcomeKind.OTHER
