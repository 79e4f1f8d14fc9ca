"""Accounts that organisations make themselves: sign-up with e-mail
verification, accepting an invitation, and resetting a forgotten password.
None of these pages says whether an address or an organisation is known."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Response

from core.models.organisation import CAPACITIES, LEGAL_FORMS
from core.services import ValidationError, limits, representatives
from core.services.users import email_error
from core.values import clean_text
from web.client_address import request_client_ip
from web.context import RequestContext, Requires, in_worker_thread
from web.forms import FormData, clean
from web.rendering import page

SIGN_UP_LABELS = {"name": "Ditt namn", "email": "Din e-postadress", "password": "Lösenord",
                  "password_again": "Lösenordet en gång till", "organisation_name": "Organisationens namn",
                  "organisationsnummer": "Organisationsnummer", "legal_form": "Organisationsform",
                  "capacity": "Din roll i organisationen"}
PASSWORD_LABELS = {"password": "Nytt lösenord", "password_again": "Lösenordet en gång till"}
TOO_MANY = "Det har kommit många försök från din anslutning. Vänta en stund och försök igen."


def _without_passwords(data: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in data.items() if "password" not in k}


def _message(request: Request, title: str, *paragraphs: str, status_code: int = 200, link: tuple | None = None):
    return page(request, "auth/message.html", status_code=status_code, title=title, paragraphs=paragraphs, link=link)


def _sent_to(request: Request, email: str) -> Response:
    return _message(request, "Titta i din e-post",
                    f"Vi har skickat ett meddelande till {email}. Öppna länken i det för att gå vidare.",
                    "Har inget kommit inom några minuter? Titta i skräpposten, och kontrollera att adressen är rätt.")


class AccountController(Controller):
    include_in_schema = False
    opt = {"requires": Requires.ANYONE}

    @get("/portal/registrera")
    @in_worker_thread
    def sign_up_form(self, request: Request, ctx: NamedDependency[RequestContext]) -> Response:
        return page(request, "auth/signup.html", values={}, errors={}, labels=SIGN_UP_LABELS,
                    legal_forms=LEGAL_FORMS, capacities=CAPACITIES)

    @post("/portal/registrera")
    @in_worker_thread
    def sign_up(self, request: Request, ctx: NamedDependency[RequestContext], data: FormData) -> Response:
        db, data = ctx.db, clean(data)
        try:
            form = representatives.SignUp.from_form(data)
        except ValidationError as exc:
            # Corrections are free: only a complete sign-up, which sends mail, counts.
            return page(request, "auth/signup.html", status_code=422, values=_without_passwords(data),
                        errors=exc.errors, labels=SIGN_UP_LABELS, legal_forms=LEGAL_FORMS, capacities=CAPACITIES)
        client_ok = limits.allow(db, [(limits.SIGN_UP_PER_CLIENT, request_client_ip(request))])
        address_ok = limits.allow(db, [(limits.SIGN_UP_PER_ADDRESS, form.email)])
        if not client_ok:
            return _message(request, "Vänta en stund", TOO_MANY, status_code=429)
        if address_ok:
            # Too many for one address send nothing more, and say nothing of it.
            representatives.sign_up(db, form, ctx.settings.base_url)
        return _sent_to(request, form.email)

    @get("/portal/verifiera/{token:str}")
    @in_worker_thread
    def verify_form(self, request: Request, ctx: NamedDependency[RequestContext], token: FromPath[str]) -> Response:
        # A button, not the link itself: e-mail scanners open links too.
        if representatives.peek(ctx.db, token, representatives.VERIFY) is None:
            return _expired(request)
        return page(request, "auth/verify.html", token=token)

    @post("/portal/verifiera/{token:str}")
    @in_worker_thread
    def verify(self, request: Request, ctx: NamedDependency[RequestContext], token: FromPath[str]) -> Response:
        user = representatives.verify_email(ctx.db, token, ctx.settings.base_url)
        if user is None:
            return _expired(request)
        if user.organisation_id is None:
            return _message(request, "Din e-postadress är bekräftad",
                            "Organisationen finns redan på plattformen. Någon av dess företrädare, eller kommunen "
                            "som organisationen samarbetar med, behöver godkänna att du företräder den. "
                            "Du får ett e-postmeddelande när det är gjort.",
                            link=("/login", "Logga in"))
        return _message(request, "Din e-postadress är bekräftad", "Nu kan du logga in.",
                        link=("/login", "Logga in"))

    @get("/portal/inbjudan/{token:str}")
    @in_worker_thread
    def invitation_form(self, request: Request, ctx: NamedDependency[RequestContext], token: FromPath[str]) -> Response:
        user = representatives.peek(ctx.db, token, representatives.INVITE)
        if user is None:
            return _expired(request)
        return _password_form(request, INVITATION,
                              lead=f"Välkommen, {user.name}! Välj ett lösenord för ditt konto ({user.email}).")

    @post("/portal/inbjudan/{token:str}")
    @in_worker_thread
    def accept_invitation(self, request: Request, ctx: NamedDependency[RequestContext], token: FromPath[str],
                          data: FormData) -> Response:
        user, refusal = _choose_password(request, INVITATION, representatives.accept_invitation, ctx.db, token, data)
        if refusal is not None:
            return refusal
        return _message(request, "Ditt konto är klart", "Logga in med din e-postadress och lösenordet du valde.",
                        link=("/login", "Logga in"))

    @get("/losenord/glomt")
    @in_worker_thread
    def forgot_form(self, request: Request, ctx: NamedDependency[RequestContext]) -> Response:
        return page(request, "auth/forgot.html", email="", error=None)

    @post("/losenord/glomt")
    @in_worker_thread
    def forgot(self, request: Request, ctx: NamedDependency[RequestContext], data: FormData) -> Response:
        db, data = ctx.db, clean(data)
        email = clean_text(data.get("email", "")).lower()
        if error := email_error(email):
            return page(request, "auth/forgot.html", status_code=422, email=email, error=error)
        client_ok = limits.allow(db, [(limits.RESET_PER_CLIENT, request_client_ip(request))])
        address_ok = limits.allow(db, [(limits.RESET_PER_ADDRESS, email)])
        if not client_ok:
            return _message(request, "Vänta en stund", TOO_MANY, status_code=429)
        if address_ok:
            # The same answer whether the address has an account or not; too
            # many requests for one address send nothing more, silently.
            representatives.request_reset(db, email, ctx.settings.base_url)
        return _sent_to(request, email)

    @get("/losenord/nytt/{token:str}")
    @in_worker_thread
    def reset_form(self, request: Request, ctx: NamedDependency[RequestContext], token: FromPath[str]) -> Response:
        if representatives.peek(ctx.db, token, representatives.RESET) is None:
            return _expired(request)
        return _password_form(request, RESET_FORM, lead="Lösenordet ska ha minst 12 tecken. Ett par ord i rad är "
                                                        "lätt att minnas och svårt att gissa.")

    @post("/losenord/nytt/{token:str}")
    @in_worker_thread
    def reset(self, request: Request, ctx: NamedDependency[RequestContext], token: FromPath[str],
              data: FormData) -> Response:
        _, refusal = _choose_password(request, RESET_FORM, representatives.reset_password, ctx.db, token, data)
        if refusal is not None:
            return refusal
        return Redirect("/login?nytt-losenord=1", status_code=303)


# The two ways to choose a password from an e-mailed link: (heading, button).
INVITATION = ("Välj ett lösenord", "Spara och logga in")
RESET_FORM = ("Välj ett nytt lösenord", "Spara lösenordet")


def _password_form(request: Request, kind: tuple[str, str], *, lead: str = "", errors: dict | None = None,
                   status_code: int = 200) -> Response:
    heading, button = kind
    return page(request, "auth/new_password.html", status_code=status_code, heading=heading, action=request.url.path,
                lead=lead, errors=errors or {}, labels=PASSWORD_LABELS, button=button)


def _choose_password(request: Request, kind: tuple[str, str], service, db, token: str, data: dict):
    """Runs ``service`` (accept an invitation, reset) with the form's two
    passwords: the user, or a response to send instead (the form with its
    errors, or the page for a link that no longer works)."""
    data = clean(data)
    try:
        user = service(db, token, data.get("password", ""), data.get("password_again", ""))
    except ValidationError as exc:
        return None, _password_form(request, kind, errors=exc.errors, status_code=422)
    return user, (None if user is not None else _expired(request))


def _expired(request: Request) -> Response:
    return _message(request, "Länken fungerar inte längre",
                    "Länken är redan använd, för gammal eller inte hel. Länkar i våra e-postmeddelanden gäller "
                    "en begränsad tid och bara en gång.",
                    "Be om en ny länk genom att välja att återställa lösenordet.", status_code=404,
                    link=("/losenord/glomt", "Återställ lösenordet"))
