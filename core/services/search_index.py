"""Swedish full-text search over the tenant's partnerships: their titles and
societal challenges (core.models.search_entry), and their organisations'
names. Designed so that document text can join: a document's text becomes an
entry of its own kind.

- PostgreSQL: the entry's ``tsv`` (``swedish`` configuration: "förskolor"
  finds "förskola") or, for parts of words, the folded text containing every
  term (served by the trigram index); ranked by ts_rank.
- SQLite: the FTS5 trigram table matches every term of three letters or more
  anywhere in a word, case-folded for every letter, å, ä and ö kept apart
  from a and o; ranked by bm25. Shorter terms fall back to a folded LIKE.

What the user types is matched literally: quotes, '%' and '_' are characters.
"""

from __future__ import annotations

from sqlalchemy import and_, delete, func, insert, literal, literal_column, or_, select, table
from sqlalchemy.orm import Session

from core import search
from core.models import Organisation, Partnership, Party, SearchEntry, Tenant
from core.values import clean_text

KIND = "partnership"
# SQLite's trigram tokenizer indexes three characters at a time.
TRIGRAM = 3


def entry_text(title: str, samhallsutmaning: str) -> str:
    """What a partnership's entry holds: its title and its societal challenge."""
    return "\n".join(part for part in (title, samhallsutmaning) if part)


def write(session: Session, partnerships: list[Partnership]) -> None:
    """The search entries of these partnerships, as they are now."""
    if not partnerships:
        return
    ids = [p.id for p in partnerships]
    session.execute(delete(SearchEntry).where(SearchEntry.partnership_id.in_(ids), SearchEntry.kind == KIND))
    session.execute(insert(SearchEntry), [
        {"tenant_id": p.tenant_id, "partnership_id": p.id, "kind": KIND, "text": entry_text(p.title, p.samhallsutmaning)}
        for p in partnerships
    ])


def terms(query: str) -> list[str]:
    return [t for t in clean_text(query).lower().split() if t]


def ranked_matches(session: Session, tenant: Tenant, query: str, *, ranked: bool = True):
    """A subquery of (partnership_id, rank) for the partnerships that match
    ``query``, or None when the query is empty. Higher rank is better.
    ``ranked=False`` leaves the rank at 0: counting needs no ranking, and
    ranking every match of a common word is most of a search's cost."""
    words = terms(query)
    if not words:
        return None
    dialect = session.get_bind().dialect.name
    in_tenant = SearchEntry.tenant_id == tenant.id
    all_words = and_(*[search.contains(SearchEntry.text, search.pattern(w)) for w in words])
    if dialect == "postgresql":
        tsv = literal_column("search_entry.tsv")
        tsquery = func.websearch_to_tsquery("swedish", " ".join(words))
        rank = func.ts_rank(tsv, tsquery) if ranked else literal(0.0)
        text_match = select(SearchEntry.partnership_id, rank.label("rank")).where(
            in_tenant, or_(tsv.op("@@")(tsquery), all_words))
    elif all(len(w) >= TRIGRAM for w in words):
        fts = table("search_fts")
        match = " AND ".join('"' + w.replace('"', '""') + '"' for w in words)
        text_match = (
            select(SearchEntry.partnership_id,
                   ((-func.bm25(literal_column("search_fts"))) if ranked else literal(0.0)).label("rank"))
            .select_from(SearchEntry)
            .join(fts, literal_column("search_fts.rowid") == SearchEntry.id)
            .where(in_tenant, literal_column("search_fts").op("MATCH")(match))
        )
    else:
        text_match = select(SearchEntry.partnership_id, literal(0.0).label("rank")).where(in_tenant, all_words)
    # An organisation's name: its own register, shared by every tenant that works with it.
    # The register is small: find the organisations first, then their parties
    # (not every party of the tenant, each with its organisation's name folded).
    named = select(Organisation.id).where(and_(*[search.contains(Organisation.name, search.pattern(w)) for w in words]))
    org_match = select(Party.partnership_id, literal(0.0).label("rank")).where(
        Party.tenant_id == tenant.id, Party.organisation_id.in_(named))
    union = text_match.union_all(org_match).subquery()
    return (select(union.c.partnership_id, func.max(union.c.rank).label("rank"))
            .group_by(union.c.partnership_id).subquery())
