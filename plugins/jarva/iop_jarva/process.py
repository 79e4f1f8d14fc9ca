"""Järva's IOP process (seed 002, DOMAIN.md JV-01 to JV-22) as data.

Four parts: Inleda, Genomföra, Följa upp/utvärdera/slutrapportera, Avsluta.
The same process applies whatever the initiative's origin (JV-01): the origin
is recorded in the initiative form, and no step depends on it.
"""

from __future__ import annotations

from core.process import (
    NO,
    AgreementRule,
    After,
    Before,
    Condition,
    DocumentKind,
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
    must_be_yes,
    outside_statutory_duties,
    statutory_duty_question,
    yes_no,
)

CODE = "jarva"


INITIATIV = FormDefinition(
    key="initiativ",
    title="Initiativet",
    rule_ids=("JV-01", "JV-03"),
    fields=(
        FormField("ursprung", "Varifrån kommer initiativet?", "choice", choices=(
            ("civilsamhallet", "Från civilsamhället (intresseanmälan eller förslag)"),
            ("forvaltningen", "Från en tjänsteperson eller verksamhet i förvaltningen"),
            ("namnden", "Från stadsdelsnämnden"),
        )),
        FormField("verksamhetside", "Vilken verksamhetsidé föreslås?", "text"),
        FormField("karnverksamhet", "Vilken kärnverksamhet berörs?", "text",
                  hint="Stabsenheten bjuder in en företrädare för den till det första mötet."),
    ),
)

# The idéburna party's own parts of the running agreement, filled in the
# portal when staff ask for them (core.process.FormDefinition.produces).
REDOVISNING = FormDefinition(
    key="redovisning",
    title="Ekonomisk redovisning och redovisning av verksamhet",
    produces="uppfoljning",
    rule_ids=("JV-16",),
    fields=(
        FormField("arbete_mot_mal", "Hur har ni arbetat mot överenskommelsens mål och aktiviteter under året?", "text"),
        FormField("statistik", "Statistik som överenskommelsen anger", "text",
                  hint="Till exempel hur många som har deltagit och hur många tillfällen ni har haft."),
        FormField("iop_medel", "Hur har IOP-medlen använts?", "text",
                  hint="Skicka resultat- och balansräkningen som ett eget dokument när kommunen ber om den."),
        FormField("avvikelser", "Har något inte blivit som planerat, och vad gör ni åt det?", "text", required=False),
    ),
)

UTVARDERING_PART = FormDefinition(
    key="utvardering_part",
    title="Utvärdering av IOP: den idéburna partens svar",
    produces="utvardering_part",
    rule_ids=("JV-17",),
    fields=(
        FormField("genomforande", "Hur har verksamheten genomförts?", "text"),
        FormField("maluppfyllelse", "Hur väl har målen uppnåtts?", "text"),
        FormField("bidrag", "Har båda parter bidragit som överenskommet?", "text"),
        FormField("kostnadseffektivitet",
                  "Har verksamheten bedrivits kostnadseffektivt och med varsam hantering av offentliga medel?", "text"),
        FormField("larande", "Vad har ni lärt er?", "text"),
    ),
)

STALLNINGSTAGANDE_PART = FormDefinition(
    key="stallningstagande_part",
    title="Den idéburna partens ställningstagande inför slutrapporten",
    produces="stallningstagande_part",
    signatory_only=True,
    rule_ids=("JV-18",),
    fields=(
        FormField("hela_perioden", "Hur ser ni på hela perioden, med de tidigare uppföljningarna?", "text"),
        FormField("standpunkt", "Vad vill ni när överenskommelsen löper ut?", "choice", choices=(
            ("avsluta", "Avsluta partnerskapet"),
            ("omforhandla", "Förhandla om en ny eller ändrad överenskommelse"),
        )),
        FormField("motivering", "Varför?", "text"),
    ),
)

