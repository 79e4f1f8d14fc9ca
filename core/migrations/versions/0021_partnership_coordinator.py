"""partnership.coordinator_id: the IOP-koordinator named for each partnership (JV-13)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

# SQLite's batch mode copies the table and cannot reflect an index on an
# expression, so the list's title index (0009) is made again after it.
TITLE_INDEX = "CREATE INDEX IF NOT EXISTS ix_partnership_tenant_title ON partnership (tenant_id, lower(title), id)"


def _restore_title_index() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(TITLE_INDEX)


def upgrade() -> None:
    with op.batch_alter_table('partnership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('coordinator_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_partnership_coordinator_id_app_user'), 'app_user', ['coordinator_id'],
                                    ['id'])
        batch_op.create_index('ix_partnership_tenant_coordinator', ['tenant_id', 'coordinator_id'], unique=False)
    _restore_title_index()


def downgrade() -> None:
    with op.batch_alter_table('partnership', schema=None) as batch_op:
        batch_op.drop_index('ix_partnership_tenant_coordinator')
        batch_op.drop_constraint(op.f('fk_partnership_coordinator_id_app_user'), type_='foreignkey')
        batch_op.drop_column('coordinator_id')
    _restore_title_index()
