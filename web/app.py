"""The application factory: everything the app needs is built here and kept on
the app, so tests can build as many independent apps as they like."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from anyio import to_thread

from litestar import Litestar, Request, Response
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException, NotFoundException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import Message, Scope

import pluggy

from core import schema
from core.config import Settings, load_settings
from core import rls
from core.template_cache import template_cache
from core.db import make_engine, make_sessionmaker
from core.registry import Registry, build_plugin_manager, build_registry
from core.services import documents
from core.services.auth import SessionPolicy
from web import admission, context, csrf, faults, page_cache, rendering, unit_of_work
from web.controllers import (accounts, admin, agreement, api, auth, bevakning, casework, diarium, guide, health,
                             mallar, organisations, portal, process_page, staff, with_parties, workspace)

HERE = Path(__file__).parent

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
# Only behind HTTPS (IOP_SECURE_COOKIES): browsers then refuse plain HTTP for a year.
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


def _security_headers(settings: Settings):
    security_headers = SECURITY_HEADERS + ([HSTS] if settings.secure_cookies else [])

    async def before_send(message: Message, scope: Scope) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            present = {name.lower() for name, _ in headers}
            headers.extend(h for h in security_headers if h[0] not in present)
            if scope.get("path", "").startswith(("/k/", "/admin", "/portal", "/api/")):
                # Pages with case data are never kept by shared caches.
                headers = [h for h in headers if h[0].lower() != b"cache-control"]
                headers.append((b"cache-control", b"no-store"))
            message["headers"] = headers

    return before_send


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(("/api/", "/healthz"))


def _not_found(request: Request, exc: NotFoundException) -> Response:
    if _wants_json(request):
        return Response({"detail": "Hittades inte"}, status_code=404)
    return Template("errors/404.html", status_code=404, context={})


def _login_required(request: Request, exc: context.LoginRequired) -> Response:
    if _wants_json(request):
        return Response({"detail": "Inloggning krävs"}, status_code=401)
    # raw_path keeps the trailing slash that routing normalises away.
    path = request.scope.get("raw_path", b"").decode("latin-1") or request.url.path
    nxt = path + (f"?{request.url.query}" if request.url.query else "")
    if request.headers.get("hx-request"):
        # htmx cannot follow a redirect to a whole page; tell it to load the page.
        return Response("", status_code=200, headers={"HX-Redirect": "/login"})
    return Redirect(path="/login", query_params={"next": nxt}, status_code=303)


def _http_error(request: Request, exc: HTTPException) -> Response:
    if _wants_json(request):
        return Response({"detail": exc.detail}, status_code=exc.status_code)
    return Template("errors/error.html", status_code=exc.status_code,
                    context={"status_code": exc.status_code, "detail": exc.detail})


def _server_error(request: Request, exc: Exception) -> Response:
    # Logged with its traceback for the operator; the user gets a calm page.
    request.logger.exception("unhandled error on %s %s", request.method, request.url.path)
    if _wants_json(request):
        return Response({"detail": "Internt fel"}, status_code=500)
    return Template("errors/error.html", status_code=500, context={"status_code": 500, "detail": ""})


def _template_engine(engine: JinjaTemplateEngine) -> None:
    env = engine.engine
    env.autoescape = True
    # Templates do not change while the app runs: no file check on every render;
    # compiled once and kept between processes (checked against their source).
    env.auto_reload = False
    env.bytecode_cache = template_cache()
    env.filters.update(rendering.FILTERS)
    env.trim_blocks = True
    env.lstrip_blocks = True
    csrf.register_template_globals(engine)


def _size_worker_threads(threads: int):
    """Both pools of threads that requests block in get ``threads`` threads: the
    event loop's default executor (Litestar's sync handlers) and anyio's
    (the request context and the unit of work, web.context)."""

    async def on_startup() -> None:
        to_thread.current_default_thread_limiter().total_tokens = threads
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(max_workers=threads, thread_name_prefix="iop-worker"))

    return on_startup


def create_app(settings: Settings | None = None, plugin_manager: pluggy.PluginManager | None = None,
               registry: Registry | None = None) -> Litestar:
    """The app; raises schema.DatabaseNotReady (one line, in Swedish) when the
    database is not there or not at the code's schema version. A ``registry``
    already built and validated (the test suite's, one per run) is used as it
    is; otherwise one is built from ``plugin_manager`` or the installed plugins."""
    settings = settings or load_settings()
    registry = registry or build_registry(plugin_manager or build_plugin_manager())
    # A pooled connection for every worker thread, and as many again for the
    # requests that hold one between two thread hops (core.db.make_engine).
    engine = make_engine(settings.database_url, application=True, pool_size=settings.worker_threads)
    try:
        schema.check_at_startup(engine)
        rls.refuse_privileged(engine)
    except BaseException:
        engine.dispose()
        raise
    ctx = context.AppContext(settings=settings, registry=registry, sessionmaker=make_sessionmaker(engine, registry=registry),
                          policy=SessionPolicy(), pages=page_cache.PageCache(settings.page_cache_mb * 2**20))
    gate = admission.Gate(settings.max_in_flight)
    return Litestar(
        route_handlers=[
            health.healthz,
            auth.AuthController,
            accounts.AccountController,
            guide.vagledning,
            workspace.WorkspaceController,
            process_page.ProcessPageController,
            casework.CaseworkController,
            with_parties.WithPartiesController,
            diarium.DiariumController,
            diarium.public_list,
            bevakning.BevakningController,
            bevakning.calendar_feed,
            mallar.BlankMallController,
            mallar.CaseMallController,
            mallar.portal_blank,
            agreement.AgreementController,
            organisations.OrganisationController,
            staff.StaffController,
            admin.AdminController,
            portal.PortalController,
            api.ApiController,
            create_static_files_router(path="/static", directories=[HERE / "static"], include_in_schema=False,
                                       send_as_attachment=False),
        ],
        # The one dependency every handler takes: its session and principal,
        # resolved with the handler in its one worker thread (web.context).
        dependencies={"ctx": Provide(context.provide_context, sync_to_thread=False)},
        state=State({"ctx": ctx, "gate": gate}),
        request_class=HTMXRequest,
        template_config=TemplateConfig(directory=HERE / "templates", engine=JinjaTemplateEngine,
                                       engine_callback=_template_engine),
        # Our own CSRF protection, bound to the session (web/csrf.py), instead of
        # Litestar's double-submit cookie, which accepts any pair an attacker made.
        # Admission first: beyond what the pool serves, answer 503 at once (web/admission.py).
        middleware=[admission.admission(gate), csrf.CSRFMiddleware(settings)],
        openapi_config=OpenAPIConfig(title="IOP-plattformen API", version="1", path="/api/v1",
                                     render_plugins=[JsonRenderPlugin()]),
        exception_handlers={
            NotFoundException: _not_found,
            context.LoginRequired: _login_required,
            HTTPException: _http_error,
            **{cls: faults.unavailable for cls in faults.UNAVAILABLE},
            Exception: _server_error,
        },
        before_send=[unit_of_work.before_send, _security_headers(settings)],
        after_response=unit_of_work.after_response,
        # Room for the largest document we accept plus the form around it.
        request_max_body_size=documents.MAX_BYTES + 1024 * 1024,
        on_startup=[_size_worker_threads(settings.worker_threads)],
        on_shutdown=[engine.dispose],
        debug=False,
    )
