"""Platform administration: tenants, plugin activation per tenant, users and roles."""

import re

from core.models import Partnership, PluginActivation
from core.services import tenants
from tests.factories import login, post


def test_admin_area_is_404_for_staff(client, world):
    login(client, world.jarva_staff.email)
    assert client.get("/admin/").status_code == 404


def test_disabling_a_plugin_keeps_the_data_and_falls_back_to_the_generic_process(client, world, db, registry):
    login(client, world.admin.email)
    response = post(client, "/admin/organisationer/jarva/tillagg", {"plugin": "jarva", "action": "disable"})
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
