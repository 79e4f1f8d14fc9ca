"""Staff pages kept as rendered, until the data under them moves.

Most requests for a tenant's start page, its list and its filter ask for a
page that has not changed since it was last rendered for the same person.
Rendering it costs about ten milliseconds of the interpreter (a dozen
queries, the ORM around them, Jinja); checking that nothing has changed
costs one indexed query. So a route marked ``opt={"page_cache": True}``
keeps its rendered page in the process, under a key of everything the page
can depend on:

- the request: its path, its query string and the htmx headers that choose
  a region of the page (``HX-Request``, ``HX-Target``, ``HX-Boosted``);
- the person: their session (a page holds the session's CSRF token) and user;
- the data: the tenant's data version and the platform's
  (core.data_version), raised in the same transaction as every write, so a
  page rendered before a write is never served after it, by any process;
- the day: deadlines and "Väntar på dig" move with the date (core.clock).

A route may be marked only if its page depends on nothing else (not on the
time of day, another cookie or header, or anything outside the database),
and only if showing it writes nothing: a request that wrote anything counted
by core.data_version is never kept, so a page whose viewing is recorded is
rendered every time.

The check is made before anything else of the request, in its worker
thread: one statement reads the session (still valid, not idle for a minute
or more: otherwise the ordinary path runs and touches the idle clock), the
tenant and both versions. A miss runs the ordinary path, which checks
access as always, and keeps its page if the answer was 200 without cookies.
The cache holds at most ``max_bytes`` of pages per process, the least
recently used going first; ``IOP_PAGE_CACHE_MB=0`` turns it off.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date

from litestar import Request
from litestar.response.base import ASGIResponse
from litestar.types import Receive, Scope, Send
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, aliased

from core import clock
from core.data_version import PLATFORM
from core.db import utcnow
from core.models import DataVersion, Tenant, User, UserSession
from core.services.auth import IDLE_CLOCK_STEP, SessionPolicy, expired, token_hash
from web import cookies

OPT = "page_cache"
_HTMX_HEADERS = (b"hx-request", b"hx-target", b"hx-boosted")

_tenant_version, _platform_version = aliased(DataVersion), aliased(DataVersion)
# The session, its user, the tenant in the path and both versions, in one
# statement built once; the tables it reads have no row-level policy.
_LOOKUP = (
    select(UserSession.user_id, UserSession.last_seen_at, UserSession.created_at, User.is_active,
           Tenant.id, _tenant_version.version, _platform_version.version)
    .join(User, User.id == UserSession.user_id)
    .join(Tenant, Tenant.code == bindparam("code"))
    .outerjoin(_tenant_version, _tenant_version.tenant_key == Tenant.id)
    .outerjoin(_platform_version, _platform_version.tenant_key == PLATFORM)
    .where(UserSession.token_hash == bindparam("token_hash"))
)


@dataclass(frozen=True)
class Page:
    status_code: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Sent as Litestar sends a response (web.context.Rendered); the app's
        before_send hooks add the security headers as to any other."""
        await send({"type": "http.response.start", "status": self.status_code, "headers": list(self.headers)})
        await send({"type": "http.response.body", "body": self.body, "more_body": False})


class PageCache:
    """Pages by key, least recently used first out; shared by the process's
    worker threads."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._pages: OrderedDict[tuple, Page] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def get(self, key: tuple) -> Page | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: tuple, page: Page) -> None:
        size = len(page.body)
        if size > self.max_bytes // 8:  # one enormous page does not empty the cache
            return
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._pages[key] = page
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, dropped = self._pages.popitem(last=False)
                self._bytes -= len(dropped.body)


def key_for(db: Session, request: Request, policy: SessionPolicy) -> tuple | None:
    """The key of the page ``request`` asks for, or None when it must be
    rendered the ordinary way: no valid session, a session whose idle clock is
    due (the ordinary path writes it), or no such tenant."""
    if request.method != "GET":
        return None
    token = cookies.session_token(request)
    code = request.path_params.get("code")
    if not token or not isinstance(code, str):
        return None
    hashed = token_hash(token)
    row = _lookup(db, {"code": code, "token_hash": hashed})
    if row is None:
        return None
    user_id, last_seen, created, active, tenant_id, tenant_version, platform_version = row
    now = utcnow()
    if not active or now - last_seen > IDLE_CLOCK_STEP or expired(policy, last_seen, created, now):
        return None
    scope = request.scope
    # (Header names in an ASGI scope are lower case.)
    htmx = tuple((name, value) for name, value in scope["headers"] if name in _HTMX_HEADERS)
    today: date = clock.today()
    return (scope["path"], scope.get("query_string", b""), htmx, hashed, user_id, tenant_id,
            tenant_version or 0, platform_version or 0, today)


def _lookup(db: Session, params: dict):
    """Runs _LOOKUP as Core, not through the ORM: the tenancy net's criteria
    and the ORM's compiling would cost three times the query. On PostgreSQL
    as a statement of its own, outside a transaction: a kept page then costs
    one round trip to the server besides the pool's check of the connection,
    instead of three (BEGIN, the query, ROLLBACK). On SQLite, in the
    process, the session's own connection costs least."""
    engine = db.get_bind()
    if engine.dialect.name != "postgresql":
        return db.connection().execute(_LOOKUP, params).first()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        return connection.execute(_LOOKUP, params).first()


def keepable(response: ASGIResponse) -> Page | None:
    """The page to keep from a rendered response: only a whole 200 page that
    sets no cookie and runs nothing after it is sent."""
    if (response.status_code != 200 or response._encoded_cookies or response.background is not None
            or not isinstance(response.body, bytes)):
        return None
    return Page(200, tuple(response.encode_headers()), response.body)
