"""One transaction per request: committed once when the response starts with
a status below 400; a refused or failed request changes nothing."""

import pytest
from litestar import Litestar, Response, get
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.testing import TestClient
from sqlalchemy import func, select

from core.db import make_engine, make_sessionmaker
from core.models import Tenant
from core.services.auth import SessionPolicy
from web import context, unit_of_work
from web.context import RequestContext, Requires


def _app(settings, registry):
    engine = make_engine(settings.database_url)
    app_ctx = context.AppContext(settings=settings, registry=registry, sessionmaker=make_sessionmaker(engine, registry=registry),
                                 policy=SessionPolicy())

    def write(ctx: RequestContext, code: str) -> None:
        ctx.db.add(Tenant(code=code, name=code, kind="kommun", decision_body="KS"))
        ctx.db.flush()

    @get("/ok/{code:str}", opt={"requires": Requires.ANYONE})
    @context.in_worker_thread
    def ok(ctx: NamedDependency[RequestContext], code: FromPath[str]) -> Response:
        write(ctx, code)
        return Response("sparat", status_code=200)

    @get("/refused/{code:str}", opt={"requires": Requires.ANYONE})
    @context.in_worker_thread
    def refused(ctx: NamedDependency[RequestContext], code: FromPath[str]) -> Response:
        write(ctx, code)
        return Response("rätta felen", status_code=422)

    @get("/raises/{code:str}", opt={"requires": Requires.ANYONE})
    @context.in_worker_thread
    def raises(ctx: NamedDependency[RequestContext], code: FromPath[str]) -> Response:
        write(ctx, code)
        raise RuntimeError("boom")

    return Litestar(route_handlers=[ok, refused, raises], state=State({"ctx": app_ctx}),
                    dependencies={"ctx": Provide(context.provide_context, sync_to_thread=False)},
                    before_send=[unit_of_work.before_send], after_response=unit_of_work.after_response), engine


@pytest.mark.parametrize("path,status,kept", [("ok", 200, True), ("refused", 422, False), ("raises", 500, False)])
def test_a_request_commits_only_when_it_succeeds(settings, registry, db, path, status, kept):
    app, engine = _app(settings, registry)
    with TestClient(app) as client:
        assert client.get(f"/{path}/uow-{path}").status_code == status
    assert (db.scalar(select(func.count()).select_from(Tenant).where(Tenant.code == f"uow-{path}")) == 1) is kept
    engine.dispose()


def test_a_commit_that_fails_is_an_error_not_a_saved_page(settings, registry, db, monkeypatch):
    app, engine = _app(settings, registry)

    def failing_commit(self):
        raise RuntimeError("the database went away at commit")

    monkeypatch.setattr("sqlalchemy.orm.Session.commit", failing_commit)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/ok/uow-commit-fails")
    assert response.status_code == 500 and "sparat" not in response.text
    monkeypatch.undo()
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Tenant).where(Tenant.code == "uow-commit-fails")) == 0
    engine.dispose()
