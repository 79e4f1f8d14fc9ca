"""The organisation's side of a case: what is shared with the parties,
requests for documents, and the conversation between the parties

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa

from core.db import UTCDateTime

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def _partnership_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(['tenant_id', 'partnership_id'], ['partnership.tenant_id', 'partnership.id'],
                                   name=op.f(f'fk_{table}_tenant_id_partnership'))


def _fk(table: str, column: str, parent: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f'{parent}.id'], name=op.f(f'fk_{table}_{column}_{parent}'))


def upgrade() -> None:
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_unique_constraint(op.f('uq_document_tenant_id'), ['tenant_id', 'id'])
    op.create_table(
        'sharing',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('partnership_id', sa.Integer(), nullable=False),
        sa.Column('item_kind', sa.String(length=20), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('shared', sa.Boolean(), nullable=False),
        sa.Column('changed_by_id', sa.Integer(), nullable=True),
        sa.Column('changed_at', UTCDateTime(timezone=True), nullable=False),
        _fk('sharing', 'tenant_id', 'tenant'),
        _fk('sharing', 'changed_by_id', 'app_user'),
        _partnership_fk('sharing'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sharing')),
        sa.UniqueConstraint('tenant_id', 'item_kind', 'item_id', name=op.f('uq_sharing_tenant_id')),
    )
    op.create_index(op.f('ix_sharing_tenant_id'), 'sharing', ['tenant_id'])
    op.create_index(op.f('ix_sharing_partnership_id'), 'sharing', ['partnership_id'])
    op.create_table(
        'document_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('partnership_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=60), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('requested_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('answered_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('document_id', sa.Integer(), nullable=True),
        sa.Column('answers', sa.JSON(), nullable=False),
        _fk('document_request', 'tenant_id', 'tenant'),
        _fk('document_request', 'organisation_id', 'organisation'),
        _fk('document_request', 'requested_by_id', 'app_user'),
        _fk('document_request', 'answered_by_id', 'app_user'),
        sa.ForeignKeyConstraint(['tenant_id', 'document_id'], ['document.tenant_id', 'document.id'],
                                name=op.f('fk_document_request_tenant_id_document')),
        _partnership_fk('document_request'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_document_request')),
    )
    op.create_index(op.f('ix_document_request_tenant_id'), 'document_request', ['tenant_id'])
    op.create_index(op.f('ix_document_request_partnership_id'), 'document_request', ['partnership_id'])
    op.create_index('ix_document_request_organisation_status', 'document_request', ['organisation_id', 'status'])
    op.create_table(
        'partnership_message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('partnership_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('sent_at', UTCDateTime(timezone=True), nullable=False),
        _fk('partnership_message', 'tenant_id', 'tenant'),
        _fk('partnership_message', 'author_id', 'app_user'),
        _fk('partnership_message', 'organisation_id', 'organisation'),
        _partnership_fk('partnership_message'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_partnership_message')),
    )
    op.create_index(op.f('ix_partnership_message_tenant_id'), 'partnership_message', ['tenant_id'])
    op.create_index(op.f('ix_partnership_message_partnership_id'), 'partnership_message', ['partnership_id'])


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        # These tables' policies read sharing (core.rls); core.migrate puts
        # the policies back, without that clause, after the downgrade.
        for table in ('decision', 'meeting', 'document'):
            op.execute(f'DROP POLICY IF EXISTS iop_scope ON {table}')
    for table in ('partnership_message', 'document_request', 'sharing'):
        op.drop_table(table)
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('uq_document_tenant_id'), type_='unique')
