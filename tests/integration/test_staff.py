"""A tenant's administrator manages that tenant's own staff and their roles at
/k/<code>/personal/: adds people (an existing account gets the role, a new
one is created), gives and takes away roles, removes people from the tenant.
Never another tenant's staff, never platform-admin status, never the last
administrator; every change in the tenant's audit trail."""

import re

import pytest
from sqlalchemy import select

from core.models import AuditEvent, RoleAssignment, User
from core.services import users
from tests import factories
from tests.factories import PASSWORD, login, post

ADMIN = "administrator@tyreso.test"


@pytest.fixture
def admin(db, registry, world) -> User:
    """Tyresö's administrator, with no other role there."""
    user = factories.user(db, registry, ADMIN, (world.tyreso, "administrator"))
    db.commit()
    return user


def _roles(db, user: User, tenant) -> set[str]:
    db.expire_all()
    return set(db.scalars(select(RoleAssignment.role_key).where(RoleAssignment.user_id == user.id,
                                                                RoleAssignment.tenant_id == tenant.id)))


def _trail(db, tenant) -> list[tuple[str, str, int | None]]:
    db.expire_all()
    return [(e.action, e.object_id, e.actor_id) for e in db.scalars(
        select(AuditEvent).where(AuditEvent.tenant_id == tenant.id, AuditEvent.object_type == "user")
        .order_by(AuditEvent.id))]


def _assignment(db, user: User, tenant, key: str) -> int:
    return db.scalar(select(RoleAssignment.id).where(RoleAssignment.user_id == user.id,
                                                     RoleAssignment.tenant_id == tenant.id,
                                                     RoleAssignment.role_key == key))


def test_an_administrator_adds_a_new_colleague_who_can_then_sign_in(client, db, world, admin):
    login(client, ADMIN)
    listing = client.get("/k/tyreso/personal/")
    assert listing.status_code == 200
    assert world.tyreso_staff.email in listing.text and world.jarva_staff.email not in listing.text

    added = post(client, "/k/tyreso/personal/", {"email": " Nina.Ny@Tyreso.test ", "role_key": "kommundirektor",
                                                 "name": "Nina Ny", "password": "ett-forsta-losenord"})
    assert added.status_code == 303
    nina = users.get_by_email(db, "nina.ny@tyreso.test")
    assert added.headers["location"] == f"/k/tyreso/personal/{nina.id}?sparad=nytt-konto"
    shown = client.get(added.headers["location"]).text
    assert "Kontot är skapat" in shown and "Kommundirektör" in shown
    assert _roles(db, nina, world.tyreso) == {"kommundirektor"} and not nina.is_platform_admin
    assert _trail(db, world.tyreso)[-2:] == [("create", str(nina.id), admin.id), ("assign_role", str(nina.id), admin.id)]

    client.cookies.clear()
    assert login(client, "nina.ny@tyreso.test", "ett-forsta-losenord").headers["location"] == "/k/tyreso/"
    assert client.get("/k/tyreso/").status_code == 200


def test_an_existing_account_gets_the_role_as_it_is(client, db, world, admin):
    """Järva's case officer joins Tyresö too: the name and password typed are
    not used, and the person now has two workspaces."""
    login(client, ADMIN)
    added = post(client, "/k/tyreso/personal/", {"email": world.jarva_staff.email, "role_key": "handlaggare",
                                                 "name": "Ett annat namn", "password": "ett-annat-losenord"})
    assert added.status_code == 303 and added.headers["location"].endswith("?sparad=konto-fanns")
    person = client.get(added.headers["location"]).text
    assert "Personen hade redan ett konto" in person
    assert "Järva" not in person  # the person's roles elsewhere are not Tyresö's business
    db.expire_all()
    assert db.get(User, world.jarva_staff.id).name == "Handlaggare"

    client.cookies.clear()
    assert login(client, world.jarva_staff.email, PASSWORD).headers["location"] == "/"
    start = client.get("/").text
    assert 'href="/k/jarva/"' in start and 'href="/k/tyreso/"' in start


