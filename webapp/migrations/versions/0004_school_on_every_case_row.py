"""every row bound to a case carries the case's school

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03

Case states, timers, timeline events, notes and attachments get `school_id` (filled in from
their case), as case tasks already had: the schema can then be distributed by school, and a
school's rows are found without a join.
"""
import sqlalchemy as sa
from alembic import op

from webapp.migrations.helpers import foreign_keys_on_sqlite

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

TABLES = ('case_states', 'case_timers', 'case_events', 'case_notes', 'attachments')


def upgrade() -> None:
    foreign_keys_on_sqlite(False)
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('school_id', sa.Integer(), nullable=True))
        op.execute(f"UPDATE {table} SET school_id = (SELECT cases.school_id FROM cases WHERE cases.id = {table}.case_id)")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('school_id', existing_type=sa.Integer(), nullable=False)
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_school_id_schools'), 'schools', ['school_id'], ['id'])
    foreign_keys_on_sqlite(True)


def downgrade() -> None:
    foreign_keys_on_sqlite(False)
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_school_id_schools'), type_='foreignkey')
            batch_op.drop_column('school_id')
    foreign_keys_on_sqlite(True)
