"""who else may work a task, and who never: `meldroute:alsoLanes` and `meldroute:neverBy`

Revision ID: 0013
Revises: 0014
Create Date: 2026-12-04

`case_tasks.also_lanes` holds the lanes (besides the task's own) whose roles may work the task,
as ";leerkracht;intern_begeleider;" (empty: only its own lane). The acute meeting of teacher,
IB'er and director is in each of their task lists. Existing tasks keep their own lane only: they
run on the version of the diagram their case started on, which names no other lanes.
`case_tasks.never_by`, in the same form: whoever did a task of those lanes in the case (holding
that lane's role) or reported the case may not do this one — the coordinator of step 2 is never
the pupil's teacher.
"""
import sqlalchemy as sa
from alembic import op

from webapp.migrations.helpers import foreign_keys_on_sqlite

revision = '0013'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    foreign_keys_on_sqlite(False)  # SQLite rebuilds the table; other rows point at it
    with op.batch_alter_table('case_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('also_lanes', sa.String(length=200), server_default=sa.text("''"),
                                      nullable=False))
        batch_op.add_column(sa.Column('never_by', sa.String(length=200), server_default=sa.text("''"),
                                      nullable=False))
    foreign_keys_on_sqlite(True)


def downgrade() -> None:
    foreign_keys_on_sqlite(False)
    with op.batch_alter_table('case_tasks', schema=None) as batch_op:
        batch_op.drop_column('never_by')
        batch_op.drop_column('also_lanes')
    foreign_keys_on_sqlite(True)
