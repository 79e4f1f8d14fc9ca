"""The diarium: matters with their kommun's diarienummer, a per-tenant and
per-year series, registered entries (append-only), and a document's secrecy
marking

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa

from core.db import UTCDateTime
from core.migrations import append_only

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def _fk(table: str, column: str, parent: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f'{parent}.id'], name=op.f(f'fk_{table}_{column}_{parent}'))


def _same_tenant(table: str, column: str, parent: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(['tenant_id', column], [f'{parent}.tenant_id', f'{parent}.id'],
                                   name=op.f(f'fk_{table}_tenant_id_{parent}'))


def upgrade() -> None:
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('secrecy', sa.String(length=120), nullable=False, server_default=''))
    # What the entries refer to carries the tenant (unique indexes: a
    # constraint would rebuild the append-only decision table on SQLite).
    op.create_index('uq_decision_tenant_id', 'decision', ['tenant_id', 'id'], unique=True)
    op.create_index('uq_meeting_tenant_id', 'meeting', ['tenant_id', 'id'], unique=True)
    op.create_table(
        'registry_series',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('last_serial', sa.Integer(), nullable=False),
        _fk('registry_series', 'tenant_id', 'tenant'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_series')),
        sa.UniqueConstraint('tenant_id', 'year', name=op.f('uq_registry_series_tenant_id')),
    )
    op.create_index(op.f('ix_registry_series_tenant_id'), 'registry_series', ['tenant_id'])
    op.create_table(
        'matter',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('partnership_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('serial', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=60), nullable=False),
        sa.Column('last_entry', sa.Integer(), nullable=False),
        sa.Column('opened_on', sa.Date(), nullable=False),
        _fk('matter', 'tenant_id', 'tenant'),
        _same_tenant('matter', 'partnership_id', 'partnership'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_matter')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_matter_tenant_id')),
        sa.UniqueConstraint('tenant_id', 'partnership_id', name=op.f('uq_matter_tenant_id_partnership_id')),
        sa.UniqueConstraint('tenant_id', 'year', 'serial', name=op.f('uq_matter_tenant_id_year_serial')),
        sa.UniqueConstraint('tenant_id', 'number', name=op.f('uq_matter_tenant_id_number')),
    )
    op.create_index(op.f('ix_matter_tenant_id'), 'matter', ['tenant_id'])
    op.create_table(
        'registry_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('matter_id', sa.Integer(), nullable=False),
        sa.Column('entry_no', sa.Integer(), nullable=False),
        sa.Column('dated', sa.Date(), nullable=False),
        sa.Column('direction', sa.String(length=12), nullable=False),
        sa.Column('counterparty', sa.String(length=300), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('secrecy', sa.String(length=120), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=True),
        sa.Column('decision_id', sa.Integer(), nullable=True),
        sa.Column('meeting_id', sa.Integer(), nullable=True),
        sa.Column('corrects_id', sa.Integer(), nullable=True),
        sa.Column('registered_by_id', sa.Integer(), nullable=True),
        sa.Column('registered_at', UTCDateTime(timezone=True), nullable=False),
        _fk('registry_entry', 'tenant_id', 'tenant'),
        _fk('registry_entry', 'registered_by_id', 'app_user'),
        _same_tenant('registry_entry', 'matter_id', 'matter'),
        _same_tenant('registry_entry', 'document_id', 'document'),
        _same_tenant('registry_entry', 'corrects_id', 'registry_entry'),
        _same_tenant('registry_entry', 'decision_id', 'decision'),
        _same_tenant('registry_entry', 'meeting_id', 'meeting'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_entry')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_registry_entry_tenant_id')),
        sa.UniqueConstraint('matter_id', 'entry_no', name=op.f('uq_registry_entry_matter_id')),
    )
    op.create_index(op.f('ix_registry_entry_tenant_id'), 'registry_entry', ['tenant_id'])
    op.create_index(op.f('ix_registry_entry_matter_id'), 'registry_entry', ['matter_id'])
    op.create_index('ix_registry_entry_tenant_registered', 'registry_entry', ['tenant_id', 'registered_at', 'id'])
    # Registered entries are never changed or removed (as the audit trail and
    # the decisions, 0001/0002/0004).
    append_only.guard('registry_entry', ("id = NEW.id", "matter_id = NEW.matter_id AND entry_no = NEW.entry_no"))


def downgrade() -> None:
    op.drop_table('registry_entry')
    append_only.drop_function('registry_entry')
    op.drop_table('matter')
    op.drop_table('registry_series')
    op.drop_index('uq_meeting_tenant_id', table_name='meeting')
    op.drop_index('uq_decision_tenant_id', table_name='decision')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_column('secrecy')
