"""The organisation's side in a real browser, on a phone-sized screen: a new
organisation signs up, follows the verification link from the e-mail the
test's SMTP server received, invites a colleague and walks the guide to the
right form of collaboration. Every page is checked with axe-core at 390 px."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from core import clock
from core.orgnr import with_check_digit
from e2e.accessibility import assert_no_serious_violations

pytestmark = pytest.mark.e2e

PASSWORD = "ett-langt-losenord-for-e2e"
# JV-05's documents as the library names them, and as Järva's process names them.
JV_05 = ("Protokoll från årsmöte", "Verksamhetsberättelse", "Resultat- och balansräkning", "Revisionsberättelse",
         "Verksamhetsplan")
JV_05_IN_PROCESS = ("Protokoll från senaste årsmötet", "Senaste verksamhetsberättelsen",
                    "Senaste resultat- och balansräkningen", "Senaste revisionsberättelsen", "Senaste verksamhetsplanen")
APPLICATION = {
    "Samhällsutmaningen": "Unga i Gläntan saknar stöd med skolarbetet.",
    "Hur utmaningen syns där ni verkar": "Färre elever än i staden i övrigt når gymnasiebehörighet.",
    "Er idé": "Läxhjälp tre kvällar i veckan med vuxna volontärer.",
    "Målgruppen": "Elever i årskurs 4–9.",
    "Vad er organisation bidrar med": "Ideellt arbete, 600 timmar om året.",
    "Vad ni önskar av kommunen": "En lokal och samverkan med skolan.",
    # Järva's own questions (JV-22).
    "Vad visar att utmaningen finns?": "Skolverkets statistik över gymnasiebehörighet.",
    "Vilka av stadsdelsnämndens ansvarsområden och mål hör idén till?": "Skola och fritid.",
}
PHONE = {"width": 390, "height": 844}


def _fits(page: Page, where: str) -> None:
    # A link just clicked may still be replacing the document: measure the page once it is there.
    page.wait_for_function("document.documentElement !== null && document.readyState === 'complete'")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], f"{where} scrolls sideways"
    # Issue 11: tables become readable lists on a phone rather than scrolling in their frames.
    scrolling = page.evaluate("""[...document.querySelectorAll('.table-wrap')]
        .filter(el => el.scrollWidth > el.clientWidth + 1).map(el => el.querySelector('caption')?.textContent || '?')""")
    assert not scrolling, f"{where}: tables scroll sideways: {scrolling}"
    assert_no_serious_violations(page, where)


def test_a_new_organisation_signs_up_applies_and_follows_its_case_on_a_phone(
        page: Page, new_page, sign_in, live_server: str, live_env: dict[str, str], mail_server,
        send_mail: Callable[[], None]) -> None:
    """Issue 9's scenario from sign-up to the stadsdelsdirektör's decision in the portal."""
    live_url = live_server

    def walk(code: str, title: str, steps: int) -> None:
        subprocess.run([sys.executable, "-m", "e2e.walk", code, title, str(steps)], env=live_env, check=True,
                       cwd=Path(__file__).resolve().parents[1], timeout=120, stdin=subprocess.DEVNULL)

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
    draft = page.url.split("?")[0]

    # The rest of JV-05's documents in the library, then the whole application, sent.
    page.get_by_role("link", name="Portalen").click()
    page.get_by_role("link", name="Organisationens dokument").click()
    for label in JV_05[1:]:
        page.get_by_label("Slags dokument").select_option(label=label)
        page.get_by_label("År", exact=True).fill("2025")
        page.get_by_label("Fil", exact=True).set_input_files(
            files=[{"name": "dokument.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 " + label.encode()}])
        page.get_by_role("button", name="Spara dokumentet").click()
        expect(page.get_by_role("status")).to_have_text("Dokumentet är sparat.")
    page.goto(draft)
    for label, text in APPLICATION.items():
        page.get_by_label(label).fill(text)
    for label in JV_05_IN_PROCESS:
        page.get_by_label(label).select_option(index=1)
    page.get_by_role("button", name="Skicka intresseanmälan").click()
    expect(page.get_by_role("status")).to_contain_text("Intresseanmälan är skickad till Järva stadsdelsnämnd")
    _fits(page, "den skickade intresseanmälan")
    send_mail()
    assert mail_server.inbox.to(email)[-1]["Subject"].startswith("Kvitto")

    # JV-03/JV-04: the stabsenhet sees the initiative on its start page, with the
    # first meeting's deadline four weeks from today.
    staff = new_page()
    sign_in(staff, "stabsenhet@jarva.demo")
    staff.goto("/k/jarva/?frister=mina")
    title = "Läxhjälp i Gläntan"
    # The first meeting four weeks on; receiving the initiative waits too, without a deadline.
    row = staff.locator("#frister tr", has_text=title).filter(has_text="Om 28 dagar")
    expect(row).to_contain_text((clock.today() + timedelta(weeks=4)).isoformat())
    expect(staff.locator(".deadline-table--open tr", has_text=title)).to_contain_text("Aktuellt nu")
    expect(row).to_contain_text("Om 28 dagar")
    expect(staff.locator("#frister")).to_contain_text("Första möte med den idéburna parten")
    row.get_by_role("link").first.click()
    case_url = staff.url.split("?")[0].split("#")[0]

    # Staff ask for a document that is missing; the organisation uploads it in the portal.
    staff.get_by_role("link", name="Med parterna").click()
    staff.get_by_label("Vad ni ber om").select_option(label="Budget")
    staff.get_by_label("Meddelande till organisationen").fill("Skicka en budget för första året.")
    staff.get_by_label("Senast").fill((clock.today() + timedelta(days=14)).isoformat())
    staff.get_by_role("button", name="Skicka begäran").click()
    expect(staff.get_by_role("status")).to_have_text("Begäran är skickad till organisationen.")
    send_mail()
    notice = mail_server.inbox.to(email)[-1]
    assert notice["Subject"].endswith("Budget")
    page.goto(urlsplit(mail_server.inbox.links(notice)[0]).path)
    expect(page.get_by_role("heading", name="Det här behöver ni göra")).to_be_visible()
    expect(page.get_by_text("Skicka en budget för första året.")).to_be_visible()
    _fits(page, "partnerskapets sida med en begäran")
    page.get_by_role("button", name="Skicka Budget").click()
    expect(page.get_by_role("alert")).to_contain_text("Välj en fil")
    _fits(page, "partnerskapets sida med fel")
    page.get_by_label("Välj fil").set_input_files(
        files=[{"name": "budget.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 budget"}])
    page.get_by_role("button", name="Skicka Budget").click()
    expect(page.get_by_role("status")).to_have_text("Tack! Dokumentet är skickat till kommunen.")
    expect(page.get_by_role("link", name="Budget", exact=True)).to_be_visible()
    staff.goto(case_url + "/parter")
    expect(staff.get_by_text("Besvarad", exact=True)).to_be_visible()

    # The case goes through the first meeting and the stabsenhet's
    # consideration; the stadsdelsdirektör decides, with reasons (JV-06).
    walk("jarva", title, 3)
    director = new_page()
    sign_in(director, "stadsdelsdirektor@jarva.demo")
    director.goto(case_url)
    step = director.locator("#steg-direktorens_bedomning")
    step.get_by_label("Initiativet går vidare i processen").check()
    step.get_by_label("Motivering").fill("Idén svarar mot stadsdelens mål om trygga kvällar för unga.")
    step.get_by_role("button", name="Slutför steget").click()
    expect(director.get_by_role("status")).to_contain_text("Steget är slutfört")
    page.reload()
    expect(page.get_by_text("Idén svarar mot stadsdelens mål om trygga kvällar för unga.")).to_be_visible()
    expect(page.get_by_role("heading", name="Stadsdelsdirektörens bedömning")).to_be_visible()
    _fits(page, "partnerskapets sida med ett beslut")

    # A representative of another organisation gets 404 on all of it.
    case_path = urlsplit(page.url).path
    document_path = urlsplit(page.get_by_role("link", name="Budget", exact=True).get_attribute("href") or "").path
    other = new_page()
    sign_in(other, "kontakt@brobyggarna.demo")
    for path in (case_path, document_path, draft.replace(live_url, "")):
        assert other.request.get(path).status == 404, path


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


def test_the_yearly_report_is_filled_in_the_portal_on_a_phone(page: Page, sign_in) -> None:
    """JV-16: the demo's running case in Järva waits for the organisation's
    yearly report, which it fills in as a form in the portal."""
    page.set_viewport_size(PHONE)
    sign_in(page, "kontakt@ljusmaskinen.demo")
    page.locator(".card", has_text="Kommunen väntar på").get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Det här behöver ni göra")).to_be_visible()
    _fits(page, "partnerskapets sida med en begäran om ett formulär")
    page.get_by_role("link", name="Fyll i").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ekonomisk redovisning och redovisning av verksamhet")
    _fits(page, "formuläret i portalen")
    page.get_by_role("button", name="Skicka till kommunen").click()
    expect(page.get_by_role("heading", name="Något behöver rättas")).to_be_visible()
    _fits(page, "formuläret med det som saknas")
    page.get_by_label("Statistik som överenskommelsen anger").fill("31 unga vuxna, 12 fick jobb.")
    page.get_by_role("button", name="Spara utkast").click()
    expect(page.get_by_role("status")).to_have_text("Svaren är sparade. Ni kan fortsätta nu eller senare.")
    expect(page.get_by_label("Statistik som överenskommelsen anger")).to_have_value("31 unga vuxna, 12 fick jobb.")


def _tab_to(page: Page, name: str, presses: int = 60) -> None:
    """Moves the focus with the Tab key alone until the field ``name`` has it."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.name") == name:
            return
    raise AssertionError(f"the field '{name}' cannot be reached with the Tab key")


