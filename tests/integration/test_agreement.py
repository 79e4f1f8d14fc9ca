"""Decided means fixed (GEN-09, issue 10 point 3): the version the nämnd
decided is frozen; the stadsdelsdirektör signs it in the workspace and the
organisation's authorised signatory in the portal (JV-11), each signature
recording the SHA-256 of the exact PDF; a file can be checked against them;
the period, goals and contributions change only through an ändring."""

from __future__ import annotations

import hashlib
import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from core import clock
from core.models import AgreementSignature, AgreementVersion, Document
from core.models.organisation import SIGNATORY
from core.services import casework, documents, partnerships, tenants
from core.walkthrough import Walker
from tests import factories
from tests.factories import login, post

AGREEMENT = {"syfte": "Ett steg i nämndens plan för skolan", "mal_och_aktiviteter": "Läxhjälp två kvällar i veckan",
             "styrning": "Styrgruppen möts tre gånger om året", "uppfoljning": "Årlig uppföljning i kvartal fyra",
             "avslut": "Tre månaders uppsägning"}


def _case_at_the_namnds_decision(client, db, registry, world, settings):
    tenant = world.jarva
    kommun = tenants.kommun_for(db, registry, tenant)
    staff = {role.key: factories.user(db, registry, f"{role.key}.avtal@jarva.test", (tenant, role.key))
             for role in kommun.roles.roles}
    factories.user(db, registry, "ordforande@jarvabron.test", organisation_id=world.jarva_org.id, capacity=SIGNATORY)
    factories.user(db, registry, "kontakt@jarvabron.test", organisation_id=world.jarva_org.id)
    p = partnerships.get_partnership(db, tenant, world.jarva_partnership.id)
    walker = Walker(db, registry, kommun, tenant, staff, settings.documents_dir, clock.today())
    start = date(clock.today().year + 1, 1, 1)
    walker.advance(p, period=(start, date(start.year + 2, 12, 31)),
                   steps=[s.key for s in kommun.process().steps()].index("namndbeslut"))
    documents.store_document(db, settings.documents_dir, tenant, staff["stabsenhet"], partnership=p,
                             kind="tjansteutlatande", title="Tjänsteutlåtande", filename="tu.pdf",
                             content=b"%PDF-1.4 tjansteutlatande")
    db.commit()
    # The stab draws the agreement up from the mall, after the walker's draft: the newest is decided.
    login(client, "stabsenhet.avtal@jarva.test")
    base = f"/k/jarva/partnerskap/{p.id}/mallar/overenskommelse"
    assert post(client, base, {"version": "0", "atgard": "skapa", **AGREEMENT}).status_code == 303
    return p


def _fresh(db, world, p):
    """The partnership as the database has it now (the requests changed it)."""
    db.expire_all()
    return partnerships.get_partnership(db, world.jarva, p.id)


def _decide(client, db, world, p) -> AgreementVersion:
    login(client, "stadsdelsnamnd.avtal@jarva.test")
    page = client.get(f"/k/jarva/partnerskap/{p.id}")
    assert "Ingen version är beslutad ännu" in page.text
    version_no = _fresh(db, world, p).version
    decided = post(client, f"/k/jarva/partnerskap/{p.id}/steg/namndbeslut",
                   {"outcome": "fortsatt", "motivation": "Nämnden ger stadsdelsdirektören i uppdrag att teckna.",
                    "version": str(version_no)})
    assert decided.status_code == 303, decided.text
    return db.scalar(select(AgreementVersion).where(AgreementVersion.partnership_id == p.id))


