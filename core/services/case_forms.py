"""Filling in a process's forms on a partnership (checklists, assessments)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core.engine import Progress
from core.forms import check_answers, unanswered
from core.models import FormResponse, Partnership, Tenant, User
from core.process import FormDefinition
from core.services import ConflictError, ValidationError, audit


class FormLocked(Exception):
    """The form belongs to steps that are all completed: the decision rests on
    the answers as they were, so they are no longer changed."""


def get_response(session: Session, tenant: Tenant, p: Partnership, form_key: str) -> FormResponse | None:
    return session.scalar(select(FormResponse).where(
        FormResponse.tenant_id == tenant.id, FormResponse.partnership_id == p.id, FormResponse.form_key == form_key))


def is_locked(progress: Progress, form_key: str) -> bool:
    """Locked once every step that works on the form is done, or the process ended."""
    if progress.ended is not None:
        return True
    users = [s for s in progress.steps
             if s.step.form == form_key or any(r.kind == "form" and r.ref == form_key for r in s.step.requires)]
    return bool(users) and all(s.state == "done" for s in users)


def save_form(
    session: Session,
    tenant: Tenant,
    actor: User | None,
    p: Partnership,
    progress: Progress,
    form: FormDefinition,
    submitted: dict[str, str],
    expected_version: int,
) -> tuple[FormResponse, list[str]]:
    """Saves the answers given; returns the saved response and what is still
    unanswered. ``expected_version`` is the version the person edited (0 for a
    form not saved before); a mismatch raises ConflictError and saves nothing."""
    if is_locked(progress, form.key):
        raise FormLocked()
    return save_answers(session, tenant, actor, p, form, submitted, expected_version)


def save_answers(session: Session, tenant: Tenant, actor: User | None, p: Partnership, form: FormDefinition,
                 submitted: dict[str, str], expected_version: int) -> tuple[FormResponse, list[str]]:
    """save_form without the process's lock: also for a mall's answers
    (core.services.mall_documents)."""
    answers, errors = check_answers(form, submitted)
    if errors:
        raise ValidationError(errors)
    row = get_response(session, tenant, p, form.key)
    before = None
    if row is None:
        if expected_version != 0:
            raise ConflictError()
        row = FormResponse(tenant_id=tenant.id, partnership_id=p.id, form_key=form.key, answers=answers,
                           updated_by_id=actor.id if actor else None)
        session.add(row)
    else:
        if row.version != expected_version:
            raise ConflictError()
        before = dict(row.answers or {})
        row.answers = answers
        row.updated_by_id = actor.id if actor else None
    try:
        session.flush()
    except (StaleDataError, IntegrityError) as exc:
        raise ConflictError() from exc
    audit.record(session, actor=actor, tenant=tenant, object_type="partnership", object_id=p.id, action="save_form",
                 before={"form": form.key, "answers": before} if before is not None else None,
                 after={"form": form.key, "answers": answers})
    return row, unanswered(form, answers)
