"""Platform administration: tenants, plugin activation per tenant, users and roles."""

import re

from sqlalchemy import select

from core.models import AuditEvent, Partnership, PluginActivation, RoleAssignment
from core.services import tenants
from tests.factories import login, post


def test_admin_area_is_404_for_staff(client, world):
    login(client, world.jarva_staff.email)
    assert client.get("/admin/").status_code == 404


def test_disabling_a_plugin_says_what_it_does_and_asks_first(client, world, db, registry):
    """Issue 11, point 7: a plugin deactivation asks for confirmation and says what it does to running cases."""
    from tests import factories

    p = world.jarva_partnership
    p.process_code, p.process_version = "jarva", 1
    factories.user(db, registry, "direktor@jarva.test", (world.jarva, "stadsdelsdirektor"))
    factories.partnership(db, world.jarva, "Inte påbörjat")
    db.commit()
    login(client, world.admin.email)
    asked = post(client, "/admin/organisationer/jarva/tillagg",
                 {"plugin": "jarva", "action": "disable", "fran": "organisation"})
    assert asked.status_code == 200 and "Avaktivera tillägget jarva för Järva stadsdelsnämnd?" in asked.text
    assert "1 partnerskap följer tilläggets process och behåller den" in asked.text
    assert "1 partnerskap som inte har påbörjat något steg" in asked.text
    assert "Stadsdelsdirektör (1 person)" in asked.text
    db.expire_all()
    assert tenants.kommun_for(db, registry, world.jarva).profile.code == "jarva"  # nothing changed yet


def test_disabling_a_plugin_keeps_the_data_and_falls_back_to_the_generic_process(client, world, db, registry):
    login(client, world.admin.email)
    response = post(client, "/admin/organisationer/jarva/tillagg",
                    {"plugin": "jarva", "action": "disable", "bekraftat": "1"})
    assert response.status_code == 303
    db.expire_all()
    assert db.query(PluginActivation).filter_by(tenant_id=world.jarva.id).count() == 0
    assert db.query(Partnership).filter_by(tenant_id=world.jarva.id).count() == 1
    assert tenants.kommun_for(db, registry, world.jarva).profile.code == "generic"
    assert "Tillägget är avaktiverat. Inga uppgifter har tagits bort." in client.get(response.headers["location"]).text
    post(client, "/admin/organisationer/jarva/tillagg", {"plugin": "jarva", "action": "enable"})
    db.expire_all()
    activation = db.query(PluginActivation).filter_by(tenant_id=world.jarva.id).one()
    assert activation.plugin_name == "jarva" and activation.enabled_by_id == world.admin.id


def test_enabling_an_unknown_plugin_is_refused_in_swedish(client, world):
    login(client, world.admin.email)
    response = post(client, "/admin/organisationer/jarva/tillagg", {"plugin": "finns-inte", "action": "enable"})
    assert response.status_code == 422
    assert "Det finns inget installerat tillägg med det namnet." in response.text


def test_create_a_tenant_user_and_role(client, world, db):
    login(client, world.admin.email)
    bad = post(client, "/admin/organisationer", {"code": "Fel Kod", "name": "Norrmalm", "kind": "stadsdelsnamnd",
                                                 "decision_body": "Norrmalms stadsdelsnämnd"})
    assert bad.status_code == 422 and "Koden får bara innehålla" in bad.text and 'value="Norrmalm"' in bad.text
    assert post(client, "/admin/organisationer", {"code": "norrmalm", "name": "Norrmalms stadsdelsnämnd",
                                                  "kind": "stadsdelsnamnd", "decision_body": "Norrmalms stadsdelsnämnd",
                                                  "parent_organisation": "Stockholms stad"}).status_code == 303
    created = post(client, "/admin/anvandare", {"name": "Ny Handläggare", "email": "ny@norrmalm.test",
                                                "password": "ett-langt-losenord"})
    assert created.status_code == 303
    user_url = created.headers["location"].split("?")[0]
    assert post(client, f"{user_url}/roller", {"role": "norrmalm:handlaggare"}).status_code == 303
    page = client.get(user_url).text
    assert "Handläggare" in page and "Norrmalms stadsdelsnämnd" in page
    client.cookies.clear()
    login(client, "ny@norrmalm.test", "ett-langt-losenord")
    assert client.get("/k/norrmalm/").status_code == 200
    assert client.get("/k/jarva/").status_code == 404


def test_a_role_not_in_the_tenants_table_is_refused(client, world):
    login(client, world.admin.email)
    response = post(client, f"/admin/anvandare/{world.tyreso_staff.id}/roller", {"role": "tyreso:stabsenhet"})
    assert response.status_code == 422 and "rolltabell" in response.text


def test_deactivate_a_user(client, world):
    login(client, world.admin.email)
    assert post(client, f"/admin/anvandare/{world.jarva_staff.id}/status", {"active": "0"}).status_code == 303
    client.cookies.clear()
    assert login(client, world.jarva_staff.email).status_code == 400


