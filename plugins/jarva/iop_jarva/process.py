"""Järva's IOP process (seed 002, DOMAIN.md JV-01 to JV-22) as data.

Four parts: Inleda, Genomföra, Följa upp/utvärdera/slutrapportera, Avsluta.
The same process applies whatever the initiative's origin (JV-01).
"""

from __future__ import annotations

from core.process import (
    After,
    Before,
    FormDefinition,
    FormField,
    MeetingRule,
    Outcome,
    Phase,
    ProcessDefinition,
    QuarterEachYear,
    QuartersOfFinalYear,
    Requirement,
    Step,
)

CODE = "jarva"

YES_NO_REASON = {"motivation_when": False}

CHECKLISTA = FormDefinition(
    key="checklista_overvagande",
    title="Checklista inför övervägande om att inleda IOP",
    template="checklista_overvagande",
    rule_ids=("JV-06", "JV-21", "JV-22", "GEN-02", "GEN-03"),
    fields=(
        FormField("ansvarsomrade", "Knyter verksamheten an till något av nämndens ansvarsområden?", "yesno", **YES_NO_REASON),
        FormField("oppen_for_alla", "Är verksamheten öppen och tillgänglig för alla i målgruppen?", "yesno", **YES_NO_REASON),
        FormField("tydlig_samverkan", "Behövs en tydlig samverkan mellan parterna?", "yesno", **YES_NO_REASON),
        FormField("ingen_fardig_losning", "Saknas en färdig lösning eller tjänst som går att köpa?", "yesno", **YES_NO_REASON),
        FormField("langsiktig", "Kan båda parter bära ett långsiktigt samarbete?", "yesno", **YES_NO_REASON),
        FormField("kostnadseffektiv", "Är verksamheten kostnadseffektiv och hushåller den med offentliga medel?", "yesno", **YES_NO_REASON),
        FormField("lokalt_perspektiv", "Har samhällsutmaningen ett lokalt perspektiv?", "yesno", **YES_NO_REASON),
        FormField("verifierbar", "Går samhällsutmaningen att belägga med statistik eller undersökningar?", "yesno", **YES_NO_REASON),
        FormField("bada_bidrar", "Bidrar båda parter med resurser?", "yesno", **YES_NO_REASON),
        FormField(
            "bedomning", "Stabsenhetens bedömning", "choice",
            choices=(("iop", "IOP är möjligt och lämpligt"), ("annan_form", "Ett annat stöd passar bättre"), ("nej", "IOP är inte möjligt")),
        ),
        FormField("motivering", "Motivering", "text"),
    ),
)

GRANSKNING = FormDefinition(
    key="granskning",
    title="Granskning av den idéburna parten och partnerskapet",
    rule_ids=("JV-07", "GEN-04"),
    fields=(
        FormField("ideburen", "Är parten idéburen?", "yesno", **YES_NO_REASON),
        FormField("vardegrund", "Delar parten stadens värdegrund?", "yesno", **YES_NO_REASON),
        FormField("kommunallagen", "Är partnerskapet förenligt med kommunallagen?", "yesno", **YES_NO_REASON),
        FormField("upphandling", "Är det klarlagt att upphandlingsreglerna inte är tillämpliga?", "yesno", **YES_NO_REASON),
        FormField("statsstod", "Är statsstödsreglerna beaktade?", "yesno", **YES_NO_REASON),
        FormField("juridik_datum", "Datum för avstämning med stadens juridiska enhet", "date"),
        FormField("aterkoppling", "Återkoppling till organisationen", "text"),
    ),
)

STOP = Outcome("avbryt", "Avbryt processen", "stop", needs_reason=True)
OTHER_SUPPORT = (
    Outcome("foreningsbidrag", "Hänvisa till föreningsbidrag", "redirect", "foreningsbidrag", needs_reason=True),
    Outcome("upphandling", "Hänvisa till upphandling", "redirect", "upphandling", needs_reason=True),
    Outcome("annan_samverkan", "Hänvisa till annan samverkan", "redirect", "annan_samverkan", needs_reason=True),
)
CONTINUE = Outcome("fortsatt", "Gå vidare")

