"""audit chain

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

The audit trail and the decisions become hash chains (core/audit_chain.py):
each row gets seq, prev_hash and hash, existing rows are chained in id order,
and audit_chain_head keeps each chain's newest link. On SQLite, INSERT OR
REPLACE can no longer remove a row: REPLACE deletes the row it collides with
without firing DELETE triggers, so a BEFORE INSERT trigger refuses the
collision itself.
"""
from alembic import op
import sqlalchemy as sa

import core.db
from core.audit_chain import GENESIS, chain_key, row_hash


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# The tables as they stand at this revision (not the models, which move on).
AUDIT_EVENT = sa.table(
    'audit_event',
    sa.column('id', sa.Integer()), sa.column('at', core.db.UTCDateTime()), sa.column('actor_id', sa.Integer()),
    sa.column('tenant_id', sa.Integer()), sa.column('object_type', sa.String()), sa.column('object_id', sa.String()),
    sa.column('action', sa.String()), sa.column('before', sa.JSON()), sa.column('after', sa.JSON()),
    sa.column('seq', sa.Integer()), sa.column('prev_hash', sa.String()), sa.column('hash', sa.String()),
)
DECISION = sa.table(
    'decision',
    sa.column('id', sa.Integer()), sa.column('tenant_id', sa.Integer()), sa.column('partnership_id', sa.Integer()),
    sa.column('process_code', sa.String()), sa.column('process_version', sa.Integer()),
    sa.column('round', sa.Integer()), sa.column('step_key', sa.String()), sa.column('period', sa.String()),
    sa.column('outcome_key', sa.String()), sa.column('outcome_kind', sa.String()),
    sa.column('motivation', sa.Text()), sa.column('actor_id', sa.Integer()), sa.column('role_key', sa.String()),
    sa.column('role_title', sa.String()), sa.column('decided_at', core.db.UTCDateTime()),
    sa.column('seq', sa.Integer()), sa.column('prev_hash', sa.String()), sa.column('hash', sa.String()),
)
HEAD = sa.table(
    'audit_chain_head',
    sa.column('chain', sa.String()), sa.column('tenant_id', sa.Integer()), sa.column('seq', sa.Integer()),
    sa.column('hash', sa.String()),
)
BATCH = 1000


def upgrade() -> None:
    for table in ('audit_event', 'decision'):
        _drop_guards(table)
        op.add_column(table, sa.Column('seq', sa.Integer(), nullable=True))
        op.add_column(table, sa.Column('prev_hash', sa.String(length=64), nullable=True))
        op.add_column(table, sa.Column('hash', sa.String(length=64), nullable=True))

    op.create_table('audit_chain_head',
    sa.Column('chain', sa.String(length=60), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=True),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_audit_chain_head_tenant_id_tenant')),
    sa.PrimaryKeyConstraint('chain', name=op.f('pk_audit_chain_head'))
    )
    with op.batch_alter_table('audit_chain_head', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_chain_head_tenant_id'), ['tenant_id'], unique=False)

    _chain_existing_rows('audit_event', AUDIT_EVENT)
    _chain_existing_rows('decision', DECISION)

    # NOT NULL once every row has its link (SQLite rebuilds the tables for it;
    # no other table points at them).
    for table in ('audit_event', 'decision'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in ('seq', 'prev_hash', 'hash'):
                batch_op.alter_column(column, existing_type=sa.Integer() if column == 'seq' else sa.String(length=64),
                                      nullable=False)
    op.create_index('uq_audit_event_chain_seq', 'audit_event', ['tenant_id', 'seq'], unique=True)
    op.create_index('uq_audit_event_platform_seq', 'audit_event', ['seq'], unique=True,
                    sqlite_where=sa.text('tenant_id IS NULL'), postgresql_where=sa.text('tenant_id IS NULL'))
    op.create_index('uq_decision_chain_seq', 'decision', ['tenant_id', 'seq'], unique=True)

    for table in ('audit_event', 'decision'):
        _make_append_only(table)


def downgrade() -> None:
    for table in ('audit_event', 'decision'):
        _drop_guards(table)
    op.drop_index('uq_decision_chain_seq', table_name='decision')
    op.drop_index('uq_audit_event_platform_seq', table_name='audit_event')
    op.drop_index('uq_audit_event_chain_seq', table_name='audit_event')
    with op.batch_alter_table('audit_chain_head', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_chain_head_tenant_id'))
    op.drop_table('audit_chain_head')
    for table in ('audit_event', 'decision'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('hash')
            batch_op.drop_column('prev_hash')
            batch_op.drop_column('seq')
    # Back to the guards of 0001 and 0002 (without the REPLACE guard, which
    # needs the seq column).
    for table in ('audit_event', 'decision'):
        _make_append_only(table, refuse_replace=False)


def _chain_existing_rows(name: str, table: sa.sql.TableClause) -> None:
    """Chains the rows already there in id order, one chain per tenant, reading
    them in batches, and records each chain's head."""
    bind = op.get_bind()
    heads: dict[int | None, tuple[int, str]] = {}
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(table).where(table.c.id > last_id).order_by(table.c.id).limit(BATCH)
        ).mappings().all()
        if not rows:
            break
        updates = []
        for row in rows:
            seq, prev = heads.get(row['tenant_id'], (0, GENESIS))
            seq += 1
            # The hash as the application computes it today. Should the hashed
            # columns ever change, the revision that changes them re-chains the
            # rows and this one must keep today's form.
            digest = row_hash(name, row, seq, prev)
            heads[row['tenant_id']] = (seq, digest)
            updates.append({'row_id': row['id'], 'seq': seq, 'prev_hash': prev, 'hash': digest})
        bind.execute(
            table.update().where(table.c.id == sa.bindparam('row_id'))
            .values(seq=sa.bindparam('seq'), prev_hash=sa.bindparam('prev_hash'), hash=sa.bindparam('hash')),
            updates,
        )
        last_id = rows[-1]['id']
    if heads:
        bind.execute(HEAD.insert(), [
            {'chain': chain_key(name, tenant_id), 'tenant_id': tenant_id, 'seq': seq, 'hash': digest}
            for tenant_id, (seq, digest) in heads.items()
        ])


# The append-only guards of 0001 and 0002 (UPDATE and DELETE refused), and on
# SQLite a guard against INSERT OR REPLACE: it refuses an insert that collides
# with a row already there on any unique key (the id, the chain's seq, and for
# a decision its step), so REPLACE cannot delete that row on the quiet.
_REPLACE_COLLISION = {
    'audit_event': ("id = NEW.id", "tenant_id IS NEW.tenant_id AND seq = NEW.seq"),
    'decision': (
        "id = NEW.id",
        "tenant_id = NEW.tenant_id AND seq = NEW.seq",
        "partnership_id = NEW.partnership_id AND round = NEW.round AND step_key = NEW.step_key "
        "AND period = NEW.period",
    ),
}


def _make_append_only(table: str, refuse_replace: bool = True) -> None:
    if op.get_bind().dialect.name == "postgresql":
        # The function from 0001/0002 is still there; only the trigger was dropped.
        op.execute(
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
        )
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        )
    if refuse_replace:
        op.execute(
            f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
            f"WHEN {' OR '.join(f'EXISTS (SELECT 1 FROM {table} WHERE {c})' for c in _REPLACE_COLLISION[table])} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        )


def _drop_guards(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}")
    else:
        for verb in ("update", "delete", "replace"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
