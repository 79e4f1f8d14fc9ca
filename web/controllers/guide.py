"""The public guide to the right form of collaboration (core.guide), at
/portal/vagledning: no account needed, one question at a time, with htmx
swapping the question in place and plain links and forms without it."""

from __future__ import annotations

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import Response

from core import guide
from core.services import tenants
from web.context import RequestContext, Requires, in_worker_thread
from web.rendering import page

PREFIX = "svar_"


@get("/portal/vagledning", include_in_schema=False, opt={"requires": Requires.ANYONE})
@in_worker_thread
def vagledning(request: Request, ctx: NamedDependency[RequestContext]) -> Response:
    db, app = ctx.db, ctx.app
    params = request.query_params
    places = tenants.list_tenants(db)
    chosen = next((t for t in places if t.code == params.get("kommun", "")), None)
    extra = (tenants.kommun_for_outsider(db, app.registry, chosen, app.tenant_config).guide_questions
             if chosen is not None else ())
    questions = guide.questions_for(extra)
    raw = {key[len(PREFIX):]: value for key, value in params.items() if key.startswith(PREFIX)}
    at = guide.step(questions, raw)
    # The question's own form was sent without a choice: say so, on the same question.
    error = ("Välj ja eller nej." if at.question is not None and params.get("fraga") == at.question.key else "")
    kept = [(PREFIX + q.key, answer) for q, answer in at.answered]
    # Keys are declared slugs and answers ja/nej: nothing here needs quoting.
    start = f"/portal/vagledning?kommun={chosen.code if chosen else ''}"
    back = start + "".join(f"&{name}={value}" for name, value in kept[:-1])
    target = request.htmx.target if request.htmx else None
    return page(request, "portal/guide.html", block="guide" if target == "guide" else None, step=at,
                places=places, chosen=chosen, kept=kept, error=error, total=len(questions),
                extra_count=len(extra), prefix=PREFIX, back=back)
