"""Following a case in the portal (issue 9, points 5 to 8): the organisation
sees where its case stands, what staff share with it (decisions with their
reasons, JV-06/JV-07; meetings with their minutes, JV-15; documents), answers
a request for a document, and writes to the kommun; staff choose what is
shared; nothing of another organisation's case is seen."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from core import clock, mailer
from core.db import make_sessionmaker
from core.models import CaseState, Decision, Document, DocumentRequest, Meeting, Message
from core.services import casework, documents, partnerships, tenants
from tests import factories
from core.tenancy import Scope
from tests.factories import csrf, login, post
from tests.smtp import Inbox


def _deliver(engine, smtp_server) -> None:
    mailer.deliver(make_sessionmaker(engine, Scope.system()), mailer.SmtpTransport.from_url(smtp_server.url),
                   "IOP <noreply@test>")


def _decision(db, p, step: str, outcome: str, motivation: str, role: str, title: str) -> Decision:
    d = Decision(tenant_id=p.tenant_id, partnership_id=p.id, process_code=p.process_code or "jarva",
                 process_version=p.process_version or 1, step_key=step, outcome_key=outcome, outcome_kind="continue",
                 motivation=motivation, role_key=role, role_title=title)
    db.add(d)
    db.flush()
    return d


def _document(db, settings, tenant, p, title: str) -> Document:
    return documents.store_document(db, settings.documents_dir, tenant, None, partnership=p, kind="ovrigt",
                                    title=title, filename=f"{title}.pdf", content=b"%PDF-1.4 " + title.encode())


def _case(db, registry, world, settings):
    factories.user(db, registry, "kontakt@jarvabron.test", organisation_id=world.jarva_org.id)
    factories.user(db, registry, "kontakt@tyreso.test", organisation_id=world.tyreso_org.id)
    factories.user(db, registry, "stab@jarva.test", (world.jarva, "stabsenhet"))
    p = world.jarva_partnership
    told = _decision(db, p, "direktorens_bedomning", "fortsatt", "Idén svarar mot stadsdelens mål för skolan.",
                     "stadsdelsdirektor", "Stadsdelsdirektör")
    internal = _decision(db, p, "overvagande", "fortsatt", "Vårt interna resonemang om budgeten.", "stabsenhet",
                         "Stabsenhet")
    db.add(Meeting(tenant_id=p.tenant_id, partnership_id=p.id, kind="forsta_mote", held_on=clock.today(),
                   participants="Stabsenheten, Järvabron", minutes="Vi gick igenom Järvas villkor för IOP."))
    memo = _document(db, settings, world.jarva, p, "Intern promemoria")
    minutes = _document(db, settings, world.jarva, p, "Minnesanteckningar")
    db.commit()
    return p, told, internal, memo, minutes


def test_staff_choose_what_the_organisation_sees_of_its_case(client, db, registry, world, settings):
    p, told, internal, memo, minutes = _case(db, registry, world, settings)
    login(client, "stab@jarva.test")
    base = f"/k/jarva/partnerskap/{p.id}/parter"
    assert post(client, f"{base}/dela", {"kind": "decision", "id": internal.id, "shared": "0"}).status_code == 303
    assert post(client, f"{base}/dela", {"kind": "document", "id": minutes.id, "shared": "1"}).status_code == 303
    # Another tenant's item, or an item of no kind, names nothing.
    assert post(client, f"{base}/dela", {"kind": "decision", "id": 10**6, "shared": "1"}).status_code == 404
    assert post(client, f"{base}/dela", {"kind": "form", "id": told.id, "shared": "1"}).status_code == 404
    staff_page = client.get(base).text
    assert "Visas inte" in staff_page and "Minnesanteckningar" in staff_page

    login(client, "kontakt@jarvabron.test")
    index = client.get("/portal/").text
    assert f'href="/portal/partnerskap/{p.id}"' in index
    page = client.get(f"/portal/partnerskap/{p.id}")
    assert page.status_code == 200
    # Where the case stands, in words, with who is responsible.
    assert "Just nu arbetar kommunen med" in page.text and "Ta emot initiativet" in page.text
    # JV-06: the director's decision with its reasons; the stabsenhet's working note is withheld.
    assert "Stadsdelsdirektörens bedömning" in page.text and "Idén svarar mot stadsdelens mål" in page.text
    assert "interna resonemang" not in page.text
    # JV-15: the meeting with its minutes.
    assert "Vi gick igenom Järvas villkor för IOP." in page.text
    assert "Minnesanteckningar" in page.text and "Intern promemoria" not in page.text
    assert "stadsdelsdirektor" not in page.text and "JV-" not in page.text  # words, not codes
    assert client.get(f"/portal/partnerskap/{p.id}/dokument/{minutes.id}").status_code == 200
    assert client.get(f"/portal/partnerskap/{p.id}/dokument/{memo.id}").status_code == 404

    # Another organisation's representative sees none of it.
    login(client, "kontakt@tyreso.test")
    for url in (f"/portal/partnerskap/{p.id}", f"/portal/partnerskap/{p.id}/dokument/{minutes.id}"):
        assert client.get(url).status_code == 404
    assert post(client, f"/portal/partnerskap/{p.id}/meddelanden", {"body": "Hej"}).status_code == 404


def test_a_requested_document_is_answered_in_the_portal_and_the_step_sees_it(client, db, registry, world, settings,
                                                                           engine, smtp_server):
    p, *_ = _case(db, registry, world, settings)
    factories.user(db, registry, "ordforande@jarvabron.test", organisation_id=world.jarva_org.id)
    db.commit()
    login(client, "stab@jarva.test")
    base = f"/k/jarva/partnerskap/{p.id}/parter"
    due = (clock.today() + timedelta(days=14)).isoformat()
    bad = post(client, f"{base}/begaran", {"kind": "verksamhetsplan", "due_on": "2020-01-01",
                                            "message": "Planen för nästa år, tack."})
    assert bad.status_code == 422 and "Sista dagen kan inte ha passerat" in bad.text
    assert "Planen för nästa år, tack." in bad.text  # nothing typed is lost
    assert post(client, f"{base}/begaran", {"kind": "ingen", "due_on": due}).status_code == 422
    asked = post(client, f"{base}/begaran", {"kind": "verksamhetsplan", "due_on": due,
                                              "message": "Planen för nästa år, tack."})
    assert asked.status_code == 303
    req = db.scalar(select(DocumentRequest))
    assert req.status == "oppen" and req.organisation_id == world.jarva_org.id
    assert f"/k/jarva/partnerskap/{p.id}/parter" in client.get(f"/k/jarva/partnerskap/{p.id}").text
    # Both representatives are told, with a link to the case.
    _deliver(engine, smtp_server)
    notice = smtp_server.inbox.to("ordforande@jarvabron.test")[-1]
    assert "Planen för nästa år, tack." in Inbox.text(notice) and f"/portal/partnerskap/{p.id}#begaranden" in Inbox.text(notice)

    login(client, "kontakt@jarvabron.test")
    assert "Kommunen väntar på ett dokument från er." in client.get("/portal/").text
    page = client.get(f"/portal/partnerskap/{p.id}").text
    assert "Det här behöver ni göra" in page and "Senaste verksamhetsplanen" in page
    url = f"/portal/partnerskap/{p.id}/begaran/{req.id}"
    refused = client.post(url, data={"_csrf_token": csrf(client)},
                          files={"file": ("plan.exe", b"MZ\x90\x00", "application/octet-stream")})
    assert refused.status_code == 422 and "Senaste verksamhetsplanen" in refused.text
    db.expire_all()
    assert db.scalar(select(DocumentRequest.status)) == "oppen"
    done = client.post(url, data={"_csrf_token": csrf(client)},
                       files={"file": ("plan.pdf", b"%PDF-1.4 plan", "application/pdf")}, follow_redirects=False)
    assert done.status_code == 303
    assert "Dokumentet är skickat" in client.get(done.headers["location"]).text
    again = client.post(url, data={"_csrf_token": csrf(client)},
                        files={"file": ("plan.pdf", b"%PDF-1.4 plan", "application/pdf")}, follow_redirects=False)
    assert again.status_code == 409
    db.expire_all()
    req = db.scalar(select(DocumentRequest))
    assert req.status == "besvarad" and req.document_id is not None
    doc = db.get(Document, req.document_id)
    assert doc.kind == "verksamhetsplan" and doc.partnership_id == p.id
    # The organisation's own document is shown to it; the step's list of what is missing no longer names it.
    assert "plan.pdf" in client.get(f"/portal/partnerskap/{p.id}").text
    p = partnerships.get_partnership(db, world.jarva, p.id)
    view = casework.case_view(db, registry, tenants.kommun_for(db, registry, world.jarva), world.jarva, p,
                              clock.today())
    # The engine's facts hold it as the document the first meeting's step requires (JV-05).
    assert "verksamhetsplan" in {d.kind for d in view.facts.documents}
    login(client, "stab@jarva.test")
    assert "Besvarad" in client.get(f"/k/jarva/partnerskap/{p.id}/parter").text


def test_the_parties_write_to_each_other_and_the_other_side_is_told(client, db, registry, world, settings,
                                                                   engine, smtp_server):
    p, *_ = _case(db, registry, world, settings)
    login(client, "kontakt@jarvabron.test")
    url = f"/portal/partnerskap/{p.id}/meddelanden"
    empty = post(client, url, {"body": "   "})
    assert empty.status_code == 422 and "Skriv ett meddelande." in empty.text
    assert post(client, url, {"body": "När kan vi ses nästa gång?"}).status_code == 303
    login(client, "stab@jarva.test")
    staff_page = client.get(f"/k/jarva/partnerskap/{p.id}/parter").text
    assert "När kan vi ses nästa gång?" in staff_page and "Föreningen Järvabron" in staff_page
    assert post(client, f"/k/jarva/partnerskap/{p.id}/parter/meddelanden",
                {"body": "Tisdag klockan 10 passar oss."}).status_code == 303
    _deliver(engine, smtp_server)
    # The organisation wrote first: the stabsenhet, which owns the case's current step, is told.
    to_staff = smtp_server.inbox.to("stab@jarva.test")[-1]
    assert f"/k/jarva/partnerskap/{p.id}/parter#meddelanden" in Inbox.text(to_staff)
    assert "När kan vi ses" not in Inbox.text(to_staff)  # mail says who wrote, not what
    to_org = smtp_server.inbox.to("kontakt@jarvabron.test")[-1]
    assert f"/portal/partnerskap/{p.id}#meddelanden" in Inbox.text(to_org)
    login(client, "kontakt@jarvabron.test")
    page = client.get(f"/portal/partnerskap/{p.id}").text
    assert page.index("När kan vi ses nästa gång?") < page.index("Tisdag klockan 10 passar oss.")
    assert [m.organisation_id for m in db.scalars(select(Message).order_by(Message.id))] == [world.jarva_org.id, None]


def test_the_organisations_yearly_report_is_filled_in_the_portal_and_becomes_the_follow_ups_document(
        client, db, registry, world, settings):
    """JV-16: the follow-up rests on the organisation's report of its work,
    statistics and use of the IOP funds; the plugin declares the form, the
    organisation fills it in, and the sent answers are the document the
    follow-up step requires."""
    p, *_ = _case(db, registry, world, settings)
    login(client, "stab@jarva.test")
    base = f"/k/jarva/partnerskap/{p.id}/parter"
    assert "(formulär i portalen)" in client.get(base).text
    due = (clock.today() + timedelta(days=30)).isoformat()
    assert post(client, f"{base}/begaran", {"kind": "uppfoljning", "due_on": due}).status_code == 303
    assert post(client, f"{base}/begaran", {"kind": "budget", "due_on": due}).status_code == 303
    report, budget = db.scalars(select(DocumentRequest).order_by(DocumentRequest.id)).all()

    login(client, "kontakt@jarvabron.test")
    page = client.get(f"/portal/partnerskap/{p.id}").text
    assert f"/portal/partnerskap/{p.id}/begaran/{report.id}/formular" in page
    # A document that is not a form is sent as a file; it has no form to fill in.
    assert client.get(f"/portal/partnerskap/{p.id}/begaran/{budget.id}/formular").status_code == 404
    url = f"/portal/partnerskap/{p.id}/begaran/{report.id}/formular"
    form = client.get(url).text
    assert "Hur har IOP-medlen använts?" in form
    half = post(client, url, {"arbete_mot_mal": "Läxhjälp tre kvällar i veckan.", "atgard": "skicka"})
    assert half.status_code == 303 and "saknas=1" in half.headers["location"]
    shown = client.get(half.headers["location"]).text
    assert "Svar som saknas" not in shown and "Svara på frågan innan ni skickar." in shown
    assert "Läxhjälp tre kvällar i veckan." in shown  # the draft is kept
    db.expire_all()
    assert db.get(DocumentRequest, report.id).status == "oppen"
    sent = post(client, url, {"arbete_mot_mal": "Läxhjälp tre kvällar i veckan.", "statistik": "42 elever, 110 kvällar.",
                              "iop_medel": "Lön till samordnaren och material.", "atgard": "skicka"})
    assert sent.status_code == 303 and sent.headers["location"].endswith("?sparat=svar#begaranden")
    db.expire_all()
    answered = db.get(DocumentRequest, report.id)
    doc = db.get(Document, answered.document_id)
    assert answered.status == "besvarad" and doc.kind == "uppfoljning"
    text = documents.document_path(settings.documents_dir, doc).read_text("utf-8")
    assert "Statistik som överenskommelsen anger\n42 elever, 110 kvällar." in text
    assert "Föreningen Järvabron" in text
    # Sent means sent: the answers are shown, and no longer taken.
    assert "Formuläret är skickat." in client.get(url).text
    assert post(client, url, {"statistik": "Ändrat", "atgard": "spara"}).status_code == 303
    db.expire_all()
    assert db.get(DocumentRequest, report.id).answers["statistik"] == "42 elever, 110 kvällar."


def test_jv_18_the_organisations_position_is_sent_by_its_signatory_alone(client, db, registry, world, settings):
    p, *_ = _case(db, registry, world, settings)
    factories.user(db, registry, "ordforande@jarvabron.test", organisation_id=world.jarva_org.id,
                   capacity="firmatecknare")
    db.commit()
    login(client, "stab@jarva.test")
    due = (clock.today() + timedelta(days=30)).isoformat()
    assert post(client, f"/k/jarva/partnerskap/{p.id}/parter/begaran",
                {"kind": "stallningstagande_part", "due_on": due}).status_code == 303
    req = db.scalar(select(DocumentRequest))
    url = f"/portal/partnerskap/{p.id}/begaran/{req.id}/formular"
    answers = {"hela_perioden": "Fyra goda år.", "standpunkt": "omforhandla", "motivering": "Behovet finns kvar."}
    login(client, "kontakt@jarvabron.test")
    assert "bara firmatecknaren eller ordföranden kan skicka det" in client.get(url).text
    drafted = post(client, url, {**answers, "atgard": "skicka"})
    assert drafted.headers["location"].endswith("?sparat=firmatecknare")
    db.expire_all()
    assert db.get(DocumentRequest, req.id).status == "oppen"
    assert db.get(DocumentRequest, req.id).answers["standpunkt"] == "omforhandla"  # the draft is kept
    login(client, "ordforande@jarvabron.test")
    sent = post(client, url, {**answers, "atgard": "skicka"})
    assert sent.headers["location"].endswith("?sparat=svar#begaranden")
    db.expire_all()
    assert db.get(DocumentRequest, req.id).status == "besvarad"
