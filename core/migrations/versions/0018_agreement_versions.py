"""The agreement as decided and signed: its versions and their signatures
(append-only)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa

from core.db import UTCDateTime
from core.migrations import append_only

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

TABLES = ('agreement_signature', 'agreement_version')


def _fk(table: str, column: str, parent: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f'{parent}.id'], name=op.f(f'fk_{table}_{column}_{parent}'))


def _same_tenant(table: str, column: str, parent: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(['tenant_id', column], [f'{parent}.tenant_id', f'{parent}.id'],
                                   name=op.f(f'fk_{table}_tenant_id_{parent}'))


def upgrade() -> None:
    op.create_table(
        'agreement_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('partnership_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('origin', sa.String(length=12), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('terms', sa.JSON(), nullable=False),
        sa.Column('decision_id', sa.Integer(), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_role', sa.String(length=200), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('decided_at', UTCDateTime(timezone=True), nullable=False),
        _fk('agreement_version', 'tenant_id', 'tenant'),
        _fk('agreement_version', 'decided_by_id', 'app_user'),
        _same_tenant('agreement_version', 'partnership_id', 'partnership'),
        _same_tenant('agreement_version', 'document_id', 'document'),
        _same_tenant('agreement_version', 'decision_id', 'decision'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_version')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_agreement_version_tenant_id')),
        sa.UniqueConstraint('partnership_id', 'number', name='uq_agreement_version_partnership_id_number'),
    )
    op.create_index(op.f('ix_agreement_version_tenant_id'), 'agreement_version', ['tenant_id'])
    op.create_index(op.f('ix_agreement_version_partnership_id'), 'agreement_version', ['partnership_id'])
    op.create_table(
        'agreement_signature',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('partnership_id', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('party_key', sa.String(length=40), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('signer_id', sa.Integer(), nullable=False),
        sa.Column('signer_name', sa.String(length=200), nullable=False),
        sa.Column('capacity', sa.String(length=200), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('signed_at', UTCDateTime(timezone=True), nullable=False),
        _fk('agreement_signature', 'tenant_id', 'tenant'),
        _fk('agreement_signature', 'organisation_id', 'organisation'),
        _fk('agreement_signature', 'signer_id', 'app_user'),
        _same_tenant('agreement_signature', 'version_id', 'agreement_version'),
        _same_tenant('agreement_signature', 'partnership_id', 'partnership'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_signature')),
        sa.UniqueConstraint('version_id', 'party_key', name='uq_agreement_signature_version_id_party_key'),
    )
    op.create_index(op.f('ix_agreement_signature_tenant_id'), 'agreement_signature', ['tenant_id'])
    op.create_index(op.f('ix_agreement_signature_partnership_id'), 'agreement_signature', ['partnership_id'])
    op.create_index(op.f('ix_agreement_signature_version_id'), 'agreement_signature', ['version_id'])
    # A decided version and a signature are never changed or removed.
    for table in TABLES:
        append_only.guard(table)


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
        append_only.drop_function(table)
