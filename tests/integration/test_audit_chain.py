"""The hash chains of the audit trail and the decisions (ARCHITECTURE.md: "The
audit trail is hash-chained and verifiable"), on SQLite and PostgreSQL."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from core.audit_chain import GENESIS, HASHED, chain_key, install, row_hash
from core.tenancy import Scope, set_scope
from core.db import make_sessionmaker
from core.models import AuditChainHead, AuditEvent, Decision
from core.services import audit, audit_verify
from tests.tamper import as_owner

IOP = str(Path(sys.executable).parent / "iop")


def _decision(p, step_key: str, **fields) -> Decision:
    return Decision(tenant_id=p.tenant_id, partnership_id=p.id, process_code="jarva", process_version=1,
                    step_key=step_key, outcome_key="fortsatt", outcome_kind="continue", role_key="handlaggare",
                    role_title="Handläggare", **fields)


def _event(db, tenant, action="test", **fields):
    return audit.record(db, actor=None, tenant=tenant, object_type="test", object_id=1, action=action, **fields)


def _chain(db, model, tenant_id):
    in_chain = model.tenant_id.is_(None) if tenant_id is None else model.tenant_id == tenant_id
    return list(db.scalars(select(model).where(in_chain).order_by(model.seq)))


def _assert_linked(db, model, tenant_id):
    rows = _chain(db, model, tenant_id)
    assert rows, "an empty chain"
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert [r.prev_hash for r in rows] == [GENESIS] + [r.hash for r in rows[:-1]]
    head = db.get(AuditChainHead, chain_key(model.__tablename__, tenant_id))
    assert (head.seq, head.hash, head.tenant_id) == (rows[-1].seq, rows[-1].hash, tenant_id)
    return rows


def test_each_tenant_and_the_platform_have_a_chain_per_table(world, db):
    db.add(_decision(world.jarva_partnership, "a"))
    db.add(_decision(world.tyreso_partnership, "a"))
    db.add(_decision(world.jarva_partnership, "b"))
    _event(db, None)
    db.commit()
    for tenant in (world.jarva, world.tyreso):
        _assert_linked(db, AuditEvent, tenant.id)
        assert len(_assert_linked(db, Decision, tenant.id)) == (2 if tenant is world.jarva else 1)
    _assert_linked(db, AuditEvent, None)
    result = audit_verify.verify(db)
    assert result.intact
    assert result.chains == 5
    total = db.scalar(select(func.count()).select_from(AuditEvent)) + 3
    assert result.rows == total


def test_a_transaction_flushing_many_times_reads_each_head_once_and_savepoints_leave_no_gap(world, db):
    """The heads a transaction has locked are remembered until it, or a
    savepoint in it, ends: later flushes do not read them again, and after a
    savepoint rolled back the chain goes on from the database's head."""
    db.add(_decision(world.jarva_partnership, "före"))  # both chains have their heads
    db.commit()
    statements: list[str] = []
    listener = lambda conn, cursor, statement, *a: statements.append(statement)  # noqa: E731
    event.listen(db.get_bind(), "before_cursor_execute", listener)
    try:
        for n in range(5):
            db.add(_decision(world.jarva_partnership, f"steg {n}"))
            db.flush()
        reads = [s for s in statements if "audit_chain_head" in s and ("RETURNING" in s or "FOR UPDATE" in s)]
        assert len(reads) == 2  # the tenant's audit chain (lock order), then its decisions
        with db.begin_nested() as savepoint:
            db.add(_decision(world.jarva_partnership, "ångras"))
            _event(db, world.jarva, action="ångras")
            db.flush()
            savepoint.rollback()
        with db.begin_nested():
            db.add(_decision(world.jarva_partnership, "behålls"))
            _event(db, world.jarva, action="behålls")
            db.flush()
        _event(db, world.jarva, action="efter")
        db.commit()
    finally:
        event.remove(db.get_bind(), "before_cursor_execute", listener)
    assert [r.step_key for r in _assert_linked(db, Decision, world.jarva.id)][-2:] == ["steg 4", "behålls"]
    assert [r.action for r in _assert_linked(db, AuditEvent, world.jarva.id)][-2:] == ["behålls", "efter"]
    assert audit_verify.verify(db).intact


