"""Every mapped class, imported once so metadata (and Alembic) sees the whole schema."""
from webapp.audit.models import AuditEntry
from webapp.auth.models import Membership, User
from webapp.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseNote,
    CaseState,
    CaseTask,
    CaseTimer,
)
from webapp.db import Base
from webapp.definitions.models import (
    ProcessDefinition,
    ProcessDraft,
    ProcessVersion,
    ProcessVersionForm,
)
from webapp.notifications.models import Notification, OutboxMail
from webapp.schools.models import Board, Pupil, School

__all__ = [
    "Attachment", "AuditEntry", "Base", "Board", "Case", "CaseEvent", "CaseNote", "CaseState",
    "CaseTask", "CaseTimer", "Membership", "Notification", "OutboxMail", "ProcessDefinition",
    "ProcessDraft", "ProcessVersion", "ProcessVersionForm", "Pupil", "School", "User",
]
