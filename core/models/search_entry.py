"""What full-text search reads: one entry per partnership (its title, its
societal challenge and its organisations' names), and later one per document,
whose text joins the same table with its own ``kind``.

The search structures themselves live in the database, made by migration
0007: on PostgreSQL a ``tsv`` column generated with the ``swedish``
configuration and a GIN index on it, and a trigram index (pg_trgm) for parts
of words; on SQLite an FTS5 table with the trigram tokenizer, kept in step by
triggers, which folds case for every letter and keeps å, ä and ö as letters
of their own. core.services.search_index writes the entries and queries them.
"""

from __future__ import annotations

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base
from core.tenancy import TenantOwned, same_tenant


class SearchEntry(TenantOwned, Base):
    __tablename__ = "search_entry"
    __table_args__ = (
        UniqueConstraint("partnership_id", "kind"),
        same_tenant("partnership_id", "partnership", ondelete="CASCADE"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(20), default="partnership")
    text: Mapped[str] = mapped_column(Text, default="")
