"""data_version: a counter per tenant raised with every write to its rows (core.data_version)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'data_version',
        sa.Column('tenant_key', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('tenant_key', name=op.f('pk_data_version')),
    )


def downgrade() -> None:
    op.drop_table('data_version')
