"""A tenant administrator at work in a real browser: Tyresö's kultur- och
fritidsförvaltning's administrator adds a colleague, corrects a mistake,
gives and removes roles; the platform administrator chooses a tenant's
kommun and appoints administrators. Every page, also with its errors, is
checked with axe-core."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from e2e.accessibility import assert_no_serious_violations

pytestmark = pytest.mark.e2e

KULTUR_ADMIN = "administrator@tyreso-kultur.demo"
ADMIN = "admin@plattform.demo"


def test_a_tenant_administrator_adds_a_colleague_and_changes_their_roles(
    page: Page, sign_in: Callable[..., None]
) -> None:
    sign_in(page, KULTUR_ADMIN)
    expect(page).to_have_url(re.compile(r"/k/tyreso-kultur/personal/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Personal")
    navigation = page.get_by_role("navigation", name="Kultur- och fritidsförvaltningen")
    expect(navigation.get_by_role("link", name="Personal")).to_have_attribute("aria-current", "page")
    expect(navigation.get_by_role("link", name="Partnerskap")).to_have_count(0)
    expect(page.get_by_role("cell", name="handlaggare@tyreso-kultur.demo")).to_be_visible()
    expect(page.get_by_role("cell", name="handlaggare@tyreso.demo")).to_have_count(0)
    assert_no_serious_violations(page, "personalsidan")

    email = f"ny-{uuid.uuid4().hex[:6]}@tyreso-kultur.demo"
    page.get_by_label("E-postadress", exact=True).fill(email)
    page.get_by_label("Roll", exact=True).select_option(label="Handläggare")
    page.get_by_label("Namn (frivilligt)", exact=True).fill("Nora Nyanställd")
    page.get_by_role("button", name="Lägg till", exact=True).click()
    # No first password yet: the form comes back with everything typed still there.
    expect(page.get_by_role("alert")).to_contain_text("Hitta på ett första lösenord")
    expect(page.get_by_label("E-postadress", exact=True)).to_have_value(email)
    expect(page.get_by_label("Namn (frivilligt)", exact=True)).to_have_value("Nora Nyanställd")
    assert_no_serious_violations(page, "personalsidan med fel")

    page.get_by_label("Första lösenord (frivilligt)", exact=True).fill("ett-forsta-losenord")
    page.get_by_role("button", name="Lägg till", exact=True).click()
    expect(page).to_have_url(re.compile(r"/k/tyreso-kultur/personal/\d+\?sparad=nytt-konto$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Nora Nyanställd")
    expect(page.get_by_role("status")).to_contain_text("Kontot är skapat")
    assert_no_serious_violations(page, "en person i personalen")

    page.get_by_label("Roll", exact=True).select_option(label="Kommundirektör")
    page.get_by_role("button", name="Ge rollen").click()
    expect(page.get_by_role("status")).to_contain_text("Ändringen är sparad.")
    expect(page.get_by_role("cell", name="Kommundirektör", exact=True)).to_be_visible()
    page.get_by_role("button", name="Ta bort rollen Handläggare").click()
    expect(page.get_by_role("cell", name="Handläggare", exact=True)).to_have_count(0)

    page.get_by_role("link", name="Ta bort Nora Nyanställd ur personalen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ta bort Nora Nyanställd ur personalen")
    assert_no_serious_violations(page, "bekräfta borttagning ur personalen")
    page.get_by_role("button", name="Ta bort ur personalen").click()
    expect(page.get_by_role("status")).to_contain_text("Personen är borttagen ur personalen")
    expect(page.get_by_role("cell", name=email)).to_have_count(0)


def test_the_last_administrator_is_told_why_they_cannot_step_down(page: Page, sign_in: Callable[..., None]) -> None:
    sign_in(page, "administrator@jarva.demo")
    page.get_by_role("link", name=re.compile(r"^Administratör \(demo")).click()
    page.get_by_role("button", name="Ta bort rollen Administratör").click()
    expect(page.get_by_role("alert")).to_contain_text("Du är den enda administratören i Järva stadsdelsnämnd.")
    assert_no_serious_violations(page, "sista administratören")


def test_the_platform_administrator_chooses_the_kommun_and_appoints_an_administrator(
    page: Page, sign_in: Callable[..., None]
) -> None:
    sign_in(page, ADMIN)
    page.goto("/admin/")
    page.get_by_role("link", name="Kultur- och fritidsförvaltningen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kultur- och fritidsförvaltningen")
    expect(page.get_by_label("Kommunens process (frivilligt)")).to_have_value("tyreso")
    expect(page.get_by_role("cell", name="administrator@tyreso-kultur.demo")).to_be_visible()
    assert_no_serious_violations(page, "en organisation i administrationen")

    page.get_by_role("button", name="Utse administratör").click()
    expect(page.get_by_role("alert")).to_contain_text("Skriv en e-postadress")
    assert_no_serious_violations(page, "en organisation i administrationen, med fel")
    page.get_by_label("E-postadress", exact=True).fill("handlaggare@tyreso-kultur.demo")
    page.get_by_role("button", name="Utse administratör").click()
    expect(page.get_by_role("status")).to_contain_text("Administratören är utsedd.")
    expect(page.get_by_role("cell", name="handlaggare@tyreso-kultur.demo")).to_be_visible()
    page.get_by_role("button", name="Ta bort Handläggare (demo, Kultur- och fritidsförvaltningen) som administratör").click()
    expect(page.get_by_role("status")).to_contain_text("Personen är inte längre administratör här.")
