"""Signing in and out, and the start page that leads each user to their work."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.di import NamedDependency
from litestar.response import Redirect, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import RoleAssignment, Tenant, User
from core.services import auth
from web import cookies, csrf
from web.client_address import request_client_ip
from web.forms import FormData, clean, safe_next
from web.rendering import page


def _workspaces(db: Session, user: User) -> list[Tenant]:
    return list(
        db.scalars(
            select(Tenant)
            .where(Tenant.id.in_(select(RoleAssignment.tenant_id).where(RoleAssignment.user_id == user.id)))
            .order_by(Tenant.name)
        )
    )


def _home_for(db: Session, user: User) -> str:
    spaces = _workspaces(db, user)
    if user.organisation_id and not spaces:
        return "/portal/"
    if user.is_platform_admin and not spaces:
        return "/admin/"
    if len(spaces) == 1:
        return f"/k/{spaces[0].code}/"
    return "/"


def _wait_message(seconds: int) -> str:
    unit = "sekund" if seconds == 1 else "sekunder"
    return f"För många misslyckade inloggningsförsök. Vänta {seconds} {unit} och försök igen."


class AuthController(Controller):
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def start(self, request: Request, db: NamedDependency[Session], signed_in: NamedDependency[User]) -> Response:
        target = _home_for(db, signed_in)
        if target != "/":
            return Redirect(target, status_code=303)
        spaces = _workspaces(db, signed_in)
        return page(request, "start.html", workspaces=spaces)

    @get("/login", sync_to_thread=True)
    def login_form(self, request: Request, user: NamedDependency[User | None], next: FromQuery[str | None] = None) -> Response:
        return page(request, "auth/login.html", email="", error=None, next=safe_next(next) or "")

    @post("/login", sync_to_thread=True)
    def login(self, request: Request, db: NamedDependency[Session], data: FormData) -> Response:
        data = clean(data)
        email = data.get("email", "").strip()
        password = data.get("password", "")
        nxt = safe_next(data.get("next")) or ""
        ctx = request.app.state.ctx
        client = request_client_ip(request)
        if not email or not password:
            return page(request, "auth/login.html", status_code=400, email=email, next=nxt,
                        error="Fyll i både e-postadress och lösenord.")
        try:
            user = auth.authenticate(db, email, password, client, ctx.policy)
        except auth.TooManyAttempts as exc:
            response = page(request, "auth/login.html", status_code=429, email=email, next=nxt,
                            error=_wait_message(exc.retry_after))
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        if user is None:
            return page(request, "auth/login.html", status_code=400, email=email, next=nxt,
                        error="E-postadressen eller lösenordet stämmer inte.")
        # A new session id at every sign-in; whatever session the browser had ends.
        auth.end_session(db, cookies.session_token(request))
        token = auth.start_session(db, user)
        target = nxt or _home_for(db, user)
        db.commit()
        response = Redirect(target, status_code=303)
        names = cookies.of(request)
        response.set_cookie(names.make(names.session, token))
        csrf.renew(response, ctx.settings)  # the CSRF token now follows the new session
        return response

    @get("/logout", sync_to_thread=True)
    def logout_form(self, request: Request, user: NamedDependency[User | None]) -> Response:
        if user is None:
            return Redirect("/login", status_code=303)
        return page(request, "auth/logout.html")

    @post("/logout", sync_to_thread=True)
    def logout(self, request: Request, db: NamedDependency[Session]) -> Response:
        auth.end_session(db, cookies.session_token(request))
        db.commit()
        response = Redirect("/login?utloggad=1", status_code=303)
        names = cookies.of(request)
        response.set_cookie(names.expired(names.session))
        csrf.renew(response, request.app.state.ctx.settings)  # the signed-in token dies with the session
        return response
