from __future__ import annotations

from litestar import Response, get
from litestar.di import NamedDependency
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from web.context import RequestContext, Requires


@get("/healthz", sync_to_thread=True, include_in_schema=False, opt={"requires": Requires.ANYONE})
def healthz(ctx: NamedDependency[RequestContext]) -> Response:
    try:
        ctx.db.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return Response({"status": "error"}, status_code=503)
    return Response({"status": "ok"})
