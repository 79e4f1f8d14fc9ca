"""The read API, /api/v1/. Signed-in staff read their own tenants' data; the
same 404 rule as the pages applies to other tenants' objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from litestar import Controller, get
from litestar.params import FromPath, FromQuery
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException

from core.models import Organisation, Partnership
from core.services import organisations, partnerships
from web.context import RequestContext, Requires, in_worker_thread


@dataclass
class ContributionOut:
    kind: str
    amount: str | None
    unit: str
    description: str


@dataclass
class PartyOut:
    role: str
    organisation_id: int | None
    organisation_name: str | None
    contributions: list[ContributionOut]


@dataclass
class PartnershipOut:
    id: int
    title: str
    status: str
    samhallsutmaning: str
    goals: str
    target_group: str
    period_start: date | None
    period_end: date | None
    updated_at: datetime
    parties: list[PartyOut]


@dataclass
class PartnershipPage:
    items: list[PartnershipOut]
    total: int
    page: int
    pages: int


@dataclass
class OrganisationOut:
    id: int
    name: str
    organisationsnummer: str
    legal_form: str
    city: str


@dataclass
class ApiIndex:
    name: str
    version: str
    openapi: str
    tenant_resources: list[str]


def _partnership(p: Partnership) -> PartnershipOut:
    return PartnershipOut(
        id=p.id, title=p.title, status=p.status, samhallsutmaning=p.samhallsutmaning, goals=p.goals,
        target_group=p.target_group, period_start=p.period_start, period_end=p.period_end, updated_at=p.updated_at,
        parties=[
            PartyOut(
                role=party.role,
                organisation_id=party.organisation_id,
                organisation_name=party.organisation.name if party.organisation else None,
                contributions=[
                    ContributionOut(kind=c.kind, amount=None if c.amount is None else str(c.amount), unit=c.unit,
                                    description=c.description)
                    for c in party.contributions
                ],
            )
            for party in p.parties
        ],
    )


def _organisation(o: Organisation) -> OrganisationOut:
    return OrganisationOut(id=o.id, name=o.name, organisationsnummer=o.organisationsnummer, legal_form=o.legal_form,
                           city=o.city)


@get("/api/v1/", sync_to_thread=False, tags=["index"], opt={"requires": Requires.ANYONE})
def api_index() -> ApiIndex:
    return ApiIndex(name="IOP-plattformen", version="1", openapi="/api/v1/openapi.json",
                    tenant_resources=["/api/v1/k/{code}/partnerships", "/api/v1/k/{code}/organisations"])


class ApiController(Controller):
    path = "/api/v1/k/{code:str}"
    tags = ["tenant"]
    opt = {"requires": Requires.STAFF}

    @get("/partnerships")
    @in_worker_thread
    def list_partnerships(self, ctx: NamedDependency[RequestContext], q: FromQuery[str] = "", status: FromQuery[str] = "", page: FromQuery[int] = 1) -> PartnershipPage:
        result = partnerships.list_partnerships(ctx.db, ctx.tenant, query=q, status=status, page=page,
                                                sort=partnerships.RELEVANCE if q.strip() else "andrad")
        items = partnerships.get_many(ctx.db, ctx.tenant, [row.id for row in result.items])
        return PartnershipPage(items=[_partnership(p) for p in items], total=result.total, page=result.page,
                               pages=result.pages)

    @get("/partnerships/{partnership_id:int}")
    @in_worker_thread
    def get_partnership(self, ctx: NamedDependency[RequestContext], partnership_id: FromPath[int]) -> PartnershipOut:
        p = partnerships.get_partnership(ctx.db, ctx.tenant, partnership_id)
        if p is None:
            raise NotFoundException()
        return _partnership(p)

    @get("/organisations")
    @in_worker_thread
    def list_organisations(self, ctx: NamedDependency[RequestContext], q: FromQuery[str] = "") -> list[OrganisationOut]:
        return [_organisation(o) for o in organisations.list_organisations(ctx.db, ctx.tenant, q)]

    @get("/organisations/{organisation_id:int}")
    @in_worker_thread
    def get_organisation(self, ctx: NamedDependency[RequestContext], organisation_id: FromPath[int]) -> OrganisationOut:
        o = organisations.get_organisation(ctx.db, ctx.tenant, organisation_id)
        if o is None:
            raise NotFoundException()
        return _organisation(o)