@pytest.mark.parametrize("typed,field,message", [
    ({"email": "inte-en-adress", "role_key": "handlaggare", "name": "Nils Nilsson"}, "email",
     "Skriv en e-postadress som namn@exempel.se."),
    ({"email": "nils@tyreso.test", "role_key": "", "name": "Nils Nilsson", "password": "ett-forsta-losenord"},
     "role_key", "Välj vilken roll personen ska ha."),
    ({"email": "nils@tyreso.test", "role_key": "stabsenhet", "name": "Nils Nilsson",
      "password": "ett-forsta-losenord"}, "role_key", "Välj en roll i listan."),
    ({"email": "nils@tyreso.test", "role_key": "handlaggare", "password": "ett-forsta-losenord"}, "name",
     "Det finns inget konto med den e-postadressen. Skriv personens namn"),
    ({"email": "nils@tyreso.test", "role_key": "handlaggare", "name": "Nils Nilsson"}, "password",
     "Hitta på ett första lösenord"),
    ({"email": "nils@tyreso.test", "role_key": "handlaggare", "name": "Nils Nilsson", "password": "kort"}, "password",
     "Lösenordet måste ha minst 12 tecken."),
    ({"email": "handlaggare@tyreso.test", "role_key": "handlaggare"}, "role_key",
     "Handlaggare har redan rollen Handläggare här."),
])
def test_bad_input_is_explained_in_swedish_and_nothing_typed_is_lost(client, db, world, admin, typed, field, message):
    login(client, ADMIN)
    before = db.scalar(select(User.id).order_by(User.id.desc()).limit(1))
    response = post(client, "/k/tyreso/personal/", typed)
    assert response.status_code == 422
    error = re.search(rf'id="f-{field}-error">(.*?)</p>', response.text, re.S)
    assert error and message in error.group(1)
    assert "Något behöver rättas" in response.text
    for key, value in typed.items():
        if key != "role_key" and value:
            assert f'value="{value}"' in response.text, key
    if typed.get("role_key") == "handlaggare":
        assert '<option value="handlaggare" selected>' in response.text
    assert db.scalar(select(User.id).order_by(User.id.desc()).limit(1)) == before


def test_a_representatives_or_a_deactivated_account_gets_no_staff_role(client, db, registry, world, admin):
    factories.user(db, registry, "kontakt@forening.test", organisation_id=world.tyreso_org.id)
    gone = factories.user(db, registry, "slutat@tyreso.test")
    users.set_active(db, actor=None, user=gone, active=False)
    db.commit()
    login(client, ADMIN)
    rep = post(client, "/k/tyreso/personal/", {"email": "kontakt@forening.test", "role_key": "handlaggare"})
    assert rep.status_code == 422 and "företrädare för en idéburen organisation" in rep.text
    inactive = post(client, "/k/tyreso/personal/", {"email": "slutat@tyreso.test", "role_key": "handlaggare"})
    assert inactive.status_code == 422 and "Kontot är inaktiverat" in inactive.text
    assert _roles(db, gone, world.tyreso) == set()


def test_give_and_take_away_roles_and_remove_a_person(client, db, world, admin):
    staff_member = world.tyreso_staff
    login(client, ADMIN)
    base = f"/k/tyreso/personal/{staff_member.id}"
    page = client.get(base).text
    assert "Handläggare" in page and "Kommunstyrelseförvaltningen" in page  # one held, one to give

    assert post(client, f"{base}/roller", {"role_key": "kommunstyrelseforvaltningen"}).status_code == 303
    assert _roles(db, staff_member, world.tyreso) == {"handlaggare", "kommunstyrelseforvaltningen"}
    twice = post(client, f"{base}/roller", {"role_key": "handlaggare"})
    assert twice.status_code == 422 and "har redan rollen Handläggare här" in twice.text
    nothing = post(client, f"{base}/roller", {"role_key": ""})
    assert nothing.status_code == 422 and "Välj vilken roll personen ska ha." in nothing.text

    removed = post(client, f"{base}/roller/{_assignment(db, staff_member, world.tyreso, 'handlaggare')}/ta-bort")
    assert removed.status_code == 303 and removed.headers["location"] == f"{base}?sparad=1"
    assert _roles(db, staff_member, world.tyreso) == {"kommunstyrelseforvaltningen"}

    confirm = client.get(f"{base}/ta-bort")
    assert confirm.status_code == 200 and "Kommunstyrelseförvaltningen" in confirm.text
    gone = post(client, f"{base}/ta-bort")
    assert gone.status_code == 303 and gone.headers["location"] == "/k/tyreso/personal/?meddelande=borttagen"
    assert _roles(db, staff_member, world.tyreso) == set()
    assert db.get(User, staff_member.id) is not None  # the account stays
    assert client.get(base).status_code == 404  # no longer Tyresö's staff
    actions = [(a, actor) for a, obj, actor in _trail(db, world.tyreso) if obj == str(staff_member.id)]
    assert actions[-3:] == [("assign_role", admin.id), ("remove_role", admin.id), ("remove_role", admin.id)]


