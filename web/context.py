"""One request context and one unit of work per request.

Every handler receives a ``RequestContext`` through dependency injection: the
request's database session and its principal, resolved once, in the
handler's one worker thread (``in_worker_thread``): staff in a tenant with their roles and permissions, a representative of
an organisation, the platform administrator, or nobody. What a route needs is
declared on the route (or its controller) with ``opt``:

- ``requires``: who may call it (``Requires``; signed in by default);
- ``permission``: for staff routes, the permission from
  core.services.permissions that the route needs (``partnership.view`` when
  none is named).

The session's scope (core.tenancy) follows the principal, so the ORM net and,
on PostgreSQL, row-level security see the same tenant the handler does.

The transaction is committed once (web.unit_of_work), when the handler has
returned and only if its status is below 400; handlers and services never
commit. A request with an unsafe method (POST …) is expected to
write: on SQLite its transaction takes the write lock when it begins
(core.db.writing), so writers queue instead of failing and a rule that counts
before it inserts counts alone.
"""

from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass, field

from anyio import to_thread
from litestar import Request, Response
from litestar.response import Template
from litestar.response.base import ASGIResponse
from litestar.datastructures import State
from litestar.exceptions import NotFoundException, PermissionDeniedException
from sqlalchemy.orm import Session

from core.config import Settings
from core.db import open_session
from core.models import Organisation, Tenant, User
from core.registry import KommunEntry, Registry
from core import clock
from core.services import auth, deadlines, messages, tenants
from core.services.auth import SessionPolicy
from core.services.permissions import VIEW, Access, access_for, named_role_keys
from core.tenancy import Scope, set_scope
from core import data_version
from web import cookies, page_cache, unit_of_work
from web.csrf import SAFE_METHODS

# Ids in paths are database keys: positive and within a 32-bit integer, the
# narrowest key type of the databases we run on.
MAX_ID = 2**31 - 1


class Requires(str, enum.Enum):
    ANYONE = "anyone"
    SIGNED_IN = "signed_in"
    STAFF = "staff"
    REPRESENTATIVE = "representative"
    ADMIN = "admin"


@dataclass(frozen=True)
class AppContext:
    """What the app holds for its lifetime, kept on ``app.state.ctx`` (no module globals)."""

    settings: Settings
    registry: Registry
    sessionmaker: object
    policy: SessionPolicy
    # Each tenant's enabled plugins, read again when the tenant's config_version moves.
    tenant_config: tenants.TenantConfigCache = field(default_factory=tenants.TenantConfigCache)
    # Rendered staff pages, kept until the data under them moves (web.page_cache).
    pages: page_cache.PageCache = field(default_factory=lambda: page_cache.PageCache(0))


@dataclass(frozen=True)
class SignedIn:
    """Who is signed in, as the page header shows it: plain data, since an
    error page may render after the database session has closed."""

    name: str
    is_platform_admin: bool


class LoginRequired(Exception):
    """Raised for an anonymous request to a page that needs a signed-in user."""


class RequestContext:
    """The request's session and principal. A plain class on purpose: the web
    framework validates dataclass dependencies field by field, down into
    process definitions, which it cannot and need not do."""

    __slots__ = ("db", "app", "user", "tenant", "access", "organisation", "request")

    def __init__(self, db: Session, app: AppContext, user: User | None = None, tenant: Tenant | None = None,
                 access: Access | None = None, organisation: Organisation | None = None,
                 request: Request | None = None):
        self.db = db
        self.app = app
        self.user = user
        self.tenant = tenant
        self.access = access
        self.organisation = organisation
        self.request = request

    @property
    def registry(self) -> Registry:
        return self.app.registry

    @property
    def settings(self) -> Settings:
        return self.app.settings

    @property
    def kommun(self) -> KommunEntry | None:
        return self.access.kommun if self.access else None


def _requirements(request: Request) -> tuple[Requires, str | None]:
    opt = request.route_handler.opt
    return Requires(opt.get("requires", Requires.SIGNED_IN)), opt.get("permission")


_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


def check_path_ids(request: Request) -> None:
    """Every integer in the path is written in ASCII digits and fits a key;
    anything else names no object (404). The router alone would take '١٢',
    '+12', '1_2' or a number of a hundred digits as an integer."""
    template = (request.scope.get("path_template") or "").strip("/").split("/")
    actual = (request.scope.get("path") or "").strip("/").split("/")
    params = request.path_params
    for part, raw in zip(template, actual):
        param = _PARAM.fullmatch(part)
        if param and isinstance(params.get(param.group(1)), int) and not (
            raw.isascii() and raw.isdigit() and len(raw) <= 10 and 0 < int(raw) <= MAX_ID
        ):
            raise NotFoundException()


