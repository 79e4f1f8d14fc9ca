"""Organisations' own accounts: sign-up with e-mail verification, invitations,
password reset, and the approval of a claim to represent an organisation
(core.models.organisation.Representative).

Nothing here says whether an e-mail address or an organisation is known to
the platform: sign-up and reset answer alike in every case, and what differs
is only the e-mail the address's owner receives."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.models import AccountToken, Organisation, Party, Representative, Tenant, User
from core.models.organisation import CAPACITIES, CONTACT, LEGAL_FORMS
from core.orgnr import check_legal_form, check_organisationsnummer
from core.services import ValidationError, audit, mail
from core.services.auth import end_all_sessions
from core.services.passwords import hash_password
from core.tenancy import as_platform
from core.services.users import email_error, get_by_email, name_error, password_error
from core.values import clean_text, too_long

VERIFY, RESET, INVITE = "verify", "reset", "invite"
LIFETIMES = {VERIFY: timedelta(hours=48), RESET: timedelta(hours=1), INVITE: timedelta(days=7)}
# An account that cannot be signed in to until its owner chooses a password.
NO_PASSWORD = "!"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue(session: Session, user: User, purpose: str, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    session.add(AccountToken(user_id=user.id, purpose=purpose, token_hash=_hash(token),
                             expires_at=now + LIFETIMES[purpose], created_at=now))
    return token


def peek(session: Session, token: str, purpose: str, now: datetime | None = None) -> User | None:
    """The user a still valid link belongs to, without using it up."""
    found = _valid(session, token, purpose, now or utcnow())
    return session.get(User, found.user_id) if found else None


def _valid(session: Session, token: str, purpose: str, now: datetime) -> AccountToken | None:
    if not token or len(token) > 100:
        return None
    found = session.scalar(select(AccountToken).where(AccountToken.token_hash == _hash(token),
                                                      AccountToken.purpose == purpose))
    if found is None or found.used_at is not None or found.expires_at <= now:
        return None
    return found


def _use(session: Session, token: str, purpose: str, now: datetime) -> User | None:
    found = _valid(session, token, purpose, now)
    if found is None:
        return None
    found.used_at = now
    return session.get(User, found.user_id)


@dataclass(frozen=True)
class SignUp:
    name: str
    email: str
    password: str
    organisation_name: str
    organisationsnummer: str
    legal_form: str
    capacity: str

    @classmethod
    def from_form(cls, data: dict[str, str]) -> SignUp:
        """The form's values, checked; raises ValidationError with a message per field."""
        errors: dict[str, str] = {}
        name, email = clean_text(data.get("name", "")), clean_text(data.get("email", "")).lower()
        org_name = clean_text(data.get("organisation_name", ""))
        number, number_error = check_organisationsnummer(data.get("organisationsnummer", ""))
        legal_form, capacity = data.get("legal_form", ""), data.get("capacity", "")
        password = data.get("password", "")
        if not org_name:
            errors["organisation_name"] = "Skriv organisationens namn."
        elif message := too_long(org_name, 300):
            errors["organisation_name"] = message
        if number_error:
            errors["organisationsnummer"] = number_error
        if legal_form not in LEGAL_FORMS:
            errors["legal_form"] = "Välj organisationens form."
        elif number and (message := check_legal_form(number, legal_form)):
            errors["organisationsnummer"] = message
        if capacity not in CAPACITIES:
            errors["capacity"] = "Välj om du är kontaktperson eller firmatecknare."
        if message := name_error(name):
            errors["name"] = message.replace("användarens", "ditt")
        if message := email_error(email):
            errors["email"] = message
        if message := password_error(password):
            errors["password"] = message
        elif password != data.get("password_again", ""):
            errors["password_again"] = "Lösenorden är inte likadana. Skriv samma lösenord två gånger."
        if errors:
            raise ValidationError(errors)
        return cls(name, email, password, org_name, number or "", legal_form, capacity)


def _record(session: Session, *, actor: User | None, tenant: Tenant | None, organisation_id: int, action: str,
            before: dict | None = None, after: dict | None = None) -> None:
    """Into the tenant's audit trail when staff act; otherwise into the
    platform's, whoever acts (the organisation's own people included)."""
    if tenant is not None:
        audit.record(session, actor=actor, tenant=tenant, object_type="organisation", object_id=organisation_id,
                     action=action, before=before, after=after)
        return
    with as_platform(session):
        audit.record(session, actor=actor, tenant=None, object_type="organisation", object_id=organisation_id,
                     action=action, before=before, after=after)