def test_the_last_administrator_keeps_the_role(client, db, world, admin):
    login(client, ADMIN)
    base = f"/k/tyreso/personal/{admin.id}"
    own = _assignment(db, admin, world.tyreso, "administrator")
    refused = post(client, f"{base}/roller/{own}/ta-bort")
    assert refused.status_code == 422
    assert "Du är den enda administratören i Tyresö kommun." in refused.text
    leaving = post(client, f"{base}/ta-bort")
    assert leaving.status_code == 422 and "Du är den enda administratören" in leaving.text
    assert _roles(db, admin, world.tyreso) == {"administrator"}

    # With a second administrator, the first may step down.
    assert post(client, f"/k/tyreso/personal/{world.tyreso_staff.id}/roller",
                {"role_key": "administrator"}).status_code == 303
    stepped_down = post(client, f"{base}/roller/{own}/ta-bort")
    assert stepped_down.status_code == 303 and stepped_down.headers["location"] == "/"
    assert _roles(db, admin, world.tyreso) == set()
    assert client.get("/k/tyreso/personal/").status_code == 404


def test_an_administrator_never_sees_other_tenants_staff(client, db, registry, world, admin):
    jarva_assignment = _assignment(db, world.jarva_staff, world.jarva, "handlaggare")
    login(client, ADMIN)
    other = f"/k/tyreso/personal/{world.jarva_staff.id}"
    assert client.get(other).status_code == 404
    assert client.get(f"{other}/ta-bort").status_code == 404
    assert post(client, f"{other}/roller", {"role_key": "handlaggare"}).status_code == 404
    assert post(client, f"{other}/roller/{jarva_assignment}/ta-bort").status_code == 404
    assert post(client, f"{other}/ta-bort").status_code == 404
    # Another tenant's assignment under one of Tyresö's own people is not theirs either.
    mine = f"/k/tyreso/personal/{world.tyreso_staff.id}"
    assert post(client, f"{mine}/roller/{jarva_assignment}/ta-bort").status_code == 404
    assert client.get("/k/jarva/personal/").status_code == 404
    assert _roles(db, world.jarva_staff, world.jarva) == {"handlaggare"}


def test_an_administrator_never_changes_platform_admin_status(client, db, world, admin):
    login(client, ADMIN)
    page = client.get(f"/k/tyreso/personal/{world.tyreso_staff.id}").text
    assert "Plattformsadministratör" not in page
    added = post(client, "/k/tyreso/personal/", {"email": "smart@tyreso.test", "role_key": "handlaggare",
                                                 "name": "Smart", "password": "ett-forsta-losenord",
                                                 "is_platform_admin": "1"})
    assert added.status_code == 303
    assert users.get_by_email(db, "smart@tyreso.test").is_platform_admin is False
    # The platform administrator's own account gets a role in Tyresö and nothing more.
    post(client, "/k/tyreso/personal/", {"email": world.admin.email, "role_key": "handlaggare"})
    db.expire_all()
    assert db.get(User, world.admin.id).is_platform_admin is True
    assert "Plattformsadministratör" not in client.get(f"/k/tyreso/personal/{world.admin.id}").text


def test_an_administrator_with_no_other_role_works_on_the_staff_pages_only(client, world, admin):
    """The administrator role gives tenant.admin and nothing else: no partnerships."""
    assert login(client, ADMIN).headers["location"] == "/k/tyreso/personal/"
    page = client.get("/k/tyreso/personal/").text
    assert 'href="/k/tyreso/personal/"' in page and 'href="/k/tyreso/organisationer/"' not in page
    assert client.get("/k/tyreso/").status_code == 403
    assert client.get(f"/k/tyreso/partnerskap/{world.tyreso_partnership.id}").status_code == 403
    assert client.get("/api/v1/k/tyreso/partnerships").status_code == 403


STAFF_ROUTES = [
    ("GET", ""), ("POST", ""), ("GET", "/{user}"), ("POST", "/{user}/roller"),
    ("POST", "/{user}/roller/{assignment}/ta-bort"), ("GET", "/{user}/ta-bort"), ("POST", "/{user}/ta-bort"),
]


def _url(db, world, path: str) -> str:
    assignment = _assignment(db, world.tyreso_staff, world.tyreso, "handlaggare")
    return "/k/tyreso/personal/" + path.format(user=world.tyreso_staff.id, assignment=assignment).lstrip("/")


@pytest.mark.parametrize("method,path", STAFF_ROUTES)
def test_staff_without_the_permission_get_403(client, db, world, method, path):
    login(client, world.tyreso_staff.email)
    url = _url(db, world, path)
    response = client.get(url) if method == "GET" else post(client, url, {"role_key": "administrator"})
    assert response.status_code == 403
    assert "Din roll får inte göra detta." in response.text
    assert _roles(db, world.tyreso_staff, world.tyreso) == {"handlaggare"}


@pytest.mark.parametrize("method,path", STAFF_ROUTES)
def test_anonymous_visitors_are_sent_to_sign_in(client, db, world, method, path):
    url = _url(db, world, path)
    response = client.get(url, follow_redirects=False) if method == "GET" else post(client, url, {})
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
