"""process engine

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

What the process engine keeps: each partnership's initiative date and the
process version it runs on, the decisions that complete its steps (append-only),
the answers to its forms, and its meetings.
"""
from alembic import op
import sqlalchemy as sa

import core.db


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Added in place, not by rebuilding the table: SQLite cannot rebuild a table
    # that other rows point at. The constant default exists only so existing
    # rows can be given a value; the application always sets the date.
    op.add_column('partnership', sa.Column('initiated_on', sa.Date(), nullable=False, server_default='2000-01-01'))
    op.add_column('partnership', sa.Column('process_code', sa.String(length=40), nullable=True))
    op.add_column('partnership', sa.Column('process_version', sa.Integer(), nullable=True))
    # Partnerships registered before this revision: the initiative came in the
    # day they were registered.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE partnership SET initiated_on = CAST(created_at AS DATE)")
    else:
        op.execute("UPDATE partnership SET initiated_on = date(created_at)")

    op.create_table('decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('process_code', sa.String(length=40), nullable=False),
    sa.Column('process_version', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('step_key', sa.String(length=60), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('outcome_key', sa.String(length=60), nullable=False),
    sa.Column('outcome_kind', sa.String(length=20), nullable=False),
    sa.Column('motivation', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('role_key', sa.String(length=60), nullable=False),
    sa.Column('role_title', sa.String(length=200), nullable=False),
    sa.Column('decided_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_decision_actor_id_app_user')),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], name=op.f('fk_decision_partnership_id_partnership')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_decision_tenant_id_tenant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision')),
    sa.UniqueConstraint('partnership_id', 'round', 'step_key', 'period', name=op.f('uq_decision_partnership_id'))
    )
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_partnership_id'), ['partnership_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('form_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('form_key', sa.String(length=60), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], name=op.f('fk_form_response_partnership_id_partnership')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_form_response_tenant_id_tenant')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['app_user.id'], name=op.f('fk_form_response_updated_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_response')),
    sa.UniqueConstraint('partnership_id', 'form_key', name=op.f('uq_form_response_partnership_id'))
    )
    with op.batch_alter_table('form_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_response_partnership_id'), ['partnership_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_form_response_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('participants', sa.Text(), nullable=False),
    sa.Column('minutes', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_meeting_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], name=op.f('fk_meeting_partnership_id_partnership')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_meeting_tenant_id_tenant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting'))
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_partnership_id'), ['partnership_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_tenant_id'), ['tenant_id'], unique=False)

    _make_decisions_append_only()


def downgrade() -> None:
    _drop_decision_guards()
    for table in ('meeting', 'form_response', 'decision'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_tenant_id'))
            batch_op.drop_index(batch_op.f(f'ix_{table}_partnership_id'))
        op.drop_table(table)
    for column in ('process_version', 'process_code', 'initiated_on'):
        op.drop_column('partnership', column)


# Decisions are a record, like the audit trail: the database itself refuses to
# change or remove one.
def _make_decisions_append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION decision_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'decision is append-only';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER decision_no_change BEFORE UPDATE OR DELETE ON decision "
            "FOR EACH ROW EXECUTE FUNCTION decision_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER decision_no_{verb.lower()} BEFORE {verb} ON decision "
                "BEGIN SELECT RAISE(ABORT, 'decision is append-only'); END"
            )


def _drop_decision_guards() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS decision_no_change ON decision")
        op.execute("DROP FUNCTION IF EXISTS decision_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS decision_no_update")
        op.execute("DROP TRIGGER IF EXISTS decision_no_delete")
