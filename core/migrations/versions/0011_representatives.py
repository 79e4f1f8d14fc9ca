"""organisations' representatives, one-time account links, request limits

Every user already linked to an organisation becomes its approved contact
person; every existing account counts as verified.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

from core.db import UTCDateTime

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', UTCDateTime(timezone=True), nullable=True))
    op.execute("UPDATE app_user SET email_verified_at = created_at")
    op.create_table(
        'representative',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('capacity', sa.String(length=20), nullable=False),
        sa.Column('approved_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('approved_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_representative_organisation_id_organisation')),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ondelete='CASCADE',
                                name=op.f('fk_representative_user_id_app_user')),
        sa.ForeignKeyConstraint(['approved_by_id'], ['app_user.id'],
                                name=op.f('fk_representative_approved_by_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_representative')),
        sa.UniqueConstraint('user_id', name=op.f('uq_representative_user_id')),
    )
    op.create_index(op.f('ix_representative_organisation_id'), 'representative', ['organisation_id'])
    op.execute("INSERT INTO representative (organisation_id, user_id, capacity, approved_at, created_at) "
               "SELECT organisation_id, id, 'kontaktperson', created_at, created_at FROM app_user "
               "WHERE organisation_id IS NOT NULL")
    op.create_table(
        'account_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=20), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('expires_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('used_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ondelete='CASCADE',
                                name=op.f('fk_account_token_user_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_account_token')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_account_token_token_hash')),
    )
    op.create_index(op.f('ix_account_token_user_id'), 'account_token', ['user_id'])
    op.create_table(
        'request_limit_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('key', sa.String(length=254), nullable=False),
        sa.Column('at', UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_request_limit_event')),
    )
    op.create_index(op.f('ix_request_limit_event_at'), 'request_limit_event', ['at'])


def downgrade() -> None:
    op.drop_index(op.f('ix_request_limit_event_at'), table_name='request_limit_event')
    op.drop_table('request_limit_event')
    op.drop_index(op.f('ix_account_token_user_id'), table_name='account_token')
    op.drop_table('account_token')
    op.drop_index(op.f('ix_representative_organisation_id'), table_name='representative')
    op.drop_table('representative')
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('email_verified_at')
