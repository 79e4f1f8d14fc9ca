"""The generic default: national guidance (Forum's criteria, the GEN and ST rules).

It is a plugin like any kommun's, built into the core and always registered, so
a tenant with no kommun plugin enabled can start at once. Its process follows
what every IOP shares (DOMAIN.md GEN-01 to GEN-07) and Forum's criteria and the
choice between föreningsbidrag, upphandling and IOP (ST-01, ST-02, seed 004).
Where the documents give no role or timing, the choice is inferred and marked.
"""

from __future__ import annotations

from core.mallar import AGREEMENT_FIELDS, AGREEMENT_LAYOUT, FOLLOW_UP_FIELDS
from core.plugin_api import (
    KommunProfile,
    RegistrationNumberFormat,
    Role,
    RolesTable,
    TemplateRef,
    hookimpl,
)
from core.process import (
    After,
    AgreementRule,
    Before,
    Condition,
    DocumentKind,
    EachYear,
    FormDefinition,
    FormField,
    NO,
    Outcome,
    Phase,
    ProcessDefinition,
    Requirement,
    Step,
    must_be_yes,
    outside_statutory_duties,
    statutory_duty_question,
    yes_no,
)

CODE = "generic"

PROFILE = KommunProfile(
    code=CODE,
    name="Nationell vägledning",
    kind="kommun",
    decision_body="Nämnd",
    registration_number=RegistrationNumberFormat(
        pattern=r"\d{4}/\d{1,6}", template="{year}/{serial:04d}", example="2026/0001"
    ),
)

ROLES = RolesTable(
    kommun=CODE,
    roles=(
        Role("namnd", "Nämnd", "decision_body", "Beslutar om att ingå, omförhandla och avsluta IOP."),
        Role("direktor", "Förvaltningsdirektör", "director", "Bedömer om ett initiativ ska gå vidare."),
        Role("samordnare", "IOP-samordnare", "coordinator_unit", "Samordnar IOP-arbetet och ser till att processen följs."),
        Role("chef", "Chef", "manager", "Ser till att kärnverksamheten deltar."),
        Role("koordinator", "IOP-koordinator", "coordinator", "Samordnar ett partnerskap och dess dokumentation."),
        Role("handlaggare", "Handläggare", "case_officer", "Registrerar initiativ och handlägger ärenden."),
    ),
)

TEMPLATES = (
    TemplateRef(CODE, "kriterier_forum", "Forums sex kriterier för IOP", "Prövning av om IOP är möjligt.", ("ST-01",)),
    TemplateRef(CODE, "val_av_form", "Val av samverkansform", "IOP, föreningsbidrag eller upphandling.", ("ST-02",)),
    TemplateRef(CODE, "overenskommelse", "Överenskommelse om IOP", "Vad överenskommelsen ska innehålla.", ("GEN-06",),
                fields=AGREEMENT_FIELDS, layout=AGREEMENT_LAYOUT, document_kind="overenskommelse_forslag"),
    TemplateRef(CODE, "uppfoljning", "Uppföljning av överenskommelse", "Årlig uppföljning av en pågående överenskommelse.",
                ("GEN-07",), fields=FOLLOW_UP_FIELDS, document_kind="uppfoljning"),
    TemplateRef(CODE, "utvardering", "Utvärdering av IOP", "Utvärdering innan överenskommelsen löper ut.", ("GEN-07",),
                fields=(
                    FormField("genomforande", "Hur har verksamheten genomförts?", "text"),
                    FormField("maluppfyllelse", "Hur väl har målen nåtts?", "text"),
                    FormField("bidrag", "Har båda parter bidragit som överenskommet?", "text"),
                    FormField("larande", "Vad har parterna lärt sig?", "text"),
                    FormField("fortsattning", "Bör partnerskapet avslutas, förlängas eller förhandlas om, och varför?",
                              "text"),
                ), document_kind="utvardering"),
)


# ---------------------------------------------------------------- process


