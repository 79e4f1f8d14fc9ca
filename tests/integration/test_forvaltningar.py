"""Several förvaltningar, one kommun: Tyresö kommun (``tyreso``) and its
kultur- och fritidsförvaltning (``tyreso-kultur``) both choose the kommun
``tyreso`` and have its plugin enabled. Each runs Tyresö's process with its
own staff, register and partnerships, and sees only its own, in the pages and
in the API; a person with roles in both has two workspaces."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from core import clock
from core.models import Decision
from core.services import partnerships, tenants
from core.services.casework import newest_process
from core.walkthrough import Walker
from tests import factories
from tests.factories import login, post


@pytest.fixture
def tyreso_pair(db, registry):
    ty = factories.tenant(db, registry, "tyreso")
    kultur = factories.tenant(db, registry, "tyreso-kultur", kommun="tyreso", name="Kultur- och fritidsförvaltningen")
    pair = {
        "tyreso": {
            "tenant": ty,
            "staff": factories.user(db, registry, "handlaggare@ks.tyreso.test", (ty, "handlaggare")),
            "org": factories.organisation(db, ty, "Föreningen Kommunbron"),
        },
        "tyreso-kultur": {
            "tenant": kultur,
            "staff": factories.user(db, registry, "handlaggare@kultur.tyreso.test", (kultur, "handlaggare")),
            "org": factories.organisation(db, kultur, "Teaterföreningen Kulisserna"),
        },
    }
    titles = {"tyreso": "Kommunens hemliga naturskola", "tyreso-kultur": "Kulturens hemliga teaterskola"}
    for code, side in pair.items():
        process = newest_process(registry, tenants.kommun_for(db, registry, side["tenant"]))
        side["partnership"] = factories.partnership(db, side["tenant"], titles[code], process=process,
                                                    organisation_id=side["org"].id)
    db.commit()
    return pair


def test_both_choose_tyreso_and_run_its_process(db, registry, tyreso_pair):
    for side in tyreso_pair.values():
        tenant = side["tenant"]
        assert tenant.kommun_code == "tyreso"
        assert tenants.kommun_for(db, registry, tenant) is registry.kommuner["tyreso"]
        assert side["partnership"].process_code == "tyreso"


@pytest.mark.parametrize("code,other", [("tyreso", "tyreso-kultur"), ("tyreso-kultur", "tyreso")])
def test_each_sees_only_its_own_in_the_pages(client, tyreso_pair, code, other):
    mine, theirs = tyreso_pair[code], tyreso_pair[other]
    login(client, mine["staff"].email)
    workspace = client.get(f"/k/{code}/").text
    assert mine["partnership"].title in workspace and theirs["partnership"].title not in workspace
    register = client.get(f"/k/{code}/organisationer/").text
    assert mine["org"].name in register and theirs["org"].name not in register
    assert client.get(f"/k/{code}/partnerskap/{mine['partnership'].id}").status_code == 200
    # The other förvaltning's objects, asked for through one's own workspace or theirs: 404.
    assert client.get(f"/k/{code}/partnerskap/{theirs['partnership'].id}").status_code == 404
    assert client.get(f"/k/{code}/organisationer/{theirs['org'].id}").status_code == 404
    for path in ("/", f"/partnerskap/{theirs['partnership'].id}", "/organisationer/", "/process", "/personal/"):
        assert client.get(f"/k/{other}{path}").status_code == 404, path


@pytest.mark.parametrize("code,other", [("tyreso", "tyreso-kultur"), ("tyreso-kultur", "tyreso")])
def test_each_sees_only_its_own_in_the_api(client, tyreso_pair, code, other):
    mine, theirs = tyreso_pair[code], tyreso_pair[other]
    login(client, mine["staff"].email)
    listed = client.get(f"/api/v1/k/{code}/partnerships").json()
    assert [p["title"] for p in listed["items"]] == [mine["partnership"].title]
    assert [o["name"] for o in client.get(f"/api/v1/k/{code}/organisations").json()] == [mine["org"].name]
    assert client.get(f"/api/v1/k/{code}/partnerships/{theirs['partnership'].id}").status_code == 404
    assert client.get(f"/api/v1/k/{code}/organisations/{theirs['org'].id}").status_code == 404
    assert client.get(f"/api/v1/k/{other}/partnerships").status_code == 404


def test_ty_03_ty_05_the_kultur_forvaltning_works_a_case_through_tyresos_process(client, db, registry, settings,
                                                                                tyreso_pair):
    """A partnership registered in the kultur- och fritidsförvaltning follows
    Tyresö's steps, the procurement check first (TY-03) and the barnets bästa
    assessment (TY-05), completed by the förvaltning's own staff."""
    kultur = tyreso_pair["tyreso-kultur"]["tenant"]
    kommun = tenants.kommun_for(db, registry, kultur)
    staff = {r.key: factories.user(db, registry, f"{r.key}@kultur.test", (kultur, r.key)) for r in kommun.roles.roles}
    db.commit()
    login(client, "handlaggare@kultur.test")
    created = post(client, "/k/tyreso-kultur/partnerskap/ny", {
        "title": "Öppen ateljé för unga", "samhallsutmaning": "Få unga deltar i kulturlivet.",
        "initiated_on": (clock.today() - timedelta(days=30)).isoformat(),
        "organisation_id": str(tyreso_pair["tyreso-kultur"]["org"].id)})
    assert created.status_code == 303 and "/k/tyreso-kultur/partnerskap/" in created.headers["location"]
    partnership_id = int(re.search(r"/partnerskap/(\d+)", created.headers["location"]).group(1))
    p = partnerships.get_partnership(db, kultur, partnership_id)
    assert (p.process_code, p.process_version) == ("tyreso", registry.kommuner["tyreso"].process().version)

    Walker(db, registry, kommun, kultur, staff, settings.documents_dir, clock.today()).advance(p, steps=5)
    db.commit()
    decided = db.scalars(select(Decision).where(Decision.partnership_id == p.id).order_by(Decision.id)).all()
    assert [d.step_key for d in decided][:5] == ["initiativ", "upphandlingsprovning", "krav", "forslag",
                                                 "barnets_basta"]
    assert {d.tenant_id for d in decided} == {kultur.id} and {d.process_code for d in decided} == {"tyreso"}
    assert {d.actor_id for d in decided} <= {u.id for u in staff.values()}
    process_page = client.get("/k/tyreso-kultur/process").text
    assert "Bedömning av barnets bästa" in process_page and "Kommundirektör" in process_page


