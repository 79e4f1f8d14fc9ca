"""The process page /k/<code>/process: a diagram generated from the tenant's
process definition and the list of its phases, steps, owner roles, deadlines
and templates."""

from __future__ import annotations

import re
from html import escape

from core.process import describe_deadline
from tests import factories
from tests.factories import login


def _svg(page: str) -> str:
    match = re.search(r"<svg[^>]*process-diagram__svg.*?</svg>", page, re.S)
    assert match, "the page has no process diagram"
    return match.group(0)


def test_the_page_shows_the_diagram_and_every_step_of_jarvas_process(client, world, registry):
    login(client, world.jarva_staff.email)
    response = client.get("/k/jarva/process")
    assert response.status_code == 200
    page = response.text
    svg = _svg(page)
    assert 'role="img"' in svg and 'aria-labelledby="processdiagram-titel"' in svg
    assert '<title id="processdiagram-titel">' in svg and '<desc id="processdiagram-beskrivning">' in svg
    # The CSP forbids inline styles: the diagram is styled from the stylesheet.
    assert "style=" not in svg and "<style" not in svg

    entry = registry.kommuner["jarva"]
    process = entry.process()
    roles = {r.key: r.title for r in entry.roles.roles}
    templates = {t.key: t.name for t in entry.templates}
    for phase in process.phases:
        assert escape(phase.title) in page
    for step in process.steps():
        assert escape(step.title) in page, step.title
        for key in step.owner_roles:
            assert escape(roles[key]) in page
        if step.deadline is not None:
            assert escape(describe_deadline(step.deadline)) in page
        for key in step.templates:
            assert escape(templates[key]) in page
    assert "Senast fyra veckor efter initiativet" in page  # JV-04
    assert "Senast tre månader före överenskommelsens slut" in page  # JV-18
    assert "Under kvartal 4 varje år som överenskommelsen gäller" in page  # JV-16
    # Every step has its box in the diagram: its number and the start of its title.
    for number, step in enumerate(process.steps(), start=1):
        assert f">{number}. {escape(step.title.split()[0])}" in svg


def test_the_list_says_in_words_what_the_diagram_draws(client, world):
    """The list is the diagram's text alternative: the order of the steps, how
    the process can end, meetings (JV-12) and forms."""
    login(client, world.jarva_staff.email)
    page = client.get("/k/jarva/process").text
    assert "Kommer efter" in page and "11. Överenskommelsen undertecknas" in page
    assert "Processen avbryts och parten hänvisas till föreningsbidrag." in page
    assert "Processen går tillbaka till steg 6 (Idémöten)." in page  # JV-19: renegotiation restarts the idea meetings
    assert "Styrgruppsmöte" in page and "Minst tre per år" in page
    assert "Arbetsgruppsmöte" in page and "Minst fyra per år" in page
    assert "Högst fem totalt." in page  # JV-08
    assert "Checklista inför övervägande om att inleda IOP" in page
    assert "Protokoll från senaste årsmötet" in page  # JV-05


def test_the_page_keeps_the_roles_table_and_the_templates(client, world):
    login(client, world.jarva_staff.email)
    page = client.get("/k/jarva/process").text
    assert "JÄR 2026/123" in page
    assert "Biträdande enhetschef" in page  # in the roles table though it owns no step
    assert "Mall för utvärdering av IOP" in page


def test_another_tenants_process_page_is_not_found(client, world):
    login(client, world.jarva_staff.email)
    assert client.get("/k/tyreso/process").status_code == 404
    assert client.get("/k/finns-inte/process").status_code == 404


def test_a_signed_out_visitor_is_sent_to_the_login(client, world):
    response = client.get("/k/jarva/process", follow_redirects=False)
    assert response.status_code in (302, 303) and "/login" in response.headers["location"]


def test_a_tenant_without_a_kommun_process_still_gets_a_page(client, world, db, registry):
    """A tenant on the generic default sees that process, or a short notice while
    the default declares none."""
    tenant = factories.tenant(db, registry, "nykommun")
    staff = factories.user(db, registry, "handlaggare@nykommun.test", (tenant, "handlaggare"))
    db.commit()
    login(client, staff.email)
    response = client.get("/k/nykommun/process")
    assert response.status_code == 200
    if registry.generic.process() is None:
        assert "Det finns ingen processbeskrivning för Testkommun nykommun" in response.text
    else:
        assert _svg(response.text)


def test_rule_numbers_are_folded_away_for_coordinators(client, world):
    """Issue 11, point 7: rules in words; their numbers only in a detail."""
    login(client, world.jarva_staff.email)
    page = client.get("/k/jarva/process").text
    assert '<details class="rule-ids"><summary>Regelnummer</summary><span>JV-04' in page
    assert "<dd>JV-" not in page and "Regler: JV" not in page
