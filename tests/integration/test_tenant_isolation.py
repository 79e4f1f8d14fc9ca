"""Walks every route of the application as an anonymous client and as staff of
another tenant: neither ever gets another tenant's data, and the other tenant's
staff get 404 for everything of Järva's."""

import re
from datetime import date

import pytest
from litestar.routes import HTTPRoute
from sqlalchemy import select

from core.models import (Application, Decision, DocumentRequest, Meeting, RegistryEntry, Representative,
                         RoleAssignment)
from core.models.sharing import Sharing
from core.services import documents
from tests import factories
from tests.factories import csrf, login

SECRET = "Järvas hemliga läxhjälp"
# What Järva's staff keep from the parties: not even Järva's own party sees it.
WITHHELD = "Stabens interna resonemang"
# The OpenAPI document and its catch-all are public: they describe, they hold no data.
PUBLIC = {"/login", "/logout", "/healthz", "/api/v1", "/api/v1/openapi.json", "/api/v1/{path:str}",
          # An organisation's own way in (sign-up, one-time links, reset) and the guide: for anyone.
          "/portal/registrera", "/portal/verifiera/{token:str}", "/portal/inbjudan/{token:str}", "/losenord/glomt",
          "/losenord/nytt/{token:str}", "/portal/vagledning",
          # The public list of a tenant's diarium: for anyone, without the matters' titles.
          "/portal/diarium/{code:str}",
          # A blank mall the organisation fills in: for anyone who will apply or report.
          "/portal/mallar/{code:str}/{key:str}/{fmt:str}",
          # A calendar feed: its secret address is its only key (a wrong one is 404).
          "/kalender/{name:str}"}


def _walk(app, world, db, settings):
    doc = documents.store_document(db, settings.documents_dir, world.jarva, None, partnership=world.jarva_partnership,
                                   kind="ovrigt", title="Hemligt", filename="a.pdf", content=b"%PDF-1.4")
    assignment = db.scalar(select(RoleAssignment).where(RoleAssignment.user_id == world.jarva_staff.id))
    # A representative of Järva's party: the portal's and the staff's pages about representatives.
    representative = db.scalar(select(Representative).where(Representative.organisation_id == world.jarva_org.id))
    if representative is None:
        user = factories.user(db, registry_of(app), "rep@jarvabron.test", organisation_id=world.jarva_org.id)
        representative = db.scalar(select(Representative).where(Representative.user_id == user.id))
    # A draft intresseanmälan of Järva's party.
    application = db.scalar(select(Application).where(Application.organisation_id == world.jarva_org.id))
    if application is None:
        application = Application(organisation_id=world.jarva_org.id, addressed_to_id=world.jarva.id, title=SECRET)
        db.add(application)
        db.flush()
    # A request to Järva's party, and a decision staff withheld from the parties.
    request = db.scalar(select(DocumentRequest).where(DocumentRequest.organisation_id == world.jarva_org.id))
    if request is None:
        request = DocumentRequest(tenant_id=world.jarva.id, partnership_id=world.jarva_partnership.id,
                                  organisation_id=world.jarva_org.id, kind="ovrigt", title=SECRET,
                                  due_on=date(2030, 1, 1))
        db.add(request)
        withheld = Decision(tenant_id=world.jarva.id, partnership_id=world.jarva_partnership.id,
                            process_code="jarva", process_version=1, step_key="overvagande", outcome_key="fortsatt",
                            outcome_kind="continue", motivation=WITHHELD, role_key="stabsenhet", role_title="Stab")
        db.add(withheld)
        db.flush()
        db.add(Sharing(tenant_id=world.jarva.id, partnership_id=world.jarva_partnership.id, item_kind="decision",
                       item_id=withheld.id, shared=False))
        db.flush()
    meeting = db.scalar(select(Meeting).where(Meeting.partnership_id == world.jarva_partnership.id))
    if meeting is None:
        meeting = Meeting(tenant_id=world.jarva.id, partnership_id=world.jarva_partnership.id, kind="forsta_mote",
                          held_on=date(2030, 1, 1), status="planned", participants=SECRET)
        db.add(meeting)
        db.flush()
    db.commit()
    values = {
        "code": "jarva",
        "meeting_id": meeting.id,
        "name": "inte-en-giltig-adress.ics",
        "partnership_id": world.jarva_partnership.id,
        "organisation_id": world.jarva_org.id,
        "document_id": doc.id,
        "user_id": world.jarva_staff.id,
        "assignment_id": assignment.id,
        "step_key": "initiativ",
        "form_key": "initiativ",
        "file_path": "css/site.css",
        "path": "x",
        "token": "inte-en-giltig-lank",
        "representative_id": representative.id,
        "application_id": application.id,
        "request_id": request.id,
        # A mall of Järva's, as Word (the cheaper to make).
        "key": "budget",
        "fmt": "word",
        "entry_id": db.scalar(select(RegistryEntry.id).where(RegistryEntry.document_id == doc.id)),
    }
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        path = re.sub(r"\{(\w+):\w+\}", lambda m: str(values[m.group(1)]), route.path_format)
        path = re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            yield route.path, path, method