CHECKLISTA = FormDefinition(
    key="checklista_overvagande",
    title="Checklista inför övervägande om att inleda IOP",
    template="checklista_overvagande",
    rule_ids=("JV-06", "JV-21", "JV-22", "GEN-02", "GEN-03", "ST-03"),
    fields=(
        statutory_duty_question(),
        yes_no("ansvarsomrade", "Har verksamheten en tydlig koppling till något av nämndens ansvarsområden?"),
        yes_no("oppen_for_alla", "Är verksamheten öppen och tillgänglig för alla i målgruppen?"),
        yes_no("tydlig_samverkan", "Fyller partnerskapet ett behov av tydlig samverkan mellan nämnden och den idéburna parten?"),
        yes_no("ingen_fardig_losning", "Saknas färdiga lösningar eller tjänster som kan köpas?"),
        yes_no("langsiktig", "Har båda parter förutsättningar och resurser för ett långsiktigt samarbete?"),
        yes_no("kostnadseffektiv", "Kan verksamheten bedrivas kostnadseffektivt och med varsam hantering av offentliga medel?"),
        yes_no("lokalt_perspektiv", "Har samhällsutmaningen ett lokalt perspektiv i stadsdelsområdet?"),
        yes_no("verifierbar", "Går samhällsutmaningen att belägga med statistik eller undersökningar?"),
        yes_no("koppling_till_mal", "Har samhällsutmaningen koppling till nämndens ansvarsområden och mål?"),
        yes_no("bada_bidrar", "Bidrar båda parter med resurser?"),
        FormField("bedomning", "Stabsenhetens övervägande", "choice", choices=(
            ("iop", "IOP är möjligt och lämpligt"),
            ("annan_form", "En annan samarbetsform eller ett annat stöd passar bättre"),
            ("nej", "IOP är inte möjligt"),
        )),
        FormField("motivering", "Motivering till övervägandet", "text"),
    ),
)

GRANSKNING = FormDefinition(
    key="granskning",
    title="Granskning av den idéburna parten och partnerskapet",
    rule_ids=("JV-07", "GEN-04"),
    fields=(
        yes_no("ideburen", "Är parten en idéburen aktör?"),
        yes_no("vardegrund", "Delar parten stadens värdegrund?"),
        yes_no("kommunallagen", "Är partnerskapet förenligt med kommunallagen?"),
        yes_no("upphandling", "Är partnerskapet förenligt med upphandlingsreglerna?"),
        yes_no("statsstod", "Är partnerskapet förenligt med EU:s statsstödsregler?"),
        FormField("juridik_datum", "Datum för avstämning med juridiska enheten på stadsledningskontoret", "date"),
        FormField("aterkoppling", "Återkoppling till den idéburna parten", "text"),
    ),
)

STALLNINGSTAGANDE = FormDefinition(
    key="stallningstagande",
    title="Ställningstagande att teckna överenskommelse",
    rule_ids=("JV-10",),
    fields=(
        yes_no("ideburen_part_staller_sig_bakom", "Har den idéburna partens behöriga instans ställt sig bakom förslaget?"),
        FormField("behorig_instans", "Vilken instans hos den idéburna parten har tagit ställning?", "text",
                  hint="Till exempel styrelsen eller årsmötet."),
        FormField("datum", "Datum för den idéburna partens ställningstagande", "date"),
    ),
)

GRUPPER = FormDefinition(
    key="grupper",
    title="Styrgrupp och arbetsgrupp",
    rule_ids=("JV-12",),
    fields=(
        FormField("styrgrupp", "Styrgruppens ledamöter", "text",
                  hint="Avdelningschef eller enhetschef från kärnverksamheten och en företrädare med beslutsmandat för den idéburna parten."),
        FormField("arbetsgrupp", "Arbetsgruppens ledamöter", "text",
                  hint="Enhetschef eller biträdande enhetschef, en företrädare för den idéburna parten och IOP-koordinatorn."),
    ),
)

