"""The foundation, as a person uses it in a browser: signing in and out, a case
officer registering and finding a partnership, tenants kept apart, and the
pages checked with axe-core for serious accessibility problems."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from e2e.accessibility import assert_no_serious_violations

pytestmark = pytest.mark.e2e

JARVA = "handlaggare@jarva.demo"
TYRESO = "handlaggare@tyreso.demo"
ADMIN = "admin@plattform.demo"


def _unique_title(prefix: str = "E2E Läxhjälp") -> tuple[str, str]:
    token = uuid.uuid4().hex[:6]
    return f"{prefix} {token}", token


def _create_partnership(page: Page, title: str, code: str = "jarva") -> str:
    """Registers a partnership through the form; returns its URL path."""
    page.goto(f"/k/{code}/")
    page.get_by_role("link", name="Registrera nytt initiativ").click()
    expect(page).to_have_url(re.compile(rf"/k/{code}/partnerskap/ny$"))
    page.get_by_label("Titel", exact=True).fill(title)
    page.get_by_label("Samhällsutmaning (frivilligt)", exact=True).fill(
        "Många barn i området saknar stöd med läxorna hemma."
    )
    page.get_by_role("button", name="Spara", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/k/{code}/partnerskap/\d+\?sparad=1$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("status")).to_contain_text("Partnerskapet är sparat.")
    return re.sub(r"^https?://[^/]+", "", page.url).split("?")[0]


def _assert_htmx_loaded(page: Page) -> None:
    # The script is deferred, so it has run by the load event that goto() waits for.
    assert page.evaluate("typeof window.htmx") != "undefined", (
        "htmx har inte laddats på sidan (/static/vendor/htmx/htmx.min.js saknas eller blockeras), "
        "så sökfältet kan inte uppdatera listan medan man skriver"
    )


# --------------------------------------------------------------------------- flows


def test_sign_in_create_and_filter_partnership(page: Page, sign_in: Callable[..., None]) -> None:
    sign_in(page, JARVA)
    expect(page).to_have_url(re.compile(r"/k/jarva/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Partnerskap")

    title, token = _unique_title()
    _create_partnership(page, title)

    page.goto("/k/jarva/")
    results = page.locator("#results")
    expect(results.locator("tbody tr")).not_to_have_count(0)
    _assert_htmx_loaded(page)
    page.get_by_label("Sök partnerskap").press_sequentially(token, delay=50)

    # htmx swaps #results after its 300 ms debounce; expect() waits for it.
    expect(results.locator("tbody tr")).to_have_count(1)
    expect(results.get_by_role("link", name=title, exact=True)).to_have_count(1)
    expect(results.locator(".result-count")).to_have_text("1 partnerskap matchar filtret.")
    expect(page).to_have_url(re.compile(rf"[?&]q={token}(&|$)"))


def test_other_tenant_gets_404(new_page: Callable[[], Page], sign_in: Callable[..., None]) -> None:
    jarva = new_page()
    sign_in(jarva, JARVA)
    title, _ = _unique_title("E2E Hemlig")
    path = _create_partnership(jarva, title)
    partnership_id = path.rsplit("/", 1)[-1]

    tyreso = new_page()
    sign_in(tyreso, TYRESO)
    expect(tyreso).to_have_url(re.compile(r"/k/tyreso/$"))

    for other in (path, "/k/jarva/", f"/k/tyreso/partnerskap/{partnership_id}"):
        response = tyreso.goto(other)
        assert response is not None and response.status == 404, (
            f"{other} svarade {response.status if response else None}, väntade 404"
        )
        expect(tyreso.get_by_role("heading", level=1)).to_have_text("Sidan finns inte")
        assert title not in tyreso.content(), f"titeln {title!r} syns för en annan kommun på {other}"

    # The owner still sees it: the 404s above are about the tenant, not the record.
    response = jarva.goto(path)
    assert response is not None and response.status == 200
    expect(jarva.get_by_role("heading", level=1)).to_have_text(title)


def test_wrong_password_keeps_email(page: Page) -> None:
    page.goto("/login")
    page.get_by_label("E-postadress", exact=True).fill(JARVA)
    page.get_by_label("Lösenord", exact=True).fill("fel-losenord-123")
    page.get_by_role("button", name="Logga in", exact=True).click()

    expect(page.get_by_role("alert")).to_contain_text("stämmer inte")
    expect(page.get_by_label("E-postadress", exact=True)).to_have_value(JARVA)
    expect(page.get_by_label("Lösenord", exact=True)).to_have_value("")
    expect(page).to_have_url(re.compile(r"/login"))


def test_sign_out(page: Page, sign_in: Callable[..., None]) -> None:
    sign_in(page, JARVA)
    expect(page).to_have_url(re.compile(r"/k/jarva/$"))

    page.get_by_role("button", name="Logga ut", exact=True).click()
    expect(page).to_have_url(re.compile(r"/login"))

    page.goto("/k/jarva/")
    expect(page).to_have_url(re.compile(r"^https?://[^/]+/login"))
    expect(page.get_by_role("button", name="Logga in", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Logga ut")).to_have_count(0)


# --------------------------------------------------------------------------- accessibility

def _first_partnership_path(page: Page) -> str:
    page.goto("/k/jarva/")
    link = page.locator("#results tbody tr a").first
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    assert href and re.fullmatch(r"/k/jarva/partnerskap/\d+", href), href
    return href


def _login(page: Page, sign_in) -> None:
    page.goto("/login")


def _login_error(page: Page, sign_in) -> None:
    page.goto("/login")
    page.get_by_label("E-postadress", exact=True).fill(JARVA)
    page.get_by_label("Lösenord", exact=True).fill("fel-losenord-123")
    page.get_by_role("button", name="Logga in", exact=True).click()
    expect(page.get_by_role("alert")).to_be_visible()


def _workspace(page: Page, sign_in) -> None:
    sign_in(page, JARVA)
    page.goto("/k/jarva/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Partnerskap")


def _workspace_filtered(page: Page, sign_in) -> None:
    _workspace(page, sign_in)
    _assert_htmx_loaded(page)
    page.get_by_label("Sök partnerskap").press_sequentially("zz-finns-inte", delay=20)
    expect(page.locator("#results .result-count")).to_have_text("0 partnerskap matchar filtret.")
    page.get_by_label("Sök partnerskap").fill("")
    expect(page.locator("#results .result-count")).to_contain_text("totalt")


def _new_partnership(page: Page, sign_in) -> None:
    sign_in(page, JARVA)
    page.goto("/k/jarva/partnerskap/ny")
    expect(page.get_by_role("heading", level=1)).to_have_text("Registrera nytt initiativ")


def _new_partnership_errors(page: Page, sign_in) -> None:
    _new_partnership(page, sign_in)
    page.get_by_role("button", name="Spara", exact=True).click()  # no title: the form comes back with errors
    expect(page.get_by_role("alert")).to_contain_text("Något behöver rättas")


def _new_partnership_two_parties(page: Page, sign_in) -> None:
    """GEN-08: a second idéburen party is added to the form without saving."""
    _new_partnership(page, sign_in)
    page.get_by_role("button", name="Lägg till ytterligare en idéburen part").click()
    expect(page.get_by_role("group", name="Idéburen part 2")).to_be_visible()


def _known_organisation(page: Page, sign_in) -> None:
    """A known organisationsnummer under another name: the registered name is shown."""
    sign_in(page, "handlaggare@tyreso.demo")
    page.goto("/k/tyreso/organisationer/ny")
    page.get_by_label("Namn", exact=True).first.fill("Föreningen Vällingbyhjälpen")
    page.get_by_label("Organisationsnummer").fill("802481-1666")
    page.get_by_label("Organisationsform").select_option("ideell_forening")
    page.get_by_role("button", name="Spara").click()
    sign_in(page, JARVA)
    page.goto("/k/jarva/organisationer/ny")
    page.get_by_label("Namn", exact=True).first.fill("Järvas namn på föreningen")
    page.get_by_label("Organisationsnummer").fill("802481-1666")
    page.get_by_label("Organisationsform").select_option("ideell_forening")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("button", name="Lägg till Föreningen Vällingbyhjälpen i vårt register")).to_be_visible()


def _partnership(page: Page, sign_in) -> None:
    sign_in(page, JARVA)
    page.goto(_first_partnership_path(page))
    expect(page.get_by_role("heading", level=2, name="Parter och bidrag")).to_be_visible()


def _organisations(page: Page, sign_in) -> None:
    sign_in(page, JARVA)
    response = page.goto("/k/jarva/organisationer/")
    assert response is not None and response.status == 200


def _process(page: Page, sign_in) -> None:
    sign_in(page, JARVA)
    response = page.goto("/k/jarva/process")
    assert response is not None and response.status == 200


def _diarium(page: Page, sign_in) -> None:
    """Issue 10: the diarium, filtered by a date that cannot be read, and the public list."""
    sign_in(page, JARVA)
    response = page.goto("/k/jarva/diarium/?fran=igår")
    assert response is not None and response.status == 200
    assert page.locator("#filter-fran[aria-invalid=true]").count() == 1


def _public_diarium(page: Page, sign_in) -> None:
    response = page.goto("/portal/diarium/jarva")
    assert response is not None and response.status == 200
    assert page.locator("table.diarium tbody tr").count() > 0


def _admin(page: Page, sign_in) -> None:
    sign_in(page, ADMIN)
    response = page.goto("/admin/")
    assert response is not None and response.status == 200


def _admin_users(page: Page, sign_in) -> None:
    sign_in(page, ADMIN)
    response = page.goto("/admin/anvandare")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Användare")


def _meetings(page: Page, sign_in) -> None:
    sign_in(page, "stabsenhet@jarva.demo")
    page.goto(_first_partnership_path(page) + "/moten")
    page.get_by_role("button", name="Registrera mötet").click()  # nothing filled in: errors come back
    expect(page.get_by_role("alert")).to_contain_text("Något behöver rättas")


def _form_half_done(page: Page, sign_in) -> None:
    sign_in(page, "stabsenhet@jarva.demo")
    path = _create_partnership(page, _unique_title("E2E Formulär")[0])
    page.goto(path + "/formular/granskning")
    page.get_by_role("group", name="Är parten en idéburen aktör?").get_by_label("Nej", exact=True).check()
    page.get_by_role("button", name="Spara", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Svaren är sparade.")
    expect(page.get_by_role("heading", name="Svar som saknas")).to_be_visible()


def _all_deadlines(page: Page, sign_in) -> None:
    sign_in(page, "stabsenhet@jarva.demo")
    page.goto("/k/jarva/")
    _assert_htmx_loaded(page)
    page.get_by_role("link", name=re.compile(r"^Alla i Järva")).click()
    expect(page.get_by_role("link", name=re.compile(r"^Alla i Järva"))).to_have_attribute("aria-current", "page")
    expect(page).to_have_url(re.compile(r"frister=alla"))


A11Y_PAGES = {
    "login": _login,
    "login-error": _login_error,
    "workspace": _workspace,
    "workspace-filtered": _workspace_filtered,
    "new-partnership": _new_partnership,
    "new-partnership-errors": _new_partnership_errors,
    "new-partnership-two-parties": _new_partnership_two_parties,
    "organisation-known-number": _known_organisation,
    "partnership": _partnership,
    "organisations": _organisations,
    "process": _process,
    "diarium": _diarium,
    "public-diarium": _public_diarium,
    "meetings-errors": _meetings,
    "form-half-done": _form_half_done,
    "deadlines-all-after-htmx": _all_deadlines,
    "admin": _admin,
    "admin-users": _admin_users,
}


@pytest.mark.parametrize("name", list(A11Y_PAGES))
def test_accessibility(name: str, page: Page, sign_in: Callable[..., None]) -> None:
    A11Y_PAGES[name](page, sign_in)
    assert_no_serious_violations(page, name)
