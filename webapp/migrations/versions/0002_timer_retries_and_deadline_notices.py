"""timer retries, mail retries, deadline notices once per task, kind and recipient

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30

Timers that fail to fire are retried with backoff (attempts, retry_at, last_error); outbox mails
likewise (next_attempt_at, failed_at once given up); a deadline notice (reminder, expiry,
escalation) is stored at most once per task, kind and recipient.
"""
import sqlalchemy as sa
from alembic import op

import webapp.db

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('case_timers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('retry_at', webapp.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_error', sa.Text(), nullable=True))
    with op.batch_alter_table('outbox_mails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_attempt_at', webapp.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('failed_at', webapp.db.UTCDateTime(), nullable=True))
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f('uq_notifications_case_task_id_kind_user_id'), ['case_task_id', 'kind', 'user_id'])


def downgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_notifications_case_task_id_kind_user_id'), type_='unique')
    with op.batch_alter_table('outbox_mails', schema=None) as batch_op:
        batch_op.drop_column('failed_at')
        batch_op.drop_column('next_attempt_at')
    with op.batch_alter_table('case_timers', schema=None) as batch_op:
        batch_op.drop_column('last_error')
        batch_op.drop_column('retry_at')
        batch_op.drop_column('attempts')
