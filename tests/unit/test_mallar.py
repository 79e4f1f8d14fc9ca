"""Every kommun's mallar render as archival PDF and as Word, blank and filled
(issue 10, point 1), and a plugin's broken mall stops start-up."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from docx import Document as WordDocument
from pypdf import PdfReader

from core import mallar
from core.mallar import CaseLine, MallContext, PartyLine
from core.plugin_api import FormField, PluginError, TemplateRef
from core.registry import build_plugin_manager, build_registry

REGISTRY = build_registry(build_plugin_manager())
EVERY_MALL = [(code, t.key) for code, entry in REGISTRY.kommuner.items() for t in entry.templates]
# What the issue names for each kommun.
NAMED = {
    "jarva": {"checklista_overvagande", "overenskommelse", "budget", "ekonomisk_redovisning", "utvardering",
              "slutrapport"},
    "hasselby-vallingby": {"bedomning", "uppfoljning"},
    "tyreso": {"barnets_basta", "upphandlingsprovning"},
    "generic": {"overenskommelse", "uppfoljning"},
}


def _processes(code):
    entry = REGISTRY.kommuner[code]
    return entry.processes or REGISTRY.generic.processes


def _mall(code, key):
    return next(t for t in REGISTRY.kommuner[code].templates if t.key == key)


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_each_kommun_has_the_mallar_its_documents_name():
    for code, keys in NAMED.items():
        assert keys <= {t.key for t in REGISTRY.kommuner[code].templates}, code


@pytest.mark.parametrize(("code", "key"), EVERY_MALL)
def test_every_mall_renders_blank_as_pdf_and_word(code, key):
    mall, processes = _mall(code, key), _processes(code)
    ctx = MallContext(kommun="Järva stadsdelsnämnd")
    pdf = mallar.render_pdf(mall, processes, ctx)
    assert pdf.startswith(b"%PDF-")
    metadata = PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3"' in metadata  # archival PDF/A-3
    text = _text(pdf)
    assert mall.name.split()[0] in text and "Blankett" in text
    for f in mallar.fields_of(mall, processes)[:3]:
        assert f.label.split()[0] in text
    word = WordDocument(io.BytesIO(mallar.render_docx(mall, processes, ctx)))
    assert word.paragraphs[1].text == mall.name or any(p.text == mall.name for p in word.paragraphs)


def test_the_agreement_holds_the_parties_their_contributions_and_the_period():
    """GEN-06, GEN-08, JV-09: what the agreement states, from the case."""
    mall, processes = _mall("jarva", "overenskommelse"), _processes("jarva")
    answers = {f.key: f"Svar om {f.key}" for f in mall.fields}
    ctx = MallContext(
        kommun="Järva stadsdelsnämnd", decision_body="Järva stadsdelsnämnd", number="JÄR 2027/14",
        case=CaseLine(title="Läxhjälp i Rinkeby", samhallsutmaning="Låg måluppfyllelse i skolan",
                      goals="Fler elever når målen", period="från och med 1 januari 2027 till och med 31 december 2029"),
        parties=(PartyLine("Föreningen Järvabron", "Idéburen part", "802481-1666",
                           (("Ideella timmar", "1 200 timmar per år", "Läxhjälpare"),)),
                 PartyLine("Studieförbundet Norr", "Idéburen part", "802000-0000",
                           (("Lokaler", "120 kvm", "Studierum"),)),
                 PartyLine("Järva stadsdelsnämnd", "Offentlig part", "", (("Pengar", "450 000 kr", "IOP-medel"),),
                           public=True)),
        answers=answers)
    text = _text(mallar.render_pdf(mall, processes, ctx))
    for expected in ("Föreningen Järvabron", "802481-1666", "Studieförbundet Norr", "1 200 timmar per år",
                     "450 000 kr", "1 januari 2027", "31 december 2029", "JÄR 2027/14", "Svar om styrning",
                     "Svar om avslut", "Underskrifter", "För Studieförbundet Norr"):
        assert expected in text, expected
    # The kommun contributes, but it signs as the kommun, not as an idéburen party.
    assert text.count("För Järva stadsdelsnämnd") == 1 and text.startswith("Järva stadsdelsnämnd")
    assert "Överenskommelse om IOP" in text and "Mall för" not in text


def test_a_broken_mall_stops_start_up():
    processes = _processes("generic")
    good = _mall("generic", "uppfoljning")
    with pytest.raises(PluginError, match="has no fields"):
        mallar.validate(replace(good, fields=()), processes, "test")
    with pytest.raises(PluginError, match="does not render"):
        mallar.validate(replace(good, layout='{% extends "mall.html" %}{% block body %}{{ nowhere.x }}{% endblock %}'),
                        processes, "test")
    with pytest.raises(PluginError, match="unknown document kind"):
        mallar.validate(replace(good, document_kind="inget_sadant"), processes, "test")
    from core.plugin_api import validate_template
    with pytest.raises(PluginError, match="filled by"):
        validate_template(replace(good, filled_by="alla"), "test")
    with pytest.raises(PluginError, match="twice"):
        validate_template(TemplateRef("generic", "xyz", "X", fields=(FormField("svar", "Svar", "text"),) * 2), "test")
