"""Working a partnership through its process in the staff workspace: what a
person sees, what they are told when the rules say no, and that nothing they
wrote is lost."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core import clock
from core.models import Decision
from tests import factories
from tests.factories import login, post


@pytest.fixture
def staff(world, db, registry):
    users = {role: factories.user(db, registry, f"{role}@jarva.test", (world.jarva, role))
             for role in ("stabsenhet", "stadsdelsnamnd")}
    db.commit()
    return users


def _url(world, suffix=""):
    return f"/k/jarva/partnerskap/{world.jarva_partnership.id}{suffix}"


def _fill_initiative(client, world):
    page = client.get(_url(world, "/formular/initiativ"))
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    return post(client, _url(world, "/formular/initiativ"), {
        "version": version, "ursprung": "civilsamhallet", "verksamhetside": "Läxhjälp", "karnverksamhet": "Skolan"})


def _version(client, world) -> str:
    """The version a person's page was read at (the edit form carries it too)."""
    return re.search(r'name="version" value="(\d+)"', client.get(_url(world, "/andra")).text).group(1)


def test_the_partnership_page_shows_the_current_step_its_owner_and_what_is_missing(client, world, staff):
    login(client, "stabsenhet@jarva.test")
    page = client.get(_url(world)).text
    assert "Ta emot initiativet" in page
    assert "Fyll i uppgifterna om initiativet." in page
    assert 'href="/k/jarva/partnerskap/%d/formular/initiativ"' % world.jarva_partnership.id in page
    assert "Lokala tillämpningsanvisningar för IOP i Järva stadsdelsnämnd, version 1" in page


def test_a_step_is_completed_by_its_owner_and_the_page_says_so(client, world, staff, db):
    login(client, "stabsenhet@jarva.test")
    assert _fill_initiative(client, world).status_code == 303
    response = post(client, _url(world, "/steg/initiativ"), {"outcome": "fortsatt", "motivation": "Mottaget.",
                                                             "version": _version(client, world)})
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "Steget är slutfört och beslutet är dokumenterat." in page
    assert "Första möte med den idéburna parten" in page
    assert "Steg slutfört: Ta emot initiativet" in page


def test_a_role_that_does_not_own_the_step_is_refused_in_swedish_and_nothing_changes(client, world, staff, db):
    login(client, "stabsenhet@jarva.test")
    _fill_initiative(client, world)
    version = _version(client, world)
    login(client, "stadsdelsnamnd@jarva.test")
    page = client.get(_url(world)).text
    assert "Steget slutförs av Handläggare eller Stabsenhet, administrativa avdelningen." in page
    assert "Slutför steget" not in page
    response = post(client, _url(world, "/steg/initiativ"), {"outcome": "fortsatt", "motivation": "Min text",
                                                             "version": version})
    assert response.status_code == 422
    assert "Din roll får inte slutföra det." in response.text and "Inget har ändrats." in response.text
    assert db.scalar(select(func.count()).select_from(Decision)) == 0


def test_a_missing_requirement_is_listed_when_the_step_is_refused(client, world, staff):
    login(client, "stabsenhet@jarva.test")
    response = post(client, _url(world, "/steg/initiativ"), {"outcome": "fortsatt", "motivation": "Skrivet här",
                                                             "version": _version(client, world)})
    assert response.status_code == 422
    assert "Det här saknas:" in response.text and "Fyll i uppgifterna om initiativet." in response.text
    assert "Skrivet här" in response.text
    assert "När det som saknas finns på plats kan du slutföra steget här." in client.get(_url(world)).text


def test_completing_on_a_stale_page_gives_a_conflict_and_keeps_the_motivation(client, world, staff):
    login(client, "stabsenhet@jarva.test")
    _fill_initiative(client, world)
    stale = _version(client, world)
    assert post(client, _url(world, "/andra"), {**_edit_form(world), "version": stale}).status_code == 303
    response = post(client, _url(world, "/steg/initiativ"), {"outcome": "fortsatt", "motivation": "Min motivering",
                                                             "version": stale})
    assert response.status_code == 409
    assert "Någon annan har ändrat partnerskapet" in response.text and "Min motivering" in response.text


def _edit_form(world):
    from core.services import partnerships

    return partnerships.form_values(world.jarva_partnership)


def test_a_form_with_a_bad_answer_keeps_every_answer_and_says_what_to_fix(client, world, staff):
    login(client, "stabsenhet@jarva.test")
    response = post(client, _url(world, "/formular/granskning"), {
        "version": "0", "juridik_datum": "nästa vecka", "aterkoppling": "Återkopplat muntligt", "ideburen": "ja"})
    assert response.status_code == 422
    assert "Skriv datumet som ÅÅÅÅ-MM-DD" in response.text
    assert "Återkopplat muntligt" in response.text and 'value="nästa vecka"' in response.text
    response = post(client, _url(world, "/formular/granskning"), {"version": "0", "ideburen": "nej"})
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "Svaren är sparade." in page and "Motivering saknas: Är parten en idéburen aktör?" in page


