"""case state: each partnership's current steps and deadlines as data

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23

The start page, the deadline tabs and the list's status column read these
tables instead of running the process engine over every partnership of a
tenant (core.services.case_state). The migration only makes the tables; it
cannot run the engine (that needs the installed plugins), so `iop db upgrade`
fills them after migrating, and `iop deadlines refresh` keeps them current.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def _tenant_fk(column: str, parent: str, parent_column: str = 'id') -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(['tenant_id', column], [f'{parent}.tenant_id', f'{parent}.{parent_column}'],
                                   ondelete='CASCADE')


def upgrade() -> None:
    op.create_table(
        'case_state',
        sa.Column('partnership_id', sa.Integer(), nullable=False, autoincrement=False),
        sa.Column('tenant_id', sa.Integer(), sa.ForeignKey('tenant.id'), nullable=False),
        sa.Column('phase', sa.String(200), nullable=False),
        sa.Column('current_steps', sa.Text(), nullable=False),
        sa.Column('next_due', sa.Date(), nullable=True),
        sa.Column('next_title', sa.String(300), nullable=False),
        sa.Column('changes_on', sa.Date(), nullable=True),
        sa.Column('computed_on', sa.Date(), nullable=False),
        sa.Column('process_known', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('partnership_id'),
        _tenant_fk('partnership_id', 'partnership'),
    )
    op.create_index('ix_case_state_tenant_id', 'case_state', ['tenant_id'])
    op.create_index('ix_case_state_changes_on', 'case_state', ['changes_on'])
    op.create_table(
        'case_task',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), sa.ForeignKey('tenant.id'), nullable=False),
        sa.Column('partnership_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(20), nullable=False),
        sa.Column('key', sa.String(80), nullable=False),
        sa.Column('period', sa.String(20), nullable=False),
        sa.Column('title', sa.String(300), nullable=False),
        sa.Column('detail', sa.String(300), nullable=False),
        sa.Column('state', sa.String(20), nullable=False),
        sa.Column('opens', sa.Date(), nullable=True),
        sa.Column('due', sa.Date(), nullable=True),
        sa.Column('owner_titles', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('tenant_id', 'id'),
        _tenant_fk('partnership_id', 'partnership'),
    )
    op.create_index('ix_case_task_tenant_id', 'case_task', ['tenant_id'])
    op.create_index('ix_case_task_partnership_id', 'case_task', ['partnership_id'])
    op.create_index('ix_case_task_tenant_due', 'case_task', ['tenant_id', 'due', 'partnership_id', 'position'])
    op.create_table(
        'case_task_role',
        sa.Column('task_id', sa.Integer(), nullable=False, autoincrement=False),
        sa.Column('role', sa.String(60), nullable=False),
        sa.Column('tenant_id', sa.Integer(), sa.ForeignKey('tenant.id'), nullable=False),
        sa.Column('due', sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint('task_id', 'role'),
        _tenant_fk('task_id', 'case_task'),
    )
    op.create_index('ix_case_task_role_tenant_id', 'case_task_role', ['tenant_id'])
    op.create_index('ix_case_task_role_tenant_role_due', 'case_task_role', ['tenant_id', 'role', 'due'])


def downgrade() -> None:
    op.drop_table('case_task_role')
    op.drop_table('case_task')
    op.drop_table('case_state')