def test_gen_09_the_decided_version_is_signed_by_both_and_fixed(client, db, registry, world, settings):
    p = _case_at_the_namnds_decision(client, db, registry, world, settings)
    version = _decide(client, db, world, p)
    draft = db.get(Document, version.document_id)
    assert (version.number, draft.kind, draft.title) == (1, "overenskommelse_forslag", "Överenskommelse om IOP")
    assert version.terms["period_start"] and version.decided_role == "Stadsdelsnämnd"

    # The file as anyone downloads it is the decided one, and holds what was agreed.
    login(client, "handlaggare.avtal@jarva.test")
    pdf = client.get(f"/k/jarva/dokument/{draft.id}").content
    assert hashlib.sha256(pdf).hexdigest() == version.sha256
    text_of_pdf = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    text_of_pdf = text_of_pdf.replace("\u00a0", " ").replace("\u202f", " ")  # Swedish thousands
    for expected in ("Föreningen Järvabron", "250 000", "Styrgruppen möts tre gånger om året"):
        assert expected in text_of_pdf, expected

    # Only the role the process names signs for the kommun (JV-11).
    refused = post(client, f"/k/jarva/partnerskap/{p.id}/overenskommelse/underskrift",
                   {"version": version.id, "sha256": version.sha256})
    assert refused.status_code == 403 and "skrivs under av stadsdelsdirektör" in refused.text
    login(client, "stadsdelsdirektor.avtal@jarva.test")
    wrong_file = post(client, f"/k/jarva/partnerskap/{p.id}/overenskommelse/underskrift",
                      {"version": version.id, "sha256": "0" * 64})
    assert wrong_file.status_code == 403 and "stämmer inte" in wrong_file.text
    assert post(client, f"/k/jarva/partnerskap/{p.id}/overenskommelse/underskrift",
                {"version": version.id, "sha256": version.sha256}).status_code == 303

    # The organisation: a contact person is told who signs; the signatory signs in the portal.
    login(client, "kontakt@jarvabron.test")
    case = client.get(f"/portal/partnerskap/{p.id}").text
    assert "firmatecknare eller ordförande skriver under" in case
    assert post(client, f"/portal/partnerskap/{p.id}/overenskommelse/underskrift",
                {"version": version.id, "sha256": version.sha256}).status_code == 403
    login(client, "ordforande@jarvabron.test")
    case = client.get(f"/portal/partnerskap/{p.id}").text
    assert version.sha256 in case and "Skriv under för Föreningen Järvabron" in case
    assert client.get(f"/portal/partnerskap/{p.id}/dokument/{draft.id}").content == pdf
    assert post(client, f"/portal/partnerskap/{p.id}/overenskommelse/underskrift",
                {"version": version.id, "sha256": version.sha256}).status_code == 303
    # The organisation checks the file it downloaded against the signatures.
    portal_check = client.post(f"/portal/partnerskap/{p.id}/overenskommelse/kontroll",
                               files={"file": ("avtal.pdf", pdf, "application/pdf")},
                               headers={"x-csrftoken": factories.csrf(client)})
    assert "Filen är exakt version 1" in portal_check.text and "firmatecknare" in portal_check.text

    signatures = db.scalars(select(AgreementSignature).where(AgreementSignature.version_id == version.id)
                            .order_by(AgreementSignature.id)).all()
    assert [(s.capacity, s.sha256) for s in signatures] == [("Stadsdelsdirektör", version.sha256),
                                                            ("Firmatecknare", version.sha256)]
    # Signed by all: the exact file is the partnership's signed agreement, which the signing step asks for.
    signed = db.scalar(select(Document).where(Document.partnership_id == p.id,
                                              Document.kind == "overenskommelse_signerad"))
    assert signed is not None and signed.sha256 == version.sha256

    # Anyone with the case can check a file against the signatures.
    login(client, "handlaggare.avtal@jarva.test")
    check = client.post(f"/k/jarva/partnerskap/{p.id}/overenskommelse/kontroll",
                        files={"file": ("avtal.pdf", pdf, "application/pdf")},
                        headers={"x-csrftoken": factories.csrf(client)})
    assert "Filen är exakt version 1" in check.text and "Firmatecknare".lower() in check.text
    other = client.post(f"/k/jarva/partnerskap/{p.id}/overenskommelse/kontroll",
                        files={"file": ("avtal.pdf", pdf + b"\n", "application/pdf")},
                        headers={"x-csrftoken": factories.csrf(client)})
    assert "stämmer inte med någon beslutad version" in other.text

    # GEN-09: the signed period is not edited on the side.
    current = _fresh(db, world, p)
    form = partnerships.form_values(current)
    form["period_end"] = (date.fromisoformat(form["period_end"]) + timedelta(days=365)).isoformat()
    edit = post(client, f"/k/jarva/partnerskap/{p.id}/andra", {**form, "version": current.version})
    assert edit.status_code == 422 and "ändras bara genom en ändring" in edit.text
    assert _fresh(db, world, p).period_end.isoformat() != form["period_end"]
    # The rest of the case can still be edited.
    current = _fresh(db, world, p)
    title_only = {**partnerships.form_values(current), "title": "Läxhjälp i Rinkeby"}
    assert post(client, f"/k/jarva/partnerskap/{p.id}/andra",
                {**title_only, "version": current.version}).status_code == 303

    # The database refuses to rewrite a signature.
    with pytest.raises(DBAPIError):
        db.execute(text(f"UPDATE agreement_signature SET sha256 = 'x' WHERE id = {signatures[0].id}"))
    db.rollback()


