"""retention terms, destruction with an anonymous record, inzage requests, corrections, need to know

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

A school's retention terms per data category; the anonymous statistics record a destroyed case
leaves (its case row stays, without pupil, for the audit trail); inzage requests with their
one-month term; parents' corrections beside the original; cases about a staff member; whether a
school's teachers see the whole dossier of the cases they started.
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import webapp.db
from webapp.migrations.helpers import foreign_keys_on_sqlite

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    foreign_keys_on_sqlite(False)  # `cases` is rebuilt on SQLite, and every case row points at it
    op.create_table('retention_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('term', sa.String(length=20), nullable=False),
    sa.Column('updated_at', webapp.db.UTCDateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_retention_terms_school_id_schools')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_retention_terms_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retention_terms')),
    sa.UniqueConstraint('school_id', 'category', name=op.f('uq_retention_terms_school_id_category'))
    )
    op.create_table('inzage_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('pupil_id', sa.Integer(), nullable=False),
    sa.Column('requested_by', sa.String(length=200), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', webapp.db.UTCDateTime(), nullable=False),
    sa.Column('answered_at', webapp.db.UTCDateTime(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('exports', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_inzage_requests_answered_by_id_users')),
    sa.ForeignKeyConstraint(['pupil_id'], ['pupils.id'], name=op.f('fk_inzage_requests_pupil_id_pupils')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_inzage_requests_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_inzage_requests_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inzage_requests'))
    )
    with op.batch_alter_table('inzage_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inzage_requests_pupil_id'), ['pupil_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inzage_requests_school_id'), ['school_id'], unique=False)

    op.create_table('case_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('requested_by', sa.String(length=200), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('about', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', webapp.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_corrections_case_id_cases')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_case_corrections_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_case_corrections_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_corrections'))
    )
    with op.batch_alter_table('case_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_corrections_case_id'), ['case_id'], unique=False)

    op.create_table('case_statistics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('route_key', sa.String(length=80), nullable=False),
    sa.Column('variant', sa.String(length=80), nullable=False),
    sa.Column('version_number', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=300), nullable=True),
    sa.Column('started_at', webapp.db.UTCDateTime(), nullable=False),
    sa.Column('closed_at', webapp.db.UTCDateTime(), nullable=True),
    sa.Column('destroyed_at', webapp.db.UTCDateTime(), nullable=False),
    sa.Column('acute', sa.Boolean(), nullable=False),
    sa.Column('steps', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_statistics_case_id_cases')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_case_statistics_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_statistics')),
    sa.UniqueConstraint('case_id', name=op.f('uq_case_statistics_case_id'))
    )
    with op.batch_alter_table('case_statistics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_statistics_school_id'), ['school_id'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('concerns_staff_member', sa.Boolean(), server_default=sa.text('(false)'), nullable=False))
        batch_op.add_column(sa.Column('work_notes_destroy_requested_at', webapp.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('work_notes_destroy_after', webapp.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('work_notes_destroyed_at', webapp.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('attachments_destroy_after', webapp.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('attachments_destroyed_at', webapp.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('dossier_destroy_after', webapp.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('destroyed_at', webapp.db.UTCDateTime(), nullable=True))
        batch_op.alter_column('pupil_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_cases_work_notes_destroy_after'), ['work_notes_destroy_after'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_attachments_destroy_after'), ['attachments_destroy_after'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_dossier_destroy_after'), ['dossier_destroy_after'], unique=False)

    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.add_column(sa.Column('teachers_see_whole_dossier', sa.Boolean(), server_default=sa.text('(false)'), nullable=False))
    foreign_keys_on_sqlite(True)


def downgrade() -> None:
    foreign_keys_on_sqlite(False)
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.drop_column('teachers_see_whole_dossier')

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.alter_column('pupil_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_index(batch_op.f('ix_cases_dossier_destroy_after'))
        batch_op.drop_index(batch_op.f('ix_cases_attachments_destroy_after'))
        batch_op.drop_index(batch_op.f('ix_cases_work_notes_destroy_after'))
        batch_op.drop_column('destroyed_at')
        batch_op.drop_column('dossier_destroy_after')
        batch_op.drop_column('attachments_destroyed_at')
        batch_op.drop_column('attachments_destroy_after')
        batch_op.drop_column('work_notes_destroyed_at')
        batch_op.drop_column('work_notes_destroy_after')
        batch_op.drop_column('work_notes_destroy_requested_at')
        batch_op.drop_column('concerns_staff_member')

    with op.batch_alter_table('case_statistics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_statistics_school_id'))

    op.drop_table('case_statistics')
    with op.batch_alter_table('case_corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_corrections_case_id'))

    op.drop_table('case_corrections')
    with op.batch_alter_table('inzage_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inzage_requests_school_id'))
        batch_op.drop_index(batch_op.f('ix_inzage_requests_pupil_id'))

    op.drop_table('inzage_requests')
    op.drop_table('retention_terms')
    foreign_keys_on_sqlite(True)
