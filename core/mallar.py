"""Mallar (the kommuner's templates) as documents: an archival PDF
(WeasyPrint, PDF/A-3b) and a Word file for those who go on editing.

A mall is declared by its kommun's plugin (core.plugin_api.TemplateRef): its
fields, and optionally its layout, HTML that extends the core's ``mall.html``
(core/mall_templates). Rendering takes a ``MallContext``: the kommun, the
case when there is one, and the answers; without answers the mall is blank,
to be printed or filled in by hand.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import ChoiceLoader, DictLoader, PackageLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from core import clock
from core.forms import MOTIVATION_SUFFIX, display_answer
from core.plugin_api import FormField, PluginError, TemplateRef
from core.process import FormDefinition, ProcessDefinition
from core.template_cache import template_cache

PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class PartyLine:
    name: str
    role_label: str
    organisationsnummer: str = ""
    # (what, amount with its unit or "", description)
    contributions: tuple[tuple[str, str, str], ...] = ()
    # The kommun's own side: it contributes, but is not an idéburen party.
    public: bool = False


@dataclass(frozen=True)
class CaseLine:
    title: str
    samhallsutmaning: str = ""
    goals: str = ""
    target_group: str = ""
    period: str = ""
    period_start: str = ""
    period_end: str = ""


@dataclass(frozen=True)
class MallContext:
    kommun: str
    decision_body: str = ""
    number: str = ""
    case: CaseLine | None = None
    parties: tuple[PartyLine, ...] = ()
    answers: dict[str, str] = field(default_factory=dict)
    today: date | None = None

    @property
    def blank(self) -> bool:
        return self.case is None and not self.answers


def fields_of(mall: TemplateRef, processes: tuple[ProcessDefinition, ...]) -> tuple[FormField, ...]:
    """The mall's own fields, or those of the newest process form that names it."""
    if mall.fields:
        return mall.fields
    for process in reversed(processes):
        form = next((f for f in process.forms if f.template == mall.key), None)
        if form is not None:
            return form.fields
    return ()


def document_title(mall: TemplateRef) -> str:
    """What a filled mall is called: "Mall för budget" makes a "Budget"."""
    name = mall.name
    if name.lower().startswith("mall för "):
        name = name[len("mall för "):]
        name = name[:1].upper() + name[1:]
    return name


def as_form(mall: TemplateRef, fields: tuple[FormField, ...]) -> FormDefinition:
    """The mall as a form, so that its answers are checked as a process form's are (core.forms)."""
    return FormDefinition(key=f"mall.{mall.key}", title=mall.name, fields=fields)


def _environment(mall: TemplateRef) -> SandboxedEnvironment:
    # The plugin's layout is data: sandboxed, autoescaped, and a name it
    # misspells fails loudly instead of printing nothing.
    loaders = [PackageLoader("core", "mall_templates")]
    if mall.layout:
        loaders.insert(0, DictLoader({"layout.html": mall.layout}))
    # Compiled once, kept between processes (core.template_cache): start-up
    # renders every mall to validate it.
    return SandboxedEnvironment(loader=ChoiceLoader(loaders), autoescape=True, undefined=StrictUndefined,
                                bytecode_cache=template_cache())


def validate(mall: TemplateRef, processes: tuple[ProcessDefinition, ...], plugin: str) -> None:
    """At start-up: the mall has something to fill in, its layout compiles and
    renders blank, and a filled one is kept as a document kind its process knows."""
    where = f"plugin '{plugin}': template '{mall.key}'"
    if not fields_of(mall, processes):
        raise PluginError(f"{where} has no fields: declare them, or name the mall in a process form")
    if mall.document_kind and processes and processes[-1].document_kind(mall.document_kind) is None:
        raise PluginError(f"{where} is kept as unknown document kind '{mall.document_kind}'")
    try:
        render_html(mall, processes, MallContext(kommun="Kommunen"))
    except TemplateError as exc:
        raise PluginError(f"{where} has a layout that does not render: {exc}") from exc


def _answer_text(f: FormField, value: str) -> str:
    """An answer as the workspace shows it (core.forms), an amount in kronor as Swedish writes it."""
    if f.kind == "amount" and value:
        return f"{format_amount(Decimal(value))} kr"
    return display_answer(f, value)


def format_amount(amount: Decimal) -> str:
    return format_decimal(amount, locale="sv_SE")


def long_date(day: date) -> str:
    """1 januari 2027."""
    return format_date(day, format="long", locale="sv_SE")


def render_html(mall: TemplateRef, processes: tuple[ProcessDefinition, ...], ctx: MallContext) -> str:
    fields = fields_of(mall, processes)
    env = _environment(mall)
    template = env.get_template("layout.html" if mall.layout else "mall.html")
    return template.render(
        mall=mall, title=mall.name if ctx.blank else document_title(mall), fields=fields, labels={f.key: f.label for f in fields}, kommun=ctx.kommun, decision_body=ctx.decision_body, number=ctx.number,
        case=ctx.case, parties=ctx.parties, answers=ctx.answers, blank=ctx.blank,
        today=(ctx.today or clock.today()).isoformat(),
        answer=lambda f: _answer_text(f, ctx.answers.get(f.key, "")),
        value=lambda key: ctx.answers.get(key, ""),
        motivation=lambda f: ctx.answers.get(f.key + MOTIVATION_SUFFIX, ""),
    )


