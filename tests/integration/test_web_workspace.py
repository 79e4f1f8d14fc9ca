"""The staff workspace: list with live filter, create, edit, organisations."""

import re

from core.services import partnerships
from tests import factories
from tests.factories import csrf, login, post


def _id_from(location: str) -> int:
    return int(re.search(r"/partnerskap/(\d+)", location).group(1))


def test_create_and_view_a_partnership(client, world):
    login(client, world.jarva_staff.email)
    response = post(client, "/k/jarva/partnerskap/ny", {"title": "Kvällsfotboll", "organisation_id": str(world.jarva_org.id),
                                                        "offentlig_pengar_amount": "250000"})
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert "<h1>Kvällsfotboll</h1>" in page.text
    assert "Partnerskapet är sparat." in page.text
    assert "250\xa0000 kr" in page.text


def test_a_bad_form_keeps_what_was_written(client, world):
    login(client, world.jarva_staff.email)
    response = post(client, "/k/jarva/partnerskap/ny", {"title": "", "goals": "Mitt långa mål", "period_start": "igår"})
    assert response.status_code == 422
    assert "Skriv en titel för partnerskapet." in response.text
    assert "Mitt långa mål" in response.text and 'value="igår"' in response.text


def test_filter_answers_htmx_with_only_the_results_fragment(client, world):
    login(client, world.jarva_staff.email)
    full = client.get("/k/jarva/?q=läxhjälp")
    assert "<html" in full.text and 'id="results"' in full.text
    fragment = client.get("/k/jarva/?q=läxhjälp", headers={"HX-Request": "true", "HX-Target": "results"})
    assert "<html" not in fragment.text and fragment.text.lstrip().startswith('<div id="results"')
    assert "Järvas hemliga läxhjälp" in fragment.text
    assert "HX-Request" in fragment.headers["vary"]
    none = client.get("/k/jarva/?q=finnsinte", headers={"HX-Request": "true", "HX-Target": "results"})
    assert "Inga partnerskap matchar filtret" in none.text


def test_edit_conflict_is_explained_and_keeps_the_input(client, world, db):
    login(client, world.jarva_staff.email)
    p = world.jarva_partnership
    form = partnerships.form_values(p)
    url = f"/k/jarva/partnerskap/{p.id}/andra"
    assert post(client, url, {**form, "title": "Först", "version": str(p.version)}).status_code == 303
    late = post(client, url, {**form, "title": "Min sena ändring", "version": str(p.version)})
    assert late.status_code == 409
    assert "Någon annan har ändrat partnerskapet" in late.text
    assert 'value="Min sena ändring"' in late.text
    db.expire_all()
    assert partnerships.get_partnership(db, world.jarva, p.id).title == "Först"


def test_wrong_organisationsnummer_keeps_the_rest_of_the_form(client, world):
    login(client, world.jarva_staff.email)
    response = post(client, "/k/jarva/organisationer/ny", {"name": "Föreningen Gläntan", "organisationsnummer": "802002-8712",
                                                           "legal_form": "ideell_forening", "city": "Kista"})
    assert response.status_code == 422
    assert "kontrollsiffran" in response.text
    assert 'value="Föreningen Gläntan"' in response.text and 'value="Kista"' in response.text
    assert 'value="802002-8712"' in response.text


def test_add_an_organisation(client, world):
    login(client, world.jarva_staff.email)
    response = post(client, "/k/jarva/organisationer/ny", {"name": "Föreningen Gläntan", "organisationsnummer": "8020028711",
                                                           "legal_form": "ideell_forening"})
    assert response.status_code == 303
    assert "802002-8711" in client.get(response.headers["location"]).text


def test_upload_and_download_a_document(client, world):
    login(client, world.jarva_staff.email)
    p = world.jarva_partnership
    response = client.post(f"/k/jarva/partnerskap/{p.id}/dokument", data={"title": "Budget", "kind": "budget", "_csrf_token": csrf(client)},
                           files={"file": ("budget.pdf", b"%PDF-1.4 budget", "application/pdf")}, follow_redirects=False)
    assert response.status_code == 303
    page = client.get(f"/k/jarva/partnerskap/{p.id}").text
    doc_url = re.search(r'href="(/k/jarva/dokument/\d+)"', page).group(1)
    download = client.get(doc_url)
    assert download.content == b"%PDF-1.4 budget"
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.headers["x-content-type-options"] == "nosniff"


