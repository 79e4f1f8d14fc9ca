"""The canonical form the audit trail's and the decisions' hash chains are taken of."""

import hashlib
from datetime import datetime, timedelta, timezone

import pytest

from core.audit_chain import GENESIS, HASHED, UNHASHED, canonical, chain_key, row_hash
from core.db import Base

AUDIT_ROW = {
    "at": datetime(2026, 3, 1, 13, 5, 7, tzinfo=timezone(timedelta(hours=1))),
    "tenant_id": 7,
    "actor_id": None,
    "object_type": "partnership",
    "object_id": "12",
    "action": "update",
    "before": {"titel": "Läxhjälp", 2: (1, 2.5)},
    "after": None,
}


def test_the_canonical_form_is_fixed():
    """Sorted keys, no spaces, UTF-8 as is, UTC with microseconds and a Z, JSON
    as the column gives it back (a number key becomes a string, a tuple a list),
    and the table, seq and prev_hash beside the columns. Changing any of it
    breaks every chain already stored."""
    text = canonical("audit_event", AUDIT_ROW, 3, GENESIS)
    assert text == (
        '{"action":"update","actor_id":null,"after":null,"at":"2026-03-01T12:05:07.000000Z",'
        '"before":{"2":[1,2.5],"titel":"Läxhjälp"},"object_id":"12","object_type":"partnership",'
        f'"prev_hash":"{"0" * 64}","seq":3,"table":"audit_event","tenant_id":7}}'
    )
    assert row_hash("audit_event", AUDIT_ROW, 3, GENESIS) == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert row_hash("audit_event", AUDIT_ROW, 3, GENESIS) == (
        "b218a6c942643125b629d2a5b4d58737a26be988ddb7d0c7b8ccf12743bf90af"
    )


@pytest.mark.parametrize("change", [
    {"action": "forged"}, {"tenant_id": 8}, {"actor_id": 1}, {"before": {"titel": "Läxhjälp"}},
    {"at": AUDIT_ROW["at"] + timedelta(microseconds=1)},
])
def test_every_meaningful_change_changes_the_hash(change):
    assert row_hash("audit_event", {**AUDIT_ROW, **change}, 3, GENESIS) != row_hash("audit_event", AUDIT_ROW, 3, GENESIS)


def test_seq_and_the_link_are_part_of_the_hash():
    base = row_hash("audit_event", AUDIT_ROW, 3, GENESIS)
    assert row_hash("audit_event", AUDIT_ROW, 4, GENESIS) != base
    assert row_hash("audit_event", AUDIT_ROW, 3, "1" * 64) != base


def test_the_same_instant_in_any_zone_hashes_alike():
    utc = {**AUDIT_ROW, "at": AUDIT_ROW["at"].astimezone(timezone.utc)}
    assert row_hash("audit_event", utc, 3, GENESIS) == row_hash("audit_event", AUDIT_ROW, 3, GENESIS)


def test_a_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="naive"):
        canonical("audit_event", {**AUDIT_ROW, "at": datetime(2026, 3, 1)}, 1, GENESIS)


@pytest.mark.parametrize("table", sorted(HASHED))
def test_every_column_is_hashed_or_named_as_not_hashed(table):
    """A column added later must be a decision about the chain, not an accident."""
    columns = set(Base.metadata.tables[table].columns.keys())
    assert columns == set(HASHED[table]) | set(UNHASHED), columns ^ (set(HASHED[table]) | set(UNHASHED))


def test_chain_names():
    assert chain_key("audit_event", None) == "audit_event:platform"
    assert chain_key("decision", 3) == "decision:3"
