"""The organisation's document library in the portal (issue 9: each document
kept once with its year, seen by the organisation's representatives alone)."""

from __future__ import annotations

from tests import factories
from tests.factories import csrf, login, post

PDF = b"%PDF-1.4 verksamhetsberattelse"


def _upload(client, **fields):
    data = {"kind": "verksamhetsberattelse", "year": "2025", "title": "", **fields}
    return client.post("/portal/dokument", data={**data, "_csrf_token": csrf(client)},
                       files={"file": ("berattelse.pdf", PDF, "application/pdf")}, follow_redirects=False)


def test_a_representative_keeps_documents_with_their_year_and_only_they_see_them(client, db, world, registry):
    factories.user(db, registry, "kontakt@jarvabron.test", organisation_id=world.jarva_org.id)
    factories.user(db, registry, "kontakt@tyresobron.test", organisation_id=world.tyreso_org.id)
    db.commit()
    login(client, "kontakt@jarvabron.test")
    assert _upload(client).status_code == 303
    page = client.get("/portal/dokument")
    assert "Verksamhetsberättelse 2025" in page.text and "berattelse.pdf" in page.text
    doc_id = int(page.text.split('href="/portal/dokument/')[1].split('"')[0])
    download = client.get(f"/portal/dokument/{doc_id}")
    assert download.status_code == 200 and download.content == PDF
    assert "attachment" in download.headers["content-disposition"]
    # Another organisation's representative and a kommun's staff get nothing.
    login(client, "kontakt@tyresobron.test")
    assert client.get(f"/portal/dokument/{doc_id}").status_code == 404
    assert post(client, f"/portal/dokument/{doc_id}/ta-bort").status_code == 404
    assert "berattelse.pdf" not in client.get("/portal/dokument").text
    login(client, world.jarva_staff.email)
    assert client.get(f"/portal/dokument/{doc_id}").status_code == 404
    login(client, "kontakt@jarvabron.test")
    assert post(client, f"/portal/dokument/{doc_id}/ta-bort").status_code == 303
    assert client.get(f"/portal/dokument/{doc_id}").status_code == 404


def test_bad_uploads_get_swedish_messages_and_keep_what_was_typed(client, db, world, registry):
    factories.user(db, registry, "kontakt@jarvabron.test", organisation_id=world.jarva_org.id)
    db.commit()
    login(client, "kontakt@jarvabron.test")
    bad = _upload(client, kind="", year="tjugotjugofem", title="Min rubrik")
    assert bad.status_code == 422
    assert "Välj vilket slags dokument det är." in bad.text and "Skriv vilket år dokumentet gäller" in bad.text
    assert 'value="Min rubrik"' in bad.text
    fake = client.post("/portal/dokument", data={"kind": "stadgar", "year": "2024", "_csrf_token": csrf(client)},
                       files={"file": ("stadgar.pdf", b"inte en pdf", "application/pdf")}, follow_redirects=False)
    assert fake.status_code == 422 and "stämmer inte med filändelsen" in fake.text
