"""the monitor's columns and indexes: progress and outcome of a case, per-school reads

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

`cases.progressed_at` (when the workflow last moved; filled from `updated_at` for existing
cases) and `cases.outcome_kind` (how a closed case was handled, see webapp.cases.outcomes; left
empty for cases closed before, which the figures count as "anders"). Indexes for the dashboard
and the yearly figures of one school, so they stay as fast with a million stored cases.
"""
import sqlalchemy as sa
from alembic import op

import webapp.db
from webapp.migrations.helpers import foreign_keys_on_sqlite

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

INDEXES = (
    ('cases', 'ix_cases_school_started', ['school_id', 'started_at']),
    ('cases', 'ix_cases_school_closed', ['school_id', 'closed_at']),
    ('cases', 'ix_cases_school_status_progressed', ['school_id', 'status', 'progressed_at']),
    ('cases', 'ix_cases_school_acute', ['school_id', 'acute_raised_at']),
    ('case_tasks', 'ix_case_tasks_school_status_due', ['school_id', 'status', 'due_at']),
    ('case_tasks', 'ix_case_tasks_school_completed', ['school_id', 'completed_at']),
    ('case_timers', 'ix_case_timers_school_status', ['school_id', 'status']),
)


def upgrade() -> None:
    foreign_keys_on_sqlite(False)
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('progressed_at', webapp.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('outcome_kind', sa.String(length=20), nullable=True))
    op.execute("UPDATE cases SET progressed_at = updated_at")
    foreign_keys_on_sqlite(True)
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for table, name, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    foreign_keys_on_sqlite(False)
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('outcome_kind')
        batch_op.drop_column('progressed_at')
    foreign_keys_on_sqlite(True)
