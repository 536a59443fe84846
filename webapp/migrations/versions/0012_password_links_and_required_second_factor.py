"""password links (reset and first password), a school may require the second factor

Revision ID: 0012
Revises: 0015
Create Date: 2026-12-04

`password_links`: a one-time, expiring link to set a password — "Wachtwoord vergeten", or the
first password of an account a beheerder made. Only the token's hash is kept.
`schools.second_factor_required`: the school's coordinators and directors must use TOTP.
"""
import sqlalchemy as sa
from alembic import op

from webapp.db import UTCDateTime
from webapp.migrations.helpers import foreign_keys_on_sqlite

revision = '0012'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'password_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('purpose', sa.String(length=20), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('expires_at', UTCDateTime(), nullable=False),
        sa.Column('used_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_links_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_password_links')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_password_links_token_hash')),
    )
    op.create_index(op.f('ix_password_links_user_id'), 'password_links', ['user_id'], unique=False)
    foreign_keys_on_sqlite(False)
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.add_column(sa.Column('second_factor_required', sa.Boolean(), server_default=sa.text('false'),
                                      nullable=False))
    foreign_keys_on_sqlite(True)


def downgrade() -> None:
    foreign_keys_on_sqlite(False)
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.drop_column('second_factor_required')
    foreign_keys_on_sqlite(True)
    op.drop_index(op.f('ix_password_links_user_id'), table_name='password_links')
    op.drop_table('password_links')
