"""One conversation per partnership between its parties: the kommun's staff
and the representatives of each idéburen party. A new message is announced by
e-mail to the other side; the e-mail says who wrote, not what, since mail
leaves the platform's walls."""

from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session, aliased

from core.models import CaseTask, CaseTaskRole, Message, Organisation, Partnership, Party, RoleAssignment, Tenant, User
from core.services import ValidationError, audit, mail, representatives
from core.services.deadlines import Person, owned_by, person_values
from core.tenancy import Scope, set_scope
from core.values import clean_text, too_long

MAX_BODY = 5000


def conversation(session: Session, partnership_id: int) -> list[tuple[Message, str, str | None]]:
    """Every message of the partnership, oldest first, with its author's name
    and the organisation they wrote for (None: the kommun)."""
    author = aliased(User)
    return [(m, name or "Okänd", org) for m, name, org in session.execute(
        select(Message, author.name, Organisation.name)
        .outerjoin(author, author.id == Message.author_id)
        .outerjoin(Organisation, Organisation.id == Message.organisation_id)
        .where(Message.partnership_id == partnership_id)
        .order_by(Message.sent_at, Message.id))]


def checked_body(raw: str | None) -> str:
    body = clean_text(raw)
    if not body:
        raise ValidationError({"body": "Skriv ett meddelande."})
    if problem := too_long(body, MAX_BODY):
        raise ValidationError({"body": problem})
    return body


def send(session: Session, *, partnership: Partnership, author: User, organisation: Organisation | None,
         body: str, base_url: str) -> Message:
    """Adds a message and tells the other side. ``organisation``: the party
    the author writes for; None for the kommun's staff. A representative's
    message is the tenant's row, so the rest of the unit of work is the tenant's."""
    body = checked_body(body)
    if organisation is not None:
        set_scope(session, Scope.of_tenant(partnership.tenant_id))
    tenant = session.get(Tenant, partnership.tenant_id)
    message = Message(tenant_id=tenant.id, partnership_id=partnership.id, author_id=author.id,
                      organisation_id=organisation.id if organisation else None, body=body)
    session.add(message)
    session.flush()
    audit.record(session, actor=author, tenant=tenant, object_type="partnership", object_id=partnership.id,
                 action="message", after={"message": message.id})
    sender = organisation.name if organisation else tenant.name
    base = base_url.rstrip("/")
    for person, link in _other_side(session, tenant, partnership, author, organisation):
        mail.queue(session, to=person.email, kind="partnership-message",
                   subject=f"Nytt meddelande från {sender}: {partnership.title}",
                   body=f"Hej {person.name}!\n\n{author.name} ({sender}) har skrivit ett meddelande i partnerskapet "
                        f"\"{partnership.title}\". Läs och svara här:\n\n{base}{link}")
    return message


def _other_side(session: Session, tenant: Tenant, partnership: Partnership, author: User,
                organisation: Organisation | None) -> list[tuple[User, str]]:
    """Who hears of a new message, each with the link to the conversation:
    the representatives of every idéburen party other than the author's own;
    and, when an organisation wrote, the staff who have written in the
    conversation, or else those whose roles own the case's current steps."""
    people: dict[int, tuple[User, str]] = {}
    portal_link = f"/portal/partnerskap/{partnership.id}#meddelanden"
    party_orgs = session.scalars(select(Organisation).where(Organisation.id.in_(
        select(Party.organisation_id).where(Party.tenant_id == tenant.id, Party.partnership_id == partnership.id)))).all()
    for org in party_orgs:
        if organisation is not None and org.id == organisation.id:
            continue
        for person, _ in representatives.approved(session, org):
            people[person.id] = (person, portal_link)
    if organisation is not None:
        staff_link = f"/k/{tenant.code}/partnerskap/{partnership.id}/parter#meddelanden"
        writers = session.scalars(select(User).where(User.id.in_(
            select(Message.author_id).where(Message.partnership_id == partnership.id,
                                            Message.organisation_id.is_(None))), User.is_active.is_(True))).all()
        if not writers:
            roles = select(CaseTaskRole.role).join(CaseTask, CaseTask.id == CaseTaskRole.task_id).where(
                CaseTask.partnership_id == partnership.id, CaseTask.state == "current")
            writers = session.scalars(select(User).join(RoleAssignment, RoleAssignment.user_id == User.id).where(
                RoleAssignment.tenant_id == tenant.id, RoleAssignment.role_key.in_(roles),
                User.is_active.is_(True)).distinct()).all()
        for person in writers:
            people[person.id] = (person, staff_link)
    people.pop(author.id, None)
    return list(people.values())


def _awaiting(named: bool):
    """The last message from a party and from the kommun per partnership,
    and the criteria of a conversation that waits on the person (binds what
    deadlines.person_values gives; ``named`` as deadlines.owned_by takes it)."""
    tenant_id = bindparam("tenant_id")
    from_party = func.max(Message.sent_at).filter(Message.organisation_id.is_not(None))
    from_kommun = func.max(Message.sent_at).filter(Message.organisation_id.is_(None))
    last = (select(Message.partnership_id, from_party.label("party"), from_kommun.label("kommun"))
            .where(Message.tenant_id == tenant_id).group_by(Message.partnership_id).subquery())
    wrote = select(Message.partnership_id).where(Message.tenant_id == tenant_id,
                                                 Message.author_id == bindparam("user_id"),
                                                 Message.organisation_id.is_(None))
    owns = select(CaseTask.partnership_id).where(CaseTask.tenant_id == tenant_id, CaseTask.state == "current",
                                                 owned_by(named))
    return last, (last.c.party.is_not(None), or_(last.c.kommun.is_(None), last.c.party > last.c.kommun),
                  or_(last.c.partnership_id.in_(wrote), last.c.partnership_id.in_(owns)))


# Built once for each shape and run with the person's values (as in core.services.deadlines).
@cache
def _awaiting_page(named: bool):
    last, where = _awaiting(named)
    # One query whatever the numbers: the window counts every match before the limit.
    return (select(Partnership.id, Partnership.title, func.count().over())
            .join(last, last.c.partnership_id == Partnership.id)
            .where(Partnership.tenant_id == bindparam("tenant_id"), *where)
            .order_by(last.c.party, Partnership.id).limit(bindparam("size")))


@cache
def _awaiting_count(named: bool):
    last, where = _awaiting(named)
    return select(func.count()).select_from(last).where(*where)


def awaiting_reply(session: Session, tenant: Tenant, person: Person, limit: int = 10) -> tuple[list[tuple[int, str]], int]:
    """The partnerships whose conversation ends with a message from an
    organisation that no one at the kommun has answered, among those the
    person has written in or whose current steps their roles own (the staff
    who are told of a new message): what the parties ask of them. At most
    ``limit``, the longest waiting first, and how many in all."""
    rows = session.execute(_awaiting_page(person.has_named_roles),
                           {**person_values(tenant, person), "size": limit}).all()
    return [(pid, title) for pid, title, _ in rows], rows[0][2] if rows else 0


def count_awaiting_reply(session: Session, tenant: Tenant, person: Person) -> int:
    return session.scalar(_awaiting_count(person.has_named_roles), person_values(tenant, person)) or 0
