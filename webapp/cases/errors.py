"""What can stop a change of a case, in one place: pages answer each with a Dutch message,
the API with a status code (see `webapp/api/views.py`)."""
from __future__ import annotations

import math


class CaseError(Exception):
    pass


class CaseNotFound(CaseError, LookupError):
    """No such case or task — or one this user may not even see (indistinguishable on purpose)."""


class CaseBusy(CaseError):
    """Another worker holds the case right now (asked not to wait): try it later."""


class NotAllowed(CaseError):
    """The policy refuses this change to this user, decided under the case lock."""

    def __init__(self, message: str = "U mag dit in deze zaak niet doen."):
        super().__init__(message)
        self.message = message


class TaskTaken(NotAllowed):
    """A colleague holds (claimed) the task: only they, or a coordinator releasing it, go on."""

    def __init__(self, holder: str | None = None):
        who = f"door {holder} " if holder else "door een collega "
        super().__init__(f"Deze taak is intussen {who}opgepakt; er is niets gewijzigd.")
        self.holder = holder


class TaskAlreadyDone(CaseError):
    """The task was completed (or cancelled) before this submission got its turn."""

    def __init__(self, task_id: int, status: str):
        super().__init__(f"taak {task_id} is al {status}")
        self.task_id = task_id
        self.status = status


class InvalidSubmission(CaseError):
    """The input has errors per field (Dutch messages). `kept` holds what was stored anyway: the
    values of a task form whose uploads were kept with the task's draft, so nothing is chosen twice."""

    def __init__(self, errors: dict[str, list[str]], kept: dict | None = None):
        super().__init__("formulier bevat fouten")
        self.errors = errors
        self.kept = kept


class DraftTooLarge(CaseError):
    """A draft larger than `DRAFT_MAX_KB`: refused whole, the draft stored before stays as it was."""

    def __init__(self, size: int, limit: int):
        self.message = (f"Het concept is te groot om op te slaan ({math.ceil(size / 1024)} kB; maximaal "
                        f"{limit // 1024} kB). Er is niets gewijzigd: het eerder opgeslagen concept blijft "
                        "bewaard. Maak de tekst korter of voeg lange stukken toe als bijlage.")
        super().__init__(self.message)
        self.size = size
        self.limit = limit


class NotPossibleNow(CaseError):
    """The case is in a phase where this cannot happen (closed, or not waiting for this event)."""
