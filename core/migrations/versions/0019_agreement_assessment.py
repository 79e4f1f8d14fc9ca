"""An assessment of the agreement's proposal tied to the exact file assessed
(TY-05), append-only

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa

from core.db import UTCDateTime
from core.migrations import append_only

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

TABLE = 'agreement_assessment'


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('partnership_id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('assessed_by_id', sa.Integer(), nullable=True),
        sa.Column('role_title', sa.String(length=200), nullable=False),
        sa.Column('motivation', sa.Text(), nullable=False),
        sa.Column('assessed_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_agreement_assessment_tenant_id_tenant')),
        sa.ForeignKeyConstraint(['assessed_by_id'], ['app_user.id'],
                                name=op.f('fk_agreement_assessment_assessed_by_id_app_user')),
        sa.ForeignKeyConstraint(['tenant_id', 'partnership_id'], ['partnership.tenant_id', 'partnership.id'],
                                name=op.f('fk_agreement_assessment_tenant_id_partnership')),
        sa.ForeignKeyConstraint(['tenant_id', 'document_id'], ['document.tenant_id', 'document.id'],
                                name=op.f('fk_agreement_assessment_tenant_id_document')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_assessment')),
    )
    op.create_index(op.f('ix_agreement_assessment_tenant_id'), TABLE, ['tenant_id'])
    op.create_index(op.f('ix_agreement_assessment_partnership_id'), TABLE, ['partnership_id'])
    append_only.guard(TABLE)


def downgrade() -> None:
    op.drop_table(TABLE)
    append_only.drop_function(TABLE)