INITIATIV = FormDefinition(
    key="initiativ",
    title="Initiativet",
    fields=(
        FormField("ursprung", "Varifrån kommer initiativet?", "choice", choices=(
            ("ideburen", "Från den idéburna organisationen"),
            ("offentlig", "Från kommunen: en nämnd, en förvaltning eller en tjänsteperson"),
        ), hint="Enligt Forums kriterier ska själva verksamheten ske på den idéburna organisationens initiativ."),
        FormField("verksamhet", "Vilken verksamhet gäller initiativet?", "text"),
    ),
)

# ST-02: the choice of form, the "lathund" of seed 004.
VAL_AV_FORM = FormDefinition(
    key="val_av_form",
    title="Val av samverkansform",
    template="val_av_form",
    rule_ids=("ST-02", "ST-03"),
    fields=(
        FormField("stodform", "Vad vill kommunen stödja?", "choice", choices=(
            ("allmant_arbete", "Organisationens allmänna arbete"),
            ("specifik_tjanst", "En specifik tjänst som flera leverantörer kan erbjuda"),
            ("specifik_verksamhet", "En specifik verksamhet som organisationen driver och som ryms inom det kommunen "
                                    "får göra"),
        ), hint="Allmänt stöd till en organisation ges som föreningsbidrag. En tjänst som flera kan leverera "
                "upphandlas, eftersom det finns en marknad att värna. En specifik verksamhet som organisationen "
                "driver kan bli ett IOP."),
        statutory_duty_question(),
        FormField("motivering", "Motivera valet", "text"),
    ),
)

# ST-01: Forum's six criteria for when IOP is possible (seed 004). The fifth
# also covers GEN-03 (both parties contribute, not necessarily money).
KRITERIER = FormDefinition(
    key="kriterier_forum",
    title="Forums sex kriterier för IOP",
    template="kriterier_forum",
    rule_ids=("ST-01", "GEN-03"),
    fields=(
        yes_no("ideburet_initiativ", "Sker verksamheten på initiativ av den idéburna organisationen?"),
        yes_no("politiskt_program", "Är verksamheten ett led i att förverkliga ett politiskt program eller en plan där "
                                     "idéburna organisationer särskilt nämns?"),
        yes_no("utanfor_foreningsbidrag", "Ligger verksamheten utanför det ordinarie föreningsbidraget?"),
        yes_no("ingen_marknad", "Saknas en marknad eller konkurrens som behöver värnas?"),
        yes_no("bada_finansierar", "Är båda parter med och finansierar arbetet?",
                hint="Med pengar eller andra resurser, till exempel ideellt arbete, lokaler eller administration."),
        yes_no("ingen_detaljstyrning", "Kan verksamheten bedrivas utan att kommunen styr den i detalj?"),
    ),
)

FORUTSATTNINGAR = FormDefinition(
    key="forutsattningar",
    title="Gemensamt behov och allmännyttigt mål",
    rule_ids=("GEN-01", "GEN-02"),
    fields=(
        # GEN-01
        yes_no("gemensamt_behov", "Finns ett gemensamt behov av att samverka?"),
        yes_no("gemensamt_ansvar", "Har båda parter ett gemensamt engagemang och ansvar för att nå ett mål som de "
                                    "formulerar tillsammans?"),
        # GEN-02
        yes_no("allmannyttigt", "Är målet allmännyttigt?"),
        yes_no("ingen_fardig_losning", "Saknas färdiga lösningar eller tjänster som kan köpas?"),
    ),
)

RATTSLIG_PROVNING = FormDefinition(
    key="rattslig_provning",
    title="Rättslig prövning",
    rule_ids=("GEN-04",),
    fields=(
        yes_no("upphandling", "Är samarbetet förenligt med upphandlingsreglerna?",
                hint="Omfattas samarbetet av krav på upphandling ska det upphandlas."),
        yes_no("kommunallagen", "Är samarbetet förenligt med kommunallagen?"),
        yes_no("statsstod", "Är samarbetet förenligt med EU:s statsstödsregler?"),
        FormField("underlag", "Hur har prövningen gjorts?", "text",
                  hint="Beskriv vad prövningen bygger på och vem som har gjort den."),
    ),
)

