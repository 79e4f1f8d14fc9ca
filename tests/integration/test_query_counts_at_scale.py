"""Every page and fragment costs the same number of queries whether its tenant
holds 100 partnerships or 10,000 (issue 8).

Two tenants run Järva's process side by side. Each gets the same few cases
walked through the real process (one in every phase, the probed one running
with documents, meetings and forms), and then a generated load cloned from
them (bench/load.py): 100 partnerships in one, 10,000 in the other. Every GET
route of the tenant workspace and the API, and the htmx fragments of the
start page, is requested in both; the counts must be equal. The test prints
the counts and the response sizes."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from litestar.routes import HTTPRoute
from sqlalchemy import select

from bench.load import analyze, clone_partnerships
from core import clock
from core.models import Document, Meeting, RegistryEntry, RoleAssignment
from core.services import tenants
from core.services.casework import newest_process
from core.walkthrough import Walker
from tests import factories
from tests.factories import login
from tests.statements import counting

SMALL, LARGE = 100, 10_000


@pytest.fixture(autouse=True)
def pages_rendered_every_time(app):
    """These count what rendering a page costs; a page the process kept as
    rendered costs one statement (test_page_cache)."""
    app.state.ctx.pages.max_bytes = 0


def _tenant(db, registry, settings, owner_url: str, code: str, size: int) -> dict:
    tenant = factories.tenant(db, registry, code, kommun="jarva", name=f"Järva {code}")
    kommun = tenants.kommun_for(db, registry, tenant)
    staff = {role.key: factories.user(db, registry, f"{role.key}@{code}.test", (tenant, role.key))
             for role in kommun.roles.roles}
    everyone = factories.user(db, registry, f"alla@{code}.test",
                              *[(tenant, role.key) for role in kommun.roles.roles], (tenant, "administrator"))
    org = factories.organisation(db, tenant)
    today = clock.today()
    walker = Walker(db, registry, kommun, tenant, staff, settings.documents_dir, today)
    sources = []
    for i, steps in enumerate((0, 2, 6, None)):
        p = factories.partnership(db, tenant, f"Fall {i}", process=newest_process(registry, kommun),
                                  organisation_id=org.id, offentlig_pengar_amount=1000,
                                  ideburen_ideella_timmar_amount=10,
                                  initiated_on=(today - timedelta(days=20 * i)).isoformat())
        if steps is None:
            start = date(today.year - 1, 1, 1)
            walker.advance(p, until_status="pagaende", period=(start, start + timedelta(days=3 * 365)))
        else:
            walker.advance(p, steps=steps)
        sources.append(p.id)
    db.commit()
    clone_partnerships(db, sources, size - len(sources), history=False)
    db.commit()
    analyze(owner_url)
    probe = sources[-1]
    document = db.scalar(select(Document.id).where(Document.partnership_id == probe).limit(1))
    assignment = db.scalar(select(RoleAssignment.id).where(RoleAssignment.user_id == everyone.id).limit(1))
    entry = db.scalar(select(RegistryEntry.id).where(RegistryEntry.document_id == document))
    meeting = db.scalar(select(Meeting.id).where(Meeting.partnership_id == probe).limit(1))
    return {"meeting_id": meeting, "code": code, "partnership_id": probe, "organisation_id": org.id, "document_id": document,
            "user_id": staff["handlaggare"].id, "assignment_id": assignment, "entry_id": entry, "key": "budget", "fmt": "word", "step_key": "initiativ",
            "form_key": "initiativ", "email": everyone.email}


def _urls(app, values: dict) -> list[tuple[str, str]]:
    """(what the route is called in the output, the URL to request)."""
    urls = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or "GET" not in route.methods:
            continue
        if not route.path.startswith(("/k/{code:str}", "/api/v1/k/{code:str}")):
            continue
        path = re.sub(r"\{(\w+):\w+\}", lambda m: str(values[m.group(1)]), route.path_format)
        urls.append((route.path, re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)))
    code = values["code"]
    # The start page's own variants: search, filter, sort, a deep page, the deadline tabs.
    for query in ("?q=fall", "?status=pagaende", "?sort=titel&dir=asc", "?sida=4", "?frister=alla",
                  "?frister=mina&fsida=2"):
        urls.append((f"/k/{{code}}/{query}", f"/k/{code}/{query}"))
    for query in ("?page=3", "?q=fall"):
        urls.append((f"/api/v1/k/{{code}}/partnerships{query}", f"/api/v1/k/{code}/partnerships{query}"))
    return urls


def _count(statements: list[str]) -> int:
    """Statements the page caused. A signed-in session's last-seen time is
    written at most once a minute, whatever the page: time, not data."""
    return sum(1 for s in statements if not s.startswith("UPDATE user_session SET last_seen_at"))


FRAGMENTS = {"results": "?q=fall&sida=2", "frister": "?frister=alla&fsida=2"}


def _measure(client, app, values: dict) -> dict[str, tuple[int, int]]:
    login(client, values["email"])
    measured = {}
    code = values["code"]
    client.get(f"/k/{code}/")  # the process reads the tenant's plugins once, then keeps them
    for name, url in _urls(app, values):
        with counting() as statements:
            response = client.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        measured[name] = (_count(statements), len(response.content))
    for target, query in FRAGMENTS.items():
        with counting() as statements:
            response = client.get(f"/k/{code}/{query}", headers={"HX-Request": "true", "HX-Target": target})
        assert response.status_code == 200
        measured[f"fragment #{target}"] = (_count(statements), len(response.content))

    client.get("/logout")
    return measured


@pytest.mark.slow
def test_every_page_and_fragment_costs_the_same_queries_at_100_and_10000(app, client, db, registry, settings,
                                                                       owner_url):
    small = _measure(client, app, _tenant(db, registry, settings, owner_url, "liten", SMALL))
    large = _measure(client, app, _tenant(db, registry, settings, owner_url, "stor", LARGE))
    print(f"\nqueries and bytes per page at {SMALL} and {LARGE:,} partnerships per tenant:")
    for url in small:
        print(f"  {small[url][0]:3d} {large[url][0]:3d}   {small[url][1]:7d} {large[url][1]:7d}   {url}")
    assert {u: q for u, (q, _) in large.items()} == {u: q for u, (q, _) in small.items()}
    # Constant cost is also constant size: no page lists the whole tenant.
    for url in small:
        assert large[url][1] < small[url][1] * 1.5 + 2000, f"{url} grows with the tenant"
