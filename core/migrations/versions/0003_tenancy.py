"""tenancy: composite foreign keys keep every row in its parent's tenant;
contact persons become the tenant's own; several idéburna parties

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

A child row refers to its parent by (tenant_id, parent id), so a party,
decision, meeting, form answer or document can never point into another
tenant's partnership, and a party's organisation must be in the tenant's own
register. Contact persons were shared by every tenant that had the
organisation in its register; they now belong to one tenant. An existing
contact person is given to the tenant that first registered its organisation:
the only tenant that could have added it before a second tenant linked the
organisation, and the most likely one afterwards.
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

CHILDREN_OF_PARTNERSHIP = ('decision', 'document', 'form_response', 'meeting')


def upgrade() -> None:
    # Parties whose organisation was never linked to the tenant's register
    # (possible only through a script) are linked now, so the new key holds.
    op.execute(
        "INSERT INTO tenant_organisation (tenant_id, organisation_id, added_at) "
        "SELECT DISTINCT p.tenant_id, p.organisation_id, CURRENT_TIMESTAMP FROM party p "
        "WHERE p.organisation_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tenant_organisation t "
        "WHERE t.tenant_id = p.tenant_id AND t.organisation_id = p.organisation_id)"
    )
    with op.batch_alter_table('tenant_organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notes', sa.Text(), nullable=False, server_default=''))

    with op.batch_alter_table('partnership', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_partnership_tenant_id'), ['tenant_id', 'id'])

    with op.batch_alter_table('party', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_party_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_party_partnership_id'), ['partnership_id', 'organisation_id'])
        batch_op.create_unique_constraint(batch_op.f('uq_party_tenant_id'), ['tenant_id', 'id'])
        batch_op.drop_constraint(batch_op.f('fk_party_partnership_id_partnership'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_party_tenant_id_tenant_organisation'), 'tenant_organisation',
                                    ['tenant_id', 'organisation_id'], ['tenant_id', 'organisation_id'])
        batch_op.create_foreign_key(batch_op.f('fk_party_tenant_id_partnership'), 'partnership',
                                    ['tenant_id', 'partnership_id'], ['tenant_id', 'id'], ondelete='CASCADE')

    with op.batch_alter_table('contribution', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_contribution_party_id_party'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_contribution_tenant_id_party'), 'party',
                                    ['tenant_id', 'party_id'], ['tenant_id', 'id'], ondelete='CASCADE')

    for table in CHILDREN_OF_PARTNERSHIP:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_partnership_id_partnership'), type_='foreignkey')
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_tenant_id_partnership'), 'partnership',
                                        ['tenant_id', 'partnership_id'], ['tenant_id', 'id'])

    with op.batch_alter_table('contact_person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tenant_id', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE contact_person SET tenant_id = (SELECT t.tenant_id FROM tenant_organisation t "
        "WHERE t.organisation_id = contact_person.organisation_id ORDER BY t.id LIMIT 1)"
    )
    # A contact of an organisation in nobody's register has no tenant to go to.
    op.execute("DELETE FROM contact_person WHERE tenant_id IS NULL")
    with op.batch_alter_table('contact_person', schema=None) as batch_op:
        batch_op.alter_column('tenant_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_contact_person_tenant_id'), ['tenant_id'], unique=False)
        batch_op.drop_constraint(batch_op.f('fk_contact_person_organisation_id_organisation'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_contact_person_organisation_id_organisation'), 'organisation',
                                    ['organisation_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_contact_person_tenant_id_tenant'), 'tenant', ['tenant_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_contact_person_tenant_id_tenant_organisation'),
                                    'tenant_organisation', ['tenant_id', 'organisation_id'],
                                    ['tenant_id', 'organisation_id'], ondelete='CASCADE')
    _restore_sqlite_decision_guards()


def downgrade() -> None:
    with op.batch_alter_table('contact_person', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_contact_person_tenant_id_tenant_organisation'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_contact_person_tenant_id_tenant'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_contact_person_organisation_id_organisation'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_contact_person_organisation_id_organisation'), 'organisation',
                                    ['organisation_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_index(batch_op.f('ix_contact_person_tenant_id'))
        batch_op.drop_column('tenant_id')

    for table in CHILDREN_OF_PARTNERSHIP:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_tenant_id_partnership'), type_='foreignkey')
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_partnership_id_partnership'), 'partnership',
                                        ['partnership_id'], ['id'])

    with op.batch_alter_table('contribution', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_contribution_tenant_id_party'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_contribution_party_id_party'), 'party', ['party_id'], ['id'],
                                    ondelete='CASCADE')

    with op.batch_alter_table('party', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_party_tenant_id_partnership'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_party_tenant_id_tenant_organisation'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_party_partnership_id_partnership'), 'partnership',
                                    ['partnership_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_constraint(batch_op.f('uq_party_tenant_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_party_partnership_id'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_party_organisation_id'))

    with op.batch_alter_table('partnership', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_partnership_tenant_id'), type_='unique')

    with op.batch_alter_table('tenant_organisation', schema=None) as batch_op:
        batch_op.drop_column('notes')
    _restore_sqlite_decision_guards()


def _restore_sqlite_decision_guards() -> None:
    """SQLite rebuilds a table to change its keys, and a rebuilt table has lost
    its triggers: the decision table's append-only guards are made again."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(f"DROP TRIGGER IF EXISTS decision_no_{verb.lower()}")
        op.execute(
            f"CREATE TRIGGER decision_no_{verb.lower()} BEFORE {verb} ON decision "
            "BEGIN SELECT RAISE(ABORT, 'decision is append-only'); END"
        )
