"""organisations' document library: each document kept once, with its year

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

from core.db import UTCDateTime

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'organisation_document',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=60), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('original_filename', sa.String(length=255), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('storage_name', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('uploaded_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_organisation_document_organisation_id_organisation')),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['app_user.id'],
                                name=op.f('fk_organisation_document_uploaded_by_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_document')),
    )
    op.create_index(op.f('ix_organisation_document_organisation_id'), 'organisation_document', ['organisation_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_organisation_document_organisation_id'), table_name='organisation_document')
    op.drop_table('organisation_document')