def test_two_people_saving_one_form_the_second_gets_a_conflict(client, world, staff):
    login(client, "stabsenhet@jarva.test")
    assert post(client, _url(world, "/formular/granskning"), {"version": "0", "ideburen": "ja"}).status_code == 303
    late = post(client, _url(world, "/formular/granskning"), {"version": "0", "ideburen": "nej",
                                                             "aterkoppling": "Mitt svar"})
    assert late.status_code == 409
    assert "Någon annan har sparat formuläret" in late.text and "Mitt svar" in late.text


def test_meetings_are_registered_and_a_bad_one_is_explained(client, world, staff):
    login(client, "stabsenhet@jarva.test")
    bad = post(client, _url(world, "/moten"), {"kind": "forsta_mote", "held_on": "", "participants": ""})
    assert bad.status_code == 422 and "Skriv mötets datum." in bad.text
    ok = post(client, _url(world, "/moten"), {"kind": "forsta_mote", "held_on": clock.today().isoformat(),
                                             "participants": "Stabsenheten och föreningen", "minutes": "Bra möte"})
    assert ok.status_code == 303
    page = client.get(ok.headers["location"]).text
    assert "Mötet är registrerat." in page and "Stabsenheten och föreningen" in page and "Bra möte" in page


def test_jv_04_the_start_page_lists_overdue_and_upcoming_deadlines_by_step(client, world, staff, db, registry):
    from core.services import tenants
    from core.services.casework import newest_process

    process = newest_process(registry, tenants.kommun_for(db, registry, world.jarva))
    late = factories.partnership(db, world.jarva, "Försenad förening", process=process,
                                 initiated_on=(clock.today() - timedelta(days=35)).isoformat())
    db.commit()
    login(client, "stabsenhet@jarva.test")
    post(client, f"/k/jarva/partnerskap/{late.id}/formular/initiativ", {
        "version": "0", "ursprung": "namnden", "verksamhetside": "x", "karnverksamhet": "y"})
    version = re.search(r'name="version" value="(\d+)"', client.get(f"/k/jarva/partnerskap/{late.id}").text).group(1)
    assert post(client, f"/k/jarva/partnerskap/{late.id}/steg/initiativ",
                {"outcome": "fortsatt", "version": version}).status_code == 303
    start = client.get("/k/jarva/").text
    assert "Väntar på dig" in start and "Försenat (1)" in start
    assert "Första möte med den idéburna parten" in start and "Försenad förening" in start
    assert "7 dagar sent" in start
    everyone = client.get("/k/jarva/?frister=alla", headers={"HX-Request": "true", "HX-Target": "frister"})
    assert everyone.status_code == 200 and everyone.text.lstrip().startswith("<section id=\"frister\"")


def test_the_live_search_does_not_compute_the_deadlines_and_the_tabs_do_not_list_partnerships(client, world, staff):
    login(client, "stabsenhet@jarva.test")
    results = client.get("/k/jarva/?q=hemliga", headers={"HX-Request": "true", "HX-Target": "results"})
    assert results.status_code == 200 and "Järvas hemliga läxhjälp" in results.text
    assert "Tidsfrister" not in results.text and "Väntar på dig" not in results.text
    tabs = client.get("/k/jarva/?frister=alla", headers={"HX-Request": "true", "HX-Target": "frister"})
    assert tabs.status_code == 200 and "Tidsfrister" in tabs.text and 'id="results"' not in tabs.text


def test_stopping_is_never_chosen_in_advance_even_when_it_is_the_only_choice_left(client, db, registry, world,
                                                                                  settings):
    """The idea meetings cannot be closed as agreed before two are held; stopping
    the process is then the only choice that can be made, and it is left for
    the person to choose, never pre-selected."""
    from core.services import casework, partnerships, tenants
    from core.walkthrough import Walker

    kommun = tenants.kommun_for(db, registry, world.jarva)
    staff = {role.key: factories.user(db, registry, f"{role.key}@walk.test", (world.jarva, role.key))
             for role in kommun.roles.roles}
    p = partnerships.get_partnership(db, world.jarva, world.jarva_partnership.id)
    Walker(db, registry, kommun, world.jarva, staff, settings.documents_dir, clock.today()).advance(p, steps=5)
    db.commit()
    view = casework.case_view(db, registry, kommun, world.jarva, p, clock.today())
    assert [s.key for s in view.progress.current] == ["idemoten"]
    login(client, "stabsenhet@walk.test")
    page = client.get(f"/k/jarva/partnerskap/{p.id}").text
    stop = re.search(r'<input type="radio" id="utfall-idemoten-avbryt"[^>]*>', page, re.S).group(0)
    agreed = re.search(r'<input type="radio" id="utfall-idemoten-fortsatt"[^>]*>', page, re.S).group(0)
    assert "disabled" in agreed and "checked" not in stop
