"""Organisations' own accounts (issue 9, part 1): sign-up with e-mail
verification, claims on organisations that exist, invitations, password
reset. The e-mail goes through a real SMTP server and the tests follow the
links in it."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from core import mailer
from core.db import make_sessionmaker
from core.models import Representative, User, UserSession
from core.tenancy import Scope
from tests import factories
from tests.factories import PASSWORD, login, post

NEW_PASSWORD = "ett-helt-nytt-losenord"


def _deliver(engine, smtp_server) -> None:
    mailer.deliver(make_sessionmaker(engine, Scope.system()), mailer.SmtpTransport.from_url(smtp_server.url),
                   "IOP-plattformen <noreply@iop.test>")


def _last_link(smtp_server, address: str) -> str:
    message = smtp_server.inbox.to(address)[-1]
    return urlsplit(smtp_server.inbox.links(message)[0]).path


def _sign_up(client, **fields):
    data = {"name": "Amina Hassan", "email": "amina@lansen.test", "password": PASSWORD, "password_again": PASSWORD,
            "organisation_name": "Föreningen Länsen", "organisationsnummer": factories.with_check_digit("802777123"),
            "legal_form": "ideell_forening", "capacity": "firmatecknare", **fields}
    return post(client, "/portal/registrera", data)


def test_a_new_organisation_signs_up_verifies_its_address_and_reaches_its_portal(client, db, engine, smtp_server):
    response = _sign_up(client)
    assert response.status_code == 200 and "Titta i din e-post" in response.text
    # Not before the address is verified.
    assert "bekräfta din e-postadress först" in login(client, "amina@lansen.test").text
    _deliver(engine, smtp_server)
    [message] = smtp_server.inbox.to("amina@lansen.test")
    assert message["Subject"] == "Bekräfta din e-postadress"
    link = _last_link(smtp_server, "amina@lansen.test")
    confirm = client.get(link)
    assert confirm.status_code == 200 and "Bekräfta" in confirm.text
    # Opening the link changes nothing (mail scanners open links); the button does.
    assert db.scalar(select(User.email_verified_at).where(User.email == "amina@lansen.test")) is None
    assert post(client, link).status_code == 200
    assert post(client, link).status_code == 404  # used once
    assert login(client, "amina@lansen.test").headers["location"] == "/portal/"
    portal = client.get("/portal/")
    assert "Du företräder Föreningen Länsen" in portal.text
    people = client.get("/portal/foretradare")
    assert "Amina Hassan" in people.text and "Firmatecknare eller ordförande" in people.text


def test_sign_up_answers_alike_for_a_known_address_and_tells_only_its_owner(client, db, engine, smtp_server, world):
    first = _sign_up(client, email="other@lansen.test")
    again = _sign_up(client, email=world.jarva_staff.email, organisationsnummer=factories.with_check_digit("802777124"))
    assert first.status_code == again.status_code == 200
    assert first.text.replace("other@lansen.test", "X") == again.text.replace(world.jarva_staff.email, "X")
    assert db.scalar(select(func.count()).select_from(User).where(User.email == world.jarva_staff.email)) == 1
    _deliver(engine, smtp_server)
    [notice] = smtp_server.inbox.to(world.jarva_staff.email)
    assert notice["Subject"] == "Någon försökte registrera din e-postadress"


def test_bad_sign_up_input_gets_swedish_messages_and_keeps_what_was_typed(client):
    response = _sign_up(client, organisationsnummer="802777-1231", password_again="något annat", capacity="")
    assert response.status_code == 422
    assert "kontrollsiffran" in response.text
    assert "Lösenorden är inte likadana" in response.text
    assert "Välj om du är kontaktperson eller firmatecknare" in response.text
    assert 'value="Föreningen Länsen"' in response.text
    assert PASSWORD not in response.text


def test_a_claim_on_an_existing_organisation_gives_nothing_until_a_representative_approves(
        client, other, db, engine, smtp_server, world, registry):
    org = world.jarva_org
    rep = factories.user(db, registry, "ordforande@jarvabron.test", organisation_id=org.id)
    db.commit()
    _sign_up(client, email="claimant@x.test", organisationsnummer=org.organisationsnummer,
             organisation_name="Något annat namn")
    _deliver(engine, smtp_server)
    link = _last_link(smtp_server, "claimant@x.test")
    verified = post(client, link)
    assert "behöver godkänna" in verified.text
    login(client, "claimant@x.test")
    waiting = client.get("/portal/")
    assert "behöver godkänna" in waiting.text and "Järvabron" not in waiting.text
    assert client.get("/portal/foretradare").status_code == 404
    # The organisation's representative is told, and approves.
    _deliver(engine, smtp_server)
    [claim] = smtp_server.inbox.to(rep.email)
    assert "vill företräda" in claim["Subject"]
    login(other, rep.email)
    page = other.get("/portal/foretradare")
    assert "Väntar på godkännande" in page.text and "claimant@x.test" in page.text
    claim_id = db.scalar(select(Representative.id).join(User, User.id == Representative.user_id)
                         .where(User.email == "claimant@x.test"))
    assert post(other, f"/portal/foretradare/{claim_id}/godkann").status_code == 303
    assert "Du företräder Föreningen Järvabron" in client.get("/portal/").text
    _deliver(engine, smtp_server)
    assert smtp_server.inbox.to("claimant@x.test")[-1]["Subject"] == "Du företräder nu Föreningen Järvabron"


def test_a_representative_invites_a_colleague_who_chooses_a_password(client, other, db, engine, smtp_server, world, registry):
    factories.user(db, registry, "kontakt@jarvabron.test", organisation_id=world.jarva_org.id)
    db.commit()
    login(client, "kontakt@jarvabron.test")
    response = post(client, "/portal/foretradare", {"name": "Bo Ek", "email": "bo@jarvabron.test",
                                                   "capacity": "firmatecknare"})
    assert response.status_code == 303
    _deliver(engine, smtp_server)
    link = _last_link(smtp_server, "bo@jarvabron.test")
    invited = other
    assert "Välj ett lösenord" in invited.get(link).text
    short = post(invited, link, {"password": "kort", "password_again": "kort"})
    assert short.status_code == 422 and "minst 12 tecken" in short.text
    assert post(invited, link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}).status_code == 200
    assert login(invited, "bo@jarvabron.test", NEW_PASSWORD).headers["location"] == "/portal/"
    assert "Föreningen Järvabron" in invited.get("/portal/").text


def test_password_reset_by_e_mail_ends_every_session(client, other, db, engine, smtp_server, world):
    email = world.jarva_staff.email
    login(client, email)
    unknown = post(client, "/losenord/glomt", {"email": "ingen@alls.test"})
    known = post(client, "/losenord/glomt", {"email": email})
    assert unknown.status_code == known.status_code == 200
    assert unknown.text.replace("ingen@alls.test", "X") == known.text.replace(email, "X")
    _deliver(engine, smtp_server)
    assert smtp_server.inbox.to("ingen@alls.test") == []
    link = _last_link(smtp_server, email)
    stranger = other
    assert post(stranger, link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}).status_code == 303
    assert db.scalar(select(func.count()).select_from(UserSession).where(
        UserSession.user_id == world.jarva_staff.id)) == 0
    assert post(stranger, link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}).status_code == 404
    assert login(stranger, email, NEW_PASSWORD).status_code == 303


def test_sign_up_and_reset_are_rate_limited_per_client(client):
    # Corrections of a form with errors do not count.
    for _ in range(12):
        assert _sign_up(client, email="fel@x.test", password_again="fel").status_code == 422
    for i in range(10):
        number = factories.with_check_digit(f"80277{i:04d}")
        assert _sign_up(client, email=f"n{i}@x.test", organisationsnummer=number).status_code == 200
    assert _sign_up(client, email="n11@x.test", organisationsnummer=factories.with_check_digit("802779999")
                    ).status_code == 429
    for _ in range(10):
        post(client, "/losenord/glomt", {"email": "a@b.test"})
    assert post(client, "/losenord/glomt", {"email": "a@b.test"}).status_code == 429


def test_one_address_gets_at_most_three_sign_up_messages_an_hour(client, db, engine, smtp_server, world):
    for _ in range(5):
        assert _sign_up(client, email=world.jarva_staff.email).status_code == 200
    _deliver(engine, smtp_server)
    assert len(smtp_server.inbox.to(world.jarva_staff.email)) == 3


@pytest.fixture
def other(app):
    """A second browser against the same app."""
    from litestar.testing import TestClient

    with TestClient(app, base_url="http://testserver.local") as second:
        yield second


def test_staff_of_a_tenant_where_the_organisation_is_a_party_approve_and_invite(client, db, engine, smtp_server,
                                                                                world):
    _sign_up(client, email="claimant@x.test", organisationsnummer=world.jarva_org.organisationsnummer)
    _deliver(engine, smtp_server)
    post(client, _last_link(smtp_server, "claimant@x.test"))
    login(client, world.jarva_staff.email)
    base = f"/k/jarva/organisationer/{world.jarva_org.id}"
    page = client.get(base)
    assert "Företrädare i portalen" in page.text and "claimant@x.test" in page.text
    claim_id = db.scalar(select(Representative.id).join(User, User.id == Representative.user_id)
                         .where(User.email == "claimant@x.test"))
    assert post(client, f"{base}/foretradare/{claim_id}/godkann").status_code == 303
    invited = post(client, f"{base}/foretradare", {"name": "Cecilia Ström", "email": "cecilia@x.test",
                                                   "capacity": "firmatecknare"})
    assert invited.status_code == 303
    bad = post(client, f"{base}/foretradare", {"name": "", "email": "inte-en-adress", "capacity": ""})
    assert bad.status_code == 422 and "Skriv en e-postadress" in bad.text
    db.expire_all()
    assert db.scalar(select(User.organisation_id).where(User.email == "claimant@x.test")) == world.jarva_org.id


def test_representatives_are_walled_off_from_other_organisations_and_tenants(client, db, world, registry):
    """Staff of a tenant where the organisation is no party, and representatives
    of another organisation, get 404 on its representatives."""
    theirs = factories.user(db, registry, "rep@jarvabron.test", organisation_id=world.jarva_org.id)
    factories.user(db, registry, "rep@tyresobron.test", organisation_id=world.tyreso_org.id)
    db.commit()
    rep_id = db.scalar(select(Representative.id).where(Representative.user_id == theirs.id))
    login(client, "rep@tyresobron.test")
    assert post(client, f"/portal/foretradare/{rep_id}/ta-bort").status_code == 404
    assert post(client, f"/portal/foretradare/{rep_id}/godkann").status_code == 404
    assert "rep@jarvabron.test" not in client.get("/portal/foretradare").text
    login(client, world.tyreso_staff.email)
    base = f"/k/tyreso/organisationer/{world.jarva_org.id}"
    assert client.get(base).status_code == 404
    assert post(client, f"{base}/foretradare/{rep_id}/ta-bort").status_code == 404
    assert post(client, f"{base}/foretradare", {"name": "X", "email": "x@x.test", "capacity": "kontaktperson"}
                ).status_code == 404


def test_the_platform_admin_links_any_user_to_an_organisation(client, db, world, registry):
    person = factories.user(db, registry, "person@x.test")
    db.commit()
    login(client, world.admin.email)
    page = f"/admin/anvandare/{person.id}"
    wrong = post(client, f"{page}/organisation", {"organisationsnummer": "802000-0001", "capacity": "kontaktperson"})
    assert wrong.status_code == 422 and "kontrollsiffran" in wrong.text
    unknown = post(client, f"{page}/organisation", {"organisationsnummer": factories.with_check_digit("802999888"),
                                                    "capacity": "kontaktperson"})
    assert unknown.status_code == 422 and "Ingen organisation" in unknown.text
    assert post(client, f"{page}/organisation", {"organisationsnummer": world.tyreso_org.organisationsnummer,
                                                 "capacity": "firmatecknare"}).status_code == 303
    assert "företräder <strong>Föreningen Tyresöbron</strong>" in client.get(page).text
    db.expire_all()
    assert db.get(User, person.id).organisation_id == world.tyreso_org.id
    assert post(client, f"{page}/organisation/ta-bort").status_code == 303
    db.expire_all()
    assert db.get(User, person.id).organisation_id is None