ORGANISATION_DOCUMENTS = (
    ("arsmotesprotokoll", "Protokoll från senaste årsmötet saknas."),
    ("verksamhetsberattelse", "Senaste verksamhetsberättelsen saknas."),
    ("resultat_och_balansrakning", "Senaste resultat- och balansräkningen saknas."),
    ("revisionsberattelse", "Senaste revisionsberättelsen saknas."),
    ("verksamhetsplan", "Senaste verksamhetsplanen saknas."),
)

INLEDA = Phase("inleda", "Inleda", (
    Step("initiativ", "Registrera initiativet", ("handlaggare", "stabsenhet"),
         requires=(Requirement("field", "samhallsutmaning", "Beskriv samhällsutmaningen."),),
         rule_ids=("JV-01", "JV-03"),
         description="Initiativet kan komma från civilsamhället, från en tjänsteperson eller enhet, eller från nämnden. "
                     "Det anmäls till stabsenheten."),
    Step("forsta_mote", "Första möte med den idéburna parten", ("stabsenhet",), after=("initiativ",),
         deadline=After("initiative", weeks=4),
         requires=(
             Requirement("field", "organisation", "Ange vilken organisation initiativet gäller (namn och organisationsnummer)."),
             *(Requirement("document", kind, message) for kind, message in ORGANISATION_DOCUMENTS),
             Requirement("meetings", "forsta_mote", "Det första mötet är inte registrerat."),
         ),
         rule_ids=("JV-04", "JV-05"),
         description="Stabsenheten kallar organisationen och en företrädare för den berörda kärnverksamheten."),
    Step("overvagande", "Övervägande", ("stabsenhet",), after=("forsta_mote",), form="checklista_overvagande",
         templates=("checklista_overvagande",), outcomes=(CONTINUE, *OTHER_SUPPORT, STOP),
         requires=(Requirement("form", "checklista_overvagande", "Fyll i checklistan inför övervägandet."),),
         rule_ids=("JV-06",)),
    Step("direktorens_bedomning", "Stadsdelsdirektörens bedömning", ("stadsdelsdirektor",), after=("overvagande",),
         outcomes=(CONTINUE, STOP),
         requires=(Requirement("decision", "overvagande", "Övervägandet är inte klart."),),
         rule_ids=("JV-06",),
         description="Bedömningen dokumenteras och diarieförs; organisationen får återkoppling med skälen."),
    Step("granskning", "Granskning av parten och partnerskapet", ("stabsenhet",), after=("direktorens_bedomning",),
         form="granskning", outcomes=(CONTINUE, STOP),
         requires=(Requirement("form", "granskning", "Fyll i granskningen."),),
         rule_ids=("JV-07",)),
    Step("idemoten", "Idémöten", ("stabsenhet",), after=("granskning",), templates=("overenskommelse",),
         outcomes=(CONTINUE, STOP),
         requires=(Requirement("meetings", "idemote", "Minst två idémöten behövs innan förslaget är klart.", minimum=2),),
         rule_ids=("JV-08",)),
    Step("forslag", "Förslag till överenskommelse", ("stabsenhet",), after=("idemoten",), templates=("overenskommelse", "budget"),
         requires=(
             Requirement("field", "goals", "Ange målen för partnerskapet."),
             Requirement("field", "period_start", "Ange startdatum för överenskommelsen."),
             Requirement("field", "period_end", "Ange slutdatum för överenskommelsen."),
             Requirement("document", "overenskommelse_forslag", "Förslaget till överenskommelse saknas."),
         ),
         rule_ids=("JV-08", "JV-09", "JV-14", "GEN-06", "GEN-07")),
    Step("stallningstagande", "Ställningstagande", ("avdelningschef",), after=("forslag",), outcomes=(CONTINUE, STOP),
         rule_ids=("JV-10",),
         description="Förslaget går till avdelningschefen och organisationens behöriga organ."),
    Step("namndbeslut", "Nämndens beslut", ("stadsdelsnamnd",), after=("stallningstagande",), outcomes=(CONTINUE, STOP),
         requires=(Requirement("document", "tjansteutlatande", "Tjänsteutlåtandet till nämnden saknas."),),
         rule_ids=("JV-11",),
         description="Nämnden ger stadsdelsdirektören mandat att teckna överenskommelsen."),
    Step("undertecknande", "Överenskommelsen undertecknas", ("stadsdelsdirektor",), after=("namndbeslut",),
         requires=(Requirement("document", "overenskommelse_signerad", "Den undertecknade överenskommelsen saknas."),),
         rule_ids=("JV-11",)),
))

