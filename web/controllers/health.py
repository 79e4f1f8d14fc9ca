"""/healthz (CONTRACT.md): 200 ``{"status": "ok"}`` when the database answers
and its schema is at the code's version; otherwise 503 with a short reason,
so a load balancer or a container check takes the instance out until then."""

from __future__ import annotations

from litestar import Response, get
from litestar.di import NamedDependency
from sqlalchemy.exc import SQLAlchemyError

from core import schema
from web.context import RequestContext, Requires, in_worker_thread
from web.faults import RETRY_AFTER


def _error(reason: str) -> Response:
    return Response({"status": "error", "reason": reason}, status_code=503, headers=RETRY_AFTER)


@get("/healthz", include_in_schema=False, opt={"requires": Requires.ANYONE})
@in_worker_thread
def healthz(ctx: NamedDependency[RequestContext]) -> Response:
    try:
        problem = schema.schema_problem(ctx.db.connection())
    except SQLAlchemyError:
        return _error("databasen svarar inte")
    if problem is not None:
        return _error(problem)
    return Response({"status": "ok"})
