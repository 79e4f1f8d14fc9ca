"""The organisation's side in a real browser, on a phone-sized screen: a new
organisation signs up, follows the verification link from the e-mail the
test's SMTP server received, invites a colleague and walks the guide to the
right form of collaboration. Every page is checked with axe-core at 390 px."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from core.orgnr import with_check_digit
from e2e.accessibility import assert_no_serious_violations

pytestmark = pytest.mark.e2e

PASSWORD = "ett-langt-losenord-for-e2e"
PHONE = {"width": 390, "height": 844}


def _fits(page: Page, where: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], f"{where} scrolls sideways"
    assert_no_serious_violations(page, where)


def test_a_new_organisation_signs_up_verifies_and_invites_a_colleague_on_a_phone(
        page: Page, mail_server, send_mail: Callable[[], None]) -> None:
    page.set_viewport_size(PHONE)
    suffix = uuid.uuid4().hex[:6]
    email = f"ordforande-{suffix}@forening.test"
    page.goto("/login")
    page.get_by_role("link", name="Skapa konto för din organisation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Skapa konto för din organisation")
    _fits(page, "registreringen")
    page.get_by_role("button", name="Skapa konto").click()
    expect(page.get_by_role("heading", name="Något behöver rättas")).to_be_visible()
    _fits(page, "registreringen med fel")

    page.get_by_label("Organisationens namn").fill(f"Föreningen Gläntan {suffix}")
    number = with_check_digit(f"802{int(suffix, 16) % 1_000_000:06d}")
    page.get_by_label("Organisationsnummer").fill(number)
    page.get_by_label("Organisationsform").select_option(label="Ideell förening")
    page.get_by_label("Firmatecknare eller ordförande").check()
    page.get_by_label("Ditt namn").fill("Gunilla Glänta")
    page.get_by_label("Din e-postadress").fill(email)
    page.get_by_label("Lösenord", exact=True).fill(PASSWORD)
    page.get_by_label("Lösenordet en gång till").fill(PASSWORD)
    page.get_by_role("button", name="Skapa konto").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Titta i din e-post")
    _fits(page, "kvittot på registreringen")

    send_mail()
    [message] = mail_server.inbox.to(email)
    link = urlsplit(mail_server.inbox.links(message)[0])
    page.goto(link.path)
    page.get_by_role("button", name="Bekräfta").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Din e-postadress är bekräftad")

    page.get_by_role("link", name="Logga in").click()
    page.get_by_label("E-postadress", exact=True).fill(email)
    page.get_by_label("Lösenord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Logga in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/portal/$"))
    expect(page.get_by_text(f"Du företräder Föreningen Gläntan {suffix}")).to_be_visible()
    _fits(page, "portalens startsida")

    page.get_by_role("link", name="Organisationens företrädare").click()
    _fits(page, "företrädarna")
    page.get_by_label("Namn", exact=True).fill("Kalle Kassör")
    page.get_by_label("E-postadress", exact=True).fill(f"kalle-{suffix}@forening.test")
    page.get_by_label("Kontaktperson").check()
    page.get_by_role("button", name="Skicka inbjudan").click()
    expect(page.get_by_role("status")).to_have_text("Inbjudan är skickad.")
    expect(page.get_by_text("Kalle Kassör", exact=True)).to_be_visible()
    _fits(page, "företrädarna efter en inbjudan")
    send_mail()
    assert mail_server.inbox.to(f"kalle-{suffix}@forening.test")[0]["Subject"].startswith("Du är inbjuden")

    # The organisation's document library: kept once, with its year.
    page.get_by_role("link", name="Portalen").click()
    page.get_by_role("link", name="Organisationens dokument").click()
    _fits(page, "dokumentbiblioteket")
    page.get_by_role("button", name="Spara dokumentet").click()
    expect(page.get_by_role("heading", name="Något behöver rättas")).to_be_visible()
    _fits(page, "dokumentbiblioteket med fel")
    page.get_by_label("Slags dokument").select_option(label="Protokoll från årsmöte")
    page.get_by_label("År", exact=True).fill("2025")
    page.get_by_label("Fil", exact=True).set_input_files(
        files=[{"name": "arsmote.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 protokoll"}])
    page.get_by_role("button", name="Spara dokumentet").click()
    expect(page.get_by_role("status")).to_have_text("Dokumentet är sparat.")
    expect(page.get_by_role("link", name="Ladda ner Protokoll från årsmöte 2025")).to_be_visible()
    _fits(page, "dokumentbiblioteket med ett dokument")

    # An intresseanmälan to Järva, saved as a draft; JV-05's documents are asked for.
    page.get_by_role("link", name="Portalen").click()
    page.get_by_role("link", name="Intresseanmälningar").click()
    _fits(page, "intresseanmälningarna")
    page.get_by_label("Kommun eller stadsdel").select_option(label="Järva stadsdelsnämnd")
    page.get_by_role("button", name="Börja skriva").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Intresseanmälan till Järva stadsdelsnämnd")
    expect(page.get_by_label("Protokoll från senaste årsmötet")).to_be_visible()
    page.get_by_label("Ett kort namn på idén").fill("Läxhjälp i Gläntan")
    page.get_by_role("button", name="Spara utkast").click()
    expect(page.get_by_role("status")).to_have_text("Utkastet är sparat. Du kan fortsätta nu eller senare.")
    _fits(page, "intresseanmälan som utkast")
    page.get_by_role("button", name="Skicka intresseanmälan").click()
    expect(page.get_by_role("heading", name="Något behöver rättas")).to_be_visible()
    _fits(page, "intresseanmälan med det som saknas")


def test_the_guide_one_question_at_a_time_on_a_phone(page: Page) -> None:
    page.set_viewport_size(PHONE)
    page.goto("/portal/vagledning")
    expect(page.get_by_text("Fråga 1 av 8")).to_be_visible()
    _fits(page, "vägledningens första fråga")
    page.get_by_label("Kommun eller stadsdel").select_option(label="Järva stadsdelsnämnd")
    page.get_by_role("button", name="Välj").click()
    expect(page.get_by_text("Fråga 1 av 14")).to_be_visible()
    page.get_by_role("button", name="Nästa").click()
    expect(page.get_by_text("Välj ja eller nej.")).to_be_visible()
    _fits(page, "vägledningen med fel")
    answers = ["Nej", "Nej", "Nej"] + ["Ja"] * 11
    for number, answer in enumerate(answers, start=1):
        expect(page.get_by_text(f"Fråga {number} av 14")).to_be_visible()
        page.get_by_label(answer, exact=True).check()
        page.get_by_role("button", name="Nästa").click()
    expect(page.get_by_role("heading", name="Ett IOP ser ut att vara rätt form")).to_be_visible()
    expect(page.get_by_text("villkor som Järva stadsdelsnämnd ställer")).to_be_visible()
    _fits(page, "vägledningens rekommendation")
    page.get_by_role("link", name="Börja om").click()
    expect(page.get_by_text("Fråga 1 av 14")).to_be_visible()
