"""a school's own calendar: its holiday region and the days off its beheerder adds

Revision ID: 0015
Revises: 0011
Create Date: 2026-12-04

Deadlines in school days (`schooldagen(n)`) skip the school holidays of the school's region
(noord, midden, zuid) and the school's own days off (study days); `werkdagen(n)` is unchanged.
Existing schools have no region yet: their school days are working days until a beheerder sets it.
"""
import sqlalchemy as sa
from alembic import op

from webapp.migrations.helpers import foreign_keys_on_sqlite

revision = '0015'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: on SQLite a batch rebuild of `schools` would trip over the rows pointing at it.
    op.add_column('schools', sa.Column('holiday_region', sa.String(length=10), nullable=True))
    op.create_table(
        'school_days_off',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('label', sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_school_days_off_school_id_schools')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_school_days_off')),
        sa.UniqueConstraint('school_id', 'day', name=op.f('uq_school_days_off_school_id_day')),
    )
    with op.batch_alter_table('school_days_off', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_school_days_off_school_id'), ['school_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('school_days_off', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_school_days_off_school_id'))
    op.drop_table('school_days_off')
    foreign_keys_on_sqlite(False)  # SQLite drops a column by rebuilding the table
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.drop_column('holiday_region')
    foreign_keys_on_sqlite(True)
