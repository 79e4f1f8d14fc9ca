"""A person's bevakning (core.services.bevakning): whether they get the daily
reminder digest, and the secret address of their calendar feed, which is
shown once when it is made; and the feed itself, read by calendar programs
that send no cookie, so its address is its only key."""

from __future__ import annotations

from urllib.parse import urlsplit

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Response

from core.services import audit, bevakning
from web.context import RequestContext, Requires, in_worker_thread
from web.forms import FormData, clean
from web.rendering import page

NOTES = {"pa": "Du får påminnelser med e-post.", "av": "Du får inga påminnelser med e-post.",
         "aterkallad": "Kalenderadressen är återkallad. Kalendrar som prenumererade på den får inget mer."}


def feed_url(request: Request, token: str) -> str:
    return f"{request.app.state.ctx.settings.base_url}/kalender/{token}.ics"


class BevakningController(Controller):
    path = "/k/{code:str}/bevakning"
    include_in_schema = False
    opt = {"requires": Requires.STAFF}

    def _page(self, request: Request, ctx: RequestContext, *, new_url: str = "") -> Response:
        db, access = ctx.db, ctx.access
        tasks, meetings = bevakning.calendar_items(db, access.user, bevakning.named_keys(ctx.registry))
        return page(request, "workspace/bevakning.html", access=access, tenant=access.tenant, user=access.user,
                    feed=bevakning.feed(db, access.user), new_url=new_url, tasks=len(tasks), meetings=len(meetings),
                    note=NOTES.get(request.query_params.get("sparad", ""), ""))

    @get("/")
    @in_worker_thread
    def show(self, request: Request, ctx: NamedDependency[RequestContext]) -> Response:
        return self._page(request, ctx)

    @post("/paminnelser")
    @in_worker_thread
    def reminders(self, request: Request, ctx: NamedDependency[RequestContext], data: FormData) -> Response:
        enabled = clean(data).get("paminnelser") == "1"
        ctx.access.user.reminders_enabled = enabled
        return Redirect(f"/k/{ctx.access.tenant.code}/bevakning/?sparad={'pa' if enabled else 'av'}", status_code=303)

    @post("/kalender")
    @in_worker_thread
    def calendar(self, request: Request, ctx: NamedDependency[RequestContext], data: FormData) -> Response:
        """A new address (which revokes the old), shown on this page only; or revoking it."""
        db, access = ctx.db, ctx.access
        if clean(data).get("atgard") == "aterkalla":
            bevakning.revoke_feed(db, access.user)
            audit.record(db, actor=access.user, tenant=access.tenant, object_type="user", object_id=access.user.id,
                         action="revoke_calendar_feed")
            return Redirect(f"/k/{access.tenant.code}/bevakning/?sparad=aterkallad", status_code=303)
        token = bevakning.new_feed(db, access.user)
        audit.record(db, actor=access.user, tenant=access.tenant, object_type="user", object_id=access.user.id,
                     action="new_calendar_feed")
        return self._page(request, ctx, new_url=feed_url(request, token))


@get("/kalender/{name:str}", include_in_schema=False, opt={"requires": Requires.ANYONE})
@in_worker_thread
def calendar_feed(request: Request, ctx: NamedDependency[RequestContext], name: FromPath[str]) -> Response:
    token = name.removesuffix(".ics")
    user = bevakning.user_for_feed(ctx.db, token) if name.endswith(".ics") else None
    if user is None:
        raise NotFoundException()
    host = urlsplit(request.app.state.ctx.settings.base_url).hostname or "iop"
    body = bevakning.ics(ctx.db, user, bevakning.named_keys(ctx.registry), ctx.settings.base_url, host)
    # The address is the key: never kept by a shared cache, never sent on as a Referer.
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer",
                             "Content-Disposition": 'inline; filename="iop-kalender.ics"'})