DOCUMENT_KINDS = (
    DocumentKind("overenskommelse_forslag", "Förslag till överenskommelse"),
    DocumentKind("beslutsunderlag", "Beslutsunderlag till nämnden"),
    DocumentKind("overenskommelse_signerad", "Undertecknad överenskommelse"),
    DocumentKind("uppfoljning", "Uppföljning av överenskommelse"),
    DocumentKind("redovisning_part", "Den idéburna partens redovisning"),
    DocumentKind("utvardering", "Utvärdering av IOP"),
)

# The idéburna party's yearly report, filled in the portal when staff ask for
# it (core.process.FormDefinition.produces); the follow-up builds on it.
REDOVISNING = FormDefinition(
    key="redovisning",
    title="Den idéburna partens redovisning",
    produces="redovisning_part",
    rule_ids=(),
    fields=(
        FormField("arbete_mot_mal", "Hur har ni arbetat mot överenskommelsens mål under året?", "text"),
        FormField("resultat", "Vad har arbetet gett, och för hur många?", "text"),
        FormField("medel", "Hur har kommunens bidrag använts?", "text"),
        FormField("avvikelser", "Har något inte blivit som planerat, och vad gör ni åt det?", "text", required=False),
    ),
)

STOP = Outcome("avbryt", "Avbryt processen", "stop", needs_reason=True)


def _all_yes(form: FormDefinition, message: str) -> tuple[Condition, ...]:
    return tuple(must_be_yes(form.key, f.key, f"{message}: {f.label}") for f in form.fields if f.kind == "yesno")


