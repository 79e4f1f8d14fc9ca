"""An organisation's intresseanmälan in the portal (issue 9, point 4): a
draft saved and taken up again, then submitted to Järva with JV-05's five
documents from the organisation's library. It becomes an initiative from
civil society (JV-03), received today, whose first meeting is due within
four weeks (JV-04) from that day; the staff owning the first step are told
and the organisation gets a receipt."""

from __future__ import annotations

import re
from datetime import timedelta
from sqlalchemy import select

from core import clock, mailer
from core.db import make_sessionmaker
from core.models import Application, CaseState, Document, FormResponse, Partnership, Party
from core.tenancy import Scope
from tests import factories
from tests.factories import csrf, login, post

JV_05 = ("arsmotesprotokoll", "verksamhetsberattelse", "resultat_och_balansrakning", "revisionsberattelse",
         "verksamhetsplan")
TEXTS = {"title": "Läxhjälp i Tensta", "samhallsutmaning": "Många barn klarar inte skolan.",
         "lokalt_perspektiv": "I Tensta når färre elever gymnasiebehörighet än i staden i övrigt.",
         "ide": "Läxhjälp tre kvällar i veckan med volontärer.", "malgrupp": "Barn i årskurs 4–9.",
         "bidrag": "Ideellt arbete, 600 timmar om året.", "onskemal": "Lokal och samordning med skolan.",
         # Järva's own questions (JV-22).
         "fraga_belagg": "Skolverkets statistik över behörighet.", "fraga_namndens_mal": "Skola och fritid."}


def _library(client) -> None:
    """JV-05's five documents in the organisation's library."""
    for kind in JV_05:
        client.post("/portal/dokument", data={"kind": kind, "year": "2025", "_csrf_token": csrf(client)},
                    files={"file": (f"{kind}.pdf", b"%PDF-1.4 " + kind.encode(), "application/pdf")})


def test_an_application_is_saved_as_a_draft_and_submitted_as_an_initiative(client, db, engine, world, registry,
                                                                            smtp_server):
    factories.user(db, registry, "kontakt@jarvabron.test", organisation_id=world.jarva_org.id)
    factories.user(db, registry, "stab@jarva.test", (world.jarva, "stabsenhet"))
    db.commit()
    login(client, "kontakt@jarvabron.test")
    assert post(client, "/portal/ansokan", {"tenant": ""}).status_code == 422
    created = post(client, "/portal/ansokan", {"tenant": "jarva"})
    assert created.status_code == 303
    url = created.headers["location"]
    # A draft with half the text: saved, nothing sent.
    assert post(client, url, {"title": "Läxhjälp i Tensta", "atgard": "spara"}).status_code == 303
    assert 'value="Läxhjälp i Tensta"' in client.get(url).text
    # Sending without the rest names what is missing, JV-05's documents included.
    # The draft is saved all the same.
    tried = post(client, url, {"title": "Läxhjälp i Tensta", "malgrupp": "Barn i årskurs 4–9.", "atgard": "skicka"})
    assert tried.status_code == 303
    missing = client.get(tried.headers["location"])
    assert "Utkastet är sparat, men det kan inte skickas än" in missing.text
    assert "Beskriv samhällsutmaningen." in missing.text and "Bifoga protokoll från senaste årsmötet." in missing.text
    # Järva's own question (JV-22) is asked and must be answered.
    assert "Vad visar att utmaningen finns?: Svara på frågan." in missing.text
    assert "Barn i årskurs 4–9." in missing.text
    assert db.scalar(select(Partnership).where(Partnership.title == "Läxhjälp i Tensta")) is None
    _library(client)
    page = client.get(url).text
    chosen = {f"dokument_{kind}": re.search(rf'name="dokument_{kind}".*?<option value="(\d+)"', page, re.S).group(1)
              for kind in JV_05}
    sent = post(client, url, {**TEXTS, **chosen, "atgard": "skicka"})
    assert sent.status_code == 303, sent.text[:500]
    assert "är skickad till Järva" in client.get(sent.headers["location"]).text

    db.expire_all()
    p = db.scalar(select(Partnership).where(Partnership.title == "Läxhjälp i Tensta"))
    assert p.tenant_id == world.jarva.id and p.initiated_on == clock.today()
    assert list(db.scalars(select(Party.organisation_id).where(Party.partnership_id == p.id,
                                                                Party.role == "ideburen"))) == [world.jarva_org.id]
    kinds = set(db.scalars(select(Document.kind).where(Document.partnership_id == p.id, Document.kind != "ovrigt")))
    assert kinds == set(JV_05)
    # The intresseanmälan as received is kept with the case, Järva's questions answered.
    received = db.scalar(select(Document).where(Document.partnership_id == p.id, Document.kind == "ovrigt"))
    assert received.title == "Intresseanmälan: Läxhjälp i Tensta"
    origin = db.scalar(select(FormResponse).where(FormResponse.partnership_id == p.id,
                                                  FormResponse.form_key == "initiativ"))
    assert origin.answers["ursprung"] == "civilsamhallet"  # JV-03
    assert db.scalar(select(Application.status)) == "inskickad"
    # JV-04's four weeks run from today, the received date; the case waits
    # at its first step, which the handläggare and the stabsenhet own.
    state = db.scalar(select(CaseState).where(CaseState.partnership_id == p.id))
    assert state.current_steps == "Ta emot initiativet"
    # The staff who own the first step are told; the organisation gets its receipt.
    mailer.deliver(make_sessionmaker(engine, Scope.system()), mailer.SmtpTransport.from_url(smtp_server.url),
                   "IOP <noreply@iop.test>")
    assert smtp_server.inbox.to("stab@jarva.test")[0]["Subject"] == "Ny intresseanmälan: Läxhjälp i Tensta"
    assert smtp_server.inbox.to("kontakt@jarvabron.test")[0]["Subject"].startswith("Kvitto")
    # JV-04: the stabsenhet sees the new initiative on its start page, with
    # the first meeting due four weeks from the day it was received.
    login(client, "stab@jarva.test")
    mine = client.get("/k/jarva/?frister=mina").text
    row = mine[mine.index("Läxhjälp i Tensta") - 600:mine.index("Läxhjälp i Tensta") + 300]
    assert "Första möte med den idéburna parten" in row
    assert (clock.today() + timedelta(weeks=4)).isoformat() in row
    # Sent means kept as sent.
    login(client, "kontakt@jarvabron.test")
    assert post(client, url, {**TEXTS, "title": "Ändrad", "atgard": "spara"}).status_code == 422