def _link(base_url: str, path: str) -> str:
    return f"{base_url.rstrip('/')}{path}"


def sign_up(session: Session, form: SignUp, base_url: str, now: datetime | None = None) -> None:
    """A new account claiming to represent an organisation. An organisation
    new to the platform is created with its first representative approved; a
    claim on one that exists waits for approval. The account signs in once
    its address is verified. An address already in use gets a message saying
    so, to its owner only."""
    now = now or utcnow()
    if get_by_email(session, form.email) is not None:
        mail.queue(session, to=form.email, kind="signup-known", subject="Någon försökte registrera din e-postadress",
                   body=f"Hej!\n\nNågon, kanske du, försökte skapa ett konto på IOP-plattformen med den här "
                        f"e-postadressen. Det finns redan ett konto med den.\n\n"
                        f"Logga in: {_link(base_url, '/login')}\n"
                        f"Har du glömt lösenordet? {_link(base_url, '/losenord/glomt')}\n\n"
                        f"Var det inte du? Då behöver du inte göra något.")
        return
    user = User(email=form.email, name=form.name, password_hash=hash_password(form.password), email_verified_at=None)
    session.add(user)
    organisation = session.scalar(select(Organisation).where(
        Organisation.organisationsnummer == form.organisationsnummer))
    new_organisation = organisation is None
    if new_organisation:
        organisation = Organisation(name=form.organisation_name, organisationsnummer=form.organisationsnummer,
                                    legal_form=form.legal_form)
        session.add(organisation)
    session.flush()
    session.add(Representative(organisation_id=organisation.id, user_id=user.id, capacity=form.capacity,
                               approved_at=now if new_organisation else None, created_at=now))
    token = _issue(session, user, VERIFY, now)
    mail.queue(session, to=user.email, kind="verify", subject="Bekräfta din e-postadress",
               body=f"Hej {user.name}!\n\nDu har skapat ett konto på IOP-plattformen för {form.organisation_name}. "
                    f"Bekräfta din e-postadress genom att öppna länken:\n\n"
                    f"{_link(base_url, '/portal/verifiera/' + token)}\n\n"
                    f"Länken gäller i två dygn. Har du inte skapat något konto? Då kan du bortse från meddelandet.")
    _record(session, actor=user, tenant=None, organisation_id=organisation.id, action="representative_sign_up",
            after={"user": user.id, "capacity": form.capacity, "new_organisation": new_organisation})


def verify_email(session: Session, token: str, base_url: str, now: datetime | None = None) -> User | None:
    """Marks the address verified; None when the link is unknown, used or too old.
    A claim that waits for approval is announced to those who can approve it."""
    now = now or utcnow()
    user = _use(session, token, VERIFY, now)
    if user is None:
        return None
    user.email_verified_at = now
    rep = representative_of(session, user)
    if rep is not None and rep.approved_at is not None:
        user.organisation_id = rep.organisation_id
    elif rep is not None:
        organisation = session.get(Organisation, rep.organisation_id)
        for other, _ in approved(session, organisation):
            mail.queue(session, to=other.email, kind="claim", subject=f"{user.name} vill företräda {organisation.name}",
                       body=f"Hej {other.name}!\n\n{user.name} ({user.email}) har registrerat sig som "
                            f"{CAPACITIES[rep.capacity].lower()} för {organisation.name} på IOP-plattformen.\n\n"
                            f"Personen ser ingenting av organisationen förrän någon av er godkänner det. "
                            f"Godkänn eller avböj här:\n\n{_link(base_url, '/portal/foretradare')}")
    return user


def representative_of(session: Session, user: User) -> Representative | None:
    return session.scalar(select(Representative).where(Representative.user_id == user.id))


def approved(session: Session, organisation: Organisation) -> list[tuple[User, Representative]]:
    return [(u, r) for r, u in session.execute(
        select(Representative, User).join(User, User.id == Representative.user_id)
        .where(Representative.organisation_id == organisation.id, Representative.approved_at.is_not(None),
               User.is_active.is_(True))
        .order_by(User.name))]


def listed(session: Session, organisation: Organisation) -> list[tuple[Representative, User]]:
    """Every representative of the organisation and every claim on it, waiting ones first."""
    return [(rep, user) for rep, user in session.execute(
        select(Representative, User).join(User, User.id == Representative.user_id)
        .where(Representative.organisation_id == organisation.id)
        .order_by(Representative.approved_at.is_not(None), User.name))]