def test_a_person_with_roles_in_both_has_two_workspaces(client, db, registry, tyreso_pair):
    both = factories.user(db, registry, "kommundirektor@tyreso.test", (tyreso_pair["tyreso"]["tenant"], "kommundirektor"),
                          (tyreso_pair["tyreso-kultur"]["tenant"], "kommundirektor"))
    db.commit()
    assert login(client, both.email).headers["location"] == "/"
    start = client.get("/").text
    assert start.count('class="card"') == 2
    assert 'href="/k/tyreso/"' in start and 'href="/k/tyreso-kultur/"' in start
    assert "Kultur- och fritidsförvaltningen" in start and "Tyresö kommun" in start
    for code, side in tyreso_pair.items():
        page = client.get(f"/k/{code}/").text
        assert side["partnership"].title in page
        other = tyreso_pair["tyreso" if code == "tyreso-kultur" else "tyreso-kultur"]
        assert other["partnership"].title not in page


def test_each_has_its_own_administrator_and_staff(client, db, registry, tyreso_pair):
    kultur = tyreso_pair["tyreso-kultur"]["tenant"]
    factories.user(db, registry, "admin@kultur.tyreso.test", (kultur, "administrator"))
    db.commit()
    login(client, "admin@kultur.tyreso.test")
    staff_page = client.get("/k/tyreso-kultur/personal/").text
    assert "handlaggare@kultur.tyreso.test" in staff_page and "handlaggare@ks.tyreso.test" not in staff_page
    assert client.get(f"/k/tyreso-kultur/personal/{tyreso_pair['tyreso']['staff'].id}").status_code == 404
    assert client.get("/k/tyreso/personal/").status_code == 404


def test_each_process_reads_a_tenants_plugins_again_when_another_changes_them(db, registry, engine):
    """The plugin cache (issue 8) is per process; the tenant's config_version,
    raised in the database by whoever changes the plugins, tells every other
    process's cache to read them again."""
    from core.db import make_sessionmaker
    from core.services import tenants
    from core.tenancy import Scope

    tenant = factories.tenant(db, registry, "jarva")
    db.commit()
    cache = tenants.TenantConfigCache()
    assert tenants.kommun_for(db, registry, tenant, cache).profile.code == "jarva"
    from tests.integration.test_query_counts import counting

    with counting() as statements:
        assert tenants.kommun_for(db, registry, tenant, cache).profile.code == "jarva"
    assert statements == []  # the second request asks the database nothing
    # Another process disables the plugin.
    with make_sessionmaker(engine, Scope.system(), registry=registry)() as other:
        tenants.disable_plugin(other, other.get(type(tenant), tenant.id), "jarva", None)
        other.commit()
    db.expire_all()
    fresh = db.get(type(tenant), tenant.id)
    assert tenants.kommun_for(db, registry, fresh, cache).profile.code == "generic"