def registry_of(app):
    return app.state.ctx.registry


def _send(client, method, path):
    headers = {"x-csrftoken": csrf(client)}
    # Send each unsafe request in the encoding its form uses, so it reaches the access check.
    uploads = (path.endswith(("/dokument", "/overenskommelse/kontroll"))
               or re.fullmatch(r"/portal/partnerskap/\d+/begaran/\d+", path))
    files = {"file": ("a.pdf", b"%PDF-1.4", "application/pdf")} if uploads else None
    return client.request(method, path, headers=headers, data={"title": "x"}, files=files, follow_redirects=False)


def test_every_route_walked_anonymously_gives_nothing_away(app, client, world, db, settings):
    seen = 0
    for template, path, method in _walk(app, world, db, settings):
        seen += 1
        response = _send(client, method, path)
        assert SECRET not in response.text, f"{method} {path} leaked data"
        if template in PUBLIC or template.startswith("/static"):
            continue
        if path.startswith("/api/"):
            assert response.status_code == 401, f"{method} {path}: {response.status_code}"
        else:
            assert response.status_code == 303, f"{method} {path}: {response.status_code}"
            assert response.headers["location"].startswith("/login")
    assert seen > 25


@pytest.mark.parametrize("role", ["handlaggare", "administrator"])
def test_every_route_walked_as_another_tenants_staff_answers_404(app, client, world, db, registry, settings, role):
    """Tyresö's case officer, and Tyresö's administrator (who manages Tyresö's
    staff), get 404 for everything of Järva's, its staff pages included."""
    if role == "administrator":
        factories.user(db, registry, "administrator@tyreso.test", (world.tyreso, "administrator"))
        db.commit()
    login(client, world.tyreso_staff.email if role == "handlaggare" else "administrator@tyreso.test")
    checked, staff_pages = 0, 0
    for template, path, method in _walk(app, world, db, settings):
        if template in PUBLIC or template.startswith("/static") or template in {"/", "/portal"}:
            continue
        response = _send(client, method, path)
        assert SECRET not in response.text, f"{method} {path} leaked data"
        assert world.jarva_staff.email not in response.text, f"{method} {path} leaked Järva's staff"
        assert response.status_code == 404, f"{method} {path}: {response.status_code}"
        checked += 1
        staff_pages += template.startswith("/k/{code:str}/personal")
    assert checked > 20
    assert staff_pages >= 7


def test_the_staff_pages_answer_403_to_the_tenants_own_staff_without_the_permission(app, client, world, db, settings):
    login(client, world.jarva_staff.email)
    checked = 0
    for template, path, method in _walk(app, world, db, settings):
        if template.startswith("/k/{code:str}/personal"):
            response = _send(client, method, path)
            assert response.status_code == 403, f"{method} {path}: {response.status_code}"
            checked += 1
    assert checked >= 7


def test_the_tenants_own_staff_reach_the_same_objects(client, world):
    """The walk above means something only if the same URLs work for Järva's own staff."""
    login(client, world.jarva_staff.email)
    assert SECRET in client.get(f"/k/jarva/partnerskap/{world.jarva_partnership.id}").text
    assert SECRET in client.get(f"/api/v1/k/jarva/partnerships/{world.jarva_partnership.id}").text


@pytest.mark.parametrize("url", ["/k/tyreso/", "/api/v1/k/tyreso/partnerships"])
def test_a_tenant_that_does_not_exist_looks_like_one_you_cannot_see(client, world, url):
    login(client, world.jarva_staff.email)
    missing = client.get(url.replace("tyreso", "finns-inte"))
    forbidden = client.get(url)
    assert missing.status_code == forbidden.status_code == 404