OMFORHANDLING = FormDefinition(
    key="omforhandling",
    title="Ställningstagande till omförhandling",
    rule_ids=("JV-18", "JV-19"),
    fields=(
        FormField("utmaningen_kvarstar", "Kvarstår samhällsutmaningen?", "yesno"),
        FormField("samverkan_fruktsam", "Har samverkan mellan förvaltningen och den idéburna parten varit fruktsam?", "yesno"),
        FormField("resurser_finns", "Har den idéburna parten fortsatt förutsättningar och resurser att samverka?", "yesno"),
        FormField("vasentliga_forandringar", "Innebär en omförhandling väsentliga förändringar av verksamheten och innehållet?",
                  "yesno"),
        FormField("partens_stallningstagande", "Den idéburna partens ställningstagande (styrelseordförande eller motsvarande)",
                  "text"),
        # The seed names three who take this position: the direktör (who owns the
        # step), the organisation's chair (its own document) and this one.
        yes_no("avdelningschef_administration",
               "Har avdelningschefen för administrativa avdelningen tagit ställning tillsammans med stadsdelsdirektören?"),
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
    DocumentKind("arsmotesprotokoll", "Protokoll från senaste årsmötet"),
    DocumentKind("verksamhetsberattelse", "Senaste verksamhetsberättelsen"),
    DocumentKind("resultat_och_balansrakning", "Senaste resultat- och balansräkningen"),
    DocumentKind("revisionsberattelse", "Senaste revisionsberättelsen"),
    DocumentKind("verksamhetsplan", "Senaste verksamhetsplanen"),
)
DOCUMENT_KINDS = (
    *ORGANISATION_DOCUMENTS,
    DocumentKind("overenskommelse_forslag", "Förslag till överenskommelse"),
    DocumentKind("budget", "Budget"),
    DocumentKind("tjansteutlatande", "Tjänsteutlåtande till nämnden"),
    DocumentKind("overenskommelse_signerad", "Undertecknad överenskommelse"),
    DocumentKind("uppfoljning", "Underlag för årlig uppföljning (ekonomisk redovisning och redovisning av verksamhet)"),
    DocumentKind("utvardering", "Utvärdering"),
    DocumentKind("slutrapport", "Slutrapport"),
    DocumentKind("utvardering_part", "Den idéburna partens svar till utvärderingen"),
    DocumentKind("stallningstagande_part", "Den idéburna partens ställningstagande inför slutrapporten"),
)

_FULL_CHECK = tuple(
    must_be_yes("granskning", key, f"Granskningen visar inte att {what}.")
    for key, what in (
        ("ideburen", "parten är en idéburen aktör"),
        ("vardegrund", "parten delar stadens värdegrund"),
        ("kommunallagen", "partnerskapet är förenligt med kommunallagen"),
        ("upphandling", "partnerskapet är förenligt med upphandlingsreglerna"),
        ("statsstod", "partnerskapet är förenligt med statsstödsreglerna"),
    )
)
# JV-21, GEN-02: the general conditions. A "no" stops the case unless the
# stadsdelsdirektör records a motivated exception.
GENERAL_CONDITIONS = tuple(
    must_be_yes("checklista_overvagande", key, f"Ett allmänt villkor är inte uppfyllt: {what}.")
    for key, what in (
        ("ansvarsomrade", "verksamheten har ingen tydlig koppling till nämndens ansvarsområden"),
        ("oppen_for_alla", "verksamheten är inte öppen och tillgänglig för alla i målgruppen"),
        ("tydlig_samverkan", "partnerskapet fyller inget behov av tydlig samverkan"),
        ("ingen_fardig_losning", "det finns färdiga lösningar eller tjänster som kan köpas"),
        ("langsiktig", "parterna saknar förutsättningar för ett långsiktigt samarbete"),
        ("kostnadseffektiv", "verksamheten kan inte bedrivas kostnadseffektivt"),
    )
)
_RENEGOTIATION_GROUNDS = (
    must_be_yes("omforhandling", "utmaningen_kvarstar", "Omförhandling förutsätter att samhällsutmaningen kvarstår."),
    must_be_yes("omforhandling", "samverkan_fruktsam", "Omförhandling förutsätter att samverkan har varit fruktsam."),
    must_be_yes("omforhandling", "resurser_finns",
                 "Omförhandling förutsätter att den idéburna parten har fortsatta förutsättningar och resurser."),
)

INLEDA = Phase("inleda", "Inleda", (
    Step("initiativ", "Ta emot initiativet", ("handlaggare", "stabsenhet"), form="initiativ",
         requires=(Requirement("field", "samhallsutmaning", "Beskriv samhällsutmaningen."),
                   Requirement("form", "initiativ", "Fyll i uppgifterna om initiativet.")),
         rule_ids=("JV-01", "JV-03"),
         description="Initiativet kan komma från civilsamhället, från en tjänsteperson eller verksamhet, eller från "
                     "nämnden. Oavsett varifrån det kommer anmäls det till stabsenheten och går igenom samma process."),
    Step("forsta_mote", "Första möte med den idéburna parten", ("stabsenhet",), after=("initiativ",),
         deadline=After("initiative", weeks=4), sets_status="beredning", late_needs_reason=True,
         requires=(
             Requirement("field", "organisation", "Ange vilken organisation initiativet gäller (namn och organisationsnummer)."),
             *(Requirement("document", kind.key, f"{kind.title} saknas.") for kind in ORGANISATION_DOCUMENTS),
             Requirement("meetings", "forsta_mote", "Det första mötet är inte registrerat."),
         ),
         rule_ids=("JV-04", "JV-05"),
         description="Stabsenheten kallar den idéburna parten och en företrädare för den berörda kärnverksamheten. "
                     "Parten tar med sina handlingar till mötet. Ett möte före initiativet är inte ärendets första "
                     "möte; hålls det första mötet efter fyra veckor skrivs förseningen och skälet till den in."),
    Step("overvagande", "Övervägande", ("stabsenhet",), after=("forsta_mote",), form="checklista_overvagande",
         templates=("checklista_overvagande",),
         outcomes=(Outcome("fortsatt", "Lämna övervägandet till stadsdelsdirektören"),),
         requires=(Requirement("form", "checklista_overvagande", "Fyll i checklistan inför övervägandet."),),
         rule_ids=("JV-06", "JV-21", "JV-22"),
         description="Mötet ska leda till ett övervägande om IOP är möjligt och lämpligt, eller om en annan "
                     "samarbetsform eller ett annat stöd är att föredra. Stabsenheten rekommenderar; "
                     "stadsdelsdirektören beslutar."),
    Step("direktorens_bedomning", "Stadsdelsdirektörens bedömning", ("stadsdelsdirektor",), after=("overvagande",),
         outcomes=(Outcome("fortsatt", "Initiativet går vidare i processen", needs_reason=True,
                           when=(outside_statutory_duties("checklista_overvagande"), *GENERAL_CONDITIONS)),
                   Outcome("undantag", "Initiativet går vidare med ett motiverat undantag från de allmänna villkoren",
                           needs_reason=True, when=(outside_statutory_duties("checklista_overvagande"),),
                           exception_to=GENERAL_CONDITIONS),
                   *OTHER_SUPPORT, STOP),
         rule_ids=("JV-06", "JV-21", "GEN-02", "ST-03"),
         description="Stadsdelsdirektören bedömer, med stabsenhetens övervägande som underlag, om initiativet kan gå "
                     "vidare, ska hänvisas till ett annat stöd eller avbrytas. Är något av de allmänna villkoren inte "
                     "uppfyllt avbryts ärendet, om inte stadsdelsdirektören motiverar ett undantag. Bedömningen "
                     "dokumenteras och diarieförs, och den idéburna parten får återkoppling med motiveringen."),
    Step("granskning", "Granskning av parten och partnerskapet", ("stabsenhet",), after=("direktorens_bedomning",),
         form="granskning", outcomes=(Outcome("fortsatt", "Granskningen är godkänd", when=_FULL_CHECK), STOP),
         requires=(Requirement("form", "granskning", "Fyll i granskningen."),),
         rule_ids=("JV-07",),
         description="Stabsenheten granskar med stöd av juridiska enheten att parten är idéburen, delar stadens "
                     "värdegrund och att partnerskapet är förenligt med gällande rätt. Resultatet återkopplas."),
    Step("idemoten", "Idémöten", ("stabsenhet",), after=("granskning",), templates=("overenskommelse",),
         outcomes=(Outcome("fortsatt", "Samsyn är nådd"), STOP),
         requires=(Requirement("meetings", "idemote", "Minst två idémöten behövs innan förslaget är klart.", minimum=2),),
         rule_ids=("JV-08",),
         description="Normalt två till tre idémöten där parterna jämbördigt formulerar innehåll, mål, "
                     "tillvägagångssätt, metoder, tidsram och finansiering. I vissa fall hålls ett eller två till."),
    Step("forslag", "Förslag till överenskommelse", ("stabsenhet",), after=("idemoten",),
         templates=("overenskommelse", "budget"), short_agreement_months=12,
         requires=(
             Requirement("field", "goals", "Ange målen för partnerskapet."),
             Requirement("field", "period_start", "Ange startdatum för överenskommelsen."),
             Requirement("field", "period_end", "Ange slutdatum för överenskommelsen."),
             Requirement("contributions", "", "Ange vad båda parter bidrar med."),
             Requirement("document", "overenskommelse_forslag", "Förslaget till överenskommelse saknas."),
         ),
         rule_ids=("JV-08", "JV-09", "GEN-06", "GEN-07"),
         description="Stabsenheten skriver förslaget tillsammans med den idéburna parten och kärnverksamheten. "
                     "Överenskommelser ska vara långsiktiga; ettåriga ingås bara undantagsvis."),
    Step("stallningstagande", "Ställningstagande att teckna överenskommelse", ("avdelningschef",), after=("forslag",),
         form="stallningstagande", sets_status="beslut",
         outcomes=(Outcome("fortsatt", "Lämna ställningstagandet till stadsdelsdirektören", when=(
             must_be_yes("stallningstagande", "ideburen_part_staller_sig_bakom",
                          "Den idéburna partens behöriga instans har inte ställt sig bakom förslaget."),)),),
         requires=(Requirement("form", "stallningstagande", "Fyll i den idéburna partens ställningstagande."),),
         rule_ids=("JV-10",),
         description="Förslaget går till avdelningschefen och den idéburna partens behöriga instans."),
    Step("direktorens_stallningstagande", "Stadsdelsdirektörens ställningstagande och ärende till nämnden",
         ("stadsdelsdirektor",), after=("stallningstagande",),
         outcomes=(Outcome("fortsatt", "Initiera ett ärende till nämnden"), STOP),
         rule_ids=("JV-10",),
         description="Stadsdelsdirektören tar del i ställningstagandet och initierar, med avdelningschefen för "
                     "administrativa avdelningen, ett ärende till nämnden. Bara stadsdelsdirektören kan avbryta."),
    Step("namndbeslut", "Nämndens beslut", ("stadsdelsnamnd",), after=("direktorens_stallningstagande",),
         outcomes=(Outcome("fortsatt", "Stadsdelsdirektören får i uppdrag att teckna överenskommelsen"),
                   Outcome("avslag", "Nämnden avslår förslaget", "stop", needs_reason=True)),
         requires=(Requirement("document", "tjansteutlatande", "Tjänsteutlåtandet till nämnden saknas."),),
         rule_ids=("JV-11",),
         description="Staben förbereder ett tjänsteutlåtande. Nämnden beslutar att ge stadsdelsdirektören i uppdrag "
                     "att teckna överenskommelsen."),
    Step("undertecknande", "Överenskommelsen undertecknas", ("stadsdelsdirektor",), after=("namndbeslut",),
         sets_status="pagaende",
         requires=(Requirement("document", "overenskommelse_signerad", "Den undertecknade överenskommelsen saknas."),),
         rule_ids=("JV-11",),
         description="Båda parter undertecknar. Överenskommelsen träder i kraft det datum som är beslutat som start."),
))

GENOMFORA = Phase("genomfora", "Genomföra", (
    Step("utse_koordinator", "Utse IOP-koordinator, styrgrupp och arbetsgrupp", ("avdelningschef",),
         after=("undertecknande",), form="grupper", deadline=Before("agreement_start"),
         templates=("budget", "ekonomisk_redovisning"),
         requires=(Requirement("field", "coordinator",
                               "Utse partnerskapets IOP-koordinator: en namngiven person (utredare eller "
                               "verksamhetscontroller)."),
                   Requirement("form", "grupper", "Ange styrgrupp och arbetsgrupp.")),
         rule_ids=("JV-12", "JV-13", "JV-14"),
         description="Förvaltningen utser en namngiven IOP-koordinator för varje pågående partnerskap innan "
                     "överenskommelsen börjar gälla; koordinatorns steg är sedan hens. Styrgruppen ska mötas "
                     "minst tre gånger per år och arbetsgruppen minst fyra. Alla möten och justeringar dokumenteras, "
                     "diarieförs och delas med båda parter."),
))

FOLJA_UPP = Phase("folja_upp", "Följa upp, utvärdera och slutrapportera", (
    Step("uppfoljning", "Årlig uppföljning", ("stadsdelsnamnd",), after=("undertecknande",),
         deadline=QuarterEachYear(4), recurring=True, precondition=True, templates=("ekonomisk_redovisning",),
         outcomes=(Outcome("godkand", "Nämnden godkänner uppföljningen"),),
         requires=(Requirement("document", "uppfoljning", "Årets underlag för uppföljningen saknas."),
                   Requirement("document", "tjansteutlatande", "Tjänsteutlåtandet om uppföljningen saknas.")),
         rule_ids=("JV-16",),
         description="Minst en gång per år, under kvartal fyra: en skriftlig beskrivning av arbetet mot målen, "
                     "statistik enligt överenskommelsen och resultat- och balansräkning med redovisning av hur "
                     "IOP-medlen har använts. Koordinatorn tar fram underlaget, stabsenheten skriver ärendet och "
                     "nämnden godkänner. Uppföljningen är en förutsättning för att fortsätta: ett år vars uppföljning "
                     "inte är godkänd när kvartal fyra är slut stoppar allt utom den och ett avslut."),
    Step("utvardering", "Utvärdering under det sista året", ("iop_koordinator", "stabsenhet"), after=("undertecknande",),
         deadline=QuartersOfFinalYear((1, 2)), templates=("utvardering",),
         requires=(Requirement("document", "utvardering", "Utvärderingen saknas."),),
         rule_ids=("JV-17",),
         description="Båda parter utvärderar hur verksamheten genomförts, hur väl målen nåtts, om båda bidragit "
                     "enligt överenskommelsen, kostnadseffektiviteten och vad var och en har lärt sig."),
    Step("slutrapport", "Slutrapport och ställningstagande till omförhandling", ("stadsdelsdirektor",),
         after=("utvardering",), deadline=Before("agreement_end", months=3), templates=("slutrapport",),
         form="omforhandling",
         outcomes=(Outcome("fortsatt", "Anmäl slutrapporten och ställningstagandet till nämnden", when=(
             must_be_yes("omforhandling", "avdelningschef_administration",
                         "Avdelningschefen för administrativa avdelningen har inte tagit ställning."),)),),
         requires=(Requirement("document", "slutrapport", "Slutrapporten saknas."),
                   Requirement("form", "omforhandling", "Fyll i ställningstagandet till omförhandling."),
                   Requirement("document", "stallningstagande_part",
                               "Den idéburna partens ställningstagande (ordförande eller motsvarande) saknas.",
                               each_party=True)),
         rule_ids=("JV-18",),
         description="Slutrapporten omfattar hela perioden och tidigare uppföljningar. Direktören, avdelningschefen "
                     "för administrativa avdelningen och den idéburna partens ordförande tar ställning till att "
                     "avsluta eller omförhandla. Rapporten anmäls till nämnden senast tre månader före "
                     "överenskommelsens slut, så att parten inte får glapp i finansiering eller personal."),
    Step("slutrapport_beslut", "Nämndens beslut om slutrapporten", ("stadsdelsnamnd",), after=("slutrapport",),
         outcomes=(
             Outcome("avsluta", "Avsluta när överenskommelsen löper ut"),
             Outcome("omforhandla", "Omförhandla med väsentliga förändringar (nya idémöten)", "restart",
                     restart_at="idemoten", needs_reason=True, when=(
                         *_RENEGOTIATION_GROUNDS,
                         must_be_yes("omforhandling", "vasentliga_forandringar",
                                      "Utan väsentliga förändringar behövs inga nya idémöten."))),
             Outcome("revidera", "Stadsdelsdirektören får i uppdrag att teckna en ny eller reviderad överenskommelse "
                     "(utan väsentliga förändringar)",
                     "restart", restart_at="forslag", needs_reason=True, when=(
                         *_RENEGOTIATION_GROUNDS,
                         Condition("omforhandling", "vasentliga_forandringar", NO,
                                   "Väsentliga förändringar kräver nya idémöten."))),
         ),
         rule_ids=("JV-18", "JV-19"),
         description="Nämnden beslutar om slutrapporten och om stadsdelsdirektören ska teckna en ny eller "
                     "reviderad överenskommelse."),
))

AVSLUTA = Phase("avsluta", "Avsluta", (
    Step("avslut", "Partnerskapet avslutas", ("stadsdelsdirektor",), after=("undertecknande",),
         deadline=After("agreement_end"),
         outcomes=(Outcome("avsluta", "Avsluta partnerskapet när överenskommelsen löper ut", "end"),
                   Outcome("i_fortid", "Avsluta i förtid på de villkor som överenskommelsen anger", "end",
                           needs_reason=True, early=True)),
         requires=(Requirement("decision", "utvardering", "Utvärderingen är inte gjord."),
                   Requirement("decision", "slutrapport_beslut", "Nämnden har inte beslutat om slutrapporten.")),
         rule_ids=("JV-20",),
         description="Partnerskapet avslutas alltid när överenskommelsen löper ut, och det förutsätter utvärderingen "
                     "och slutrapporten: saknas de står avslutet kvar som försenat. Det kan avslutas tidigare på de "
                     "villkor som överenskommelsen anger; skälet skrivs då i motiveringen."),
))

PROCESS_V1 = ProcessDefinition(
    kommun=CODE,
    version=1,
    title="Lokala tillämpningsanvisningar för IOP i Järva stadsdelsnämnd",
    phases=(INLEDA, GENOMFORA, FOLJA_UPP, AVSLUTA),
    forms=(INITIATIV, CHECKLISTA, GRANSKNING, STALLNINGSTAGANDE, GRUPPER, OMFORHANDLING, REDOVISNING,
           UTVARDERING_PART, STALLNINGSTAGANDE_PART),
    document_kinds=DOCUMENT_KINDS,
    # JV-11: the nämnd's decision gives the stadsdelsdirektör the mandate to
    # sign what it decided; GEN-09/JV-12: the period, goals and contributions
    # of a signed agreement are larger changes, which go to the nämnd.
    agreement=AgreementRule(decided_at_step="namndbeslut", signatory_roles=("stadsdelsdirektor",),
                            amended_by_roles=("stadsdelsnamnd",)),
    # JV-22: a challenge with a local perspective, shown by statistics or
    # surveys, that serves the nämnd's areas of responsibility and goals.
    application_fields=(
        FormField("belagg", "Vad visar att utmaningen finns?", "text",
                  hint="Till exempel statistik, en enkät eller en undersökning, och var den kommer ifrån."),
        FormField("namndens_mal", "Vilka av stadsdelsnämndens ansvarsområden och mål hör idén till?", "text",
                  hint="Till exempel skola och fritid, trygghet eller arbete. Vet ni inte, skriv det; "
                       "stabsenheten hjälper er vid första mötet."),
    ),
    meeting_rules=(
        MeetingRule("forsta_mote", "Första möte", rule_ids=("JV-04",)),
        MeetingRule("idemote", "Idémöte", total_max=5, offer_stop_after=3, counts_after="granskning",
                    rule_ids=("JV-07", "JV-08")),
        MeetingRule("styrgrupp", "Styrgruppsmöte", per_year_min=3, from_step="undertecknande",
                    owner_roles=("iop_koordinator", "stabsenhet"), rule_ids=("JV-12", "JV-15")),
        MeetingRule("arbetsgrupp", "Arbetsgruppsmöte", per_year_min=4, from_step="undertecknande",
                    owner_roles=("iop_koordinator", "stabsenhet"), rule_ids=("JV-12", "JV-15")),
    ),
)