def test_a_transactions_audit_events_are_inserted_at_its_commit_in_one_statement(world, db, backend):
    """Events wait for the commit however many flushes come between, and go in
    one INSERT, each stamped with the time it was recorded. (On SQLite the ORM
    inserts them one by one, as it does any rows whose ids it must read back
    in order: there, an INSERT is a call within the process.)"""
    db.commit()
    statements: list[str] = []
    listener = lambda conn, cursor, statement, *a: statements.append(statement)  # noqa: E731
    event.listen(db.get_bind(), "before_cursor_execute", listener)
    try:
        first = _event(db, world.jarva, action="först")
        for n in range(5):
            _event(db, world.jarva, action=f"steg {n}")
            _event(db, None, action=f"steg {n}")
            db.flush()
        assert not [s for s in statements if "audit_event" in s or "audit_chain_head" in s]
        db.commit()
        inserts = [s for s in statements if s.startswith("INSERT INTO audit_event")]
        assert len(inserts) == (1 if backend == "postgresql" else 11)
    finally:
        event.remove(db.get_bind(), "before_cursor_execute", listener)
    rows = _assert_linked(db, AuditEvent, world.jarva.id)
    assert [r.action for r in rows][-6:] == ["först"] + [f"steg {n}" for n in range(5)]
    assert rows[-6].at == first.at and first.at < rows[-1].at
    assert [r.action for r in _assert_linked(db, AuditEvent, None)][-5:] == [f"steg {n}" for n in range(5)]
    assert audit_verify.verify(db).intact


def test_a_read_of_the_audit_trail_sees_the_transactions_events_and_a_rollback_drops_them(world, db):
    db.commit()
    _event(db, world.jarva, action="syns")
    assert [e.action for e, _ in audit.events_for(db, world.jarva, "test", 1)][0] == "syns"
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "syns")) == 1
    _event(db, world.jarva, action="ångras")
    db.rollback()
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action.in_(["syns", "ångras"]))) == 0
    _event(db, world.jarva, action="sist")
    db.commit()
    assert [r.action for r in _assert_linked(db, AuditEvent, world.jarva.id)][-1] == "sist"


def test_hashes_survive_the_round_trip_through_either_database(world, db, engine):
    """What the listener hashed before the INSERT is what comes back: times in
    another zone and without microseconds, JSON with number keys, tuples,
    floats and text outside ASCII."""
    odd_time = datetime(2026, 1, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-5)))
    _event(db, world.jarva, before={"titel": "Läxhjälp för ”alla” 🌱", 3: (1, 2.5, None, True)},
           after={"nested": {"b": [1, {"ö": "å"}], "a": 0.1}})
    e = _event(db, world.jarva, action="tidpunkt")
    e.at = odd_time
    db.add(_decision(world.jarva_partnership, "x", motivation="Beslut med radbrytning\noch åäö",
                     decided_at=datetime(2026, 2, 1, 8, 0, tzinfo=timezone.utc), period="2026", round=2))
    db.commit()
    with make_sessionmaker(engine, Scope.system())() as other:
        for model in (AuditEvent, Decision):
            for row in other.scalars(select(model)):
                values = {name: getattr(row, name) for name in HASHED[model.__tablename__]}
                assert row.hash == row_hash(model.__tablename__, values, row.seq, row.prev_hash), (model, row.id)
        stored = other.scalar(select(AuditEvent).where(AuditEvent.action == "tidpunkt"))
        assert stored.at == odd_time
    assert audit_verify.verify(db).intact


def test_column_defaults_are_applied_before_the_hash_is_taken(world, db):
    d = _decision(world.jarva_partnership, "standard")
    db.add(d)
    assert d.decided_at is None and d.round is None
    db.flush()
    assert d.decided_at is not None
    assert (d.round, d.period, d.motivation) == (0, "", "")
    db.commit()
    assert audit_verify.verify(db).intact


def test_values_set_by_hand_are_overwritten(world, db):
    e = _event(db, world.jarva)
    e.seq, e.prev_hash, e.hash = 99, "f" * 64, "f" * 64
    db.commit()
    assert e.seq != 99 and e.hash != "f" * 64
    assert audit_verify.verify(db).intact


def test_every_sessionmaker_chains_and_a_second_install_changes_nothing(world, engine):
    """Each sessionmaker gets the listener (even one made where a collected
    one's class used to be), and installing it twice still chains once."""
    for _ in range(20):
        maker = make_sessionmaker(engine, Scope.system())
        del maker
        # The young generations hold the maker's class: collecting them is
        # enough to free its address, and a full collection of the run's heap
        # cost a quarter of a second each time.
        gc.collect(1)
    maker = make_sessionmaker(engine, Scope.system())
    install(maker)
    with maker() as s:
        for i in range(3):
            _event(s, world.jarva, action=f"två-{i}")
        s.commit()
        _assert_linked(s, AuditEvent, world.jarva.id)
        assert audit_verify.verify(s).intact


