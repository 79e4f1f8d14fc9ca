"""Working a partnership forward through its process the way its staff would:
supplying what each current step needs (fields, documents, meetings, form
answers, contributions) and completing it in a role that owns it.

It knows nothing of any kommun: it reads the definition. The demo
installation is built with it, and the tests use it to show that every
installed process can be walked from initiative to end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.engine import StepProgress, blocking_precondition, counted_meetings, earliest_counted
from core.forms import motivation_key, needs_motivation
from core.inputs import MeetingInput, PartnershipInput
from core.models import Partnership, Representative, Tenant, User
from core.models.organisation import SIGNATORY
from core.process import NO, YES, Requirement
from core.registry import KommunEntry, Registry
from core.services import agreements, case_forms, casework, coordinators, documents, meetings, partnerships
from core.services.permissions import named_role_keys
from core.services.casework import CaseView
from core.process import add_months

MOTIVATION = "Bedömt utifrån underlagen i ärendet."


@dataclass
class Walker:
    session: Session
    registry: Registry
    kommun: KommunEntry
    tenant: Tenant
    # A user for each role key of the kommun's roles table.
    users: dict[str, User]
    documents_dir: Path
    today: date

    def view(self, p: Partnership) -> CaseView:
        view = casework.case_view(self.session, self.registry, self.kommun, self.tenant, p, self.today)
        if view is None:
            raise RuntimeError(f"partnership {p.id} has no installed process")
        return view

    def actor_for(self, sp: StepProgress) -> tuple[User, str]:
        for key in sp.step.owner_roles:
            if key in self.users:
                return self.users[key], key
        raise RuntimeError(f"no user holds a role that owns step '{sp.key}'")

    # ------------------------------------------------------------ supplying

    def supply(self, p: Partnership, sp: StepProgress, view: CaseView, period: tuple[date, date]) -> None:
        actor, _ = self.actor_for(sp)
        if any(req.kind == "field" and req.ref == "coordinator" for req in sp.missing):
            named = next(self.users[k] for k in named_role_keys(view.roles.roles) if k in self.users)
            coordinators.set_coordinator(self.session, self.tenant, actor, p, named.id, view.roles.roles)
        if any(req.kind in ("field", "contributions") and req.ref != "coordinator" for req in sp.missing):
            self._fill_case(p, actor, period)
        for req in sp.missing:
            self._supply_one(p, req, sp, view, actor)
        self.session.flush()

    def _supplied(self, p: Partnership, sp: StepProgress, view: CaseView, period: tuple[date, date]) -> StepProgress:
        """The step once what it misses is supplied, as the case now reads; a
        step that misses nothing is read again only when something changed."""
        if not sp.missing:
            return sp
        self.supply(p, sp, view, period)
        return self.view(p).progress.step(sp.key)

    def _supply_one(self, p: Partnership, req: Requirement, sp: StepProgress, view: CaseView, actor: User) -> None:
        if req.kind == "document" and self._sign(p, req, view):
            return
        if req.kind == "document" and req.each_party and len(view.facts.ideburna) > 1:
            self._send_from_each_party(p, req, view)
            return
        if req.kind == "document":
            kind = view.process.document_kind(req.ref)
            title = kind.title if kind else req.ref
            documents.store_document(
                self.session, self.documents_dir, self.tenant, actor, partnership=p, kind=req.ref, title=title,
                filename=f"{req.ref}.txt", content=f"{title}\n\nDemodokument för {p.title}.\n".encode(),
            )
        elif req.kind == "form":
            self._fill_form(p, req.ref, view, actor)
        elif req.kind == "meetings":
            self._hold_meetings(p, req, sp, actor)

    def _send_from_each_party(self, p: Partnership, req: Requirement, view: CaseView) -> None:
        """Each idéburen party that has not sent one sends the document through
        one of its representatives (GEN-08: each takes its own position)."""
        fresh = self.view(p).facts
        sent = {d.organisation_id for d in fresh.documents if d.kind == req.ref}
        kind = view.process.document_kind(req.ref)
        for organisation_id, name in fresh.ideburna:
            if organisation_id in sent:
                continue
            representative = self.session.scalar(
                select(User).join(Representative, Representative.user_id == User.id)
                .where(Representative.organisation_id == organisation_id, Representative.approved_at.is_not(None))
                .limit(1))
            if representative is None:
                raise RuntimeError(f"{name} has no representative to send '{req.ref}'")
            documents.store_document(
                self.session, self.documents_dir, self.tenant, representative, partnership=p, kind=req.ref,
                title=kind.title if kind else req.ref, filename=f"{req.ref}.txt",
                content=f"{name}\n\nDemodokument för {p.title}.\n".encode())

    def _sign(self, p: Partnership, req: Requirement, view: CaseView) -> bool:
        """The signed agreement, signed in the platform by the kommun's
        signatory and each party's authorised signatory (GEN-09), when the
        process decided a version and every party has a signatory; else False
        (the signed paper copy is uploaded instead)."""
        rule = view.process.agreement
        if rule is None or req.ref != rule.signed_kind:
            return False
        version = agreements.in_force(self.session, self.tenant, p.id)
        kommun = next(((self.users[k], k) for k in rule.signatory_roles if k in self.users), None)
        organisations = [party.organisation_id for party in p.parties if party.organisation_id]
        chairs = {org: self.session.scalar(select(Representative).where(
            Representative.organisation_id == org, Representative.capacity == SIGNATORY,
            Representative.approved_at.is_not(None))) for org in organisations}
        if version is None or kommun is None or None in chairs.values():
            return False
        titles = {r.key: r.title for r in view.roles.roles}
        done = {s.party_key for s in agreements.signatures(self.session, [version.id])[version.id]}
        signers = [agreements.kommun_signer(rule, kommun[0], titles, (kommun[1],))]
        signers += [agreements.organisation_signer(self.session, p, self.session.get(User, rep.user_id))
                    for rep in chairs.values()]
        for signer in signers:
            if agreements.party_key(signer.organisation_id) not in done:
                agreements.sign(self.session, self.documents_dir, self.tenant, p, rule, version, signer, version.sha256)
        return True

    def _fill_case(self, p: Partnership, actor: User, period: tuple[date, date]) -> None:
        data = partnerships.form_values(p)
        data.setdefault("samhallsutmaning", "")
        data["samhallsutmaning"] = data["samhallsutmaning"] or "Samhällsutmaningen beskrivs med statistik från området."
        data["goals"] = data.get("goals") or "Fler i målgruppen deltar, mätt med enkät varje år."
        data["period_start"] = data.get("period_start") or period[0].isoformat()
        data["period_end"] = data.get("period_end") or period[1].isoformat()
        if not any(party.role == "offentlig" and party.contributions for party in p.parties):
            data["offentlig_pengar_amount"] = "250000"
            data["offentlig_lokaler_text"] = "Lokal i medborgarhuset"
        if not any(party.role == "ideburen" and party.contributions for party in p.parties):
            data["ideburen_ideella_timmar_amount"] = "600"
        partnerships.update_partnership(self.session, self.tenant, actor, p, PartnershipInput.from_form(data, self.today),
                                        p.version)

    def _fill_form(self, p: Partnership, key: str, view: CaseView, actor: User) -> None:
        form = view.process.form(key)
        answers: dict[str, str] = {}
        for f in form.fields:
            if f.kind == "yesno":
                # The answer that needs no motivation: "ja", or "nej" where a "ja" must be motivated (ST-03).
                answers[f.key] = NO if f.motivation_when is True else YES
            elif f.kind == "choice":
                answers[f.key] = f.choices[0][0]
            elif f.kind == "date":
                answers[f.key] = self.today.isoformat()
            elif f.kind == "amount":
                answers[f.key] = "0"
            else:
                answers[f.key] = "Se underlagen i ärendet."
        # Answer so that each step's first outcome that goes on can be chosen,
        # also the steps that come later and read this form.
        for step in view.process.steps():
            going_on = next((o for o in step.outcomes if o.kind in ("continue", "end")), None)
            for cond in going_on.when if going_on else ():
                if cond.form == key:
                    answers[cond.field] = cond.equals
        for f in form.fields:
            if needs_motivation(f, answers.get(f.key, "")):
                answers[motivation_key(f)] = MOTIVATION
        row = case_forms.get_response(self.session, self.tenant, p, key)
        case_forms.save_form(self.session, self.tenant, actor, p, view.progress, form, answers, row.version if row else 0)

    def _hold_meetings(self, p: Partnership, req: Requirement, sp: StepProgress, actor: User) -> None:
        """Holds the meetings the step still needs, a week apart, none before
        the day from which they count (the initiative, JV-04; the review, JV-07)."""
        view = self.view(p)
        if sp.window is not None and sp.step.recurring:
            day = min(sp.window.due, self.today)
        else:
            day = self.today
        earliest = earliest_counted(view.process, view.facts, req.ref) or date.min
        held = len([m for m in counted_meetings(view.process, view.facts, req.ref, self.today)
                    if sp.window is None or not sp.step.recurring or sp.window.opens <= m.held_on])
        for n in range(req.minimum - held):
            meetings.register_meeting(self.session, self.tenant, actor, p, view.progress, view.facts, MeetingInput.from_form({
                "kind": req.ref, "held_on": max(earliest, day - timedelta(days=7 * n)).isoformat(),
                "participants": "Företrädare för förvaltningen och den idéburna parten.",
                "minutes": "Parterna gick igenom läget och kom överens om nästa steg.",
            }), self.today)
            view = self.view(p)

    # ------------------------------------------------------------ completing

    def complete(self, p: Partnership, sp: StepProgress, outcome_key: str | None = None) -> None:
        actor, role = self.actor_for(sp)
        choice = outcome_key or next(c.outcome.key for c in sp.outcomes
                                     if not c.blocked and c.outcome.kind in ("continue", "end"))
        casework.complete_step(
            self.session, self.registry, self.kommun, self.tenant, actor, (role,), p, step_key=sp.key,
            outcome_key=choice, motivation=MOTIVATION, expected_version=p.version, today=self.today,
        )
        self.session.flush()

    def advance(self, p: Partnership, *, steps: int | None = None, until_status: str | None = None,
                period: tuple[date, date] | None = None, include_upcoming: bool = False) -> int:
        """Completes current steps in process order until ``steps`` are done,
        the status is reached, or nothing more is current. Returns how many
        steps were completed."""
        start = date(self.today.year + 1, 1, 1)
        period = period or (start, add_months(start, 36) - timedelta(days=1))
        done = 0
        for _ in range(200):
            if steps is not None and done >= steps:
                break
            if until_status is not None and p.status == until_status:
                break
            view = self.view(p)
            if view.progress.ended is not None:
                break
            states = ("current", "upcoming") if include_upcoming else ("current",)
            # A precondition whose time has passed comes first: nothing else can be done (JV-16).
            sp = blocking_precondition(view.progress, self.today) or next(
                (s for s in view.progress.steps if s.state in states and (s.period or not s.step.recurring)), None)
            if sp is None:
                break
            self.complete(p, self._supplied(p, sp, view, period))
            done += 1
        return done

    def catch_up(self, p: Partnership) -> None:
        """Completes the past occurrences of recurring steps (last year's
        follow-up and earlier), as a partnership that kept up would have."""
        for _ in range(50):
            view = self.view(p)
            sp = next((s for s in view.progress.steps if s.step.recurring and s.state == "current"
                       and s.window is not None and s.window.due < self.today), None)
            if sp is None:
                return
            self.complete(p, self._supplied(p, sp, view, (self.today, self.today)))

    def stop(self, p: Partnership, kinds: tuple[str, ...] = ("redirect", "stop")) -> None:
        """Works forward to the first step that can end the process early, and
        ends it there."""
        for _ in range(50):
            view = self.view(p)
            sp = next((s for s in view.progress.steps if s.state == "current"), None)
            if sp is None:
                raise RuntimeError("no current step to stop at")
            ending = next((c.outcome.key for kind in kinds for c in sp.outcomes
                           if c.outcome.kind == kind and not c.blocked), None)
            if ending is not None:
                self.complete(p, sp, ending)
                return
            self.complete(p, self._supplied(p, sp, view, (date(self.today.year + 1, 1, 1),
                                                          date(self.today.year + 3, 12, 31))))
        raise RuntimeError("the process offers no way to stop")