def test_a_read_only_role_cannot_create(client, world, db, registry):
    from tests import factories

    factories.user(db, registry, "namnd@jarva.test", (world.jarva, "stadsdelsnamnd"))
    db.commit()
    login(client, "namnd@jarva.test")
    assert client.get("/k/jarva/").status_code == 200
    assert "Registrera nytt initiativ" not in client.get("/k/jarva/").text
    assert post(client, "/k/jarva/partnerskap/ny", {"title": "x"}).status_code == 403


def test_process_page_shows_the_kommuns_roles_and_templates(client, world):
    login(client, world.jarva_staff.email)
    page = client.get("/k/jarva/process").text
    assert "Stabsenhet, administrativa avdelningen" in page and "Mall för slutrapport" in page


def test_a_document_between_ten_and_twenty_megabytes_is_accepted(client, world):
    """The form promises 20 MB; the server's body limit must not refuse less."""
    login(client, world.jarva_staff.email)
    big = b"%PDF-1.7\n" + b"0" * (15 * 1024 * 1024)
    response = client.post(f"/k/jarva/partnerskap/{world.jarva_partnership.id}/dokument",
                           data={"title": "Stor bilaga", "kind": "ovrigt", "_csrf_token": csrf(client)},
                           files={"file": ("bilaga.pdf", big, "application/pdf")}, follow_redirects=False)
    assert response.status_code == 303


def test_a_second_idéburen_party_is_added_on_the_form_without_saving(client, world, db):
    """GEN-08: the form grows a party at a time; nothing is saved until Spara."""
    login(client, world.jarva_staff.email)
    grown = post(client, "/k/jarva/partnerskap/ny", {"title": "Växande", "organisation_id": str(world.jarva_org.id),
                                                     "atgard": "ny-part"})
    assert grown.status_code == 200
    assert 'name="organisation_id2"' in grown.text and "Idéburen part 2" in grown.text
    assert 'value="Växande"' in grown.text
    assert partnerships.list_partnerships(db, world.jarva, query="Växande").total == 0


def test_what_waits_for_you_includes_current_steps_without_a_deadline(client, db, registry, world):
    """Issue 11, point 5: "Väntar på dig" lists every current step one of the
    person's roles owns, with or without a deadline; the tenant's deadlines stay a tab away."""
    login(client, world.jarva_staff.email)
    page = client.get("/k/jarva/").text
    assert "Väntar på dig (1)" in page and "Aktuellt, utan tidsfrist (1)" in page
    assert "Ta emot initiativet" in page and "Aktuellt nu" in page
    tenant_wide = client.get("/k/jarva/?frister=alla").text
    assert ">Tidsfrister</h2>" in tenant_wide and "Aktuellt, utan tidsfrist" not in tenant_wide


def test_what_waits_for_you_includes_a_partys_message_no_one_has_answered(client, db, registry, world):
    """Issue 11, point 5: what the parties ask of the person. The organisation's
    message waits on the start page of the staff whose roles own the case's
    current step, until someone at the kommun answers."""
    from core.services import messages

    p = partnerships.get_partnership(db, world.jarva, world.jarva_partnership.id)
    rep = factories.user(db, registry, "kontakt@jarvabron.test", organisation_id=world.jarva_org.id)
    messages.send(db, partnership=p, author=rep, organisation=world.jarva_org, body="När ses vi?", base_url="")
    db.commit()
    login(client, world.jarva_staff.email)
    page = client.get("/k/jarva/?frister=mina").text
    assert "Meddelanden från parterna som väntar på svar (1)" in page
    assert f'/k/jarva/partnerskap/{p.id}/parter#meddelanden' in page
    login(client, world.tyreso_staff.email)
    assert "Meddelanden från parterna" not in client.get("/k/tyreso/?frister=mina").text
    messages.send(db, partnership=partnerships.get_partnership(db, world.jarva, p.id), author=world.jarva_staff,
                  organisation=None, body="På tisdag.", base_url="")
    db.commit()
    login(client, world.jarva_staff.email)
    assert "Meddelanden från parterna" not in client.get("/k/jarva/?frister=mina").text


def test_the_navigation_counts_the_unanswered_message_too(client, db, registry, world):
    from core.services import messages

    login(client, world.jarva_staff.email)
    before = int(re.search(r'class="nav-count">(\d+)', client.get("/k/jarva/organisationer/").text).group(1))
    rep = factories.user(db, registry, "kontakt2@jarvabron.test", organisation_id=world.jarva_org.id)
    messages.send(db, partnership=partnerships.get_partnership(db, world.jarva, world.jarva_partnership.id),
                  author=rep, organisation=world.jarva_org, body="Hej!", base_url="")
    db.commit()
    after = int(re.search(r'class="nav-count">(\d+)', client.get("/k/jarva/organisationer/").text).group(1))
    assert after == before + 1