ROW_INSERTS = ("INSERT INTO decision", "INSERT INTO audit_event", "INSERT INTO registry_entry")


def test_a_transaction_reads_each_head_once_and_writes_it_once_at_commit_however_many_rows(world, db):
    """One read (locking) of each head per transaction, and one write of it
    when the transaction commits: not per row, nor per flush."""
    statements: list[str] = []

    def collect(_conn, _cursor, statement, *_):
        statements.append(statement)

    db.add(_decision(world.jarva_partnership, "före"))  # both chains have their heads
    db.commit()
    event.listen(db.get_bind(), "before_cursor_execute", collect)
    try:
        counts = {}
        for n in (1, 25):
            db.commit()
            statements.clear()
            for i in range(n):
                db.add(_decision(world.jarva_partnership, f"n{n}-{i}"))
                _event(db, world.jarva, action=f"n{i}")
                _event(db, None, action=f"n{i}")
                db.flush()
            heads = [s for s in statements if "audit_chain_head" in s]
            assert len(heads) == 2, heads  # the tenant's two chains' locks (its events wait for the commit)
            db.commit()
            heads = [s for s in statements if "audit_chain_head" in s]
            assert len(heads) == 6, heads  # the platform's lock, and the three chains' writes
            # The rows' own INSERTs aside (a decision is entered in the diarium).
            counts[n] = len([s for s in statements if not s.startswith(ROW_INSERTS)])
        assert counts[1] == counts[25], counts
    finally:
        event.remove(db.get_bind(), "before_cursor_execute", collect)
    assert audit_verify.verify(db).intact


def test_a_savepoint_released_keeps_its_rows_and_heads_and_one_rolled_back_gives_them_back(world, db):
    db.commit()
    with db.begin_nested():
        _event(db, world.jarva, action="i sparpunkt")
    with db.begin_nested() as inner:
        _event(db, world.jarva, action="ångras")
        _event(db, None, action="ångras")
        db.flush()
        inner.rollback()
    _event(db, world.jarva, action="sist")
    _event(db, None, action="sist")
    db.commit()
    assert [r.action for r in _assert_linked(db, AuditEvent, world.jarva.id)][-2:] == ["i sparpunkt", "sist"]
    assert audit_verify.verify(db).intact


def test_heads_moved_in_a_tenants_scope_are_written_in_it_at_commit(world, db):
    """Under row-level security a head is seen only from its tenant's scope
    (or the platform's): a transaction that appends in one scope and commits
    in another writes the head in the scope it read it in."""
    db.commit()
    set_scope(db, Scope.of_tenant(world.jarva.id))
    _event(db, world.jarva, action="i Järva")
    db.flush()
    set_scope(db, Scope.of_tenant(world.tyreso.id))
    _event(db, world.tyreso, action="i Tyresö")
    db.commit()
    set_scope(db, Scope.system())
    assert [r.action for r in _assert_linked(db, AuditEvent, world.jarva.id)][-1] == "i Järva"
    assert [r.action for r in _assert_linked(db, AuditEvent, world.tyreso.id)][-1] == "i Tyresö"
    assert audit_verify.verify(db).intact


def test_a_failed_flush_leaves_the_chain_as_it_was(world, db):
    p = world.jarva_partnership
    db.add(_decision(p, "dubbel"))
    db.commit()
    db.add(_decision(p, "dubbel"))  # the unique key refuses a step decided twice
    _event(db, world.jarva)
    with pytest.raises(Exception):
        db.commit()
    db.rollback()
    _event(db, world.jarva, action="efteråt")
    db.add(_decision(p, "nästa"))
    db.commit()
    _assert_linked(db, Decision, p.tenant_id)
    assert audit_verify.verify(db).intact


THREADS, ROUNDS = 6, 8


