"""Sign-in, sessions and CSRF as a browser experiences them."""

from sqlalchemy import select

from core.models import UserSession
from tests.factories import PASSWORD, csrf, login, post


def test_sign_in_lands_in_the_users_workspace(client, world):
    response = login(client, world.jarva_staff.email)
    assert response.status_code == 303 and response.headers["location"] == "/k/jarva/"
    cookie = response.cookies.get("iop_session")
    assert cookie
    set_cookie = response.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=lax" in set_cookie
    assert "Järvas hemliga läxhjälp" in client.get("/k/jarva/").text


def test_wrong_password_says_so_in_swedish_and_keeps_the_email(client, world):
    response = login(client, world.jarva_staff.email, "fel-losenord")
    assert response.status_code == 400
    assert "E-postadressen eller lösenordet stämmer inte." in response.text
    assert f'value="{world.jarva_staff.email}"' in response.text


def test_sign_in_is_slowed_down_per_address_and_client(client, world):
    for _ in range(3):
        assert login(client, world.jarva_staff.email, "fel").status_code == 400
    response = login(client, world.jarva_staff.email, PASSWORD)
    assert response.status_code == 429
    assert "För många misslyckade inloggningsförsök. Vänta 1 sekund och försök igen." in response.text
    assert response.headers["retry-after"] == "1"


def test_session_id_is_rotated_at_sign_in(client, world, db):
    first = login(client, world.jarva_staff.email).cookies["iop_session"]
    second = login(client, world.jarva_staff.email).cookies["iop_session"]
    assert first != second
    assert db.scalar(select(UserSession).where(UserSession.user_id == world.jarva_staff.id)) is not None
    assert db.query(UserSession).count() == 1, "the previous session ends at a new sign-in"


def test_unknown_session_cookie_is_never_adopted(client, world):
    client.cookies.set("iop_session", "chosen-by-attacker")
    assert client.get("/k/jarva/", follow_redirects=False).status_code == 303
    response = login(client, world.jarva_staff.email)
    assert response.cookies["iop_session"] != "chosen-by-attacker"


def test_sign_out_invalidates_the_session_on_the_server(client, world):
    token = login(client, world.jarva_staff.email).cookies["iop_session"]
    assert post(client, "/logout").status_code == 303
    client.cookies.set("iop_session", token)  # replaying the old cookie
    response = client.get("/k/jarva/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_deactivation_ends_every_session(client, world, db):
    from core.services import users

    login(client, world.jarva_staff.email)
    users.set_active(db, actor=None, user=db.merge(world.jarva_staff), active=False)
    db.commit()
    assert client.get("/k/jarva/", follow_redirects=False).status_code == 303


def test_unsafe_requests_need_the_csrf_token(client, world):
    login(client, world.jarva_staff.email)
    without = client.post("/k/jarva/partnerskap/ny", data={"title": "Utan token"}, follow_redirects=False)
    assert without.status_code == 403
    htmx_style = client.post("/k/jarva/partnerskap/ny", data={"title": "Med header"},
                             headers={"x-csrftoken": csrf(client), "HX-Request": "true"}, follow_redirects=False)
    assert htmx_style.status_code == 303


def test_next_after_sign_in_is_only_a_local_path(client, world):
    client.get("/login")
    response = client.post("/login", data={"email": world.jarva_staff.email, "password": PASSWORD,
                                           "next": "//evil.example/", "_csrf_token": csrf(client)},
                           follow_redirects=False)
    assert response.headers["location"] == "/k/jarva/"


def test_security_headers_are_sent(client):
    headers = client.get("/login").headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_an_idle_session_expires(client, world, db):
    from datetime import timedelta

    from core.db import utcnow

    login(client, world.jarva_staff.email)
    db.query(UserSession).update({UserSession.last_seen_at: utcnow() - timedelta(hours=2)})
    db.commit()
    response = client.get("/k/jarva/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert db.query(UserSession).count() == 0