def may_manage(session: Session, user: User | None, organisation: Organisation, tenant: Tenant | None = None) -> bool:
    """An approved representative of the organisation, or (with ``tenant``)
    staff of a tenant where the organisation is a party to a partnership."""
    if user is None:
        return False
    if tenant is not None:
        return session.scalar(select(Party.id).where(Party.tenant_id == tenant.id,
                                                     Party.organisation_id == organisation.id).limit(1)) is not None
    return user.organisation_id == organisation.id


def approve(session: Session, rep: Representative, actor: User, base_url: str, tenant: Tenant | None = None,
            now: datetime | None = None) -> None:
    """The claim is approved; the person is told by e-mail."""
    if rep.approved_at is not None:
        return
    user = session.get(User, rep.user_id)
    organisation = session.get(Organisation, rep.organisation_id)
    rep.approved_at, rep.approved_by_id = now or utcnow(), actor.id
    if user.email_verified_at is not None:
        user.organisation_id = rep.organisation_id
    mail.queue(session, to=user.email, kind="approved", subject=f"Du företräder nu {organisation.name}",
               body=f"Hej {user.name}!\n\nDu är godkänd som {CAPACITIES[rep.capacity].lower()} för "
                    f"{organisation.name} på IOP-plattformen.\n\nLogga in: {_link(base_url, '/login')}")
    _record(session, actor=actor, tenant=tenant, organisation_id=rep.organisation_id,
            action="representative_approve", after={"user": rep.user_id, "capacity": rep.capacity})


def remove(session: Session, rep: Representative, actor: User, tenant: Tenant | None = None) -> None:
    """Ends the representation (or declines the claim); the account stays, with no organisation."""
    user = session.get(User, rep.user_id)
    if user.organisation_id == rep.organisation_id:
        user.organisation_id = None
        end_all_sessions(session, user)
    _record(session, actor=actor, tenant=tenant, organisation_id=rep.organisation_id,
            action="representative_remove", before={"user": rep.user_id, "capacity": rep.capacity,
                                                    "approved": rep.approved_at is not None})
    session.delete(rep)


def set_capacity(session: Session, rep: Representative, capacity: str, actor: User, tenant: Tenant | None = None) -> None:
    if capacity not in CAPACITIES:
        raise ValidationError({"capacity": "Välj kontaktperson eller firmatecknare."})
    if capacity == rep.capacity:
        return
    _record(session, actor=actor, tenant=tenant, organisation_id=rep.organisation_id,
            action="representative_capacity", before={"capacity": rep.capacity}, after={"capacity": capacity})
    rep.capacity = capacity


def invite(session: Session, *, organisation: Organisation, actor: User, email: str, name: str, capacity: str,
           base_url: str, tenant: Tenant | None = None, now: datetime | None = None) -> Representative:
    """Adds a representative, approved by whoever invites. A new address gets
    an account without a password and a link to choose one; a known one is
    told it has been added."""
    now = now or utcnow()
    email, name = clean_text(email).lower(), clean_text(name)
    errors: dict[str, str] = {}
    if message := email_error(email):
        errors["email"] = message
    if message := name_error(name):
        errors["name"] = message.replace("användarens", "personens")
    if capacity not in CAPACITIES:
        errors["capacity"] = "Välj kontaktperson eller firmatecknare."
    user = get_by_email(session, email) if not errors else None
    if user is not None and representative_of(session, user) is not None:
        errors["email"] = "Personen företräder redan en organisation på plattformen. Kontakta oss om det ska ändras."
    elif user is not None and (user.is_platform_admin or not user.is_active):
        errors["email"] = "Den adressen kan inte bjudas in. Använd personens egen adress."
    if errors:
        raise ValidationError(errors)
    if user is None:
        user = User(email=email, name=name, password_hash=NO_PASSWORD, email_verified_at=None)
        session.add(user)
        session.flush()
        token = _issue(session, user, INVITE, now)
        mail.queue(session, to=email, kind="invite", subject=f"Du är inbjuden att företräda {organisation.name}",
                   body=f"Hej {name}!\n\n{actor.name} har bjudit in dig som {CAPACITIES[capacity].lower()} för "
                        f"{organisation.name} på IOP-plattformen, där organisationen samarbetar med kommunen "
                        f"i idéburna offentliga partnerskap.\n\nVälj ett lösenord och kom igång:\n\n"
                        f"{_link(base_url, '/portal/inbjudan/' + token)}\n\nLänken gäller i sju dagar.")
    else:
        user.organisation_id = organisation.id
        mail.queue(session, to=email, kind="added", subject=f"Du företräder nu {organisation.name}",
                   body=f"Hej {user.name}!\n\n{actor.name} har lagt till dig som {CAPACITIES[capacity].lower()} "
                        f"för {organisation.name} på IOP-plattformen.\n\nLogga in: {_link(base_url, '/login')}")
    rep = Representative(organisation_id=organisation.id, user_id=user.id, capacity=capacity, approved_at=now,
                         approved_by_id=actor.id, created_at=now)
    session.add(rep)
    _record(session, actor=actor, tenant=tenant, organisation_id=organisation.id,
            action="representative_invite", after={"user": user.id, "capacity": capacity})
    return rep


