"""Signing in and out, and the start page that leads each user to their work."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.di import NamedDependency
from litestar.response import Redirect, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import RoleAssignment, Tenant, User
from core.plugin_api import TENANT_ADMIN_ROLE
from core.services import auth, representatives
from core.tenancy import Scope, set_scope
from web import cookies, csrf
from web.client_address import request_client_ip
from web.context import RequestContext, Requires, in_worker_thread
from web.forms import FormData, clean, safe_next
from web.rendering import page


@dataclass(frozen=True)
class Workspace:
    """A tenant where the user holds a role, and where their work there starts:
    its partnerships, or its staff pages for someone who only administers it."""

    tenant: Tenant
    href: str


def _workspaces(db: Session, user: User) -> list[Workspace]:
    keys: dict[int, set[str]] = {}
    for tenant_id, key in db.execute(select(RoleAssignment.tenant_id, RoleAssignment.role_key)
                                     .where(RoleAssignment.user_id == user.id)):
        keys.setdefault(tenant_id, set()).add(key)
    if not keys:
        return []
    return [
        Workspace(t, f"/k/{t.code}/personal/" if keys[t.id] == {TENANT_ADMIN_ROLE} else f"/k/{t.code}/")
        for t in db.scalars(select(Tenant).where(Tenant.id.in_(keys)).order_by(Tenant.name))
    ]


def _home_for(db: Session, user: User) -> str:
    spaces = _workspaces(db, user)
    if not spaces and (user.organisation_id or representatives.representative_of(db, user)):
        return "/portal/"
    if user.is_platform_admin and not spaces:
        return "/admin/"
    if len(spaces) == 1:
        return spaces[0].href
    return "/"


def _wait_message(seconds: int) -> str:
    unit = "sekund" if seconds == 1 else "sekunder"
    return f"För många misslyckade inloggningsförsök. Vänta {seconds} {unit} och försök igen."


class AuthController(Controller):
    include_in_schema = False

    @get("/")
    @in_worker_thread
    def start(self, request: Request, ctx: NamedDependency[RequestContext]) -> Response:
        target = _home_for(ctx.db, ctx.user)
        if target != "/":
            return Redirect(target, status_code=303)
        spaces = _workspaces(ctx.db, ctx.user)
        return page(request, "start.html", workspaces=spaces)

    @get("/login", opt={"requires": Requires.ANYONE})
    @in_worker_thread
    def login_form(self, request: Request, ctx: NamedDependency[RequestContext], next: FromQuery[str | None] = None) -> Response:
        return page(request, "auth/login.html", email="", error=None, next=safe_next(next) or "")

    @post("/login", opt={"requires": Requires.ANYONE})
    @in_worker_thread
    def login(self, request: Request, ctx: NamedDependency[RequestContext], data: FormData) -> Response:
        db = ctx.db
        data = clean(data)
        email = data.get("email", "").strip()
        password = data.get("password", "")
        nxt = safe_next(data.get("next")) or ""
        client = request_client_ip(request)
        if not email or not password:
            return page(request, "auth/login.html", status_code=400, email=email, next=nxt,
                        error="Fyll i både e-postadress och lösenord.")
        try:
            user = auth.authenticate(db, email, password, client, ctx.app.policy)
        except auth.TooManyAttempts as exc:
            response = page(request, "auth/login.html", status_code=429, email=email, next=nxt,
                            error=_wait_message(exc.retry_after))
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        except auth.NotVerified:
            return page(request, "auth/login.html", status_code=400, email=email, next=nxt,
                        error="Du behöver bekräfta din e-postadress först. Öppna länken i meddelandet vi skickade "
                              "när du skapade kontot. Hittar du det inte? Välj Glömt lösenordet, så får du en ny länk.")
        if user is None:
            return page(request, "auth/login.html", status_code=400, email=email, next=nxt,
                        error="E-postadressen eller lösenordet stämmer inte.")
        set_scope(db, Scope.of_user(user.id))
        # A new session id at every sign-in; whatever session the browser had ends.
        auth.end_session(db, cookies.session_token(request))
        token = auth.start_session(db, user)
        target = nxt or _home_for(db, user)
        response = Redirect(target, status_code=303)
        names = cookies.of(request)
        response.set_cookie(names.make(names.session, token))
        csrf.renew(response, ctx.settings)  # the CSRF token now follows the new session
        return response

    @get("/logout", opt={"requires": Requires.ANYONE})
    @in_worker_thread
    def logout_form(self, request: Request, ctx: NamedDependency[RequestContext]) -> Response:
        if ctx.user is None:
            return Redirect("/login", status_code=303)
        return page(request, "auth/logout.html")

    @post("/logout", opt={"requires": Requires.ANYONE})
    @in_worker_thread
    def logout(self, request: Request, ctx: NamedDependency[RequestContext]) -> Response:
        auth.end_session(ctx.db, cookies.session_token(request))
        response = Redirect("/login?utloggad=1", status_code=303)
        names = cookies.of(request)
        response.set_cookie(names.expired(names.session))
        csrf.renew(response, ctx.settings)  # the signed-in token dies with the session
        return response