def test_an_invited_colleague_and_a_forgotten_password_by_keyboard_alone_on_a_phone(
        page: Page, new_page, sign_in, mail_server, send_mail: Callable[[], None]) -> None:
    page.set_viewport_size(PHONE)
    email = f"kassor-{uuid.uuid4().hex[:6]}@eken.test"
    sign_in(page, "ordforande@eken.demo")
    page.goto("/portal/foretradare")
    page.get_by_label("Namn", exact=True).fill("Karin Kassör")
    page.get_by_label("E-postadress", exact=True).fill(email)
    page.get_by_label("Kontaktperson").check()
    page.get_by_role("button", name="Skicka inbjudan").click()
    expect(page.get_by_role("status")).to_have_text("Inbjudan är skickad.")
    send_mail()

    colleague = new_page()
    colleague.set_viewport_size(PHONE)
    colleague.goto(urlsplit(mail_server.inbox.links(mail_server.inbox.to(email)[-1])[0]).path)
    expect(colleague.get_by_role("heading", level=1)).to_have_text("Välj ett lösenord")
    _fits(colleague, "inbjudan")
    _tab_to(colleague, "password")
    colleague.keyboard.type(PASSWORD)
    _tab_to(colleague, "password_again")
    colleague.keyboard.type(PASSWORD)
    colleague.keyboard.press("Enter")
    expect(colleague.get_by_role("heading", level=1)).to_have_text("Ditt konto är klart")
    _fits(colleague, "kontot är klart")

    colleague.goto("/losenord/glomt")
    _fits(colleague, "glömt lösenord")
    _tab_to(colleague, "email")
    colleague.keyboard.type(email)
    colleague.keyboard.press("Enter")
    expect(colleague.get_by_role("heading", level=1)).to_have_text("Titta i din e-post")
    _fits(colleague, "länken är skickad")
    send_mail()
    reset = mail_server.inbox.to(email)[-1]
    assert reset["Subject"] == "Återställ ditt lösenord"
    colleague.goto(urlsplit(mail_server.inbox.links(reset)[0]).path)
    expect(colleague.get_by_role("heading", level=1)).to_have_text("Välj ett nytt lösenord")
    _fits(colleague, "nytt lösenord")
    new_password = PASSWORD + "-nytt"
    _tab_to(colleague, "password")
    colleague.keyboard.type(new_password)
    _tab_to(colleague, "password_again")
    colleague.keyboard.type(new_password)
    colleague.keyboard.press("Enter")
    expect(colleague).to_have_url(re.compile(r"/login\?nytt-losenord=1$"))
    sign_in(colleague, email, new_password)
    expect(colleague).to_have_url(re.compile(r"/portal/$"))
    expect(colleague.get_by_text("Du företräder Seniornätverket Eken")).to_be_visible()