def render_pdf(mall: TemplateRef, processes: tuple[ProcessDefinition, ...], ctx: MallContext) -> bytes:
    """The mall as an archival PDF (PDF/A-3b: fonts embedded, no external resources)."""
    import weasyprint  # imported when used: it takes a moment to load

    html = render_html(mall, processes, ctx)
    return weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/a-3b")


def render_docx(mall: TemplateRef, processes: tuple[ProcessDefinition, ...], ctx: MallContext) -> bytes:
    """The mall as a Word file: the same questions and answers, in Word's own
    headings and tables, for staff who go on editing it."""
    from docx import Document as WordDocument
    from docx.shared import Pt

    doc = WordDocument()
    doc.styles["Normal"].font.size = Pt(10.5)
    title = mall.name if ctx.blank else document_title(mall)
    doc.core_properties.title = title
    doc.core_properties.language = "sv-SE"
    header = doc.add_paragraph()
    header.add_run(ctx.kommun).bold = True
    if ctx.number:
        header.add_run(f"\nDiarienummer {ctx.number}")
    doc.add_heading(title, level=1)
    if mall.purpose:
        doc.add_paragraph(mall.purpose)
    if ctx.case is not None:
        doc.add_heading("Partnerskapet", level=2)
        rows = [("Partnerskap", ctx.case.title), ("Samhällsutmaning", ctx.case.samhallsutmaning),
                ("Parter", "\n".join([ctx.kommun, *(p.name for p in ctx.parties if not p.public)])), ("Period", ctx.case.period)]
        table = doc.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, value in rows:
            if value:
                cells = table.add_row().cells
                cells[0].text, cells[1].text = label, value
        for party in ctx.parties:
            if party.contributions:
                doc.add_heading(f"Bidrag från {party.name}", level=3)
                for what, amount, description in party.contributions:
                    doc.add_paragraph(" – ".join(x for x in (what, amount, description) if x), style="List Bullet")
    for f in fields_of(mall, processes):
        doc.add_heading(f.label, level=2)
        if ctx.blank:
            if f.hint:
                doc.add_paragraph(f.hint).italic = True
            if f.kind == "yesno":
                doc.add_paragraph("☐ Ja    ☐ Nej")
            for _, label in f.choices:
                doc.add_paragraph(f"☐ {label}")
            if f.kind in ("text", "date", "amount") or f.motivation_when is not None:
                doc.add_paragraph("")
        else:
            doc.add_paragraph(_answer_text(f, ctx.answers.get(f.key, "")))
            if motivation := ctx.answers.get(f.key + MOTIVATION_SUFFIX):
                doc.add_paragraph(f"Motivering: {motivation}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- shared mallar

# What an agreement holds beyond the case's own facts (the parties, their
# contributions, the period and the goals come from the partnership). A
# plugin's agreement mall uses these with AGREEMENT_LAYOUT, or its own.
AGREEMENT_FIELDS = (
    FormField("syfte", "Syfte: hur partnerskapet möter samhällsutmaningen, och vilket beslutat program, "
              "vilken plan eller vilket mål det är ett steg i att förverkliga", "text",
              hint="Till exempel nämndens verksamhetsplan eller ett program som kommunfullmäktige beslutat."),
    FormField("mal_och_aktiviteter", "Mål och aktiviteter, och varför de är väsentliga för att lösa utmaningen",
              "text", hint="Aktiviteter och åtaganden som inte behövs för att möta utmaningen hör inte hit."),
    FormField("styrning", "Styrning: vilka som ingår i styrgruppen och arbetsgruppen och hur ofta de möts", "text"),
    FormField("uppfoljning", "Uppföljning och utvärdering: vad som följs upp varje år, vilken statistik som "
              "redovisas och när partnerskapet utvärderas", "text"),
    FormField("avslut", "Villkor för att avsluta överenskommelsen i förtid", "text"),
    FormField("ovrigt", "Övriga villkor och åtaganden", "text", required=False),
)
AGREEMENT_LAYOUT = '{% extends "overenskommelse.html" %}'

# A yearly follow-up of a running agreement (the generic default's and
# Hässelby-Vällingby's).
FOLLOW_UP_FIELDS = (
    FormField("verksamhet", "Hur har verksamheten bedrivits under året?", "text"),
    FormField("mal", "Hur väl har överenskommelsens mål nåtts?", "text"),
    FormField("bidrag", "Har parterna bidragit med det som överenskommits?", "text"),
    FormField("medel", "Hur har de offentliga medlen använts?", "text"),
    FormField("justeringar", "Behöver något justeras under nästa år, och vem beslutar i så fall om det?", "text",
              required=False),
)
