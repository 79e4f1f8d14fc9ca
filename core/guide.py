"""The guide to the right form of collaboration (ST-01, ST-02, ST-03, GEN-01,
GEN-02): one question at a time, each explained in plain Swedish, ending in a
recommendation with its reasons.

The order follows the choice of form (ST-02): first what rules IOP out at
once, because another form fits (the kommun's own statutory duties: ST-03;
general support: föreningsbidrag; a service others could sell: upphandling),
then Forum's six criteria for when IOP is possible (ST-01) and the shared goal
(GEN-01), then the questions the chosen kommun's plugin adds (Järva: JV-21,
JV-22). A criterion answered "no" does not end the guide: the recommendation
names every unmet criterion and what to do about it.

Answers travel in the query string (``svar_<key>=ja|nej``), so the guide needs
no account, no session and no JavaScript, and a finished recommendation is a
link that can be printed or sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

YES, NO = "ja", "nej"


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    explanation: str
    # The answer that is a problem for IOP, and what it means.
    problem_answer: str
    problem: str
    # Set: that answer ends the guide, because this other form fits.
    other_form: str = ""
    rule_ids: tuple[str, ...] = ()


QUESTIONS: tuple[Question, ...] = (
    Question(
        "myndighet", "Är verksamheten en del av kommunens egna lagstadgade uppgifter?",
        "Kommunen måste enligt lag sköta vissa uppgifter själv, till exempel skola, socialtjänst och beslut om "
        "stöd till enskilda (myndighetsutövning). Det kallas kommunens myndighetsuppdrag. Ett IOP gäller "
        "samhällsviktiga insatser utanför det uppdraget.",
        YES, "Verksamheten hör till kommunens egna lagstadgade uppgifter. Då är det kommunens ansvar att utföra "
             "den, och ett IOP är inte rätt form.",
        other_form="Kommunens eget uppdrag", rule_ids=("ST-03",)),
    Question(
        "allmant_stod", "Söker ni i första hand stöd till föreningens verksamhet i stort?",
        "Stöd till en organisations vanliga verksamhet, som medlemsaktiviteter eller lokalhyra, ges som "
        "föreningsbidrag. Ett IOP gäller en bestämd verksamhet som ni och kommunen bygger upp tillsammans.",
        YES, "Ni söker stöd till organisationens verksamhet i allmänhet. Det passar bäst som föreningsbidrag, "
             "som ni söker hos kommunen.",
        other_form="Föreningsbidrag", rule_ids=("ST-01", "ST-02")),
    Question(
        "marknad", "Finns det företag eller andra som skulle kunna sälja samma tjänst till kommunen?",
        "Om kommunen vill köpa en tjänst som flera kan leverera måste kommunen göra en upphandling, så att alla "
        "får konkurrera på lika villkor. Ett IOP är för det som ingen marknad erbjuder.",
        YES, "Flera skulle kunna sälja tjänsten. Då ska kommunen upphandla den, och ett IOP är inte rätt form.",
        other_form="Upphandling", rule_ids=("ST-01", "ST-02", "GEN-02")),
    Question(
        "initiativ", "Kommer idén från er organisation?",
        "Ett IOP bygger på att den idéburna organisationen tar initiativet, utifrån ett behov ni ser. "
        "Kommunen kan bjuda in till samtal, men verksamheten ska vara er egen idé.",
        NO, "Idén kommer inte från organisationen. Ett IOP bygger på organisationens eget initiativ; "
            "prata med kommunen om hur ni kan formulera idén utifrån det behov ni själva ser.",
        rule_ids=("ST-01",)),
    Question(
        "program", "Bidrar verksamheten till ett mål som kommunen har bestämt, till exempel i ett program eller en plan?",
        "Kommuner beslutar om program och planer, till exempel för trygghet, folkhälsa eller integration. "
        "Ett IOP ska vara ett steg mot ett sådant mål, gärna ett där idéburna organisationer nämns.",
        NO, "Verksamheten knyter inte an till något mål som kommunen har beslutat. Ta reda på vilka program "
            "och planer kommunen har, och visa hur idén bidrar till något av dem.",
        rule_ids=("ST-01",)),
    Question(
        "egna_resurser", "Bidrar er organisation med egna resurser?",
        "I ett IOP bidrar båda parter. Er insats kan vara pengar, men också ideellt arbete, lokaler, "
        "kontakter eller kunskap om målgruppen.",
        NO, "Organisationen bidrar inte med egna resurser. I ett IOP finansierar båda parter arbetet; "
            "fundera på vad ni kan bidra med, till exempel ideellt arbete eller lokaler.",
        rule_ids=("ST-01",)),
    Question(
        "frihet", "Ska ni och kommunen utforma verksamheten tillsammans?",
        "I ett IOP bestämmer kommunen inte i detalj hur verksamheten ska utföras. Ni formulerar mål och "
        "aktiviteter tillsammans, och organisationen behåller sin självständighet.",
        NO, "Kommunen vill bestämma i detalj hur verksamheten ska utföras. Då liknar det ett uppdrag som ska "
            "upphandlas; i ett IOP utformar parterna verksamheten tillsammans.",
        rule_ids=("ST-01",)),
    Question(
        "gemensamt_mal", "Vill ni ta ett gemensamt ansvar med kommunen för ett mål som ni formulerar tillsammans?",
        "Ett IOP är ett partnerskap mellan jämlika parter, ofta i flera år. Båda parter engagerar sig och tar "
        "ansvar för att nå målet.",
        NO, "Ni vill inte ta ett gemensamt ansvar för ett gemensamt mål. Det är grunden för ett IOP; "
            "ett bidrag kan passa bättre.",
        rule_ids=("GEN-01",)),
)


@dataclass(frozen=True)
class Recommendation:
    """``iop``: IOP can be the form (``unmet`` empty) or could be with work
    (``unmet`` names what); otherwise ``other_form`` says which form fits."""

    iop: bool
    title: str
    reasons: tuple[str, ...]
    unmet: tuple[str, ...] = ()
    other_form: str = ""


@dataclass(frozen=True)
class Step:
    """Where the guide stands: the next question, or the recommendation."""

    questions: tuple[Question, ...]
    answers: dict[str, str] = field(default_factory=dict)
    question: Question | None = None
    recommendation: Recommendation | None = None

    @property
    def number(self) -> int:
        return len(self.answered) + 1

    @property
    def answered(self) -> list[tuple[Question, str]]:
        return [(q, self.answers[q.key]) for q in self.questions if q.key in self.answers]


def questions_for(extra: tuple = ()) -> tuple[Question, ...]:
    """The core questions, then a kommun's own (core.plugin_api.GuideQuestion)."""
    added = tuple(Question(key=f"k_{q.key}", text=q.question, explanation=q.explanation, problem_answer=NO,
                           problem=q.problem, rule_ids=q.rule_ids) for q in extra)
    return QUESTIONS + added


