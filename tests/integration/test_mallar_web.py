"""Mallar in the workspace and the portal (issue 10, point 1): blank ones from
the process page and, for the organisation's, from the portal; on a
partnership, filled in, downloaded, and made the partnership's document,
registered in the diarium, each version kept."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from core import mallar
from core.forms import motivation_key
from core.models import Document
from core.models.diarium import RegistryEntry
from core.registry import build_plugin_manager, build_registry
from core.services import partnerships
from tests import factories
from tests.factories import login, post

AGREEMENT = {"syfte": "Ett steg i nämndens plan för skolan", "mal_och_aktiviteter": "Läxhjälp två kvällar i veckan",
             "styrning": "Styrgruppen möts tre gånger om året, arbetsgruppen fyra", "uppfoljning": "Årlig uppföljning",
             "avslut": "Tre månaders uppsägning"}


def _text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_blank_mallar_come_from_the_process_page_and_the_organisations_from_the_portal(client, world):
    login(client, "handlaggare@jarva.test")
    process = client.get("/k/jarva/process").text
    assert 'href="/k/jarva/mallar/overenskommelse/pdf"' in process and 'href="/k/jarva/mallar/budget/word"' in process
    pdf = client.get("/k/jarva/mallar/overenskommelse/pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert "attachment" in pdf.headers["content-disposition"]
    assert "Mall för överenskommelse om IOP" in _text(pdf.content)
    word = client.get("/k/jarva/mallar/budget/word")
    assert word.status_code == 200 and word.content.startswith(b"PK")
    for missing in ("/k/jarva/mallar/inget/pdf", "/k/jarva/mallar/budget/odt", "/k/tyreso/mallar/budget/pdf"):
        assert client.get(missing).status_code == 404, missing

    client.cookies.clear()
    budget = client.get("/portal/mallar/jarva/budget/pdf")
    assert budget.status_code == 200 and "Mall för budget" in _text(budget.content)
    # A mall the kommun fills in itself is not the portal's.
    assert client.get("/portal/mallar/jarva/overenskommelse/pdf").status_code == 404
    assert client.get("/portal/mallar/ingenstans/budget/pdf").status_code == 404


def test_the_agreement_is_filled_made_a_document_registered_and_versioned(client, db, registry, world):
    p = world.jarva_partnership
    p = partnerships.get_partnership(db, world.jarva, p.id)
    base = f"/k/jarva/partnerskap/{p.id}/mallar/overenskommelse"
    login(client, "handlaggare@jarva.test")
    assert 'href="/k/jarva/partnerskap/%d/mallar/overenskommelse"' % p.id in client.get(f"/k/jarva/partnerskap/{p.id}").text
    page = client.get(base)
    assert page.status_code == 200 and "Syfte: hur partnerskapet möter" in page.text

    # Half done: saved, and the document cannot be made yet.
    assert post(client, base, {"version": "0", "atgard": "spara", "syfte": AGREEMENT["syfte"]}).status_code == 303
    refused = post(client, base, {"version": "1", "atgard": "skapa", "syfte": AGREEMENT["syfte"]})
    assert refused.status_code == 422 and "Fyll i allt som krävs" in refused.text
    assert AGREEMENT["syfte"] in refused.text  # nothing written is lost
    assert db.scalar(select(Document).where(Document.partnership_id == p.id)) is None

    done = post(client, base, {"version": "1", "atgard": "skapa", **AGREEMENT})
    assert done.status_code == 303 and done.headers["location"].endswith("?sparad=mall#dokument")
    doc = db.scalar(select(Document).where(Document.partnership_id == p.id))
    assert (doc.kind, doc.title, doc.content_type, doc.version) == (
        "overenskommelse_forslag", "Överenskommelse om IOP", "application/pdf", 1)
    entry = db.scalar(select(RegistryEntry).where(RegistryEntry.document_id == doc.id))
    assert entry is not None and "Överenskommelse om IOP" in entry.description

    pdf = client.get(f"/k/jarva/dokument/{doc.id}")
    text = _text(pdf.content)
    for expected in ("Föreningen Järvabron", "Järvas hemliga läxhjälp", AGREEMENT["styrning"], "Underskrifter"):
        assert expected in text, expected

    # A new draft after the next idea meeting: a new version, the first kept.
    assert post(client, base, {"version": "2", "atgard": "skapa", **AGREEMENT,
                               "avslut": "Sex månaders uppsägning"}).status_code == 303
    versions = db.scalars(select(Document.version).where(Document.partnership_id == p.id)
                          .order_by(Document.version)).all()
    assert versions == [1, 2]
    # The Word file carries what is saved, for those who go on editing.
    word = client.get(f"{base}/word")
    assert word.status_code == 200 and word.content.startswith(b"PK")


def test_staff_who_may_not_edit_read_the_mall_but_cannot_save_it(client, db, registry, world):
    factories.user(db, registry, "namnd@jarva.test", (world.jarva, "stadsdelsnamnd"))
    db.commit()
    login(client, "namnd@jarva.test")
    base = f"/k/jarva/partnerskap/{world.jarva_partnership.id}/mallar/overenskommelse"
    page = client.get(base)
    assert page.status_code == 200 and "Spara och skapa dokumentet" not in page.text
    assert post(client, base, {"version": "0", "atgard": "spara", **AGREEMENT}).status_code == 403


def _answer(f) -> str:
    return {"yesno": "ja", "date": "2027-03-01", "amount": "125000"}.get(f.kind) or (
        f.choices[0][0] if f.kind == "choice" else f"Svar {f.key}")


MALLAR = [(code, t.key) for code, entry in build_registry(build_plugin_manager()).kommuner.items()
          for t in entry.templates]


@pytest.mark.parametrize(("code", "key"), MALLAR)
def test_every_mall_is_filled_rendered_and_downloaded(client, db, registry, code, key):
    """Issue 10, Done when: every mall of every kommun, on a partnership of a tenant running that kommun."""
    # The generic default is what a tenant runs without a kommun of its own.
    tenant = factories.tenant(db, registry, f"t-{code}"[:20], kommun=None if code == "generic" else code)
    kommun = registry.kommuner[code]
    editor = next(r.key for r in kommun.roles.roles if r.generic_role == "case_officer")
    factories.user(db, registry, "mall@test.test", (tenant, editor))
    p = factories.partnership(db, tenant, "Mötesplats för unga")
    db.commit()
    mall = next(t for t in kommun.templates if t.key == key)
    fields = mallar.fields_of(mall, kommun.processes or registry.generic.processes)
    login(client, "mall@test.test")
    base = f"/k/{tenant.code}/partnerskap/{p.id}/mallar/{key}"
    answers = {f.key: _answer(f) for f in fields}
    answers |= {motivation_key(f): "Motiverat." for f in fields if f.motivation_when is not None}
    done = post(client, base, {"version": "0", "atgard": "skapa", **answers})
    assert done.status_code == 303, done.text[-3000:]
    doc = db.scalar(select(Document).where(Document.partnership_id == p.id))
    assert doc.content_type == "application/pdf" and doc.title == mallar.document_title(mall)
    pdf = client.get(f"/k/{tenant.code}/dokument/{doc.id}")
    # Each answer is in the document: a text as written, a yes as "Ja".
    text = _text(pdf.content)
    assert all(f"Svar {f.key}" in text for f in fields if f.kind == "text")
    assert not any(f.kind == "yesno" for f in fields) or "Ja" in text
    word = client.get(f"{base}/word")
    assert word.status_code == 200 and word.content.startswith(b"PK")