def _permission_of(app, template: str, method: str) -> str | None:
    for route in app.routes:
        if isinstance(route, HTTPRoute) and route.path == template:
            for handler in route.route_handlers:
                if method in handler.http_methods:
                    return handler.opt.get("permission")
    return None


def test_the_tenant_matrix_every_route_by_every_kind_of_outsider(app, client, world, db, settings, registry):
    """Every route × anonymous, another tenant's staff, Järva's staff whose role
    lacks the route's permission, and a representative of an organisation
    unrelated to Järva: none of them gets Järva's data; each gets the answer
    its kind should (login, 404, 403). Prints its counts."""
    from core.services import tenants

    kommun = tenants.kommun_for(db, registry, world.jarva)
    viewer_role = next(r.key for r in kommun.roles.roles if r.generic_role == "decision_body")
    factories.user(db, registry, "namnd@jarva.test", (world.jarva, viewer_role))
    outsider_org = factories.organisation(db, world.tyreso, "Föreningen Utanför")
    factories.user(db, registry, "kontakt@utanfor.test", organisation_id=outsider_org.id)
    factories.user(db, registry, "kontakt@tyresoparten.test", organisation_id=world.tyreso_org.id)
    db.commit()
    counts: dict[str, int] = {}
    routes = list(_walk(app, world, db, settings))

    def check(kind: str, expect, *, own_staff: bool = False, sees=lambda template: False) -> None:
        for template, path, method in routes:
            if template in PUBLIC or template.startswith("/static"):
                continue
            response = _send(client, method, path)
            # Järva's own staff may read Järva's cases; the others never.
            assert own_staff or sees(template) or SECRET not in response.text, f"{kind}: {method} {path} leaked data"
            assert response.status_code < 500, f"{kind}: {method} {path}: {response.status_code}"
            expected = expect(template, path, method)
            if expected is not None:
                assert response.status_code in expected, f"{kind}: {method} {path}: {response.status_code}"
            counts[kind] = counts.get(kind, 0) + 1

    client.cookies.clear()
    check("anonym", lambda t, p, m: {401} if p.startswith("/api/") else {303})
    login(client, world.tyreso_staff.email)
    check("annan kommuns personal",
          lambda t, p, m: {404} if "/jarva" in p or t.startswith("/admin") else None)
    login(client, "namnd@jarva.test")
    check("personal utan behörighet",
          lambda t, p, m: {403} if _permission_of(app, t, m) else ({404} if t.startswith("/admin") else None),
          own_staff=True)
    outsider = lambda t, p, m: ({404} if "/jarva" in p or t.startswith("/admin") or "/foretradare/" in p  # noqa: E731
                                or p.startswith(("/portal/dokument/", "/portal/ansokan/", "/portal/partnerskap/"))
                                else None)
    login(client, "kontakt@utanfor.test")
    check("företrädare för annan organisation", outsider)
    # A representative of an organisation that is a party in another tenant (Tyresö) only.
    login(client, "kontakt@tyresoparten.test")
    check("företrädare för part i annan kommun", outsider)
    # A representative of Järva's party: the organisation's side, never the
    # kommun's, and of the case only what is shared with the parties.
    login(client, "rep@jarvabron.test")
    check("företrädare för Järvas part",
          lambda t, p, m: {404} if p.startswith(("/k/", "/api/v1/k/", "/portal/partnerskap/{id}/dokument/".format(
              id=world.jarva_partnership.id))) or t.startswith("/admin") else None,
          sees=lambda t: t in ("/portal", "/portal/") or t.startswith(("/portal/ansokan", "/portal/partnerskap")))
    withheld_seen = [p for t, p, m in routes if m == "GET" and t.startswith("/portal")
                     and WITHHELD in client.get(p).text]
    assert not withheld_seen
    assert SECRET in client.get(f"/portal/partnerskap/{world.jarva_partnership.id}").text
    print("\ntenant matrix: " + ", ".join(f"{kind} {n}" for kind, n in counts.items())
          + f" ({len(routes)} routes and methods each)")
    assert len(counts) == 6 and min(counts.values()) > 25
