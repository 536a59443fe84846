"""How a closed case was handled, in the categories of the texts' *interne evaluatie*.

The vocabulary of `meldroute:outcome` on a diagram's end events: the engine's import checks
refuse any other value, the case layer files each closed case under one (`cases.outcome_kind`,
see `webapp/cases/outcomes.py`), and the monitor counts them.
"""
from __future__ import annotations


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
OUTCOME_KINDS = frozenset(OUTCOME_LABELS)