def test_another_organisations_application_answers_404(client, db, world, registry):
    factories.user(db, registry, "kontakt@jarvabron.test", organisation_id=world.jarva_org.id)
    factories.user(db, registry, "kontakt@tyresobron.test", organisation_id=world.tyreso_org.id)
    db.commit()
    login(client, "kontakt@jarvabron.test")
    url = post(client, "/portal/ansokan", {"tenant": "jarva"}).headers["location"]
    login(client, "kontakt@tyresobron.test")
    assert client.get(url).status_code == 404
    assert post(client, url, {"title": "x", "atgard": "spara"}).status_code == 404
    login(client, world.jarva_staff.email)
    assert client.get(url).status_code == 404


def test_only_tenants_that_take_applications_are_offered(client, db, world, registry):
    factories.user(db, registry, "kontakt@jarvabron.test", organisation_id=world.jarva_org.id)
    db.commit()
    login(client, world.admin.email)
    details = {"name": world.tyreso.name, "kind": world.tyreso.kind, "decision_body": world.tyreso.decision_body,
               "parent_organisation": "", "kommun_code": world.tyreso.kommun_code or ""}
    assert post(client, "/admin/organisationer/tyreso", details).status_code == 303  # the box left unticked
    assert 'name="takes_applications" value="1" >' in client.get("/admin/organisationer/tyreso").text
    login(client, "kontakt@jarvabron.test")
    page = client.get("/portal/ansokan").text
    assert 'value="jarva"' in page and 'value="tyreso"' not in page
    assert post(client, "/portal/ansokan", {"tenant": "tyreso"}).status_code == 422
    # A draft to a tenant that has since stopped taking applications stays a draft.
    url = post(client, "/portal/ansokan", {"tenant": "jarva"}).headers["location"]
    login(client, world.admin.email)
    jarva = {"name": world.jarva.name, "kind": world.jarva.kind, "decision_body": world.jarva.decision_body,
             "parent_organisation": world.jarva.parent_organisation or "", "kommun_code": "jarva"}
    assert post(client, "/admin/organisationer/jarva", jarva).status_code == 303
    login(client, "kontakt@jarvabron.test")
    sent = client.get(post(client, url, {**TEXTS, "atgard": "skicka"}).headers["location"])
    assert "tar inte emot intresseanmälningar i portalen just nu" in sent.text
    assert 'value="Läxhjälp i Tensta"' in sent.text
