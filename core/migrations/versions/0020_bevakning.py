"""Bevakning: meetings planned, held or cancelled (with time and place);
the daily reminder digest (tenant.reminder_days, app_user.reminders_enabled,
reminder_digest) and the personal calendar feed (calendar_feed)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa

from core.db import UTCDateTime

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('starts_at', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('place', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('status', sa.String(length=20), nullable=False, server_default='held'))
        batch_op.add_column(sa.Column('cancel_reason', sa.Text(), nullable=False, server_default=''))
    # A meeting dated ahead was a planned one; it stays planned until marked held.
    op.execute("UPDATE meeting SET status = 'planned' WHERE held_on > CURRENT_DATE")
    with op.batch_alter_table('tenant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_days', sa.Integer(), nullable=False, server_default='14'))
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminders_enabled', sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_table(
        'reminder_digest',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('sent_on', sa.Date(), nullable=False),
        sa.Column('items', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_reminder_digest_user_id_app_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_digest')),
        sa.UniqueConstraint('user_id', 'sent_on', name=op.f('uq_reminder_digest_user_id')),
    )
    op.create_table(
        'calendar_feed',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_calendar_feed_user_id_app_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_calendar_feed')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_feed_token_hash')),
    )


def downgrade() -> None:
    op.drop_table('calendar_feed')
    op.drop_table('reminder_digest')
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('reminders_enabled')
    with op.batch_alter_table('tenant', schema=None) as batch_op:
        batch_op.drop_column('reminder_days')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('status')
        batch_op.drop_column('place')
        batch_op.drop_column('starts_at')