PROVA = Phase("prova", "Pröva initiativet", (
    Step("initiativ", "Ta emot initiativet", ("handlaggare", "samordnare"), form="initiativ",
         requires=(Requirement("field", "samhallsutmaning", "Beskriv samhällsutmaningen."),
                   Requirement("form", "initiativ", "Fyll i uppgifterna om initiativet.")),
         rule_ids=("GEN-01",),
         description="Initiativet registreras, oavsett om det kommer från en idéburen organisation eller från "
                     "kommunen. Beskriv den samhällsutmaning som partnerskapet ska möta."),
    Step("val_av_form", "Val av samverkansform", ("samordnare", "handlaggare"), after=("initiativ",),
         form="val_av_form", templates=("val_av_form",), sets_status="beredning",
         outcomes=(
             Outcome("fortsatt", "Pröva om IOP är möjligt", when=(
                 Condition("val_av_form", "stodform", "specifik_verksamhet",
                           "IOP passar när kommunen vill stödja en specifik verksamhet som organisationen driver."),
                 outside_statutory_duties("val_av_form"))),
             Outcome("foreningsbidrag", "Hänvisa till föreningsbidrag", "redirect", "foreningsbidrag", needs_reason=True,
                     when=(Condition("val_av_form", "stodform", "allmant_arbete",
                                     "Föreningsbidrag passar när kommunen vill stödja organisationens allmänna arbete."),)),
             Outcome("upphandling", "Hänvisa till upphandling", "redirect", "upphandling", needs_reason=True,
                     when=(Condition("val_av_form", "stodform", "specifik_tjanst",
                                     "Upphandling passar när kommunen efterfrågar en tjänst som flera kan leverera."),)),
             STOP,
         ),
         requires=(Requirement("form", "val_av_form", "Fyll i valet av samverkansform."),),
         rule_ids=("ST-02",),
         description="Välj den form som passar: föreningsbidrag för stöd till organisationens allmänna arbete, "
                     "upphandling för en tjänst som flera kan leverera, och IOP för en specifik verksamhet som "
                     "organisationen driver och som kommunen vill stödja."),
    Step("kriterier", "Forums sex kriterier för IOP", ("samordnare", "handlaggare"), after=("val_av_form",),
         form="kriterier_forum", templates=("kriterier_forum",),
         outcomes=(
             Outcome("fortsatt", "Kriterierna är uppfyllda", when=_all_yes(KRITERIER, "Kriteriet är inte uppfyllt")),
             Outcome("foreningsbidrag", "Hänvisa till föreningsbidrag", "redirect", "foreningsbidrag", needs_reason=True,
                     when=(Condition("kriterier_forum", "utanfor_foreningsbidrag", NO,
                                     "Verksamheten ligger utanför det ordinarie föreningsbidraget."),)),
             Outcome("upphandling", "Hänvisa till upphandling", "redirect", "upphandling", needs_reason=True,
                     when=(Condition("kriterier_forum", "ingen_marknad", NO,
                                     "Det finns ingen marknad eller konkurrens att värna."),)),
             STOP,
         ),
         requires=(Requirement("field", "organisation", "Ange vilken idéburen organisation initiativet gäller."),
                   Requirement("form", "kriterier_forum", "Fyll i Forums sex kriterier.")),
         rule_ids=("ST-01", "GEN-03"),
         description="IOP är möjligt när verksamheten sker på organisationens initiativ, är ett led i ett politiskt "
                     "program eller en plan, inte hör till det ordinarie föreningsbidraget, inte har en marknad att "
                     "värna, finansieras av båda parter och inte styrs i detalj av kommunen."),
    Step("forutsattningar", "Gemensamt behov och allmännyttigt mål", ("samordnare", "handlaggare"),
         after=("kriterier",), form="forutsattningar",
         outcomes=(
             Outcome("fortsatt", "Förutsättningarna finns", when=_all_yes(FORUTSATTNINGAR, "Förutsättningen saknas")),
             Outcome("upphandling", "Hänvisa till upphandling", "redirect", "upphandling", needs_reason=True,
                     when=(Condition("forutsattningar", "ingen_fardig_losning", NO,
                                     "Det finns inga färdiga lösningar eller tjänster att köpa."),)),
             STOP,
         ),
         requires=(Requirement("form", "forutsattningar", "Fyll i förutsättningarna för IOP."),),
         rule_ids=("GEN-01", "GEN-02"),
         description="Parterna har ett gemensamt behov av att samverka och ett gemensamt ansvar för ett mål som de "
                     "formulerar tillsammans. Målet är allmännyttigt, och det finns inget färdigt att köpa."),
    Step("rattslig_provning", "Rättslig prövning", ("samordnare", "handlaggare"), after=("forutsattningar",),
         form="rattslig_provning",
         outcomes=(
             Outcome("fortsatt", "Samarbetet är förenligt med lagar och regler",
                     when=_all_yes(RATTSLIG_PROVNING, "Prövningen är inte godkänd")),
             Outcome("upphandling", "Hänvisa till upphandling", "redirect", "upphandling", needs_reason=True,
                     when=(Condition("rattslig_provning", "upphandling", NO,
                                     "Prövningen visar inte att samarbetet omfattas av krav på upphandling."),)),
             STOP,
         ),
         requires=(Requirement("form", "rattslig_provning", "Fyll i den rättsliga prövningen."),),
         rule_ids=("GEN-04",),
         description="Innan ett IOP ingås prövas att reglerna om upphandling, kommunallagen och EU:s "
                     "statsstödsregler inte hindrar samarbetet."),
))

OVERENSKOMMELSE = Phase("overenskommelse", "Ingå överenskommelse", (
    Step("forslag", "Förslag till överenskommelse", ("samordnare", "handlaggare"), after=("rattslig_provning",),
         templates=("overenskommelse",), sets_status="beslut",
         requires=(
             Requirement("field", "goals", "Ange målen för partnerskapet."),
             Requirement("field", "period_start", "Ange startdatum för överenskommelsen."),
             Requirement("field", "period_end", "Ange slutdatum för överenskommelsen."),
             Requirement("contributions", "", "Ange vad båda parter bidrar med."),
             Requirement("document", "overenskommelse_forslag", "Förslaget till överenskommelse saknas."),
         ),
         rule_ids=("GEN-06", "GEN-03", "GEN-07"),
         description="Parterna skriver överenskommelsen tillsammans. Den anger vad partnerskapet avser, vilka resurser "
                     "varje part bidrar med, hur länge den gäller och vilka villkor och åtaganden som finns."),
    Step("namndbeslut", "Nämndens beslut", ("namnd",), after=("forslag",),
         outcomes=(Outcome("fortsatt", "Nämnden godkänner överenskommelsen", needs_reason=True),
                   Outcome("avslag", "Nämnden avslår förslaget", "stop", needs_reason=True)),
         requires=(Requirement("document", "beslutsunderlag", "Beslutsunderlaget till nämnden saknas."),),
         rule_ids=("GEN-05",),
         description="Nämnden beslutar om överenskommelsen. Beslutet och skälen för det dokumenteras och diarieförs."),
    # Inferred: the director signs on the nämnd's decision (as JV-11).
    Step("undertecknande", "Överenskommelsen undertecknas", ("direktor",), after=("namndbeslut",),
         sets_status="pagaende",
         requires=(Requirement("document", "overenskommelse_signerad", "Den undertecknade överenskommelsen saknas."),),
         rule_ids=("GEN-06",),
         description="Båda parter undertecknar överenskommelsen. Den gäller från det beslutade startdatumet."),
))

