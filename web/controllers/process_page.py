"""A tenant's process page: the diagram generated from its definition, and the
list of phases, steps, owner roles, deadlines and templates."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.di import NamedDependency, Provide
from litestar.response import Response

from core.plugin_api import GENERIC_ROLES
from core.services.permissions import Access
from web.deps import provide_access
from web.rendering import page


class ProcessPageController(Controller):
    path = "/k/{code:str}/process"
    include_in_schema = False
    dependencies = {"access": Provide(provide_access, sync_to_thread=True)}

    @get("/", sync_to_thread=True)
    def process(self, request: Request, access: NamedDependency[Access]) -> Response:
        return page(request, "workspace/process.html", access=access, tenant=access.tenant, kommun=access.kommun,
                    generic_roles=GENERIC_ROLES)