def test_writers_at_once_never_fork_a_chain(world, engine):
    """Several transactions append to the same chains at once (each in its own
    session and connection): decisions before their audit events, audit events
    before decisions, several rows and chains per flush. Each chain stays one
    line: no seq twice, no link skipped, no deadlock."""
    maker = make_sessionmaker(engine, Scope.system())
    jarva, tyreso, p = world.jarva, world.tyreso, world.jarva_partnership
    start = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(ROUNDS):
                with maker() as s:
                    kind = (n + i) % 3
                    if kind == 0:
                        s.add(_decision(p, f"steg-{n}-{i}"))
                        s.flush()
                        _event(s, jarva, action=f"beslut-{n}-{i}")
                    elif kind == 1:
                        _event(s, jarva, action=f"först-{n}-{i}")
                        s.flush()
                        s.add(_decision(p, f"steg-{n}-{i}"))
                    else:
                        for j in range(3):
                            _event(s, jarva, action=f"flera-{n}-{i}-{j}")
                        _event(s, tyreso, action=f"annan-{n}-{i}")
                        _event(s, None, action=f"plattform-{n}-{i}")
                    s.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a writer hangs"
    assert not failures, failures
    with maker() as s:
        result = audit_verify.verify(s)
        assert result.intact, result.broken
        decisions = _assert_linked(s, Decision, jarva.id)
        assert len([d for d in decisions if d.step_key.startswith("steg-")]) == sum(
            1 for n in range(THREADS) for i in range(ROUNDS) if (n + i) % 3 != 2)
        _assert_linked(s, AuditEvent, jarva.id)
        _assert_linked(s, AuditEvent, tyreso.id)
        _assert_linked(s, AuditEvent, None)


# Tampering, past the triggers, as only the database owner can.

def _ids(db, model, tenant_id):
    return [(r.id, r.seq) for r in _chain(db, model, tenant_id)]


@pytest.fixture
def trail(world, db):
    """Five audit events of Järva after those the world made, and two decisions."""
    for i in range(5):
        _event(db, world.jarva, action=f"händelse-{i}", after={"i": i})
    db.add(_decision(world.jarva_partnership, "a"))
    db.add(_decision(world.jarva_partnership, "b"))
    db.commit()
    assert audit_verify.verify(db).intact
    return world


def _broken(db, tenant=None, **kwargs):
    db.expire_all()
    result = audit_verify.verify(db, tenant, **kwargs)
    assert not result.intact
    return result.broken


def test_an_edited_row_no_longer_matches_its_hash(trail, db, database_url, owner_url):
    rows = _ids(db, AuditEvent, trail.jarva.id)
    row_id, seq = rows[3]
    as_owner(owner_url, f"UPDATE audit_event SET action = 'förfalskad' WHERE id = {row_id}")
    broken = _broken(db)
    assert (broken.chain.table, broken.chain.tenant_code, broken.row_id, broken.seq, broken.problem) == (
        "audit_event", "jarva", row_id, seq, audit_verify.HASH_MISMATCH)


def test_a_row_rehashed_after_an_edit_breaks_the_next_link(trail, db, database_url, owner_url):
    rows = _chain(db, AuditEvent, trail.jarva.id)
    target, following = rows[2], rows[3]
    values = {name: getattr(target, name) for name in HASHED["audit_event"]}
    values["action"] = "förfalskad"
    forged = row_hash("audit_event", values, target.seq, target.prev_hash)
    as_owner(owner_url, f"UPDATE audit_event SET action = 'förfalskad', hash = '{forged}' WHERE id = {target.id}")
    broken = _broken(db)
    assert (broken.row_id, broken.seq, broken.problem) == (following.id, following.seq, audit_verify.BROKEN_LINK)


def test_a_removed_row_leaves_a_gap(trail, db, database_url, owner_url):
    rows = _ids(db, AuditEvent, trail.jarva.id)
    as_owner(owner_url, f"DELETE FROM audit_event WHERE id = {rows[1][0]}")
    broken = _broken(db)
    assert (broken.row_id, broken.seq, broken.expected_seq, broken.problem) == (
        rows[2][0], rows[2][1], rows[1][1], audit_verify.SEQ_GAP)


def test_rows_cut_off_the_end_are_missed_by_the_head(trail, db, database_url, owner_url):
    rows = _ids(db, Decision, trail.jarva.id)
    as_owner(owner_url, f"DELETE FROM registry_entry WHERE decision_id = {rows[-1][0]}",
             f"DELETE FROM decision WHERE id = {rows[-1][0]}")
    broken = _broken(db)
    assert (broken.chain.table, broken.row_id, broken.seq, broken.expected_seq, broken.problem) == (
        "decision", rows[-2][0], rows[-2][1], rows[-1][1], audit_verify.HEAD_MISMATCH)


