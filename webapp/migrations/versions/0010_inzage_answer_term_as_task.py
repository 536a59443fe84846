"""the inzage answer term as a task: due moment, deadline notice stamps, answer, board requests

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-03

An inzage request's one-month term is tracked like a workflow task: `due_at` (the end of `due_on`
in school time), the stamps of its reminder, expiry notice and escalation, and how it was answered
(given, or refused with a reason). `addressed_to_board`: recorded by a board member, to whom a
parent turned as the controller. Notifications may be about an inzage request, once per request,
kind, recipient and due date (as for a task). Existing requests get the end of their `due_on`.
"""
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

import webapp.db
from webapp.migrations.helpers import foreign_keys_on_sqlite

revision = '0010'
down_revision = '0008'
branch_labels = None
depends_on = None

SCHOOL_TIMEZONE = ZoneInfo("Europe/Amsterdam")  # as webapp/clock.py: a migration keeps its own copy


def upgrade() -> None:
    foreign_keys_on_sqlite(False)  # SQLite rebuilds both tables; other rows point at them
    with op.batch_alter_table('inzage_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_at', webapp.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('reminder_sent_at', webapp.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('expiry_notified_at', webapp.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('escalated_at', webapp.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('addressed_to_board', sa.Boolean(), server_default=sa.text('false'),
                                      nullable=False))
        batch_op.add_column(sa.Column('answer', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('refusal_reason', sa.Text(), nullable=True))
    bind = op.get_bind()
    requests = sa.table('inzage_requests', sa.column('id', sa.Integer()), sa.column('due_on', sa.Date()),
                        sa.column('due_at', webapp.db.UTCDateTime()), sa.column('answered_at', webapp.db.UTCDateTime()),
                        sa.column('answer', sa.String()))
    for row in bind.execute(sa.select(requests.c.id, requests.c.due_on)).all():
        end = datetime.combine(row.due_on + timedelta(days=1), time(0), SCHOOL_TIMEZONE).astimezone(UTC)
        bind.execute(requests.update().where(requests.c.id == row.id).values(due_at=end))
    # Answered before answers had a kind: the inzage was given (refusing was not possible).
    bind.execute(requests.update().where(requests.c.answered_at.is_not(None)).values(answer='verstrekt'))
    with op.batch_alter_table('inzage_requests', schema=None) as batch_op:
        batch_op.alter_column('due_at', existing_type=webapp.db.UTCDateTime(), nullable=False)
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('inzage_request_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notifications_inzage_request_id_inzage_requests'),
                                    'inzage_requests', ['inzage_request_id'], ['id'])
        batch_op.create_unique_constraint(
            batch_op.f('uq_notifications_inzage_request_id_kind_user_id_task_due_at'),
            ['inzage_request_id', 'kind', 'user_id', 'task_due_at'])
    foreign_keys_on_sqlite(True)


def downgrade() -> None:
    foreign_keys_on_sqlite(False)
    op.execute("DELETE FROM outbox_mails WHERE notification_id IN "
               "(SELECT id FROM notifications WHERE inzage_request_id IS NOT NULL)")
    op.execute("DELETE FROM notifications WHERE inzage_request_id IS NOT NULL")
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_notifications_inzage_request_id_kind_user_id_task_due_at'),
                                 type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_notifications_inzage_request_id_inzage_requests'),
                                 type_='foreignkey')
        batch_op.drop_column('inzage_request_id')
    with op.batch_alter_table('inzage_requests', schema=None) as batch_op:
        for column in ('refusal_reason', 'answer', 'addressed_to_board', 'escalated_at', 'expiry_notified_at',
                       'reminder_sent_at', 'due_at'):
            batch_op.drop_column(column)
    foreign_keys_on_sqlite(True)
