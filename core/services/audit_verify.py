"""Verifying the hash chains of the audit trail and the decisions
(``iop audit verify``; the chains themselves are described in core/audit_chain.py).

Each chain is read in seq order in batches, so a tenant with hundreds of
thousands of rows is checked in constant memory. Every row must have the next
seq, point at the previous row's hash and carry the hash of its own content;
the chain must end where its head in ``audit_chain_head`` says. Rows written
while the check runs do not disturb it: a chain is checked up to the head read
before its rows, and the next run covers what came after.

The result is data, not sentences: the command line words it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from core.audit_chain import GENESIS, HASHED, chain_key, row_hash
from core.models import AuditChainHead, AuditEvent, Decision, Tenant

TABLES = {"audit_event": AuditEvent.__table__, "decision": Decision.__table__}
_HEAD = AuditChainHead.__table__

# What can be wrong with a row (Break.problem):
SEQ_GAP = "seq_gap"              # the row's seq is not the next one (a row removed, added or renumbered)
BROKEN_LINK = "broken_link"      # prev_hash is not the previous row's hash
HASH_MISMATCH = "hash_mismatch"  # the row's content is not what its hash was taken of
HEAD_MISMATCH = "head_mismatch"  # the chain does not end where its head says (rows cut off the end)
HEAD_MISSING = "head_missing"    # rows without a head
BEYOND_HEAD = "beyond_head"      # a row after the head (added outside the application)


@dataclass(frozen=True)
class Chain:
    table: str
    tenant_id: int | None
    tenant_code: str | None  # None: the platform's chain

    @property
    def key(self) -> str:
        return chain_key(self.table, self.tenant_id)


@dataclass(frozen=True)
class Break:
    """The first place a chain is broken: the row (None when the chain has no
    row to name) and what is wrong with it."""

    chain: Chain
    problem: str
    row_id: int | None
    seq: int | None
    # SEQ_GAP: the seq the row should have had; HEAD_MISMATCH: the head's seq.
    expected_seq: int | None = None


@dataclass(frozen=True)
class Verification:
    rows: int
    chains: int
    broken: Break | None

    @property
    def intact(self) -> bool:
        return self.broken is None


def verify(session: Session, tenant: Tenant | None = None, *, batch_size: int = 1000) -> Verification:
    """Checks every chain (``tenant`` None: the platform's and every tenant's;
    otherwise that tenant's audit trail and decisions) and stops at the first
    break."""
    rows = chains = 0
    for chain in _chains(session, tenant):
        checked, exists, broken = _verify_chain(session, chain, batch_size)
        rows += checked
        chains += exists
        if broken is not None:
            return Verification(rows, chains, broken)
    return Verification(rows, chains, None)


def _chains(session: Session, tenant: Tenant | None) -> list[Chain]:
    if tenant is not None:
        return [Chain(table, tenant.id, tenant.code) for table in TABLES]
    tenant_ids: set[int | None] = set(session.scalars(select(_HEAD.c.tenant_id)))
    for table in TABLES.values():
        tenant_ids.update(session.scalars(select(table.c.tenant_id).distinct()))
    codes = dict(session.execute(select(Tenant.id, Tenant.code)).all())
    ordered = sorted(tenant_ids, key=lambda t: (t is not None, t or 0))
    return [
        Chain(table, tenant_id, codes.get(tenant_id) if tenant_id is not None else None)
        for tenant_id in ordered
        for table in TABLES
        if tenant_id is not None or table == "audit_event"
    ]


def _head(session: Session, chain: Chain):
    return session.execute(select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.chain == chain.key)).first()


def _verify_chain(session: Session, chain: Chain, batch_size: int) -> tuple[int, int, Break | None]:
    """(rows checked, 1 if the chain exists else 0, the first break or None)."""
    table = TABLES[chain.table]
    in_chain = table.c.tenant_id.is_(None) if chain.tenant_id is None else table.c.tenant_id == chain.tenant_id
    head = _head(session, chain)
    if head is None:
        newest = _first(session, table, in_chain, newest=True)
        if newest is None:
            return 0, 0, None
        # The chain's first rows may have been committed, head and all, since
        # the head was read.
        head = _head(session, chain)
        if head is None:
            return 0, 1, Break(chain, HEAD_MISSING, newest.id, newest.seq)

    columns = [table.c.id, table.c.seq, table.c.prev_hash, table.c.hash, *(table.c[n] for n in HASHED[chain.table])]
    checked = 0
    expected, prev = 1, GENESIS
    last_row = None
    while True:
        query = select(*columns).where(in_chain, table.c.seq <= head.seq)
        if last_row is not None:
            # Keyset on (seq, id): constant cost per batch, and a duplicated
            # seq is still seen.
            query = query.where(table.c.seq >= last_row.seq,
                                or_(table.c.seq > last_row.seq, table.c.id > last_row.id))
        batch = session.execute(query.order_by(table.c.seq, table.c.id).limit(batch_size)).all()
        for row in batch:
            checked += 1
            if row.seq != expected:
                return checked, 1, Break(chain, SEQ_GAP, row.id, row.seq, expected_seq=expected)
            if row.prev_hash != prev:
                return checked, 1, Break(chain, BROKEN_LINK, row.id, row.seq)
            if row.hash != row_hash(chain.table, row._mapping, row.seq, row.prev_hash):
                return checked, 1, Break(chain, HASH_MISMATCH, row.id, row.seq)
            expected, prev = expected + 1, row.hash
        if batch:
            last_row = batch[-1]
        if len(batch) < batch_size:
            break

    if (expected - 1, prev) != (head.seq, head.hash):
        return checked, 1, Break(chain, HEAD_MISMATCH, last_row.id if last_row else None,
                                 last_row.seq if last_row else None, expected_seq=head.seq)
    # The application moves the head in the transaction that adds a row, so a
    # row after the head was added some other way. The newest row is read
    # before the head: a row committed in between moves the head past it.
    newest = _first(session, table, in_chain, newest=True)
    head = _head(session, chain)
    if newest is not None and newest.seq > head.seq:
        beyond = _first(session, table, in_chain, table.c.seq > head.seq, table.c.seq <= newest.seq)
        return checked, 1, Break(chain, BEYOND_HEAD, beyond.id, beyond.seq)
    return checked, 1, None


def _first(session: Session, table, *where, newest: bool = False):
    order = (table.c.seq.desc(), table.c.id.desc()) if newest else (table.c.seq, table.c.id)
    return session.execute(select(table.c.id, table.c.seq).where(*where).order_by(*order).limit(1)).first()
