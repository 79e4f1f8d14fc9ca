"""Partnerships: created, listed, edited and kept inside their tenant."""

import pytest

from core.models import AuditEvent
from core.services import ConflictError, ValidationError, partnerships
from tests import factories


def test_create_records_parties_contributions_and_audit(db, world):
    """GEN-03: both parties contribute resources, not necessarily money."""
    p = partnerships.create_partnership(db, world.jarva, world.jarva_staff, factories.pform({
        "title": "Språkcafé", "period_start": "2027-01-01", "period_end": "2029-12-31",
        "organisation_id": str(world.jarva_org.id), "offentlig_pengar_amount": "150 000",
        "ideburen_ideella_timmar_amount": "400", "ideburen_lokaler_text": "Föreningslokalen",
    }))
    db.commit()
    saved = partnerships.get_partnership(db, world.jarva, p.id)
    by_role = {party.role: party for party in saved.parties}
    assert by_role["ideburen"].organisation.name == "Föreningen Järvabron"
    assert [(c.kind, c.amount) for c in by_role["offentlig"].contributions] == [("pengar", 150000)]
    assert {c.kind for c in by_role["ideburen"].contributions} == {"ideella_timmar", "lokaler"}
    event = db.query(AuditEvent).filter_by(object_type="partnership", object_id=str(p.id)).one()
    assert event.actor_id == world.jarva_staff.id and event.tenant_id == world.jarva.id
    assert event.after["title"] == "Språkcafé"


def test_bad_input_gets_swedish_messages_per_field(db, world):
    with pytest.raises(ValidationError) as exc:
        partnerships.create_partnership(db, world.jarva, None, factories.pform({
            "title": "", "period_start": "2027-13-01", "period_end": "2026-01-01", "offentlig_pengar_amount": "mycket",
        }))
    assert exc.value.errors == {
        "title": "Skriv en titel för partnerskapet.",
        "period_start": "Det datumet finns inte i kalendern. Skriv startdatum som ÅÅÅÅ-MM-DD, till exempel 2027-03-15.",
        "offentlig_pengar_amount": "Skriv ett tal, till exempel 150 000.",
    }


def test_end_must_come_after_start(db, world):
    with pytest.raises(ValidationError) as exc:
        factories.partnership(db, world.jarva, period_start="2027-01-01", period_end="2026-12-31")
    assert exc.value.errors["period_end"] == "Slutdatum måste komma efter startdatum."


def test_another_tenants_organisation_cannot_be_a_party(db, world):
    with pytest.raises(ValidationError) as exc:
        factories.partnership(db, world.jarva, organisation_id=world.tyreso_org.id)
    assert "organisation_id" in exc.value.errors


def test_list_is_scoped_to_the_tenant_and_filters(db, world):
    factories.partnership(db, world.jarva, "Naturskola i Järva")
    db.commit()
    titles = [p.title for p in partnerships.list_partnerships(db, world.jarva).items]
    assert "Tyresös hemliga naturskola" not in titles
    assert [p.title for p in partnerships.list_partnerships(db, world.jarva, query="natur").items] == ["Naturskola i Järva"]
    assert [p.title for p in partnerships.list_partnerships(db, world.jarva, query="järvabron").items] == ["Järvas hemliga läxhjälp"]
    assert partnerships.get_partnership(db, world.jarva, world.tyreso_partnership.id) is None


def test_sorting_and_paging(db, world):
    for i in range(25):
        factories.partnership(db, world.jarva, f"P{i:02d}")
    db.commit()
    first = partnerships.list_partnerships(db, world.jarva, sort="titel", descending=False, page=1)
    assert first.total == 26 and first.pages == 2 and len(first.items) == 20
    assert first.items[0].title == "Järvas hemliga läxhjälp"
    second = partnerships.list_partnerships(db, world.jarva, sort="titel", descending=False, page=2)
    assert [p.title for p in second.items] == [f"P{i:02d}" for i in range(19, 25)]
    beyond = partnerships.list_partnerships(db, world.jarva, page=99)
    assert beyond.page == 2


def test_a_search_counts_its_matches_and_a_page_past_the_last_shows_the_last(db, world):
    for i in range(25):
        factories.partnership(db, world.jarva, f"Läxhjälp {i:02d}")
    db.commit()
    first = partnerships.list_partnerships(db, world.jarva, query="läxhjälp", sort="titel", descending=False)
    assert first.total == 26 and first.pages == 2 and len(first.items) == 20
    for page in (99, 10**30):
        beyond = partnerships.list_partnerships(db, world.jarva, query="läxhjälp", sort="titel", descending=False,
                                                page=page)
        assert (beyond.page, beyond.total) == (2, 26)
        assert [p.title for p in beyond.items] == [f"Läxhjälp {i:02d}" for i in range(19, 25)]
    nothing = partnerships.list_partnerships(db, world.jarva, query="simskola", page=3)
    assert (nothing.page, nothing.total, nothing.items) == (1, 0, [])


def test_second_concurrent_edit_gets_a_conflict_and_changes_nothing(db, world, engine):
    from core.db import make_sessionmaker
    from core.tenancy import Scope, set_scope

    p = world.jarva_partnership
    version = p.version
    data = partnerships.form_values(p)
    partnerships.update_partnership(db, world.jarva, None, p, factories.pform({**data, "title": "Första ändringen"}), version)
    db.commit()
    with make_sessionmaker(engine)() as other:
        set_scope(other, Scope.of_tenant(world.jarva.id))
        stale = partnerships.get_partnership(other, world.jarva, p.id)
        with pytest.raises(ConflictError):
            partnerships.update_partnership(other, world.jarva, None, stale, factories.pform({**data, "title": "Andra"}), version)
        other.rollback()
    db.expire_all()
    assert partnerships.get_partnership(db, world.jarva, p.id).title == "Första ändringen"