def test_a_row_added_outside_the_application_is_beyond_the_head(trail, db, database_url, owner_url):
    last = _chain(db, AuditEvent, trail.jarva.id)[-1]
    at = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)
    values = {"at": at, "tenant_id": trail.jarva.id, "actor_id": None, "object_type": "test", "object_id": "1",
              "action": "insmugglad", "before": None, "after": None}
    digest = row_hash("audit_event", values, last.seq + 1, last.hash)
    stamp = "2026-05-01 12:00:00.000000" if database_url.startswith("sqlite") else "2026-05-01 12:00:00+00"
    as_owner(owner_url,
             "INSERT INTO audit_event (at, tenant_id, object_type, object_id, action, seq, prev_hash, hash) "
             f"VALUES ('{stamp}', {trail.jarva.id}, 'test', '1', 'insmugglad', {last.seq + 1}, '{last.hash}', '{digest}')")
    broken = _broken(db)
    assert (broken.seq, broken.problem) == (last.seq + 1, audit_verify.BEYOND_HEAD)
    assert broken.row_id == db.scalar(select(AuditEvent.id).where(AuditEvent.action == "insmugglad"))


def test_a_chain_without_its_head_is_reported(trail, db, database_url, owner_url):
    as_owner(owner_url, f"DELETE FROM audit_chain_head WHERE chain = '{chain_key('decision', trail.jarva.id)}'")
    broken = _broken(db)
    assert (broken.chain.table, broken.problem) == ("decision", audit_verify.HEAD_MISSING)


def test_a_break_in_a_later_batch_is_found(trail, db, database_url, owner_url):
    rows = _ids(db, AuditEvent, trail.jarva.id)
    row_id, seq = rows[-2]
    as_owner(owner_url, f"UPDATE audit_event SET object_id = '2' WHERE id = {row_id}")
    assert audit_verify.verify(db, trail.tyreso, batch_size=2).intact
    broken = _broken(db, trail.jarva, batch_size=2)
    assert (broken.row_id, broken.seq, broken.problem) == (row_id, seq, audit_verify.HASH_MISMATCH)


def test_one_tenant_can_be_verified_alone(trail, db, database_url, owner_url):
    row_id = _ids(db, Decision, trail.jarva.id)[0][0]
    as_owner(owner_url, f"UPDATE decision SET motivation = 'efterhandskonstruktion' WHERE id = {row_id}")
    result = audit_verify.verify(db, trail.tyreso)
    assert result.intact and result.chains == 1
    assert result.rows == len(_chain(db, AuditEvent, trail.tyreso.id))
    broken = _broken(db, trail.jarva)
    assert (broken.chain.table, broken.row_id, broken.problem) == ("decision", row_id, audit_verify.HASH_MISMATCH)


# The command line.

def _iop(database_url, tmp_path, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("IOP_")}
    env.update(IOP_DATABASE_URL=database_url, IOP_DATA_DIR=str(tmp_path / "cli"))
    return subprocess.run([IOP, "audit", "verify", *args], capture_output=True, text=True, env=env, timeout=120)


def test_iop_audit_verify(trail, db, database_url, tmp_path, owner_url):
    rows = db.scalar(select(func.count()).select_from(AuditEvent)) + 2
    ok = _iop(database_url, tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == f"Granskningsspåret är intakt: {rows} rader i 4 kedjor kontrollerade."
    one = _iop(database_url, tmp_path, "--tenant", "tyreso")
    assert one.returncode == 0, one.stderr
    assert "i 1 kedja kontrollerade" in one.stdout
    unknown = _iop(database_url, tmp_path, "--tenant", "atlantis")
    assert unknown.returncode == 2
    assert unknown.stderr == "iop: det finns ingen kommun eller stadsdelsnämnd med koden 'atlantis'\n"

    row_id, seq = _ids(db, Decision, trail.jarva.id)[1]
    as_owner(owner_url, f"DELETE FROM registry_entry WHERE decision_id = {row_id}",
             f"DELETE FROM decision WHERE id = {row_id}")
    broken = _iop(database_url, tmp_path, "--tenant", "jarva")
    assert broken.returncode == 1
    assert broken.stderr == (
        f"iop: granskningsspåret är brutet: decision id {_ids(db, Decision, trail.jarva.id)[0][0]}, seq 1 "
        "(kedjan för jarva): kedjan slutar inte där kedjans huvud anger (seq 2); "
        "rader saknas eller har ändrats i slutet\n"
    )
    assert _iop(database_url, tmp_path, "--tenant", "tyreso").returncode == 0


def test_iop_audit_verify_on_a_database_not_yet_created(tmp_path):
    """Exit 1 is kept for a broken chain."""
    result = _iop(f"sqlite:///{tmp_path / 'tom.sqlite3'}", tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and "iop db upgrade" in result.stderr