def test_the_platform_admin_chooses_the_kommun_a_tenant_runs(client, world, db, registry):
    """A second förvaltning of Tyresö chooses Tyresö's process; it applies once
    the plugin is enabled for it (installed is not enabled)."""
    login(client, world.admin.email)
    overview = client.get("/admin/").text
    assert '<option value="tyreso"' in overview and '<option value="generic"' not in overview
    created = post(client, "/admin/organisationer", {
        "code": "tyreso-kultur", "name": "Kultur- och fritidsförvaltningen", "kind": "forvaltning",
        "parent_organisation": "Tyresö kommun", "decision_body": "Kultur- och fritidsnämnden",
        "kommun_code": "tyreso"})
    assert created.status_code == 303
    assert created.headers["location"] == "/admin/organisationer/tyreso-kultur?meddelande=skapad"
    kultur = tenants.get_by_code(db, "tyreso-kultur")
    assert kultur.kommun_code == "tyreso" and kultur.kind_label == "Förvaltning eller nämnd"
    assert tenants.kommun_for(db, registry, kultur).profile.code == "generic"
    page = client.get(created.headers["location"]).text
    assert "Organisationen är skapad." in page and "Aktivera<span" in page

    enabled = post(client, "/admin/organisationer/tyreso-kultur/tillagg",
                   {"plugin": "tyreso", "action": "enable", "fran": "organisation"})
    assert enabled.headers["location"].startswith("/admin/organisationer/tyreso-kultur?meddelande=tillagg-aktiverat")
    db.expire_all()
    assert tenants.kommun_for(db, registry, kultur) is registry.kommuner["tyreso"]
    assert tenants.kommun_for(db, registry, world.tyreso) is registry.kommuner["tyreso"]

    values = {"name": "Kultur- och fritidsförvaltningen", "kind": "forvaltning", "parent_organisation": "Tyresö kommun",
              "decision_body": "Kultur- och fritidsnämnden", "takes_applications": "1"}
    bad = post(client, "/admin/organisationer/tyreso-kultur", {**values, "name": "Nytt namn", "kommun_code": "generic"})
    assert bad.status_code == 422
    assert "Välj en kommun i listan, eller nationell vägledning." in bad.text and 'value="Nytt namn"' in bad.text
    to_generic = post(client, "/admin/organisationer/tyreso-kultur", {**values, "kommun_code": ""})
    assert to_generic.status_code == 303
    db.expire_all()
    assert kultur.kommun_code is None
    assert tenants.kommun_for(db, registry, kultur).profile.code == "generic"
    event = db.scalar(select(AuditEvent).where(AuditEvent.tenant_id == kultur.id, AuditEvent.action == "update"))
    assert event.before == {"kommun_code": "tyreso"} and event.after == {"kommun_code": None}
    assert event.actor_id == world.admin.id


def test_a_tenant_whose_kommuns_plugin_is_disabled_runs_the_generic_process(client, world, db, registry):
    login(client, world.admin.email)
    post(client, "/admin/organisationer/tyreso/tillagg", {"plugin": "tyreso", "action": "disable", "bekraftat": "1"})
    db.expire_all()
    assert world.tyreso.kommun_code == "tyreso"
    assert tenants.kommun_for(db, registry, world.tyreso).profile.code == "generic"
    assert "Tyresö kommun är vald. Aktivera tillägget tyreso" in client.get("/admin/").text


def test_a_new_tenant_cannot_choose_a_kommun_that_is_not_installed(client, world):
    login(client, world.admin.email)
    response = post(client, "/admin/organisationer", {"code": "vaxholm", "name": "Vaxholms stad", "kind": "kommun",
                                                      "decision_body": "Kommunstyrelsen", "kommun_code": "vaxholm"})
    assert response.status_code == 422
    assert "Välj en kommun i listan" in response.text and 'value="Vaxholms stad"' in response.text


def test_the_platform_admin_appoints_and_removes_tenant_administrators(client, world, db):
    login(client, world.admin.email)
    url = "/admin/organisationer/tyreso/administratorer"
    missing = post(client, url, {"admin_email": "ny-admin@tyreso.test"})
    assert missing.status_code == 422 and "Skriv personens namn" in missing.text
    assert 'value="ny-admin@tyreso.test"' in missing.text
    assert post(client, url, {"admin_email": "ny-admin@tyreso.test", "admin_name": "Ny Admin",
                              "admin_password": "ett-forsta-losenord"}).status_code == 303
    assert post(client, url, {"admin_email": world.tyreso_staff.email}).status_code == 303
    again = post(client, url, {"admin_email": world.tyreso_staff.email})
    assert again.status_code == 422 and "har redan rollen Administratör här" in again.text
    page = client.get("/admin/organisationer/tyreso").text
    assert "ny-admin@tyreso.test" in page and world.tyreso_staff.email in page
    assert "tyreso:administrator" in client.get(f"/admin/anvandare/{world.jarva_staff.id}").text

    # The platform administrator may remove even the last one.
    for assignment in db.scalars(select(RoleAssignment).where(RoleAssignment.tenant_id == world.tyreso.id,
                                                              RoleAssignment.role_key == "administrator")).all():
        assert post(client, f"{url}/{assignment.id}/ta-bort").status_code == 303
    db.expire_all()
    assert db.scalar(select(RoleAssignment).where(RoleAssignment.role_key == "administrator")) is None
    assert "Tyresö kommun har ingen administratör ännu." in client.get("/admin/organisationer/tyreso").text
    # Another role's assignment is not an administrator's to remove here.
    other = db.scalar(select(RoleAssignment.id).where(RoleAssignment.user_id == world.tyreso_staff.id))
    assert post(client, f"{url}/{other}/ta-bort").status_code == 404


def test_the_user_list_names_roles_by_their_titles(client, world):
    """Issue 11, point 7: roles by their titles everywhere, the admin area included."""
    login(client, world.admin.email)
    page = client.get("/admin/anvandare").text
    assert "Handläggare (Järva stadsdelsnämnd)" in page and "handlaggare (" not in page
