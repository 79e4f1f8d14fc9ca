"""intresseanmälan: an organisation's application, its attached library documents

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

from core.db import UTCDateTime

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'application',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('addressed_to_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('samhallsutmaning', sa.Text(), nullable=False),
        sa.Column('lokalt_perspektiv', sa.Text(), nullable=False),
        sa.Column('ide', sa.Text(), nullable=False),
        sa.Column('malgrupp', sa.Text(), nullable=False),
        sa.Column('bidrag', sa.Text(), nullable=False),
        sa.Column('onskemal', sa.Text(), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=True),
        sa.Column('period_end', sa.Date(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('submitted_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('partnership_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_application_organisation_id_organisation')),
        sa.ForeignKeyConstraint(['addressed_to_id'], ['tenant.id'], name=op.f('fk_application_addressed_to_id_tenant')),
        sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_application_created_by_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_application')),
    )
    op.create_index(op.f('ix_application_organisation_id'), 'application', ['organisation_id'])
    op.create_table(
        'application_document',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(['application_id'], ['application.id'], ondelete='CASCADE',
                                name=op.f('fk_application_document_application_id_application')),
        sa.ForeignKeyConstraint(['document_id'], ['organisation_document.id'],
                                name=op.f('fk_application_document_document_id_organisation_document')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_application_document')),
        sa.UniqueConstraint('application_id', 'kind', name=op.f('uq_application_document_application_id')),
    )
    op.create_index(op.f('ix_application_document_application_id'), 'application_document', ['application_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_application_document_application_id'), table_name='application_document')
    op.drop_table('application_document')
    op.drop_index(op.f('ix_application_organisation_id'), table_name='application')
    op.drop_table('application')
