"""board-wide routes: a process definition (and its drafts) belongs to a school or to a board

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-04

`process_definitions.board_id` and `process_drafts.board_id`: a route a board makes for all its
schools (a board-wide variant of the meldcode). Exactly one of `school_id` and `board_id` is set
(CHECK); a board has one route per key, as a school has. Cases are unchanged: they keep their
pupil's `school_id` and point at whichever definition's version they started on. Existing rows
are all schools' routes, so nothing needs filling in.
"""
import sqlalchemy as sa
from alembic import op

from webapp.migrations.helpers import foreign_keys_on_sqlite

revision = '0014'
down_revision = '0012'
branch_labels = None
depends_on = None

ONE_OWNER = "(school_id IS NULL) <> (board_id IS NULL)"


def upgrade() -> None:
    foreign_keys_on_sqlite(False)  # SQLite rebuilds both tables; versions and cases point at them
    with op.batch_alter_table('process_definitions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('board_id', sa.Integer(), nullable=True))
        batch_op.alter_column('school_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_process_definitions_board_id_boards'), 'boards',
                                    ['board_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_process_definitions_board_id'), ['board_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_process_definitions_board_id_route_key'),
                                          ['board_id', 'route_key'])
        batch_op.create_check_constraint('school_or_board', ONE_OWNER)
    with op.batch_alter_table('process_drafts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('board_id', sa.Integer(), nullable=True))
        batch_op.alter_column('school_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_process_drafts_board_id_boards'), 'boards',
                                    ['board_id'], ['id'])
        batch_op.create_check_constraint('school_or_board', ONE_OWNER)
    foreign_keys_on_sqlite(True)


def downgrade() -> None:
    if op.get_bind().scalar(sa.text("SELECT count(*) FROM process_definitions WHERE board_id IS NOT NULL")):
        raise RuntimeError("er zijn routes van een bestuur; die passen niet in het oude schema")
    foreign_keys_on_sqlite(False)
    op.execute("DELETE FROM process_drafts WHERE board_id IS NOT NULL")
    with op.batch_alter_table('process_drafts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_process_drafts_school_or_board'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_process_drafts_board_id_boards'), type_='foreignkey')
        batch_op.alter_column('school_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('board_id')
    with op.batch_alter_table('process_definitions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_process_definitions_school_or_board'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_process_definitions_board_id_route_key'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_process_definitions_board_id'))
        batch_op.drop_constraint(batch_op.f('fk_process_definitions_board_id_boards'), type_='foreignkey')
        batch_op.alter_column('school_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('board_id')
    foreign_keys_on_sqlite(True)
