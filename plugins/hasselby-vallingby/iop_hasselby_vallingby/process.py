"""Hässelby-Vällingby's IOP routine (seed 000, DOMAIN.md HV-01 to HV-07) as data.

Seed 000 is the nämnd's decision on one written, administration-wide routine
for every IOP initiative (HV-01): what is checked, what the agreement contains
and what is followed up. Its two templates are *Bedömning inför en
överenskommelse om IOP* (HV-02) and *Uppföljning av överenskommelse* (HV-03);
the city auditors' demands (HV-04, HV-05, HV-06) decide what the assessment and
the agreement must show. The routine's own text is an appendix we do not have,
so the order of the steps and who owns each one are inferred (marked below)
from the roles table (HV-07) and Stockholms stad's routine (seed 002).
"""

from __future__ import annotations

from core.process import (
    After,
    AgreementRule,
    Condition,
    DocumentKind,
    EachYear,
    FormDefinition,
    FormField,
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

CODE = "hasselby-vallingby"


INITIATIV = FormDefinition(
    key="initiativ",
    title="Initiativet",
    rule_ids=("HV-01",),
    fields=(
        FormField("verksamhet", "Vilken verksamhet föreslås?", "text"),
        FormField("avdelning", "Vilken avdelning berörs?", "text",
                  hint="Avdelningschefen för den avdelningen ansvarar för verksamheten som partnerskapet berör."),
    ),
)

# HV-02: the template's content is inferred (DOMAIN.md): the GEN and ST
# criteria, the legal checks of GEN-04, and the auditors' demands HV-04 and HV-05.
BEDOMNING = FormDefinition(
    key="bedomning",
    title="Bedömning inför en överenskommelse om IOP",
    template="bedomning",
    rule_ids=("HV-02", "HV-04", "HV-05", "HV-06", "GEN-01", "GEN-02", "GEN-03", "GEN-04", "ST-01", "ST-03"),
    fields=(
        # ST-03
        statutory_duty_question(),
        # GEN-01
        yes_no("gemensamt_behov", "Finns ett gemensamt behov av att samverka, och ett gemensamt engagemang och ansvar "
                                   "för ett mål som parterna formulerar tillsammans?"),
        # GEN-02
        yes_no("allmannyttigt", "Är målet allmännyttigt?"),
        yes_no("ingen_fardig_losning", "Saknas färdiga lösningar eller tjänster som kan köpas?"),
        # ST-01: Forum's six criteria. The fifth also covers GEN-03.
        yes_no("ideburet_initiativ", "Sker verksamheten på initiativ av den idéburna organisationen?"),
        yes_no("politiskt_program", "Är verksamheten ett led i att förverkliga ett politiskt beslutat program eller en "
                                     "plan där idéburna organisationer särskilt nämns?"),
        yes_no("utanfor_foreningsbidrag", "Ligger verksamheten utanför det ordinarie föreningsbidraget?"),
        yes_no("ingen_marknad", "Saknas en marknad eller konkurrens som behöver värnas?"),
        yes_no("bada_bidrar", "Bidrar båda parter till verksamheten, med pengar eller andra resurser?",
                hint="Till exempel ideellt arbete, lokaler eller administration."),
        yes_no("ingen_detaljstyrning", "Kan verksamheten bedrivas utan att förvaltningen styr den i detalj?"),
        # GEN-04
        yes_no("upphandling", "Är partnerskapet förenligt med upphandlingsreglerna?"),
        yes_no("kommunallagen", "Är partnerskapet förenligt med kommunallagen?"),
        yes_no("statsstod", "Är partnerskapet förenligt med EU:s statsstödsregler?"),
        # HV-04
        FormField("utmaning_och_losning", "Beskriv den gemensamma samhällsutmaningen och den lösning som parterna vill "
                                          "arbeta fram tillsammans.", "text"),
        FormField("program_eller_plan", "Vilket politiskt beslutat program eller vilken plan är partnerskapet ett led i "
                                        "att förverkliga, och på vilket sätt?", "text"),
        # HV-05
        FormField("aktiviteter", "Vilka aktiviteter och åtaganden planeras i partnerskapet?", "text"),
        yes_no("aktiviteter_vasentliga", "Är de planerade aktiviteterna och åtagandena väsentliga för att lösa "
                                          "samhällsutmaningen?"),
        # HV-06
        FormField("slutsats", "Förvaltningens samlade bedömning", "choice", choices=(
            ("iop", "IOP är möjligt och lämpligt"),
            ("foreningsbidrag", "Föreningsbidrag passar bättre"),
            ("upphandling", "Verksamheten bör upphandlas"),
            ("inte_iop", "IOP är inte möjligt"),
        )),
        FormField("motivering", "Motivering till bedömningen", "text"),
    ),
)

# HV-04, HV-05 and GEN-06: what the agreement must contain, checked on the
# proposal before it goes to the nämnd.
INNEHALL = FormDefinition(
    key="innehall_overenskommelse",
    title="Innehållet i förslaget till överenskommelse",
    rule_ids=("HV-04", "HV-05", "GEN-06", "HV-01"),
    fields=(
        FormField("beskriver_utmaning_och_losning", "Beskriver förslaget den gemensamma samhällsutmaningen och lösningen?",
                  "yesno"),
        FormField("beskriver_program", "Beskriver förslaget på vilket sätt partnerskapet är ett led i att förverkliga "
                                       "ett politiskt beslutat program eller en plan?", "yesno"),
        FormField("vasentliga_aktiviteter", "Är aktiviteterna och åtagandena i förslaget väsentliga för att lösa "
                                            "samhällsutmaningen?", "yesno"),
        FormField("resurser_per_part", "Framgår det vilka resurser varje part bidrar med?", "yesno"),
        FormField("villkor_och_ataganden", "Framgår villkoren och åtagandena för verksamheten?", "yesno"),
        FormField("uppfoljning", "Framgår det vad som ska följas upp och hur?", "yesno"),
    ),
)

STOP = Outcome("avbryt", "Avbryt processen", "stop", needs_reason=True)

DOCUMENT_KINDS = (
    DocumentKind("overenskommelse_forslag", "Förslag till överenskommelse"),
    DocumentKind("tjansteutlatande", "Tjänsteutlåtande till nämnden"),
    DocumentKind("overenskommelse_signerad", "Undertecknad överenskommelse"),
    DocumentKind("uppfoljning", "Uppföljning av överenskommelse"),
    DocumentKind("redovisning_part", "Den idéburna partens redovisning"),
)

# The idéburna party's yearly report, filled in the portal when staff ask for
# it (core.process.FormDefinition.produces); the follow-up builds on it.
REDOVISNING = FormDefinition(
    key="redovisning",
    title="Den idéburna partens redovisning",
    produces="redovisning_part",
    rule_ids=("HV-03",),
    fields=(
        FormField("arbete_mot_mal", "Hur har ni arbetat mot överenskommelsens mål under året?", "text"),
        FormField("resultat", "Vad har arbetet gett, och för hur många?", "text"),
        FormField("medel", "Hur har kommunens bidrag använts?", "text"),
        FormField("avvikelser", "Har något inte blivit som planerat, och vad gör ni åt det?", "text", required=False),
    ),
)

# The key answers of the assessment: without them the initiative cannot go on
# as an IOP. Forum's first criterion (the organisation's own initiative) is
# assessed and, when answered 'nej', motivated, but does not stop the process:
# Stockholms stad's own routine lets initiatives come from the administration or
# the nämnd too (JV-01, seed 002), and Hässelby-Vällingby follows the city's
# guidelines (seed 000). This reading is inferred.
_ASSESSMENT = tuple(
    must_be_yes("bedomning", key, f"Bedömningen visar inte att {what}.")
    for key, what in (
        ("gemensamt_behov", "det finns ett gemensamt behov och engagemang"),
        ("allmannyttigt", "målet är allmännyttigt"),
        ("ingen_fardig_losning", "det saknas färdiga lösningar eller tjänster som kan köpas"),
        ("politiskt_program", "verksamheten är ett led i ett politiskt beslutat program eller en plan"),
        ("utanfor_foreningsbidrag", "verksamheten ligger utanför det ordinarie föreningsbidraget"),
        ("ingen_marknad", "det saknas en marknad att värna"),
        ("bada_bidrar", "båda parter bidrar med resurser"),
        ("ingen_detaljstyrning", "verksamheten kan bedrivas utan detaljstyrning från förvaltningen"),
        ("upphandling", "partnerskapet är förenligt med upphandlingsreglerna"),
        ("kommunallagen", "partnerskapet är förenligt med kommunallagen"),
        ("statsstod", "partnerskapet är förenligt med statsstödsreglerna"),
        ("aktiviteter_vasentliga", "aktiviteterna och åtagandena är väsentliga för att lösa samhällsutmaningen"),
    )
)
_CONCLUDES_IOP = Condition("bedomning", "slutsats", "iop", "Den samlade bedömningen är inte att IOP är möjligt och lämpligt.")

_CONTENT = tuple(
    must_be_yes("innehall_overenskommelse", key, f"Förslaget {what}.")
    for key, what in (
        ("beskriver_utmaning_och_losning", "beskriver inte den gemensamma samhällsutmaningen och lösningen"),
        ("beskriver_program", "beskriver inte hur partnerskapet är ett led i ett politiskt beslutat program eller en plan"),
        ("vasentliga_aktiviteter", "innehåller aktiviteter eller åtaganden som inte är väsentliga för lösningen"),
        ("resurser_per_part", "visar inte vilka resurser varje part bidrar med"),
        ("villkor_och_ataganden", "visar inte villkoren och åtagandena"),
        ("uppfoljning", "visar inte vad som ska följas upp"),
    )
)

# HV-01: the routine's three questions (what is checked, what the agreement
# contains, what is followed up) are the first three phases.
BEDOMA = Phase("bedoma", "Ta emot och bedöma initiativet", (
    # Owners inferred: the handläggare handles initiatives, the stab owns the routine (HV-07).
    Step("initiativ", "Ta emot initiativet", ("handlaggare", "stab"), form="initiativ",
         requires=(Requirement("field", "samhallsutmaning", "Beskriv samhällsutmaningen."),
                   Requirement("form", "initiativ", "Fyll i uppgifterna om initiativet.")),
         rule_ids=("HV-01",),
         description="Alla initiativ till IOP hanteras enligt samma skriftliga rutin, oavsett varifrån de kommer."),
    Step("bedomning", "Bedömning inför en överenskommelse om IOP", ("handlaggare", "stab"), after=("initiativ",),
         form="bedomning", templates=("bedomning",), sets_status="beredning",
         outcomes=(
             Outcome("fortsatt", "Lämna bedömningen till stadsdelsdirektören",
                     when=(_CONCLUDES_IOP, outside_statutory_duties("bedomning"), *_ASSESSMENT)),
             Outcome("foreningsbidrag", "Hänvisa till föreningsbidrag", "redirect", "foreningsbidrag", needs_reason=True,
                     when=(Condition("bedomning", "slutsats", "foreningsbidrag",
                                     "Den samlade bedömningen är inte att föreningsbidrag passar bättre."),)),
             Outcome("upphandling", "Hänvisa till upphandling", "redirect", "upphandling", needs_reason=True,
                     when=(Condition("bedomning", "slutsats", "upphandling",
                                     "Den samlade bedömningen är inte att verksamheten bör upphandlas."),)),
             STOP,
         ),
         requires=(Requirement("field", "organisation", "Ange vilken idéburen organisation initiativet gäller."),
                   Requirement("form", "bedomning", "Fyll i bedömningen inför en överenskommelse.")),
         rule_ids=("HV-02", "HV-04", "HV-05", "HV-06", "GEN-01", "GEN-02", "GEN-03", "GEN-04", "ST-01"),
         description="Förvaltningen bedömer med mallen om IOP är möjligt och lämpligt: om det finns ett gemensamt "
                     "behov, om målet är allmännyttigt, om båda parter bidrar och om partnerskapet är förenligt med "
                     "lagar och regler. Bedömningen beskriver samhällsutmaningen, lösningen och det politiska program "
                     "eller den plan som partnerskapet är ett led i."),
    # HV-06: the director's position is documented with its reasons. That the
    # stadsdelsdirektör takes it is inferred from the roles table (HV-07).
    Step("stallningstagande", "Stadsdelsdirektörens ställningstagande", ("stadsdelsdirektor",), after=("bedomning",),
         outcomes=(Outcome("fortsatt", "Ta fram ett förslag till överenskommelse", needs_reason=True), STOP),
         rule_ids=("HV-06", "GEN-05"),
         description="Stadsdelsdirektören tar ställning till om förvaltningen ska ta fram en överenskommelse. "
                     "Ställningstagandet motiveras, dokumenteras och diarieförs."),
))

OVERENSKOMMELSE = Phase("overenskommelse", "Överenskommelse", (
    Step("overenskommelse", "Förslag till överenskommelse", ("handlaggare", "stab"), after=("stallningstagande",),
         form="innehall_overenskommelse", sets_status="beslut",
         outcomes=(Outcome("fortsatt", "Lämna förslaget till nämnden", when=_CONTENT), STOP),
         requires=(
             Requirement("field", "goals", "Ange målen för partnerskapet."),
             Requirement("field", "period_start", "Ange startdatum för överenskommelsen."),
             Requirement("field", "period_end", "Ange slutdatum för överenskommelsen."),
             Requirement("contributions", "", "Ange vad båda parter bidrar med."),
             Requirement("document", "overenskommelse_forslag", "Förslaget till överenskommelse saknas."),
             Requirement("form", "innehall_overenskommelse", "Gå igenom innehållet i förslaget."),
         ),
         rule_ids=("HV-01", "HV-04", "HV-05", "GEN-03", "GEN-06", "GEN-07"),
         description="Överenskommelsen beskriver den gemensamma samhällsutmaningen och lösningen, hur partnerskapet "
                     "är ett led i ett politiskt beslutat program eller en plan, och aktiviteter och åtaganden som är "
                     "väsentliga för lösningen. Den anger också mål, tidsperiod och vad varje part bidrar med."),
    Step("namndbeslut", "Nämndens beslut", ("stadsdelsnamnd",), after=("overenskommelse",),
         outcomes=(Outcome("fortsatt", "Nämnden godkänner överenskommelsen"),
                   Outcome("avslag", "Nämnden avslår förslaget", "stop", needs_reason=True)),
         requires=(Requirement("document", "tjansteutlatande", "Tjänsteutlåtandet till nämnden saknas."),),
         rule_ids=("HV-06", "GEN-05"),
         description="Förvaltningen lämnar ett tjänsteutlåtande, och stadsdelsnämnden beslutar om överenskommelsen."),
    # Inferred: the stadsdelsdirektör signs for the nämnd, as in the city's routine (JV-11).
    Step("undertecknande", "Överenskommelsen undertecknas", ("stadsdelsdirektor",), after=("namndbeslut",),
         sets_status="pagaende",
         requires=(Requirement("document", "overenskommelse_signerad", "Den undertecknade överenskommelsen saknas."),),
         rule_ids=("GEN-06",),
         description="Båda parter undertecknar överenskommelsen. Den gäller från det beslutade startdatumet."),
))

FOLJA_UPP = Phase("folja_upp", "Följa upp", (
    # HV-03: at least yearly is inferred (DOMAIN.md), like JV-16. Owners
    # inferred: the handläggare does it, the avdelningschef answers for the
    # operations the partnership concerns.
    Step("uppfoljning", "Uppföljning av överenskommelse", ("handlaggare", "avdelningschef"), after=("undertecknande",),
         deadline=EachYear(), recurring=True, templates=("uppfoljning",),
         outcomes=(Outcome("genomford", "Uppföljningen är gjord"),),
         requires=(Requirement("document", "uppfoljning", "Årets uppföljning av överenskommelsen saknas."),),
         rule_ids=("HV-03", "HV-01"),
         description="Överenskommelsen följs upp minst en gång per år med mallen Uppföljning av överenskommelse. "
                     "Det som överenskommelsen säger ska följas upp redovisas och dokumenteras."),
))

AVSLUTA = Phase("avsluta", "Avsluta", (
    Step("avslut", "Partnerskapet avslutas", ("stadsdelsdirektor",), after=("undertecknande",),
         deadline=After("agreement_end"), outcomes=(Outcome("avsluta", "Avsluta partnerskapet", "end"),),
         rule_ids=("GEN-07",),
         description="Partnerskapet avslutas när överenskommelsen löper ut. Avslutas det tidigare skrivs skälet "
                     "i motiveringen."),
))

PROCESS_V1 = ProcessDefinition(
    kommun=CODE,
    version=1,
    title="Rutin för idéburet offentligt partnerskap i Hässelby-Vällingby stadsdelsnämnd",
    phases=(BEDOMA, OVERENSKOMMELSE, FOLJA_UPP, AVSLUTA),
    forms=(INITIATIV, BEDOMNING, INNEHALL, REDOVISNING),
    document_kinds=DOCUMENT_KINDS,
    # The nämnd decides the agreement; the stadsdelsdirektör signs for it
    # (inferred, as JV-11); a change of what it fixes goes back to the nämnd.
    agreement=AgreementRule(decided_at_step="namndbeslut", signatory_roles=("stadsdelsdirektor",),
                            amended_by_roles=("stadsdelsnamnd",)),
)
