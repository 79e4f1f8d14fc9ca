"""Järva stadsdelsnämnd: profile, roles table (JV-02) and templates (JV-06, JV-08,
JV-14, JV-17, JV-18), from the local application guidelines (seed 002)."""

from __future__ import annotations

from core.mallar import AGREEMENT_FIELDS, AGREEMENT_LAYOUT
from core.plugin_api import (FormField, GuideQuestion, KommunProfile, RegistrationNumberFormat, Role, RolesTable, TemplateRef,
                             hookimpl)
from iop_jarva.process import PROCESS_V1

CODE = "jarva"

PROFILE = KommunProfile(
    code=CODE,
    name="Järva stadsdelsnämnd",
    kind="stadsdelsnamnd",
    parent_organisation="Stockholms stad",
    decision_body="Järva stadsdelsnämnd",
    # Stockholms stad numbers its matters "<unit> <year>/<serial>" (cf. KS 2022/1171);
    # the unit prefix "JÄR" is our reading for Järva (inferred).
    registration_number=RegistrationNumberFormat(
        pattern=r"JÄR \d{4}/\d{1,6}", template="JÄR {year}/{serial}", example="JÄR 2026/123"
    ),
)

ROLES = RolesTable(
    kommun=CODE,
    roles=(
        Role("stadsdelsnamnd", "Stadsdelsnämnd", "decision_body", "Lägsta beslutsnivå för IOP.", ("JV-02", "JV-11")),
        Role(
            "stadsdelsdirektor",
            "Stadsdelsdirektör",
            "director",
            "Stämmer av med nämnden om att ingå, omförhandla och avsluta IOP; bedömer om ett initiativ får gå vidare.",
            ("JV-02", "JV-06"),
        ),
        Role(
            "stabsenhet",
            "Stabsenhet, administrativa avdelningen",
            "coordinator_unit",
            "Samordnar IOP-arbetet, kallar till första möte och idémöten, granskar den idéburna parten, "
            "skriver utkast till överenskommelse och tjänsteutlåtande.",
            ("JV-02", "JV-04", "JV-07"),
        ),
        Role(
            "avdelningschef",
            "Avdelningschef",
            "manager",
            "Ser till att kärnverksamheten deltar, utser styr- och arbetsgrupp och IOP-koordinatorer.",
            ("JV-02", "JV-10"),
        ),
        Role("enhetschef", "Enhetschef", "manager", "Ledamot i styr- och/eller arbetsgrupp; deltar i framtagandet.", ("JV-02",)),
        Role("bitradande_enhetschef", "Biträdande enhetschef", "manager", "Ledamot i arbetsgruppen.", ("JV-02",)),
        Role(
            "iop_koordinator",
            "IOP-koordinator",
            "coordinator",
            "Samordnar ett partnerskap, leder arbetsgruppen och håller dess dokumentation (utredare eller verksamhetscontroller).",
            ("JV-02", "JV-13"),
        ),
        # Not in JV-02's table: the case officer who registers initiatives (JV-03)
        # and works cases. Every tenant has one (CONTRACT.md).
        Role("handlaggare", "Handläggare", "case_officer", "Registrerar initiativ och handlägger ärenden.", ("JV-03",)),
    ),
)

def _both(key: str, question: str) -> tuple[FormField, FormField]:
    """One of JV-17's questions, answered by each party."""
    return (FormField(f"{key}_kommunen", f"{question} Förvaltningens svar", "text"),
            FormField(f"{key}_parten", f"{question} Den idéburna partens svar", "text"))


POSITION = (("avsluta", "Avsluta partnerskapet när överenskommelsen löper ut"),
            ("omforhandla", "Förhandla om en ny eller ändrad överenskommelse"))

