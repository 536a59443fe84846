"""task rows record whether completing them is a melding (meldroute:melding on the diagram)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04

`case_tasks.melding`: the monitor counts meldingen to Veilig Thuis / AMK by this column instead
of a hard-coded list of step ids. Existing rows come from versions stored before the diagram
attribute existed: they are marked by that list (the "melding doen" step of each shipped variant,
`LEGACY_MELDING_ELEMENTS` in webapp/cases/outcomes.py), so their cases still count. Index: per
school, the meldingen completed in a period (dashboard and yearly figures).
"""
import sqlalchemy as sa
from alembic import op

from webapp.migrations.helpers import foreign_keys_on_sqlite

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

# A migration keeps its own copy: the list in the code may change, what was true then may not.
LEGACY_MELDING_ELEMENTS = ("Fase3_MeldingAMK", "Melding_Doen", "Stap5b_Melden")


def upgrade() -> None:
    foreign_keys_on_sqlite(False)  # SQLite rebuilds the table; other rows point at it
    with op.batch_alter_table('case_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('melding', sa.Boolean(), server_default=sa.text('false'), nullable=False))
        batch_op.create_index('ix_case_tasks_school_melding_completed', ['school_id', 'melding', 'completed_at'],
                              unique=False)
    foreign_keys_on_sqlite(True)
    case_tasks = sa.table('case_tasks', sa.column('element_id', sa.String), sa.column('melding', sa.Boolean))
    op.execute(case_tasks.update().where(case_tasks.c.element_id.in_(LEGACY_MELDING_ELEMENTS))
               .values(melding=True))


def downgrade() -> None:
    foreign_keys_on_sqlite(False)
    with op.batch_alter_table('case_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_case_tasks_school_melding_completed')
        batch_op.drop_column('melding')
    foreign_keys_on_sqlite(True)