def _resolve(ctx: RequestContext) -> RequestContext:
    """Finds who is asking and whether they may: raises LoginRequired, 404 or
    403 as the route's requirements say; else fills in ``ctx``."""
    request, app, db = ctx.request, ctx.app, ctx.db
    requires, permission = _requirements(request)
    check_path_ids(request)
    user = auth.resolve_session(db, cookies.session_token(request), app.policy)
    request.state.user = SignedIn(name=user.name, is_platform_admin=user.is_platform_admin) if user else None
    ctx.user = user
    if user is not None:
        set_scope(db, Scope.of_user(user.id))
    if requires is Requires.ANYONE:
        return ctx
    if user is None:
        raise LoginRequired()
    if requires is Requires.ADMIN:
        # 404, not 403: the admin area does not announce itself.
        if not user.is_platform_admin:
            raise NotFoundException()
        set_scope(db, Scope.system())
    elif requires is Requires.REPRESENTATIVE:
        ctx.organisation = db.get(Organisation, user.organisation_id) if user.organisation_id else None
        if ctx.organisation is not None:
            set_scope(db, Scope.of_organisation(ctx.organisation.id))
    elif requires is Requires.STAFF:
        _staff(request, app, db, ctx, permission)
    return ctx


def _staff(request: Request, app: AppContext, db: Session, ctx: RequestContext, permission: str | None) -> None:
    """Staff of the tenant in the path. A tenant that does not exist and one
    where the user holds no staff role answer alike: 404. Staff whose role
    lacks the route's permission get an honest 403: they know the object exists."""
    tenant = tenants.get_by_code(db, request.path_params.get("code", ""))
    if tenant is None:
        raise NotFoundException()
    set_scope(db, Scope.of_tenant(tenant.id))
    access = access_for(db, ctx.user, tenant, tenants.kommun_for(db, app.registry, tenant, app.tenant_config))
    if not access.is_staff:
        raise NotFoundException()
    # A staff route that names no permission needs the partnerships' view
    # (which every working role has; the administrator's alone does not).
    if not access.can(permission or VIEW):
        raise PermissionDeniedException("Din roll får inte göra detta.")
    ctx.tenant, ctx.access = tenant, access
    # What waits for the person, counted only if the page's navigation shows it
    # (one indexed count; a fragment or a redirect does not ask).
    person = deadlines.Person(ctx.user.id, tuple(r.key for r in access.roles), named_role_keys(access.roles))
    request.state.waiting = functools.partial(waiting_count, db, tenant, person)


def waiting_count(db: Session, tenant: Tenant, person: deadlines.Person) -> int:
    """What waits for the person, as the navigation counts it: the steps and
    deadlines of "Väntar på dig" and the parties' unanswered messages."""
    return (deadlines.counts(db, tenant, clock.today(), person).total
            + messages.count_awaiting_reply(db, tenant, person))


def provide_context(request: Request, state: State) -> RequestContext:
    """The request's context. Its session is handed to the unit of work.

    For a handler marked ``in_worker_thread`` (every handler that touches the
    database) this does no I/O: the context is resolved, the handler runs and
    the transaction ends in that handler's one worker thread. Any other
    handler would get an unresolved context; none exists (tests/unit/
    test_architecture.py), and one that did would read nothing: its session
    has no scope."""
    app: AppContext = state.ctx
    db = open_session(app.sessionmaker, writes=request.method not in SAFE_METHODS)
    unit_of_work.begin(request.scope, db)
    return RequestContext(db, app, request=request)


class Rendered(Response):
    """A page rendered in the worker thread, while the session was open:
    sending it does no more work and reads nothing from the database."""

    def __init__(self, rendered: ASGIResponse) -> None:
        super().__init__(content=b"", status_code=rendered.status_code)
        self.rendered = rendered

    def to_asgi_response(self, app, request, **kwargs) -> ASGIResponse:  # noqa: ARG002 - Litestar's signature
        return self.rendered


def in_worker_thread(handler):
    """Runs a sync handler in one worker thread hop with everything around it:
    resolving the request context, the handler itself, rendering its page,
    and ending the transaction (commit below 400, else roll back). One hop
    per request, so a request never holds a pooled connection while it
    waits for a thread (issue 8: three hops per request wedged the server)."""

    @functools.wraps(handler)
    async def run(*args, **kwargs):
        return await to_thread.run_sync(functools.partial(_run, handler, args, kwargs))

    run.in_worker_thread = True
    return run


def _run(handler, args, kwargs):
    ctx = kwargs.get("ctx")
    if not isinstance(ctx, RequestContext):
        return handler(*args, **kwargs)
    request, pages, key = ctx.request, ctx.app.pages, None
    try:
        if pages.enabled and request.route_handler.opt.get(page_cache.OPT):
            key = page_cache.key_for(ctx.db, request, ctx.app.policy)
            kept = pages.get(key) if key is not None else None
            if kept is not None:
                unit_of_work.finish(request.scope, commit=False)
                return Rendered(kept)
        _resolve(ctx)
        result = handler(*args, **kwargs)
        status = getattr(result, "status_code", None) or 200
        if isinstance(result, Template):
            result = Rendered(result.to_asgi_response(None, request))
    except BaseException as exc:
        # A request that only learned its session had expired keeps that:
        # the expired session is gone for good.
        unit_of_work.finish(request.scope, commit=isinstance(exc, LoginRequired))
        raise
    # A failed commit raises here, and the app's exception handlers answer
    # (503 when the database is unavailable, web.faults).
    unit_of_work.finish(request.scope, commit=status < 400)
    if key is not None and isinstance(result, Rendered) and not data_version.wrote(ctx.db):
        if (kept := page_cache.keepable(result.rendered)) is not None:
            pages.put(key, kept)
    return result
