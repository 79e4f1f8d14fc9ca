"""tenant kommun: a tenant chooses which installed kommun's process it runs

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24

Until now a tenant ran the process of the kommun plugin whose code equalled
its own, so two förvaltningar of one kommun could not both run it. A tenant
now names its kommun in ``tenant.kommun_code`` (NULL: the generic national
guidance); it still applies only while the plugin declaring it is enabled for
the tenant.

Existing tenants keep what they had. The migration cannot ask the plugins
which kommuner they declare (a migration must not depend on what happens to
be installed), so it sets ``kommun_code = code`` for every tenant with at
least one plugin enabled: exactly the tenants that could have been running a
kommun's process before. A tenant whose code names no installed kommun keeps
the generic process, as before. The platform administrator can change the
choice at /admin/.
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tenant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kommun_code', sa.String(length=40), nullable=True))
    op.execute(
        "UPDATE tenant SET kommun_code = code "
        "WHERE EXISTS (SELECT 1 FROM plugin_activation pa WHERE pa.tenant_id = tenant.id)"
    )


def downgrade() -> None:
    # Before this revision the tenant's code chose its kommun; a tenant whose
    # choice differs from its code goes back to that rule.
    with op.batch_alter_table('tenant', schema=None) as batch_op:
        batch_op.drop_column('kommun_code')