GENOMFORA = Phase("genomfora", "Genomföra", (
    Step("utse_koordinator", "Utse IOP-koordinator och grupper", ("avdelningschef",), after=("undertecknande",),
         rule_ids=("JV-12", "JV-13")),
    Step("moten", "Styrgrupps- och arbetsgruppsmöten", ("iop_koordinator", "stabsenhet"), after=("utse_koordinator",),
         recurring=True, rule_ids=("JV-12", "JV-15"),
         requires=(Requirement("meetings", "styrgrupp", "Styrgruppen ska mötas minst tre gånger per år.", minimum=3),
                   Requirement("meetings", "arbetsgrupp", "Arbetsgruppen ska mötas minst fyra gånger per år.", minimum=4))),
))

FOLJA_UPP = Phase("folja_upp", "Följa upp, utvärdera och slutrapportera", (
    Step("uppfoljning", "Årlig uppföljning", ("iop_koordinator", "stabsenhet"), after=("undertecknande",),
         deadline=QuarterEachYear(4), recurring=True, templates=("ekonomisk_redovisning",),
         requires=(Requirement("document", "uppfoljning", "Underlaget för uppföljningen saknas."),),
         rule_ids=("JV-16",)),
    Step("utvardering", "Utvärdering under det sista året", ("iop_koordinator", "stabsenhet"), after=("undertecknande",),
         deadline=QuartersOfFinalYear((1, 2)), templates=("utvardering",),
         requires=(Requirement("document", "utvardering", "Utvärderingen saknas."),),
         rule_ids=("JV-17",)),
    Step("slutrapport", "Slutrapport och ställningstagande", ("stabsenhet", "stadsdelsdirektor"), after=("utvardering",),
         deadline=Before("agreement_end", months=3), templates=("slutrapport",),
         outcomes=(Outcome("avsluta", "Avsluta när överenskommelsen löper ut"),
                   Outcome("omforhandla", "Omförhandla", needs_reason=True)),
         requires=(Requirement("document", "slutrapport", "Slutrapporten saknas."),),
         rule_ids=("JV-18", "JV-19")),
))

AVSLUTA = Phase("avsluta", "Avsluta", (
    Step("avslut", "Partnerskapet avslutas", ("stadsdelsdirektor",), after=("slutrapport",),
         deadline=After("agreement_end"), rule_ids=("JV-20",),
         description="Partnerskapet upphör alltid när överenskommelsen löper ut, eller tidigare enligt dess villkor."),
))

PROCESS_V1 = ProcessDefinition(
    kommun=CODE,
    version=1,
    title="Lokala tillämpningsanvisningar för IOP i Järva stadsdelsnämnd",
    phases=(INLEDA, GENOMFORA, FOLJA_UPP, AVSLUTA),
    forms=(CHECKLISTA, GRANSKNING),
    meeting_rules=(
        MeetingRule("forsta_mote", "Första möte", rule_ids=("JV-04",)),
        MeetingRule("idemote", "Idémöte", total_max=5, offer_stop_after=3, rule_ids=("JV-08",)),
        MeetingRule("styrgrupp", "Styrgruppsmöte", per_year_min=3, rule_ids=("JV-12",)),
        MeetingRule("arbetsgrupp", "Arbetsgruppsmöte", per_year_min=4, rule_ids=("JV-12",)),
    ),
)