def test_staff_pages_of_a_running_case_fit_a_phone(page: Page, sign_in) -> None:
    """The partnership and its "Med parterna" page at 390 px: tables become
    readable lists, and neither they nor the page scroll sideways."""
    page.set_viewport_size(PHONE)
    sign_in(page, "handlaggare@jarva.demo")
    _fits(page, "partnerskapslistan")
    page.get_by_role("link", name="Jobbcoachning för unga vuxna").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jobbcoachning för unga vuxna")
    _fits(page, "partnerskapet")
    page.get_by_role("link", name=re.compile("^Med parterna")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Med parterna")
    _fits(page, "med parterna")
    # Issue 11: the start page's "Väntar på dig", the meetings (a readable list) and one meeting.
    page.get_by_role("link", name=re.compile(r"^Väntar på dig")).click()
    expect(page.get_by_role("heading", name="Väntar på dig")).to_be_visible()
    _fits(page, "väntar på dig")
    page.go_back()
    page.get_by_role("link", name="Jobbcoachning för unga vuxna").first.click()
    page.goto(page.url.split("#")[0].split("?")[0] + "/moten")
    expect(page.get_by_role("heading", level=1)).to_have_text("Möten")
    _fits(page, "mötena")
    page.locator("table.data td[data-label='Möte'] a").first.click()
    expect(page.get_by_role("link", name="Ändra mötet")).to_be_visible()
    _fits(page, "ett möte")
    page.get_by_role("link", name="Ändra mötet").click()
    _fits(page, "ändra ett möte")
    page.get_by_role("link", name="Bevakning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bevakning")
    _fits(page, "bevakning")
