"""CSRF tokens are bound to the session (issue 7): a token works only with the
cookies it was made for, changes at sign-in and dies at sign-out."""

from __future__ import annotations

from litestar.testing import TestClient

from tests.factories import PASSWORD, csrf, login, post

TARGET = "/k/jarva/partnerskap/ny"


def _plant(victim, attacker) -> None:
    """Cookie tossing: the attacker's own anonymous cookies end up in the
    victim's browser (a sibling subdomain, or plain HTTP on the same host)."""
    for cookie in list(attacker.cookies.jar):
        for existing in [c for c in victim.cookies.jar if c.name == cookie.name]:
            victim.cookies.jar.clear(existing.domain, existing.path, existing.name)
        victim.cookies.set(cookie.name, cookie.value, domain=cookie.domain, path=cookie.path)


def test_an_attacker_made_cookie_and_token_pair_is_refused(app, client, world):
    login(client, world.jarva_staff.email)
    with TestClient(app, base_url="http://testserver.local") as attacker:
        token = csrf(attacker)  # a pair the attacker holds: their cookies and the token that goes with them
        _plant(client, attacker)
    response = client.post(TARGET, data={"title": "Förfalskat", "_csrf_token": token}, follow_redirects=False)
    assert response.status_code == 403
    assert "Ladda om sidan och försök igen." in response.text


def test_a_token_made_for_another_session_is_refused(app, client, world):
    login(client, world.jarva_staff.email)
    with TestClient(app, base_url="http://testserver.local") as attacker:
        login(attacker, world.tyreso_staff.email)
        token = csrf(attacker)
    response = client.post(TARGET, data={"title": "Förfalskat", "_csrf_token": token}, follow_redirects=False)
    assert response.status_code == 403
    header = client.post(TARGET, data={"title": "Förfalskat"}, headers={"x-csrftoken": token}, follow_redirects=False)
    assert header.status_code == 403


def test_the_token_changes_at_sign_in(client, world):
    before = csrf(client)
    login(client, world.jarva_staff.email)
    after = csrf(client)
    assert after != before
    response = client.post(TARGET, data={"title": "Gammal token", "_csrf_token": before}, follow_redirects=False)
    assert response.status_code == 403
    assert post(client, TARGET, {"title": "Ny token"}).status_code == 303


def test_the_token_of_a_signed_out_session_is_refused(client, world):
    login(client, world.jarva_staff.email)
    signed_in = csrf(client)
    assert post(client, "/logout").status_code == 303
    response = client.post("/login", data={"email": world.jarva_staff.email, "password": PASSWORD,
                                           "_csrf_token": signed_in}, follow_redirects=False)
    assert response.status_code == 403
    assert csrf(client) != signed_in
    assert login(client, world.jarva_staff.email).status_code == 303


def test_signing_in_needs_a_token_from_this_browser(client, world):
    """Login CSRF: a form on another site cannot sign the visitor in as someone else."""
    response = client.post("/login", data={"email": world.jarva_staff.email, "password": PASSWORD},
                           follow_redirects=False)
    assert response.status_code == 403
    response = client.post("/login", data={"email": world.jarva_staff.email, "password": PASSWORD,
                                           "_csrf_token": "0" * 64}, follow_redirects=False)
    assert response.status_code == 403


def test_the_token_is_in_every_form_and_in_htmx_headers(client, world):
    login(client, world.jarva_staff.email)
    page = client.get("/k/jarva/").text
    token = csrf(client)
    assert f'value="{token}"' in page
    assert f'hx-headers=\'{{"x-csrftoken": "{token}"}}\'' in page