def accept_invitation(session: Session, token: str, password: str, password_again: str,
                      now: datetime | None = None) -> User | None:
    """Sets the invited person's password; None when the link is not valid.
    Raises ValidationError for a password that will not do (the link stays valid)."""
    now = now or utcnow()
    _check_password(password, password_again)
    user = _use(session, token, INVITE, now)
    if user is None:
        return None
    user.password_hash, user.email_verified_at = hash_password(password), now
    rep = representative_of(session, user)
    if rep is not None and rep.approved_at is not None:
        user.organisation_id = rep.organisation_id
    return user


def _check_password(password: str, again: str) -> None:
    if message := password_error(password):
        raise ValidationError({"password": message})
    if password != again:
        raise ValidationError({"password_again": "Lösenorden är inte likadana. Skriv samma lösenord två gånger."})


def request_reset(session: Session, email: str, base_url: str, now: datetime | None = None) -> None:
    """A reset link to the address if it belongs to an active account; nothing otherwise."""
    now = now or utcnow()
    user = get_by_email(session, clean_text(email))
    if user is None or not user.is_active:
        return
    token = _issue(session, user, RESET, now)
    mail.queue(session, to=user.email, kind="reset", subject="Återställ ditt lösenord",
               body=f"Hej {user.name}!\n\nNågon, förhoppningsvis du, bad om att få återställa lösenordet till ditt "
                    f"konto på IOP-plattformen. Välj ett nytt lösenord här:\n\n"
                    f"{_link(base_url, '/losenord/nytt/' + token)}\n\n"
                    f"Länken gäller i en timme och kan bara användas en gång. Bad du inte om det? "
                    f"Då kan du bortse från meddelandet; ditt lösenord är oförändrat.")


def reset_password(session: Session, token: str, password: str, password_again: str,
                   now: datetime | None = None) -> User | None:
    """A new password; every session of the account ends. None when the link
    is not valid; ValidationError for a password that will not do."""
    now = now or utcnow()
    _check_password(password, password_again)
    user = _use(session, token, RESET, now)
    if user is None:
        return None
    user.password_hash = hash_password(password)
    if user.email_verified_at is None:
        # Following the link proves the address, as verification does.
        user.email_verified_at = now
        rep = representative_of(session, user)
        if rep is not None and rep.approved_at is not None:
            user.organisation_id = rep.organisation_id
    end_all_sessions(session, user)
    with as_platform(session):
        audit.record(session, actor=user, tenant=None, object_type="user", object_id=user.id, action="password_reset")
    return user


def link(session: Session, *, actor: User, user: User, organisation: Organisation, capacity: str) -> Representative:
    """The platform administrator links any user to an organisation, approved."""
    if capacity not in CAPACITIES:
        raise ValidationError({"capacity": "Välj kontaktperson eller firmatecknare."})
    existing = representative_of(session, user)
    if existing is not None:
        remove(session, existing, actor)
        session.flush()
    rep = Representative(organisation_id=organisation.id, user_id=user.id, capacity=capacity, approved_at=utcnow(),
                         approved_by_id=actor.id)
    session.add(rep)
    user.organisation_id = organisation.id
    _record(session, actor=actor, tenant=None, organisation_id=organisation.id,
            action="representative_link", after={"user": user.id, "capacity": capacity})
    return rep


__all__ = ["CONTACT", "SignUp", "accept_invitation", "approve", "approved", "invite", "link", "listed", "may_manage",
           "peek", "remove", "representative_of", "request_reset", "reset_password", "set_capacity", "sign_up",
           "verify_email"]
