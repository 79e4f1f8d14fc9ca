"""The organisation register."""

import pytest

from core.services import ValidationError, organisations
from tests import factories


def test_wrong_organisationsnummer_gets_a_clear_message(db, world):
    with pytest.raises(ValidationError) as exc:
        organisations.add_organisation(db, world.jarva, None, factories.oform({"name": "X", "organisationsnummer": "802002-8712",
                                                               "legal_form": "ideell_forening"}))
    assert "kontrollsiffran" in exc.value.errors["organisationsnummer"]


def test_one_organisation_may_partner_with_several_tenants(db, world):
    number = world.jarva_org.organisationsnummer
    linked = organisations.add_organisation(db, world.tyreso, None, factories.oform({"name": "Föreningen  järvabron",
                                                                     "organisationsnummer": number,
                                                                     "legal_form": "ideell_forening"}))
    assert linked.id == world.jarva_org.id
    assert world.jarva_org in organisations.list_organisations(db, world.tyreso)


def test_a_known_number_under_another_name_names_the_registered_organisation(db, world):
    """Nothing typed is dropped silently: the person is told the registered name and confirms."""
    number = world.jarva_org.organisationsnummer
    data = {"name": "Annat namn", "organisationsnummer": number, "legal_form": "stiftelse", "contact_name": "Kim"}
    with pytest.raises(organisations.KnownOrganisation) as exc:
        organisations.add_organisation(db, world.tyreso, None, factories.oform(data))
    assert "Föreningen Järvabron" in exc.value.errors["organisationsnummer"]
    assert exc.value.organisation.id == world.jarva_org.id
    assert world.jarva_org not in organisations.list_organisations(db, world.tyreso)
    linked = organisations.add_organisation(db, world.tyreso, None, factories.oform({**data, "confirm_existing": str(world.jarva_org.id)}))
    assert linked.name == "Föreningen Järvabron" and linked.legal_form == "ideell_forening"
    assert [c.name for c in organisations.contacts(db, world.tyreso, linked)] == ["Kim"]
    assert organisations.contacts(db, world.jarva, linked) == []


def test_the_legal_form_must_fit_the_organisationsnummer(db, world):
    with pytest.raises(ValidationError) as exc:
        organisations.add_organisation(db, world.jarva, None, factories.oform({"name": "Bolaget", "organisationsnummer": "556036-0793",
                                                               "legal_form": "ideell_forening"}))
    assert "börjar på 5" in exc.value.errors["legal_form"]


def test_adding_it_twice_to_one_register_is_refused(db, world):
    with pytest.raises(ValidationError) as exc:
        organisations.add_organisation(db, world.jarva, None, factories.oform({"name": "Igen", "legal_form": "ideell_forening",
                                                               "organisationsnummer": world.jarva_org.organisationsnummer}))
    assert exc.value.errors["organisationsnummer"] == "Organisationen finns redan i ert register."


def test_a_tenant_sees_only_its_own_register(db, world):
    assert organisations.list_organisations(db, world.jarva) == [world.jarva_org]
    assert organisations.get_organisation(db, world.jarva, world.tyreso_org.id) is None


def test_the_register_counts_in_swedish(client, world):
    from tests.factories import login

    login(client, world.jarva_staff.email)
    assert "1 organisation." in client.get("/k/jarva/organisationer/").text
