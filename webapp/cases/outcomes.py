"""How a closed case was handled, in the categories of the texts' *interne evaluatie*.

The diagrams end in many differently worded end events; the yearly figures need a few fixed
categories. The case layer classifies a case once, when it closes (`cases.outcome_kind`), so the
monitor counts an indexed column and never reads a workflow.

A melding (a formal report to Veilig Thuis / AMK) is the completion of one of the user tasks in
`MELDING_ELEMENTS`: the step "melding doen" of each shipped variant. Acute danger wins over every
other category: the case was handled as an emergency, whatever the end.
"""
from __future__ import annotations

import re


class OutcomeKind:
    UNFOUNDED = "ongegrond"
    HELP = "hulp"
    MELDING = "melding"
    ACUTE = "acuut"
    OUTSIDE = "buiten_meldcode"  # signals about a staff member: meld- en aangifteplicht
    OTHER = "anders"  # a term expired, the pupil moved to another school …


OUTCOME_LABELS = {
    OutcomeKind.UNFOUNDED: "Vermoeden ongegrond / geen zorgen",
    OutcomeKind.HELP: "Hulp georganiseerd",
    OutcomeKind.MELDING: "Melding gedaan",
    OutcomeKind.ACUTE: "Acuut gevaar",
    OutcomeKind.OUTSIDE: "Buiten de meldcode (medewerker)",
    OutcomeKind.OTHER: "Anders afgesloten",
}

# The "melding doen" step of the shipped variants (basismodel, Oostpoort, Symbio: Stap5b_Melden;
# Fedra: Melding_Doen; fasenmodel: Fase3_MeldingAMK). A new variant names its own here.
MELDING_ELEMENTS = frozenset({"Stap5b_Melden", "Melding_Doen", "Melding_Direct", "Fase3_MeldingAMK"})

_OUTSIDE = re.compile(r"medewerker|personeelslid|meldplicht|aangifteplicht|schoolbestuur", re.I)
_UNFOUNDED = re.compile(r"ongegrond|ontkracht|geen zorgen|geen actie|andere oorzaak|niet gestart|"
                        r"geen stappenplan|niet op huiselijk", re.I)
_MELDING = re.compile(r"\bgemeld\b|\bmelding\b.*\bgedaan\b", re.I)
_EXPIRED = re.compile(r"verstreken", re.I)
_HELP = re.compile(r"hulp|nazorg|reguliere besprekingen", re.I)


def classify_outcome(end_label: str, *, acute: bool, reported: bool) -> str:
    if acute:
        return OutcomeKind.ACUTE
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
