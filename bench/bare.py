"""The baseline: a bare Litestar app that renders the platform's own layout
(web/templates/base.html) with a static 25-row table, no database, no
middleware. The benchmark runs it beside the platform in the same run and on
the same server settings, and reports the platform's figures as ratios to it.

Run by bench/run.py as ``uvicorn --factory bench.bare:create_app``."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar, get
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

HERE = Path(__file__).parent
WEB = HERE.parent / "web"
ROWS = [{"id": i, "title": f"Partnerskap nummer {i}", "organisation": f"Föreningen {i}"} for i in range(1, 26)]


@get("/", sync_to_thread=False)
def index() -> Template:
    return Template("bare.html", context={"rows": ROWS, "tenant": {"code": "bench", "name": "Bänk"}})


@get("/healthz", sync_to_thread=False)
def healthz() -> dict:
    return {"status": "ok"}


def _engine(engine: JinjaTemplateEngine) -> None:
    engine.engine.globals["csrf_token"] = lambda: "x"
    engine.engine.globals["csrf_input"] = ""


def create_app() -> Litestar:
    return Litestar(
        route_handlers=[index, healthz, create_static_files_router(path="/static", directories=[WEB / "static"])],
        template_config=TemplateConfig(directory=[HERE / "templates", WEB / "templates"], engine=JinjaTemplateEngine,
                                       engine_callback=_engine),
    )
