"""deadline notices once per task, kind, recipient and due date

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30

When a task's due date moves (a re-agreed term) its notices are due again for the new date, so
the uniqueness of a deadline notice includes the due date it was about (`task_due_at`). Existing
notices get their task's current due date.
"""
import sqlalchemy as sa
from alembic import op

import webapp.db
from webapp.migrations.helpers import foreign_keys_on_sqlite

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    foreign_keys_on_sqlite(False)
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('task_due_at', webapp.db.UTCDateTime(), nullable=True))
    op.execute("UPDATE notifications SET task_due_at = "
               "(SELECT case_tasks.due_at FROM case_tasks WHERE case_tasks.id = notifications.case_task_id) "
               "WHERE case_task_id IS NOT NULL")
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_notifications_case_task_id_kind_user_id'), type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_notifications_case_task_id_kind_user_id_task_due_at'),
            ['case_task_id', 'kind', 'user_id', 'task_due_at'])
    foreign_keys_on_sqlite(True)


def downgrade() -> None:
    foreign_keys_on_sqlite(False)
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_notifications_case_task_id_kind_user_id_task_due_at'),
                                 type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_notifications_case_task_id_kind_user_id'), ['case_task_id', 'kind', 'user_id'])
        batch_op.drop_column('task_due_at')
    foreign_keys_on_sqlite(True)
