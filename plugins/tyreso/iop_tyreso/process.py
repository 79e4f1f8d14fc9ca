"""Tyresö's IOP process (seed 003, DOMAIN.md TY-01 to TY-06) as data.

Seed 003 is kommunstyrelseförvaltningen's tjänsteskrivelse to the
kommunledningsutskottet: the kommundirektör explores and carries out IOP as
pilot projects, and their results are reported to the kommunstyrelsen (TY-01,
TY-02). It asks, in this order: do both parties want the partnership (TY-04),
does procurement apply (TY-03, first), are the short requirements met (TY-03),
and what is best for the child, from the IOP's purpose and content (TY-05).
The document has no concrete IOP yet, so the steps between those questions
(who drafts and signs the agreement) are inferred and marked below.
"""

from __future__ import annotations

from core.process import (
    After,
    AgreementRule,
    Condition,
    DocumentKind,
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

CODE = "tyreso"


INITIATIV = FormDefinition(
    key="initiativ",
    title="Initiativet",
    rule_ids=("TY-04",),
    fields=(
        FormField("ursprung", "Varifrån kommer initiativet?", "choice", choices=(
            ("civilsamhallet", "Från en idéburen organisation"),
            ("kommunen", "Från kommunen"),
        ), hint="Ofta kommer initiativet från en idéburen organisation, men det behöver inte vara så."),
        FormField("samarbete", "Vilket samarbete föreslås?", "text"),
        FormField("bada_vill", "Vill både den idéburna organisationen och kommunen skapa ett partnerskap?", "yesno"),
        FormField("ensidig_bestallning", "Är det kommunen som ensidigt beställer verksamheten?", "yesno",
                  hint="Ett IOP är inte en beställning från kommunen. Båda parter ska vilja samarbeta."),
    ),
)

# TY-03: "Om det kan konstateras att samarbetet inte omfattas av krav på
# upphandling": procurement first. Kommunallagen and the EU state-aid rules are
# GEN-04 (common to every IOP, from seed 002), not named in seed 003.
UPPHANDLINGSPROVNING = FormDefinition(
    key="upphandlingsprovning",
    title="Prövning av upphandlingsplikt",
    template="upphandlingsprovning",
    rule_ids=("TY-03", "GEN-04"),
    fields=(
        FormField("upphandlingsplikt", "Omfattas samarbetet av krav på upphandling?", "yesno"),
        FormField("motivering", "Hur har ni kommit fram till svaret?", "text"),
        yes_no("kommunallagen", "Är samarbetet förenligt med kommunallagen?"),
        yes_no("statsstod", "Är samarbetet förenligt med EU:s statsstödsregler?"),
    ),
)

# TY-03's short requirements, once procurement is ruled out.
KRAV = FormDefinition(
    key="krav_iop",
    title="Krav för ett IOP",
    rule_ids=("TY-03", "GEN-01", "GEN-02", "GEN-03", "ST-03"),
    fields=(
        statutory_duty_question(),
        yes_no("gemensamt_behov", "Bygger partnerskapet på ett gemensamt behov av att samverka, där båda parter har ett "
                                   "gemensamt engagemang och ansvar för att nå målet som de har formulerat tillsammans?"),
        yes_no("tillit", "Bygger samverkan på ömsesidig tillit för att nå ett samhälleligt mål, och inte på ett "
                          "kommersiellt avtal?"),
        yes_no("allmannyttigt", "Är målen allmännyttiga?"),
        yes_no("ingen_fardig_losning", "Saknas färdiga lösningar eller tjänster som kan köpas?"),
        yes_no("bada_bidrar", "Bidrar båda parter med resurser till verksamheten?",
                hint="Det behöver inte vara pengar. Den idéburna parten kan till exempel bidra med ideellt arbete, "
                     "kommunen med lokaler eller administration."),
    ),
)

# TY-05: "prövningar av barnens bästa genomföras utifrån respektive IOP:s syfte
# och innehåll". The questions are our reading of that sentence.
BARNETS_BASTA = FormDefinition(
    key="barnets_basta",
    title="Bedömning av barnets bästa",
    template="barnets_basta",
    rule_ids=("TY-05",),
    fields=(
        FormField("syfte_och_innehall", "Vilket syfte och innehåll har partnerskapet?", "text"),
        FormField("beror_barn", "Berör partnerskapet barn, direkt eller indirekt?", "yesno",
                  hint="Barn är alla under 18 år."),
        FormField("paverkan", "Hur påverkas barn av partnerskapet, och hur tas barnets bästa tillvara?", "text",
                  hint="Berör partnerskapet inte barn, skriv varför."),
        FormField("bedomning", "Sammanfattande bedömning av barnets bästa", "text"),
    ),
)

STOP = Outcome("avbryt", "Avbryt processen", "stop", needs_reason=True)

DOCUMENT_KINDS = (
    DocumentKind("overenskommelse_forslag", "Förslag till överenskommelse"),
    DocumentKind("overenskommelse_signerad", "Undertecknad överenskommelse"),
    DocumentKind("resultat", "Sammanställning av pilotprojektets resultat"),
    DocumentKind("tjansteskrivelse", "Tjänsteskrivelse om pilotprojektets resultat"),
)

_BOTH_WANT = (
    must_be_yes("initiativ", "bada_vill", "Båda parter måste vilja skapa ett partnerskap."),
    Condition("initiativ", "ensidig_bestallning", NO, "Kommunen kan inte ensidigt beställa ett IOP."),
)
_REQUIREMENTS = tuple(
    must_be_yes("krav_iop", key, f"Kraven för ett IOP är inte uppfyllda: {what}.")
    for key, what in (
        ("gemensamt_behov", "det saknas ett gemensamt behov och engagemang"),
        ("tillit", "samverkan bygger inte på ömsesidig tillit"),
        ("allmannyttigt", "målen är inte allmännyttiga"),
        ("ingen_fardig_losning", "det finns färdiga lösningar eller tjänster att köpa"),
        ("bada_bidrar", "båda parter bidrar inte med resurser"),
    )
)

PROVA = Phase("prova", "Pröva initiativet", (
    Step("initiativ", "Ta emot initiativet", ("handlaggare", "kommunstyrelseforvaltningen"), form="initiativ",
         outcomes=(Outcome("fortsatt", "Pröva om upphandling gäller", when=_BOTH_WANT), STOP),
         requires=(Requirement("field", "samhallsutmaning", "Beskriv samhällsutmaningen."),
                   Requirement("form", "initiativ", "Fyll i uppgifterna om initiativet.")),
         rule_ids=("TY-04",),
         description="Båda parter ska vilja skapa ett partnerskap. Det är inte kommunen som ensidigt beställer. "
                     "Initiativet kommer ofta, men inte alltid, från en idéburen organisation."),
    Step("upphandlingsprovning", "Prövning av upphandlingsplikt", ("kommunstyrelseforvaltningen", "handlaggare"),
         after=("initiativ",), form="upphandlingsprovning", templates=("upphandlingsprovning",),
         sets_status="beredning",
         outcomes=(
             Outcome("fortsatt", "Upphandling gäller inte. Pröva kraven för ett IOP", when=(
                 Condition("upphandlingsprovning", "upphandlingsplikt", NO,
                           "Samarbetet omfattas av krav på upphandling."),
                 must_be_yes("upphandlingsprovning", "kommunallagen",
                              "Prövningen visar inte att samarbetet är förenligt med kommunallagen."),
                 must_be_yes("upphandlingsprovning", "statsstod",
                              "Prövningen visar inte att samarbetet är förenligt med statsstödsreglerna."),
             )),
             Outcome("upphandling", "Hänvisa till upphandling", "redirect", "upphandling", needs_reason=True, when=(
                 must_be_yes("upphandlingsprovning", "upphandlingsplikt",
                              "Prövningen visar inte att samarbetet omfattas av krav på upphandling."),)),
             STOP,
         ),
         requires=(Requirement("form", "upphandlingsprovning", "Fyll i prövningen av upphandlingsplikt."),),
         rule_ids=("TY-03", "GEN-04"),
         description="Först ska det fastställas att samarbetet inte omfattas av krav på upphandling. Gör det det, "
                     "hänvisas samarbetet till upphandling."),
    Step("krav", "Krav för ett IOP", ("kommunstyrelseforvaltningen", "handlaggare"), after=("upphandlingsprovning",),
         form="krav_iop",
         outcomes=(
             Outcome("fortsatt", "Kraven är uppfyllda", when=(outside_statutory_duties("krav_iop"), *_REQUIREMENTS)),
             Outcome("upphandling", "Hänvisa till upphandling", "redirect", "upphandling", needs_reason=True, when=(
                 Condition("krav_iop", "ingen_fardig_losning", NO,
                           "Prövningen visar inte att det finns färdiga lösningar eller tjänster att köpa."),)),
             STOP,
         ),
         requires=(Requirement("field", "organisation", "Ange vilken idéburen organisation partnerskapet gäller."),
                   Requirement("form", "krav_iop", "Fyll i kraven för ett IOP.")),
         rule_ids=("TY-03", "GEN-01", "GEN-02", "GEN-03"),
         description="Partnerskapet bygger på ett gemensamt behov och engagemang och på ömsesidig tillit, inte på ett "
                     "kommersiellt avtal. Målen är allmännyttiga, det finns inget färdigt att köpa och båda parter "
                     "bidrar med resurser."),
    # Inferred: the proposal is drafted before the barnets bästa assessment,
    # which is made from the IOP's purpose and content (TY-05).
    Step("forslag", "Förslag till överenskommelse", ("kommunstyrelseforvaltningen", "handlaggare"), after=("krav",),
         requires=(
             Requirement("field", "goals", "Ange målen för partnerskapet."),
             Requirement("field", "period_start", "Ange startdatum för överenskommelsen."),
             Requirement("field", "period_end", "Ange slutdatum för överenskommelsen."),
             Requirement("contributions", "", "Ange vad båda parter bidrar med."),
             Requirement("document", "overenskommelse_forslag", "Förslaget till överenskommelse saknas."),
         ),
         rule_ids=("GEN-03", "GEN-06", "GEN-07"),
         description="Parterna formulerar tillsammans mål, tidsperiod och vad var och en bidrar med."),
    Step("barnets_basta", "Bedömning av barnets bästa", ("kommunstyrelseforvaltningen", "handlaggare"),
         after=("forslag",), form="barnets_basta", templates=("barnets_basta",), sets_status="beslut",
         outcomes=(Outcome("fortsatt", "Bedömningen av barnets bästa är gjord"), STOP),
         requires=(Requirement("form", "barnets_basta", "Fyll i bedömningen av barnets bästa."),),
         rule_ids=("TY-05",),
         description="För varje IOP görs en bedömning av barnets bästa utifrån partnerskapets syfte och innehåll."),
    Step("pilotbeslut", "Kommundirektörens beslut om pilotprojekt", ("kommundirektor",), after=("barnets_basta",),
         outcomes=(Outcome("fortsatt", "Genomför partnerskapet som pilotprojekt", needs_reason=True), STOP),
         rule_ids=("TY-01", "GEN-05"),
         description="Kommundirektören har i uppdrag att utforska och genomföra IOP som pilotprojekt, och beslutar "
                     "om partnerskapet ska genomföras. Beslutet motiveras."),
    # Inferred: the kommundirektör, who carries out the pilot projects (TY-01), signs.
    Step("undertecknande", "Överenskommelsen undertecknas", ("kommundirektor",),
         after=("pilotbeslut", "barnets_basta"), sets_status="pagaende",
         requires=(
             Requirement("decision", "barnets_basta", "Ingen överenskommelse utan en bedömning av barnets bästa."),
             Requirement("document", "overenskommelse_signerad", "Den undertecknade överenskommelsen saknas."),
         ),
         rule_ids=("TY-05", "TY-01"),
         description="Båda parter undertecknar överenskommelsen. Den tecknas inte utan en bedömning av barnets bästa."),
))

PILOTPROJEKT = Phase("pilotprojekt", "Genomföra pilotprojektet", (
    Step("genomforande", "Pilotprojektet genomförs", ("kommunstyrelseforvaltningen", "kommundirektor"),
         after=("undertecknande",),
         outcomes=(Outcome("fortsatt", "Resultatet är sammanställt"),),
         requires=(Requirement("document", "resultat", "Sammanställningen av pilotprojektets resultat saknas."),),
         rule_ids=("TY-01", "GEN-07"),
         description="Parterna genomför pilotprojektet enligt överenskommelsen. Resultatet sammanställs så att det "
                     "kan redovisas för kommunstyrelsen."),
))

REDOVISA = Phase("redovisa", "Redovisa resultatet", (
    Step("beredning_klu", "Kommunledningsutskottet bereder redovisningen", ("kommunledningsutskottet",),
         after=("genomforande",),
         outcomes=(Outcome("fortsatt", "Lämna ärendet till kommunstyrelsen"),),
         requires=(Requirement("document", "tjansteskrivelse", "Tjänsteskrivelsen om resultatet saknas."),),
         rule_ids=("TY-02",),
         description="Kommunstyrelseförvaltningen skriver en tjänsteskrivelse. Kommunledningsutskottet bereder "
                     "ärendet till kommunstyrelsen."),
    Step("redovisning_ks", "Resultatet redovisas i kommunstyrelsen", ("kommunstyrelsen",), after=("beredning_klu",),
         outcomes=(Outcome("fortsatt", "Kommunstyrelsen har tagit emot redovisningen"),),
         rule_ids=("TY-01", "TY-02"),
         description="Pilotprojektets resultat redovisas i kommunstyrelsen."),
))

AVSLUTA = Phase("avsluta", "Avsluta", (
    # The partnership ends once its results are reported (TY-01); ending it
    # before the agreement expires needs a written reason.
    Step("avslut", "Partnerskapet avslutas", ("kommundirektor",), after=("redovisning_ks",),
         deadline=After("agreement_end"), outcomes=(Outcome("avsluta", "Avsluta partnerskapet", "end"),),
         rule_ids=("TY-01", "GEN-07"),
         description="Partnerskapet avslutas när överenskommelsen löper ut och resultatet är redovisat i "
                     "kommunstyrelsen. Avslutas det tidigare skrivs skälet i motiveringen."),
))

PROCESS_V1 = ProcessDefinition(
    kommun=CODE,
    version=1,
    title="IOP som pilotprojekt i Tyresö kommun",
    phases=(PROVA, PILOTPROJEKT, REDOVISA, AVSLUTA),
    forms=(INITIATIV, UPPHANDLINGSPROVNING, KRAV, BARNETS_BASTA),
    document_kinds=DOCUMENT_KINDS,
    # Inferred: the kommundirektör decides the pilot project on the proposal
    # (TY-01) and signs it; a change goes back to the kommundirektör.
    # TY-05: the barnets bästa assessment is of the proposal as it was; a
    # changed proposal is assessed again before it is signed.
    agreement=AgreementRule(decided_at_step="pilotbeslut", signatory_roles=("kommundirektor",),
                            amended_by_roles=("kommundirektor",), assessed_at_step="barnets_basta"),
)