def test_editing_only_contributions_bumps_the_version(db, world):
    p = world.jarva_partnership
    version = p.version
    data = partnerships.form_values(p)
    partnerships.update_partnership(db, world.jarva, None, p, factories.pform({**data, "offentlig_pengar_amount": "5"}), version)
    db.commit()
    assert p.version == version + 1


def _second_org(db, world):
    org = factories.organisation(db, world.jarva, "Stiftelsen Andra")
    db.commit()
    return org


def test_gen_08_several_idéburna_parties_each_with_its_own_contributions(db, world):
    other = _second_org(db, world)
    p = partnerships.create_partnership(db, world.jarva, None, factories.pform({
        "title": "Två föreningar", "organisation_id": str(world.jarva_org.id), "ideburen_ideella_timmar_amount": "400",
        "organisation_id2": str(other.id), "ideburen2_lokaler_text": "Stiftelsens lokal",
        "offentlig_pengar_amount": "100000",
    }))
    db.commit()
    saved = partnerships.get_partnership(db, world.jarva, p.id)
    ideburna = [(party.organisation.name, [c.kind for c in party.contributions])
                for party in saved.parties if party.role == "ideburen"]
    assert ideburna == [("Föreningen Järvabron", ["ideella_timmar"]), ("Stiftelsen Andra", ["lokaler"])]
    values = partnerships.form_values(saved)
    assert values["organisation_id2"] == str(other.id) and values["ideburen2_lokaler_text"] == "Stiftelsens lokal"
    # Leaving the second party out of the form removes it; the first keeps its row.
    first = next(party.id for party in saved.parties if party.organisation_id == world.jarva_org.id)
    kept = {k: v for k, v in values.items() if not k.endswith("2") and "ideburen2" not in k}
    partnerships.update_partnership(db, world.jarva, None, saved, factories.pform(kept), saved.version)
    db.commit()
    again = partnerships.get_partnership(db, world.jarva, p.id)
    assert [party.id for party in again.parties if party.role == "ideburen"] == [first]


def test_gen_08_one_organisation_is_a_party_once_and_contributions_need_an_organisation(db, world):
    with pytest.raises(ValidationError) as exc:
        factories.pform({"title": "Utan", "organisation_id": str(world.jarva_org.id), "ideburen3_pengar_amount": "10"})
    assert "Välj vilken organisation" in exc.value.errors["organisation_id3"]
    with pytest.raises(ValidationError) as exc:
        partnerships.create_partnership(db, world.jarva, None, factories.pform({
            "title": "Dubbel", "organisation_id": str(world.jarva_org.id), "organisation_id2": str(world.jarva_org.id)}))
    assert "redan part" in exc.value.errors["organisation_id2"]


def test_gen_03_every_idéburen_party_contributes(db, world, registry):
    """With several idéburna parties, 'both parties contribute' holds only when each of them does."""
    from core.services.casework import load_facts

    other = _second_org(db, world)
    p = partnerships.create_partnership(db, world.jarva, None, factories.pform({
        "title": "Två", "organisation_id": str(world.jarva_org.id), "ideburen_pengar_amount": "1",
        "organisation_id2": str(other.id), "offentlig_pengar_amount": "1"}))
    db.commit()
    saved = partnerships.get_partnership(db, world.jarva, p.id)
    assert load_facts(db, world.jarva, [saved])[p.id].contributions == frozenset({"offentlig"})
    partnerships.update_partnership(db, world.jarva, None, saved,
                                    factories.pform({**partnerships.form_values(saved), "ideburen2_ideella_timmar_amount": "5"}),
                                    saved.version)
    db.commit()
    saved = partnerships.get_partnership(db, world.jarva, p.id)
    assert load_facts(db, world.jarva, [saved])[p.id].contributions == frozenset({"offentlig", "ideburen"})


def test_gen_08_the_engine_knows_each_idéburen_party_and_which_party_sent_a_document(db, world, registry, settings):
    """JV-18 with several parties: each sends its own position; the engine
    reads who sent what (core.services.casework.load_facts)."""
    from core import clock
    from core.services import casework, documents, tenants

    other = _second_org(db, world)
    p = partnerships.create_partnership(db, world.jarva, None, factories.pform({
        "title": "Två föreningar", "organisation_id": str(world.jarva_org.id), "organisation_id2": str(other.id)}))
    chair = factories.user(db, registry, "ordforande@andra.test", organisation_id=other.id)
    documents.store_document(db, settings.documents_dir, world.jarva, chair, partnership=p,
                             kind="stallningstagande_part", title="Vår ställning", filename="s.txt", content=b"S")
    documents.store_document(db, settings.documents_dir, world.jarva, world.jarva_staff, partnership=p,
                             kind="stallningstagande_part", title="Inskannad", filename="t.txt", content=b"T")
    db.commit()
    saved = partnerships.get_partnership(db, world.jarva, p.id)
    facts = casework.case_view(db, registry, tenants.kommun_for(db, registry, world.jarva), world.jarva, saved,
                               clock.today()).facts
    assert facts.ideburna == ((world.jarva_org.id, "Föreningen Järvabron"), (other.id, "Stiftelsen Andra"))
    assert sorted((d.organisation_id or 0) for d in facts.documents if d.kind == "stallningstagande_part") == [0, other.id]
