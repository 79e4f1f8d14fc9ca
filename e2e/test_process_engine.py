"""The process engine as people use it in a browser: a Järva partnership
goes from initiative to signed agreement, each step done by the role that
owns it (JV-03 to JV-11), the agreement drawn up from Järva's mall, decided
by the nämnd and signed by the stadsdelsdirektör and the organisation's
signatory in the portal (GEN-09, issue 10), and a Tyresö partnership reaches
its barnets bästa assessment (TY-05). The pages along the way are checked
with axe-core."""

from __future__ import annotations

import hashlib
import io
import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from core import clock
from e2e.accessibility import assert_no_serious_violations

pytestmark = pytest.mark.e2e

TODAY = clock.today()


# --------------------------------------------------------------------------- helpers


def _register_initiative(page: Page, code: str, title: str, organisation: str) -> str:
    """A case officer registers the initiative; returns the partnership's path."""
    page.goto(f"/k/{code}/partnerskap/ny")
    page.get_by_label("Titel", exact=True).fill(title)
    page.get_by_label("Samhällsutmaning (frivilligt)", exact=True).fill(
        "Många barn i området saknar en trygg plats för läxor efter skolan, enligt skolans enkät.")
    choice = page.locator("#f-organisation_id option", has_text=organisation).first.get_attribute("value")
    page.get_by_label("Organisation (frivilligt)").select_option(choice)
    page.locator("#f-offentlig_pengar_amount").fill("250 000")
    page.locator("#f-ideburen_ideella_timmar_amount").fill("600")
    page.get_by_role("button", name="Spara", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Partnerskapet är sparat.")
    return re.sub(r"^https?://[^/]+", "", page.url).split("?")[0]


def _open_form(page: Page, path: str, key: str) -> None:
    page.goto(f"{path}/formular/{key}")


def _save_form(page: Page) -> None:
    page.get_by_role("button", name="Spara", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Svaren är sparade.")
    expect(page.get_by_role("status")).to_contain_text("Formuläret är komplett.")


def _answer(page: Page, question: str, answer: str) -> None:
    page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()


STATUTORY = "Ingår verksamheten i förvaltningens egna lagstadgade uppgifter eller i myndighetsutövning?"


def _all_yes(page: Page) -> None:
    """Every yes/no answered "Ja", but ST-03's question of the kommun's own
    statutory duties "Nej", which is what lets an IOP go on."""
    for radio in page.get_by_role("radio", name="Ja", exact=True).all():
        radio.check()
    if page.get_by_role("group", name=STATUTORY).count():
        _answer(page, STATUTORY, "Nej")


def _upload(page: Page, path: str, kind: str, filename: str) -> None:
    page.goto(path)
    form = page.locator("#ladda-upp")
    form.get_by_label("Typ av dokument").select_option(label=kind)
    form.get_by_label("Rubrik").fill(kind)
    form.get_by_label("Fil").set_input_files(
        files=[{"name": filename, "mimeType": "text/plain", "buffer": f"{kind}\n".encode()}])
    form.get_by_role("button", name="Ladda upp").click()
    expect(page.get_by_role("table").filter(has_text=filename)).to_be_visible()


def _meeting(page: Page, path: str, kind: str) -> None:
    page.goto(f"{path}/moten")
    page.get_by_label("Vilket möte").select_option(label=kind)
    page.get_by_label("Datum").fill(TODAY.isoformat())
    page.get_by_label("Deltagare").fill("Stabsenheten, kärnverksamheten och föreningens ordförande")
    page.get_by_label("Anteckningar (frivilligt)").fill("Parterna gick igenom verksamhetsidén.")
    page.get_by_role("button", name="Registrera mötet").click()
    expect(page.get_by_role("status")).to_contain_text("Mötet är registrerat.")


def _complete(page: Page, path: str, step: str, outcome: str | None = None, motivation: str = "") -> None:
    page.goto(path)
    card = page.locator(f"#steg-{step}")
    expect(card).to_be_visible()
    if outcome:
        card.get_by_label(outcome, exact=True).check()
    if motivation:
        card.get_by_label("Motivering", exact=True).fill(motivation)
    card.get_by_role("button", name="Slutför steget").click()
    expect(page.get_by_role("status")).to_contain_text("Steget är slutfört")


def _waits_on(page: Page, code: str, title: str, step: str) -> None:
    """Issue 11, point 5: the person's start page shows, under "Väntar på dig",
    the step of this case that waits on them, and the navigation counts it."""
    page.goto(f"/k/{code}/?frister=mina")
    expect(page.get_by_role("link", name=re.compile(r"^Väntar på dig \d+"))).to_be_visible()
    for _ in range(10):  # the case may be on a later page of what waits
        waiting = page.locator("#frister tbody", has=page.locator(".group-row", has_text=step))
        if waiting.get_by_role("link", name=title).count():
            return
        following = page.locator("#frister a[rel=next]")
        if not following.count():
            break
        page.goto(following.first.get_attribute("href") or "")
    raise AssertionError(f"{step} for {title} does not wait on the start page")


def _current_step(page: Page, path: str, title: str) -> None:
    page.goto(path)
    expect(page.locator(".step-card h3", has_text=title)).to_be_visible()


# --------------------------------------------------------------------------- Järva


def test_jarva_partnership_from_initiative_to_signed_agreement(
    new_page: Callable[[], Page], sign_in: Callable[..., None]
) -> None:
    users = {}
    for role in ("handlaggare", "stabsenhet", "stadsdelsdirektor", "avdelningschef", "stadsdelsnamnd"):
        users[role] = new_page()
        sign_in(users[role], f"{role}@jarva.demo")
    officer, stab, director = users["handlaggare"], users["stabsenhet"], users["stadsdelsdirektor"]
    title = f"E2E Läxhjälp {uuid.uuid4().hex[:6]}"

    # JV-03: the case officer registers and receives the initiative; it waits at once on the stabsenhet.
    path = _register_initiative(officer, "jarva", title, "Brobyggarna")
    _waits_on(stab, "jarva", title, "Ta emot initiativet")
    expect(officer.locator("#steg-initiativ")).to_contain_text("Fyll i uppgifterna om initiativet.")
    _open_form(officer, path, "initiativ")
    _answer(officer, "Varifrån kommer initiativet?", "Från civilsamhället (intresseanmälan eller förslag)")
    officer.get_by_label("Vilken verksamhetsidé föreslås?").fill("Läxhjälp tre kvällar i veckan")
    officer.get_by_label("Vilken kärnverksamhet berörs?").fill("Förebyggande verksamhet för barn och unga")
    _save_form(officer)
    _complete(officer, path, "initiativ")

    # JV-04, JV-05: the stabsenhet holds the first meeting with the organisation's documents.
    _current_step(stab, path, "Första möte med den idéburna parten")
    expect(stab.locator("#steg-forsta_mote")).to_contain_text("Senaste revisionsberättelsen saknas.")
    assert_no_serious_violations(stab, "partnerskap med aktuellt steg")
    for kind, filename in (("Protokoll från senaste årsmötet", "arsmote.txt"),
                           ("Senaste verksamhetsberättelsen", "verksamhetsberattelse.txt"),
                           ("Senaste resultat- och balansräkningen", "resultatrakning.txt"),
                           ("Senaste revisionsberättelsen", "revision.txt"),
                           ("Senaste verksamhetsplanen", "verksamhetsplan.txt")):
        _upload(stab, path, kind, filename)
    _meeting(stab, path, "Första möte")
    _complete(stab, path, "forsta_mote")

    # JV-06: the consideration on the checklist, then the director's assessment.
    _open_form(stab, path, "checklista_overvagande")
    assert_no_serious_violations(stab, "checklistan")
    _all_yes(stab)
    _answer(stab, "Stabsenhetens övervägande", "IOP är möjligt och lämpligt")
    stab.get_by_label("Motivering till övervägandet").fill("Alla villkor är uppfyllda.")
    _save_form(stab)
    _complete(stab, path, "overvagande", "Lämna övervägandet till stadsdelsdirektören")

    stab.goto(path)
    expect(stab.locator("#steg-direktorens_bedomning")).to_contain_text("Steget slutförs av Stadsdelsdirektör.")
    _waits_on(director, "jarva", title, "Stadsdelsdirektörens bedömning")
    _complete(director, path, "direktorens_bedomning", "Initiativet går vidare i processen",
              "Initiativet möter ett tydligt behov; återkopplat till föreningen.")

    # JV-07: the review.
    _open_form(stab, path, "granskning")
    _all_yes(stab)
    stab.get_by_label("Datum för avstämning med juridiska enheten på stadsledningskontoret").fill(TODAY.isoformat())
    stab.get_by_label("Återkoppling till den idéburna parten").fill("Granskningen är godkänd.")
    _save_form(stab)
    _complete(stab, path, "granskning", "Granskningen är godkänd")

    # JV-08: two idea meetings, then the proposal (JV-09: a three-year agreement needs no special reason).
    _meeting(stab, path, "Idémöte")
    _meeting(stab, path, "Idémöte")
    _complete(stab, path, "idemoten", "Samsyn är nådd")
    stab.goto(f"{path}/andra")
    stab.get_by_label("Mål (frivilligt)", exact=True).fill("Fler elever klarar godkänt i alla ämnen.")
    stab.get_by_label("Startdatum (frivilligt)", exact=True).fill(f"{TODAY.year + 1}-01-01")
    stab.get_by_label("Slutdatum (frivilligt)", exact=True).fill(f"{TODAY.year + 3}-12-31")
    stab.get_by_role("button", name="Spara ändringar").click()
    expect(stab.get_by_role("status")).to_contain_text("Partnerskapet är sparat.")
    # The proposal is drawn up from Järva's mall, with the case's parties, contributions and period.
    stab.goto(f"{path}/mallar/overenskommelse")
    assert_no_serious_violations(stab, "mallen för överenskommelse")
    for label, text in (("Syfte", "Ett steg i nämndens plan för att fler elever ska klara skolan."),
                        ("Mål och aktiviteter", "Läxhjälp tre kvällar i veckan med ideella läxhjälpare."),
                        ("Styrning", "Styrgruppen möts tre gånger om året och arbetsgruppen fyra."),
                        ("Uppföljning och utvärdering", "Årlig uppföljning i kvartal fyra, utvärdering sista året."),
                        ("Villkor för att avsluta", "Tre månaders uppsägning vid väsentligt avtalsbrott.")):
        stab.get_by_label(re.compile("^" + label)).fill(text)
    stab.get_by_role("button", name="Spara och skapa dokumentet").click()
    expect(stab.get_by_role("status")).to_contain_text("Dokumentet är skapat")
    _complete(stab, path, "forslag")

    # JV-10: the avdelningschef's position, with the organisation's authorised body.
    chief = users["avdelningschef"]
    _waits_on(chief, "jarva", title, "Ställningstagande att teckna överenskommelse")
    _open_form(chief, path, "stallningstagande")
    _all_yes(chief)
    chief.get_by_label("Vilken instans hos den idéburna parten har tagit ställning?").fill("Föreningens styrelse")
    chief.get_by_label("Datum för den idéburna partens ställningstagande").fill(TODAY.isoformat())
    _save_form(chief)
    _complete(chief, path, "stallningstagande", "Lämna ställningstagandet till stadsdelsdirektören")
    # ... and the stadsdelsdirektör, who takes part in it and starts the nämnd's matter.
    _complete(director, path, "direktorens_stallningstagande", "Initiera ett ärende till nämnden")

    # JV-11: the nämnd decides on the tjänsteutlåtande; the director signs.
    _upload(stab, path, "Tjänsteutlåtande till nämnden", "tjansteutlatande.txt")
    _waits_on(users["stadsdelsnamnd"], "jarva", title, "Nämndens beslut")
    _complete(users["stadsdelsnamnd"], path, "namndbeslut",
              "Stadsdelsdirektören får i uppdrag att teckna överenskommelsen")
    # GEN-09: the nämnd decided exactly that file; the director signs it for the kommun ...
    director.goto(path)
    agreement = director.locator("#overenskommelse ~ .agreement-version").first
    expect(agreement).to_contain_text("Version 1: beslutad överenskommelse")
    checksum = agreement.locator(".checksum").inner_text().strip()
    with director.expect_download() as download:
        agreement.get_by_role("link", name="Ladda ner den beslutade versionen (PDF)").click()
    pdf = open(download.value.path(), "rb").read()
    assert hashlib.sha256(pdf).hexdigest() == checksum
    agreed = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    agreed = agreed.replace("\u00a0", " ").replace("\u202f", " ")
    for expected in ("Föreningen Brobyggarna Norra", "250 000 kr", "600 timmar per år",
                     f"1 januari {TODAY.year + 1}", f"31 december {TODAY.year + 3}", "Styrgruppen möts"):
        assert expected in agreed, expected
    director.get_by_role("button", name="Skriv under version 1 för Järva stadsdelsnämnd").click()
    expect(director.get_by_role("status")).to_contain_text("Överenskommelsen är underskriven")
    assert_no_serious_violations(director, "överenskommelsen på partnerskapet")

    # ... and the organisation's signatory signs the same file in the portal.
    org = new_page()
    sign_in(org, "ordforande@brobyggarna.demo")
    case_id = path.rstrip("/").rsplit("/", 1)[1]
    org.goto(f"/portal/partnerskap/{case_id}")
    expect(org.locator("#overenskommelse").locator("..")).to_contain_text(checksum)
    with org.expect_download() as download:
        org.get_by_role("link", name="Läs den beslutade versionen (PDF)").click()
    assert hashlib.sha256(open(download.value.path(), "rb").read()).hexdigest() == checksum
    assert_no_serious_violations(org, "överenskommelsen i portalen")
    org.get_by_role("button", name="Skriv under för Föreningen Brobyggarna Norra").click()
    expect(org.get_by_role("status")).to_contain_text("Ni har skrivit under överenskommelsen.")

    # Both signatures name that exact file, and the signed agreement is on the case for the signing step.
    director.goto(path)
    signed = director.locator("#overenskommelse ~ .agreement-version").first
    expect(signed).to_contain_text("Alla parter har skrivit under.")
    expect(signed).to_contain_text("Stadsdelsdirektör")
    expect(signed).to_contain_text("Firmatecknare".lower())
    _complete(director, path, "undertecknande")

    # The signed period is not changed on the side.
    stab.goto(f"{path}/andra")
    stab.get_by_label("Slutdatum (frivilligt)", exact=True).fill(f"{TODAY.year + 4}-12-31")
    stab.get_by_role("button", name="Spara ändringar").click()
    expect(stab.get_by_text("ändras bara genom en ändring").first).to_be_visible()

    # The diarium holds each step's documents and decisions under the case's Järva number.
    director.goto(path)
    number = director.locator("dt:text-is('Diarienummer') + dd").inner_text().strip()
    assert re.fullmatch(r"JÄR \d{4}/\d+", number)
    director.goto(f"/k/jarva/diarium/?q={number}")
    registry = director.locator("table.diarium")
    for entry in ("Beslut av stadsdelsnämnd: Nämndens beslut", "Överenskommelse om IOP",
                  "Undertecknad överenskommelse, version 1", "Minnesanteckningar: Idémöte"):
        expect(registry).to_contain_text(entry)
    expect(registry.locator("td").first).to_have_text(re.compile(r"JÄR \d{4}/\d+-\d+"))

    director.goto(path)
    expect(director.locator(".page-header .tag")).to_have_text("Pågående")
    expect(director.locator(".step-card h3", has_text="Utse IOP-koordinator, styrgrupp och arbetsgrupp")).to_be_visible()
    director.get_by_text("Alla steg i processen").click()
    decisions = director.locator("#alla-steg")
    expect(decisions).to_contain_text("Stadsdelsnämnd")
    expect(decisions).to_contain_text("Avdelningschef")
    expect(decisions.locator(".tag", has_text="Klart")).to_have_count(11)
    assert_no_serious_violations(director, "undertecknat partnerskap")


# --------------------------------------------------------------------------- Tyresö


def test_tyreso_partnership_reaches_its_barnets_basta_assessment(
    page: Page, sign_in: Callable[..., None]
) -> None:
    sign_in(page, "handlaggare@tyreso.demo")
    path = _register_initiative(page, "tyreso", f"E2E Naturskola {uuid.uuid4().hex[:6]}", "Ljusmaskinen")

    _open_form(page, path, "initiativ")
    _answer(page, "Varifrån kommer initiativet?", "Från en idéburen organisation")
    page.get_by_label("Vilket samarbete föreslås?").fill("Naturskola för mellanstadiet")
    _answer(page, "Vill både den idéburna organisationen och kommunen skapa ett partnerskap?", "Ja")
    _answer(page, "Är det kommunen som ensidigt beställer verksamheten?", "Nej")
    _save_form(page)
    _complete(page, path, "initiativ", "Pröva om upphandling gäller")

    # TY-03: procurement first.
    _open_form(page, path, "upphandlingsprovning")
    _answer(page, "Omfattas samarbetet av krav på upphandling?", "Nej")
    page.get_by_label("Hur har ni kommit fram till svaret?").fill("Ingen marknad finns för verksamheten.")
    _answer(page, "Är samarbetet förenligt med kommunallagen?", "Ja")
    _answer(page, "Är samarbetet förenligt med EU:s statsstödsregler?", "Ja")
    _save_form(page)
    _complete(page, path, "upphandlingsprovning", "Upphandling gäller inte. Pröva kraven för ett IOP")
    _open_form(page, path, "krav_iop")
    _all_yes(page)
    _save_form(page)
    _complete(page, path, "krav", "Kraven är uppfyllda")

    page.goto(f"{path}/andra")
    page.get_by_label("Mål (frivilligt)", exact=True).fill("Fler barn vistas i naturen varje vecka.")
    page.get_by_label("Startdatum (frivilligt)", exact=True).fill(f"{TODAY.year + 1}-01-01")
    page.get_by_label("Slutdatum (frivilligt)", exact=True).fill(f"{TODAY.year + 2}-12-31")
    page.get_by_role("button", name="Spara ändringar").click()
    _upload(page, path, "Förslag till överenskommelse", "forslag.txt")
    _complete(page, path, "forslag")

    # TY-05: the barnets bästa step is current, and signing waits for it.
    _current_step(page, path, "Bedömning av barnets bästa")
    card = page.locator("#steg-barnets_basta")
    expect(card).to_contain_text("Fyll i bedömningen av barnets bästa.")
    page.get_by_text("Alla steg i processen").click()
    expect(page.locator("#alla-steg .step-list__item", has_text="Överenskommelsen undertecknas")).to_contain_text("Väntar")
    assert_no_serious_violations(page, "Tyresö, barnets bästa")

    _open_form(page, path, "barnets_basta")
    page.get_by_label("Vilket syfte och innehåll har partnerskapet?").fill("Naturskola för barn 10–12 år.")
    _answer(page, "Berör partnerskapet barn, direkt eller indirekt?", "Ja")
    page.get_by_label("Hur påverkas barn av partnerskapet, och hur tas barnets bästa tillvara?").fill(
        "Barnen får mer tid utomhus; vuxna med utbildning leder alla aktiviteter.")
    page.get_by_label("Sammanfattande bedömning av barnets bästa").fill("Partnerskapet är till barnens bästa.")
    _save_form(page)
    _complete(page, path, "barnets_basta", "Bedömningen av barnets bästa är gjord")
    _current_step(page, path, "Kommundirektörens beslut om pilotprojekt")
    expect(page.locator(".page-header .tag")).to_have_text("Inför beslut")