TEMPLATES = (
    # Its questions are the consideration form's (process.CHECKLISTA names it).
    TemplateRef(CODE, "checklista_overvagande", "Checklista inför övervägande om att inleda IOP",
                "Stöd för övervägandet efter första mötet.", ("JV-06",)),
    TemplateRef(CODE, "overenskommelse", "Mall för överenskommelse om IOP",
                "Förslag till överenskommelse efter idémötena.", ("JV-08", "JV-09", "JV-12", "JV-16", "JV-17", "JV-20"),
                fields=AGREEMENT_FIELDS, layout=AGREEMENT_LAYOUT, document_kind="overenskommelse_forslag"),
    TemplateRef(CODE, "budget", "Mall för budget", "Partnerskapets budget, per år.", ("JV-14",), fields=(
        FormField("ar", "Vilket år gäller budgeten?", "text"),
        FormField("iop_medel", "IOP-medel från nämnden (kronor)", "amount"),
        FormField("ovriga_intakter", "Övriga intäkter: bidrag, avgifter, andra finansiärer", "text"),
        FormField("personal", "Kostnader för personal", "text"),
        FormField("lokaler", "Kostnader för lokaler", "text"),
        FormField("aktiviteter", "Kostnader för aktiviteter och material", "text"),
        FormField("egen_insats", "Den idéburna partens egen insats: ideellt arbete, lokaler och andra medel", "text"),
        FormField("kommentar", "Kommentar", "text", required=False),
    ), filled_by="organisation", document_kind="budget"),
    TemplateRef(CODE, "ekonomisk_redovisning", "Mall för ekonomisk redovisning och redovisning av verksamhet",
                "Årlig redovisning av ekonomi och verksamhet, underlag för uppföljningen i kvartal fyra.",
                ("JV-14", "JV-16"), fields=(
        FormField("ar", "Vilket år gäller redovisningen?", "text"),
        FormField("arbete_mot_mal", "Arbetet mot överenskommelsens mål och aktiviteter under året", "text"),
        FormField("statistik", "Statistik som överenskommelsen anger", "text",
                  hint="Till exempel hur många som har deltagit och hur många tillfällen det har varit."),
        FormField("resultatrakning", "Resultaträkning: årets intäkter och kostnader", "text"),
        FormField("balansrakning", "Balansräkning: tillgångar, skulder och eget kapital vid årets slut", "text"),
        FormField("iop_medel", "Hur IOP-medlen har använts", "text"),
        FormField("avvikelser", "Avvikelser från det planerade, och vad parterna gör åt dem", "text", required=False),
    ), filled_by="organisation", document_kind="uppfoljning"),
    TemplateRef(CODE, "utvardering", "Mall för utvärdering av IOP",
                "Utvärdering under kvartal ett eller två av partnerskapets sista år, av båda parterna.", ("JV-17",),
                fields=(
        *_both("genomforande", "Hur har verksamheten genomförts?"),
        *_both("maluppfyllelse", "Hur väl har målen uppnåtts?"),
        *_both("bidrag", "Har båda parter bidragit som överenskommet?"),
        *_both("kostnadseffektivitet", "Har verksamheten bedrivits kostnadseffektivt och med varsam hantering "
                                       "av offentliga medel?"),
        *_both("larande", "Vad har parterna lärt sig?"),
    ), document_kind="utvardering"),
    TemplateRef(CODE, "slutrapport", "Mall för slutrapport",
                "Slutrapport till nämnden minst tre månader före överenskommelsens slut.", ("JV-18",), fields=(
        FormField("hela_perioden", "Partnerskapet under hela perioden", "text"),
        FormField("uppfoljningar", "De tidigare uppföljningarna och vad de visade", "text"),
        FormField("utvarderingen", "Vad utvärderingen visade", "text"),
        FormField("kommunens_standpunkt", "Förvaltningens ställningstagande", "choice", choices=POSITION,
                  hint="Tas av direktören, avdelningschefen för administrativa avdelningen och "
                       "avdelningschefen för kärnverksamheten."),
        FormField("kommunens_motivering", "Förvaltningens motivering", "text"),
        FormField("partens_standpunkt", "Den idéburna partens ställningstagande", "choice", choices=POSITION,
                  hint="Tas av styrelseordföranden eller motsvarande."),
        FormField("partens_motivering", "Den idéburna partens motivering", "text"),
    ), document_kind="slutrapport"),
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


def _condition(key: str, question: str, explanation: str, problem: str, rule: str) -> GuideQuestion:
    return GuideQuestion(kommun=CODE, key=key, question=question, explanation=explanation, problem=problem,
                         rule_ids=(rule,))


# Järva's general conditions (JV-21) and what its societal challenge must be
# (JV-22), asked in the public guide when Järva is chosen.
GUIDE_QUESTIONS = (
    _condition("ansvarsomrade", "Hör verksamheten till något av stadsdelsnämndens ansvarsområden?",
               "Stadsdelsnämnden ansvarar bland annat för förskola, socialtjänst, äldreomsorg, stöd till personer "
               "med funktionsnedsättning, fritid och lokalt trygghetsarbete i Järva.",
               "Verksamheten hör inte till stadsdelsnämndens ansvarsområden. Då kan Järva inte ingå ett IOP om den; "
               "en annan del av staden kan vara rätt motpart.", "JV-21"),
    _condition("oppen", "Är verksamheten öppen och tillgänglig för alla i målgruppen?",
               "Alla som hör till målgruppen ska kunna delta, oavsett om de är medlemmar i er organisation.",
               "Verksamheten är inte öppen för alla i målgruppen. Järva kräver det för ett IOP.", "JV-21"),
    _condition("samverkan", "Behöver ni och stadsdelsförvaltningen samverka för att lösa utmaningen?",
               "Ett IOP förutsätter att utmaningen inte kan lösas lika bra av någon av er ensam.",
               "Utmaningen kräver inte samverkan med förvaltningen. Då är ett IOP inte motiverat i Järva.", "JV-21"),
    _condition("langsiktig", "Kan er organisation bära ett långsiktigt samarbete, i flera år?",
               "Ett IOP i Järva gäller oftast flera år. Organisationen behöver ha stabilitet, till exempel en "
               "fungerande styrelse och ekonomi.",
               "Organisationen kan inte bära ett långsiktigt samarbete än. Järva kräver det för ett IOP.", "JV-21"),
    _condition("kostnadseffektiv", "Är verksamheten kostnadseffektiv, med varsam användning av skattepengar?",
               "Stadsdelsnämnden ska använda skattebetalarnas pengar varsamt och kunna visa vad de ger.",
               "Verksamheten är inte kostnadseffektiv. Järva kräver det för ett IOP.", "JV-21"),
    _condition("lokal_utmaning", "Har utmaningen ett lokalt perspektiv som går att visa med statistik eller "
               "undersökningar?",
               "Beskriv hur utmaningen syns just i Järva, och vad som visar det: statistik, enkäter eller "
               "andra undersökningar.",
               "Utmaningen saknar ett lokalt perspektiv som går att belägga. Ta fram underlag om hur den syns i "
               "Järva innan ni lämnar en intresseanmälan.", "JV-22"),
)


@hookimpl
def iop_register_guide_questions():
    return list(GUIDE_QUESTIONS)
