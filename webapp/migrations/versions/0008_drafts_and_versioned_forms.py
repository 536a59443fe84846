"""diagram drafts, and the forms frozen with each process version

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03

`process_drafts` holds diagrams being edited in the modeler (with an optimistic revision).
`process_version_forms` freezes the forms a version uses: until now every case read today's
forms/ folder, so a changed form reached cases running on an older diagram. Each existing
version gets the forms it names as they are now in forms/ — the forms those cases already use.
"""
import hashlib
import os
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from lxml import etree

import webapp.db

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

MELDROUTE_NS = "https://meldroute.nl/schema/bpmn"
PROJECT_ROOT = Path(__file__).resolve().parents[3]


def upgrade() -> None:
    op.create_table('process_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('definition_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('base_version_id', sa.Integer(), nullable=True),
    sa.Column('bpmn_xml', sa.Text(), nullable=False),
    sa.Column('source_filename', sa.String(length=255), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', webapp.db.UTCDateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', webapp.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['base_version_id'], ['process_versions.id'], name=op.f('fk_process_drafts_base_version_id_process_versions')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_process_drafts_created_by_id_users')),
    sa.ForeignKeyConstraint(['definition_id'], ['process_definitions.id'], name=op.f('fk_process_drafts_definition_id_process_definitions')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_process_drafts_school_id_schools')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_process_drafts_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_drafts'))
    )
    with op.batch_alter_table('process_drafts', schema=None) as batch_op:
        batch_op.create_index('ix_process_drafts_definition', ['definition_id'], unique=False)

    forms = op.create_table('process_version_forms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('form_key', sa.String(length=200), nullable=False),
    sa.Column('source_yaml', sa.Text(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['process_versions.id'], name=op.f('fk_process_version_forms_version_id_process_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_version_forms')),
    sa.UniqueConstraint('version_id', 'form_key', name=op.f('uq_process_version_forms_version_id_form_key'))
    )
    _freeze_todays_forms(forms)


def _freeze_todays_forms(forms_table) -> None:
    forms_dir = Path(os.environ.get("MELDROUTE_FORMS_DIR", PROJECT_ROOT / "forms"))
    connection = op.get_bind()
    rows = []
    for version_id, xml in connection.execute(sa.text("SELECT id, bpmn_xml FROM process_versions")):
        root = etree.fromstring(xml.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
        keys = {e.get(f"{{{MELDROUTE_NS}}}formKey") for e in root.iter() if isinstance(e.tag, str)}
        for key in sorted(k for k in keys if k):
            path = forms_dir / f"{key}.yaml"
            if not path.is_file():
                # A version accepted once checked its forms; a file gone since cannot be recovered
                # here. Its tasks then say the form is unknown instead of showing another one.
                continue
            text = path.read_text(encoding="utf-8")
            rows.append({"version_id": version_id, "form_key": key, "source_yaml": text,
                         "content_hash": hashlib.sha256(text.encode("utf-8")).hexdigest()})
    if rows:
        op.bulk_insert(forms_table, rows)


def downgrade() -> None:
    op.drop_table('process_version_forms')
    with op.batch_alter_table('process_drafts', schema=None) as batch_op:
        batch_op.drop_index('ix_process_drafts_definition')
    op.drop_table('process_drafts')
