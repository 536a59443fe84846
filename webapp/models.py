"""Every mapped class, imported once so metadata (and Alembic) sees the whole schema."""
from webapp.audit.models import AuditEntry
from webapp.auth.models import Membership, PasswordLink, RecoveryCode, User, UserSession
from webapp.auth.throttle import LoginThrottle
from webapp.cases.models import (
    Attachment,
    Case,
    CaseCorrection,
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
from webapp.privacy.models import CaseStatistics, InzageRequest, RetentionTerm
from webapp.school_calendar.models import SchoolDayOff
from webapp.schools.models import Board, Pupil, School

__all__ = [
    "Attachment", "AuditEntry", "Base", "Board", "Case", "CaseCorrection", "CaseEvent", "CaseNote", "CaseState",
    "CaseStatistics", "CaseTask", "CaseTimer", "InzageRequest", "LoginThrottle", "Membership", "Notification",
    "OutboxMail", "PasswordLink", "ProcessDefinition", "ProcessDraft", "ProcessVersion", "ProcessVersionForm",
    "Pupil", "RecoveryCode", "RetentionTerm", "School", "SchoolDayOff", "User", "UserSession",
]