FOLJA_UPP = Phase("folja_upp", "Följa upp och utvärdera", (
    # Seed 004: agreements are followed up ("följs upp"); once a year is
    # inferred (as JV-16 and HV-03).
    Step("uppfoljning", "Årlig uppföljning", ("koordinator", "samordnare"), after=("undertecknande",),
         deadline=EachYear(), recurring=True, templates=("uppfoljning",),
         outcomes=(Outcome("genomford", "Uppföljningen är gjord"),),
         requires=(Requirement("document", "uppfoljning", "Årets uppföljning saknas."),),
         rule_ids=("GEN-07",),
         description="Överenskommelsen följs upp minst en gång per år, så att båda parter ser hur arbetet går mot "
                     "målen."),
    # GEN-07: the agreement has a fixed period and is evaluated. Three months
    # before the end is inferred (as JV-18), so both parties know in time
    # whether anything follows; nothing beyond the period is promised.
    Step("utvardering", "Utvärdering före överenskommelsens slut", ("koordinator", "samordnare"),
         after=("undertecknande",), deadline=Before("agreement_end", months=3), templates=("utvardering",),
         outcomes=(Outcome("fortsatt", "Utvärderingen är klar"),),
         requires=(Requirement("document", "utvardering", "Utvärderingen saknas."),),
         rule_ids=("GEN-07",),
         description="Båda parter utvärderar partnerskapet innan överenskommelsen löper ut. Överenskommelsen gäller "
                     "en bestämd period, och inget utlovas efter den."),
))

AVSLUTA = Phase("avsluta", "Avsluta", (
    Step("avslut", "Partnerskapet avslutas", ("direktor", "samordnare"), after=("utvardering",),
         deadline=After("agreement_end"), outcomes=(Outcome("avsluta", "Avsluta partnerskapet", "end"),),
         rule_ids=("GEN-07",),
         description="Partnerskapet avslutas när överenskommelsen löper ut. Avslutas det tidigare skrivs skälet "
                     "i motiveringen."),
))

PROCESS_V1 = ProcessDefinition(
    kommun=CODE,
    version=1,
    title="Idéburet offentligt partnerskap enligt nationell vägledning",
    phases=(PROVA, OVERENSKOMMELSE, FOLJA_UPP, AVSLUTA),
    forms=(INITIATIV, VAL_AV_FORM, KRITERIER, FORUTSATTNINGAR, RATTSLIG_PROVNING, REDOVISNING),
    document_kinds=DOCUMENT_KINDS,
    # The nämnd decides the agreement and the director signs on its decision
    # (inferred, as JV-11); a change of what it fixes goes back to the nämnd (GEN-09).
    agreement=AgreementRule(decided_at_step="namndbeslut", signatory_roles=("direktor",),
                            amended_by_roles=("namnd",)),
)


@hookimpl
def iop_register_kommuner():
    return [PROFILE]


@hookimpl
def iop_register_roles():
    return [ROLES]


@hookimpl
def iop_register_templates():
    return list(TEMPLATES)


@hookimpl
def iop_register_processes():
    return [PROCESS_V1]