def test_gen_09_an_amendment_is_decided_by_the_namnd_and_signed_again(client, db, registry, world, settings):
    p = _case_at_the_namnds_decision(client, db, registry, world, settings)
    first = _decide(client, db, world, p)
    old_end = _fresh(db, world, p).period_end
    new_end = old_end + timedelta(days=365)
    login(client, "stadsdelsdirektor.avtal@jarva.test")
    refused = post(client, f"/k/jarva/partnerskap/{p.id}/overenskommelse/andring",
                   {"period_start": first.terms["period_start"], "period_end": new_end.isoformat(), "goals": "x",
                    "reason": "Förlängning"})
    assert refused.status_code == 403 and "beslutas av stadsdelsnämnd" in refused.text
    login(client, "stadsdelsnamnd.avtal@jarva.test")
    no_reason = post(client, f"/k/jarva/partnerskap/{p.id}/overenskommelse/andring",
                     {"period_start": first.terms["period_start"], "period_end": new_end.isoformat(),
                      "goals": first.terms["goals"], "reason": ""})
    assert no_reason.status_code == 422 and "Skriv vad som ändras och varför." in no_reason.text
    money = next(c for party in _fresh(db, world, p).parties for c in party.contributions if c.kind == "pengar")
    bad_amount = post(client, f"/k/jarva/partnerskap/{p.id}/overenskommelse/andring",
                      {"period_start": first.terms["period_start"], "period_end": new_end.isoformat(),
                       "goals": first.terms["goals"], "reason": "Förlängning", f"bidrag_{money.id}_amount": "mycket"})
    assert bad_amount.status_code == 422 and 'id="f-am-bidrag_%d_amount-error"' % money.id in bad_amount.text
    done = post(client, f"/k/jarva/partnerskap/{p.id}/overenskommelse/andring",
                {"period_start": first.terms["period_start"], "period_end": new_end.isoformat(),
                 "goals": first.terms["goals"], "reason": "Nämnden förlänger partnerskapet ett år och höjer bidraget.",
                 f"bidrag_{money.id}_amount": "300 000", f"bidrag_{money.id}_description": "IOP-medel"})
    assert done.status_code == 303
    second = db.scalar(select(AgreementVersion).where(AgreementVersion.partnership_id == p.id,
                                                      AgreementVersion.number == 2))
    assert second.origin == "andring" and second.terms["period_end"] == new_end.isoformat()
    # GEN-09: the contributions change through the ändring too, and only there.
    assert ["kommun", "pengar", "300000", "IOP-medel"] in second.terms["contributions"]
    assert not any(row[2] == "300000" for row in first.terms["contributions"])
    assert _fresh(db, world, p).period_end == new_end
    # The original stays readable; the first version can no longer be signed.
    assert db.get(AgreementVersion, first.id).terms["period_end"] == old_end.isoformat()
    login(client, "stadsdelsdirektor.avtal@jarva.test")
    stale = post(client, f"/k/jarva/partnerskap/{p.id}/overenskommelse/underskrift",
                 {"version": first.id, "sha256": first.sha256})
    assert stale.status_code == 403 and "gäller inte längre" in stale.text
    page = client.get(f"/k/jarva/partnerskap/{p.id}").text
    assert "Version 2: ändring" in page and "Skriv under version 2" in page
    # Deadlines follow the version in force: the agreement now ends a year later.
    view = casework.case_view(db, registry, tenants.kommun_for(db, registry, world.jarva), world.jarva,
                              _fresh(db, world, p), clock.today())
    assert view.facts.dates.agreement_end == new_end



def test_ty_05_a_changed_proposal_is_assessed_again_before_it_is_signed(client, db, registry, world, settings):
    tenant = world.tyreso
    kommun = tenants.kommun_for(db, registry, tenant)
    staff = {role.key: factories.user(db, registry, f"{role.key}.avtal@tyreso.test", (tenant, role.key))
             for role in kommun.roles.roles}
    p = partnerships.get_partnership(db, tenant, world.tyreso_partnership.id)
    walker = Walker(db, registry, kommun, tenant, staff, settings.documents_dir, clock.today())
    start = date(clock.today().year + 1, 1, 1)
    keys = [s.key for s in kommun.process().steps()]
    walker.advance(p, period=(start, date(start.year + 1, 12, 31)), steps=keys.index("pilotbeslut"))
    # The proposal changes after the barnets bästa assessment, and the changed one is decided.
    documents.store_document(db, settings.documents_dir, tenant, staff["handlaggare"], partnership=p,
                             kind="overenskommelse_forslag", title="Förslag till överenskommelse, ändrat",
                             filename="andrat.pdf", content=b"%PDF-1.4 andrat forslag")
    walker.advance(p, steps=1)
    db.commit()
    version = db.scalar(select(AgreementVersion).where(AgreementVersion.partnership_id == p.id))
    assert version is not None

    login(client, "kommundirektor.avtal@tyreso.test")
    page = client.get(f"/k/tyreso/partnerskap/{p.id}").text
    assert "Bedömning av barnets bästa:</strong>" in page and "inte gjord för den här versionen" in page
    refused = post(client, f"/k/tyreso/partnerskap/{p.id}/overenskommelse/underskrift",
                   {"version": version.id, "sha256": version.sha256})
    assert refused.status_code == 403 and "En ny bedömning av just den här versionen behövs" in refused.text
    # The kommundirektör does not own the assessment; the handläggare does.
    assert post(client, f"/k/tyreso/partnerskap/{p.id}/overenskommelse/bedomning",
                {"version": version.id, "motivation": "Bra för barnen."}).status_code == 403
    login(client, "handlaggare.avtal@tyreso.test")
    assert post(client, f"/k/tyreso/partnerskap/{p.id}/overenskommelse/bedomning",
                {"version": version.id, "motivation": "Det ändrade förslaget är lika bra för barnen."}
                ).status_code == 303
    login(client, "kommundirektor.avtal@tyreso.test")
    assert post(client, f"/k/tyreso/partnerskap/{p.id}/overenskommelse/underskrift",
                {"version": version.id, "sha256": version.sha256}).status_code == 303
