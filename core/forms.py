"""Answers to a process's forms: checking what a person submitted, and telling
which required answers are still missing.

Answers are kept as strings keyed by field: text as written, yes/no as
``ja``/``nej`` (with the written motivation under ``<field>__motivering``),
dates as ÅÅÅÅ-MM-DD, amounts as a plain decimal, choices by their key.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.process import NO, YES, FormDefinition, FormField
from core.values import clean_text, parse_amount, parse_date

MOTIVATION_SUFFIX = "__motivering"
MAX_TEXT = 10_000


def motivation_key(field: FormField) -> str:
    return field.key + MOTIVATION_SUFFIX


def needs_motivation(field: FormField, answer: str) -> bool:
    """A yes/no question whose given answer must be motivated in writing."""
    if field.kind != "yesno" or field.motivation_when is None:
        return False
    return answer == (YES if field.motivation_when else NO)


def check_answers(form: FormDefinition, submitted: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The clean answers and a Swedish message per field that cannot be saved.
    An empty answer is allowed here (a form may be saved half-done); only an
    answer in the wrong shape is an error."""
    answers: dict[str, str] = {}
    errors: dict[str, str] = {}
    for f in form.fields:
        value = clean_text(submitted.get(f.key))
        if f.kind == "yesno":
            if value and value not in (YES, NO):
                errors[f.key] = "Svara ja eller nej."
                continue
            motivation = clean_text(submitted.get(motivation_key(f)))
            if motivation:
                if len(motivation) > MAX_TEXT:
                    errors[motivation_key(f)] = f"Motiveringen får vara högst {MAX_TEXT} tecken."
                answers[motivation_key(f)] = motivation
        elif f.kind == "date" and value:
            day, message = parse_date(value)
            if message:
                errors[f.key] = message
                continue
            value = day.isoformat()
        elif f.kind == "amount" and value:
            amount, message = parse_amount(value, noun="belopp", unit="i kronor")
            if message:
                errors[f.key] = message
                continue
            value = format(amount.normalize(), "f")
        elif f.kind == "choice" and value and value not in {k for k, _ in f.choices}:
            errors[f.key] = "Välj ett av alternativen."
            continue
        elif f.kind == "text" and len(value) > MAX_TEXT:
            errors[f.key] = f"Texten får vara högst {MAX_TEXT} tecken."
            continue
        if value:
            answers[f.key] = value
    return answers, errors


def unanswered(form: FormDefinition, answers: Mapping[str, str] | None) -> list[str]:
    """Swedish messages for every required answer that is missing; empty when
    the form is filled in completely."""
    answers = answers or {}
    missing = []
    for f in form.fields:
        value = answers.get(f.key, "")
        if f.required and not value:
            missing.append(f"Svar saknas: {f.label}")
        elif needs_motivation(f, value) and not answers.get(motivation_key(f)):
            missing.append(f"Motivering saknas: {f.label}")
    return missing


def display_answer(field: FormField, value: str) -> str:
    """An answer as the workspace shows it."""
    if not value:
        return "–"
    if field.kind == "yesno":
        return "Ja" if value == YES else "Nej"
    if field.kind == "choice":
        return dict(field.choices).get(value, value)
    return value
