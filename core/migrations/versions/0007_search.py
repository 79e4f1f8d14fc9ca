"""search: Swedish full-text search over partnerships

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23

One search entry per partnership (core.models.search_entry). PostgreSQL: a
tsvector generated with the `swedish` configuration, a GIN index on it, and a
trigram index (pg_trgm) on the folded text for parts of words. SQLite: an
FTS5 table with the trigram tokenizer over the entries, kept in step by
triggers. `iop db upgrade` fills the entries of existing partnerships.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'search_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), sa.ForeignKey('tenant.id'), nullable=False),
        sa.Column('partnership_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(20), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('partnership_id', 'kind'),
        sa.ForeignKeyConstraint(['tenant_id', 'partnership_id'], ['partnership.tenant_id', 'partnership.id'],
                                ondelete='CASCADE'),
    )
    op.create_index('ix_search_entry_tenant_id', 'search_entry', ['tenant_id'])
    op.create_index('ix_search_entry_partnership_id', 'search_entry', ['partnership_id'])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("ALTER TABLE search_entry ADD COLUMN tsv tsvector "
                   "GENERATED ALWAYS AS (to_tsvector('swedish', text)) STORED")
        op.execute("CREATE INDEX ix_search_entry_tsv ON search_entry USING gin (tsv)")
        op.execute("CREATE INDEX ix_search_entry_trgm ON search_entry USING gin (lower(text) gin_trgm_ops)")
    else:
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(text, content='search_entry', content_rowid='id', "
                   "tokenize='trigram')")
        op.execute("CREATE TRIGGER search_entry_ai AFTER INSERT ON search_entry BEGIN "
                   "INSERT INTO search_fts(rowid, text) VALUES (new.id, new.text); END")
        op.execute("CREATE TRIGGER search_entry_ad AFTER DELETE ON search_entry BEGIN "
                   "INSERT INTO search_fts(search_fts, rowid, text) VALUES ('delete', old.id, old.text); END")
        op.execute("CREATE TRIGGER search_entry_au AFTER UPDATE ON search_entry BEGIN "
                   "INSERT INTO search_fts(search_fts, rowid, text) VALUES ('delete', old.id, old.text); "
                   "INSERT INTO search_fts(rowid, text) VALUES (new.id, new.text); END")


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        for trigger in ('search_entry_ai', 'search_entry_ad', 'search_entry_au'):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table('search_entry')
