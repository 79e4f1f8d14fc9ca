"""list indexes: each order of the partnership list is read from an index

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

INDEXES = {
    'ix_partnership_tenant_updated': ['tenant_id', 'updated_at', 'id'],
    'ix_partnership_tenant_status_updated': ['tenant_id', 'status', 'updated_at', 'id'],
    'ix_partnership_tenant_start': ['tenant_id', 'period_start', 'id'],
    'ix_partnership_tenant_end': ['tenant_id', 'period_end', 'id'],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, 'partnership', columns)
    op.create_index('ix_partnership_tenant_title', 'partnership', ['tenant_id', sa.text('lower(title)'), 'id'])


def downgrade() -> None:
    op.drop_index('ix_partnership_tenant_title', table_name='partnership')
    for name in reversed(list(INDEXES)):
        op.drop_index(name, table_name='partnership')
