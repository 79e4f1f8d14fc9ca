"""In a session that keeps its reads (core.session_memo: the demo's walk), a
case's facts read again before the session writes cost no statement; after
any write, or the end of a savepoint, they are read anew. Every other session
reads them from the database each time. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text, update

from core.models import Document
import pytest

from core import session_memo
from core.db import make_sessionmaker
from core.services import casework, documents
from core.tenancy import Scope, within
from tests.statements import counting

TODAY = date(2026, 11, 23)


@pytest.fixture
def keeping(db):
    """The test's session keeps its reads, as the demo's walk does."""
    session_memo.keep(db)


def _facts(db, world):
    return casework.load_facts(db, world.jarva, [world.jarva_partnership])[world.jarva_partnership.id]


def _store(db, world, settings, kind="underlag"):
    documents.store_document(db, settings.documents_dir, world.jarva, world.jarva_staff,
                             partnership=world.jarva_partnership, kind=kind, title="Underlag",
                             filename="underlag.txt", content=b"Underlag\n")


def test_facts_read_again_without_a_write_cost_no_statement(world, db, keeping):
    first = _facts(db, world)
    with counting() as statements:
        again = _facts(db, world)
    assert statements == []
    assert again == first


def test_a_document_stored_shows_in_the_facts_at_once_and_only_documents_are_read_again(world, db, keeping, settings):
    before = _facts(db, world)
    _store(db, world, settings)
    db.flush()  # its audit event: the statements counted below are the reads
    with counting() as statements:
        after = _facts(db, world)
    assert len(after.documents) == len(before.documents) + 1
    assert len(statements) == 1 and "FROM document" in statements[0]
    assert (after.decisions, after.meetings, after.forms) == (before.decisions, before.meetings, before.forms)


def test_a_pending_change_is_flushed_and_read_like_a_query_would(world, db, keeping):
    _facts(db, world)
    p = world.jarva_partnership
    p.goals = "Fler deltar."  # not flushed: the next read flushes it first, as a query would
    assert "goals" in _facts(db, world).fields


def test_a_bulk_statement_makes_what_it_writes_read_anew(world, db, keeping):
    _facts(db, world)
    db.execute(update(Document).where(Document.partnership_id == world.jarva_partnership.id).values(title="Ny"))
    with counting() as statements:
        _facts(db, world)
    assert len(statements) == 1 and "FROM document" in statements[0]
    db.execute(text("UPDATE partnership SET goals = 'Mål' WHERE id = :id"), {"id": world.jarva_partnership.id})
    with counting() as statements:
        _facts(db, world)
    assert len(statements) == 5  # SQL text: whatever it wrote, everything is read again


def test_a_savepoint_rolled_back_takes_its_document_out_of_the_facts(world, db, keeping, settings):
    before = _facts(db, world)
    savepoint = db.begin_nested()
    _store(db, world, settings)
    assert len(_facts(db, world).documents) == len(before.documents) + 1
    savepoint.rollback()
    assert _facts(db, world).documents == before.documents


def test_facts_are_kept_per_scope(world, db, keeping):
    _facts(db, world)
    with counting() as statements, within(db, Scope.of_tenant(world.jarva.id)):
        _facts(db, world)
    assert any("document" in s for s in statements)


def test_a_session_that_does_not_keep_reads_sees_another_sessions_commit(world, db, engine, registry, settings):
    before = _facts(db, world)
    with make_sessionmaker(engine, Scope.system(), registry=registry)() as other:
        documents.store_document(other, settings.documents_dir, world.jarva, world.jarva_staff,
                                 partnership=world.jarva_partnership, kind="underlag", title="Underlag",
                                 filename="underlag.txt", content=b"Underlag\n")
        other.commit()
    db.commit()  # on SQLite a read transaction keeps its snapshot
    assert len(_facts(db, world).documents) == len(before.documents) + 1
