"""Answers to a process's forms: what can be saved, and what is still missing."""

from core.forms import check_answers, display_answer, unanswered
from core.process import FormDefinition, FormField

FORM = FormDefinition("bedomning", "Bedömning", (
    FormField("lagligt", "Är det lagligt?", "yesno", motivation_when=False),
    FormField("belopp", "Belopp", "amount"),
    FormField("datum", "Datum", "date"),
    FormField("form", "Stödform", "choice", choices=(("iop", "IOP"), ("bidrag", "Föreningsbidrag"))),
    FormField("kommentar", "Kommentar", "text", required=False),
))


def test_answers_are_cleaned_and_kept_as_strings():
    answers, errors = check_answers(FORM, {"lagligt": "ja", "belopp": "150 000,50", "datum": "2027-03-05",
                                           "form": "iop", "kommentar": "  Bra  "})
    assert errors == {}
    assert answers == {"lagligt": "ja", "belopp": "150000.5", "datum": "2027-03-05", "form": "iop",
                       "kommentar": "Bra"}


def test_an_answer_in_the_wrong_shape_gets_a_swedish_message():
    _, errors = check_answers(FORM, {"lagligt": "kanske", "belopp": "mycket", "datum": "5 mars", "form": "annat"})
    assert errors == {
        "lagligt": "Svara ja eller nej.",
        "belopp": "Skriv ett belopp i kronor, till exempel 150 000.",
        "datum": "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2027-03-15.",
        "form": "Välj ett av alternativen.",
    }
    assert check_answers(FORM, {"belopp": "-5"})[1] == {"belopp": "Skriv ett positivt belopp med högst två decimaler."}


def test_a_half_done_form_can_be_saved_and_says_what_is_missing():
    answers, errors = check_answers(FORM, {"lagligt": "nej"})
    assert errors == {}
    assert unanswered(FORM, answers) == [
        "Motivering saknas: Är det lagligt?", "Svar saknas: Belopp", "Svar saknas: Datum", "Svar saknas: Stödform"]
    complete = {"lagligt": "nej", "lagligt__motivering": "Oklart läge.", "belopp": "1", "datum": "2027-01-01", "form": "iop"}
    assert unanswered(FORM, complete) == []


def test_answers_are_shown_in_plain_swedish():
    assert display_answer(FORM.fields[0], "ja") == "Ja"
    assert display_answer(FORM.fields[3], "bidrag") == "Föreningsbidrag"
    assert display_answer(FORM.fields[4], "") == "–"