def step(questions: tuple[Question, ...], raw: dict[str, str]) -> Step:
    """The next question given the answers so far, or the recommendation.
    Answers to unknown questions, answers other than ja/nej, and answers
    after the first unanswered question are ignored."""
    answers: dict[str, str] = {}
    for q in questions:
        answer = raw.get(q.key, "")
        if answer not in (YES, NO):
            return Step(questions, answers, question=q)
        answers[q.key] = answer
        if answer == q.problem_answer and q.other_form:
            return Step(questions, answers, recommendation=Recommendation(
                iop=False, title=f"Ett IOP är inte rätt form. Det som passar är: {q.other_form.lower()}",
                reasons=(q.problem,), other_form=q.other_form))
    unmet = tuple(q.problem for q in questions if answers[q.key] == q.problem_answer)
    if unmet:
        return Step(questions, answers, recommendation=Recommendation(
            iop=True, title="Ett IOP kan bli möjligt, men något behöver lösas först",
            reasons=("Verksamheten ligger utanför kommunens egna uppgifter, är mer än allmänt stöd till "
                     "organisationen och är inget som kan köpas på en marknad.",),
            unmet=unmet))
    return Step(questions, answers, recommendation=Recommendation(
        iop=True, title="Ett IOP ser ut att vara rätt form",
        reasons=("Verksamheten ligger utanför kommunens egna lagstadgade uppgifter.",
                 "Det gäller en bestämd verksamhet, inte allmänt stöd till organisationen.",
                 "Ingen marknad erbjuder tjänsten, så den ska inte upphandlas.",
                 "Idén är er egen, den bidrar till ett mål som kommunen har bestämt, ni bidrar med egna "
                 "resurser och ni vill utforma verksamheten och ta ansvar för målet tillsammans med kommunen.")))
