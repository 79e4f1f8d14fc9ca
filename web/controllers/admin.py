"""Platform administration: tenants, plugin activation per tenant, users and roles."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Organisation, RoleAssignment, Tenant, User
from core.models.organisation import CAPACITIES
from core.orgnr import check_organisationsnummer
from core.models.tenant import TENANT_KINDS
from core.plugin_api import TENANT_ADMIN_ROLE
from core.services import ValidationError, representatives, staff, tenants, users
from core.services.permissions import assignable_roles, role_for
from web.context import RequestContext, Requires, in_worker_thread
from web.forms import FormData, clean
from web.rendering import page


def _activations_by_tenant(db: Session) -> dict[int, dict[str, object]]:
    enabled: dict[int, dict[str, object]] = {}
    for act in tenants.activations(db):
        enabled.setdefault(act.tenant_id, {})[act.plugin_name] = act
    return enabled


def _tenant_rows(db: Session, registry) -> list[dict]:
    enabled = _activations_by_tenant(db)
    rows = []
    for t in tenants.list_tenants(db):
        rows.append({
            "tenant": t,
            "enabled": enabled.get(t.id, {}),
            "kommun": registry.for_tenant(t.kommun_code, set(enabled.get(t.id, {}))),
        })
    return rows


def _kommun_options(registry, current: str | None = None) -> list[tuple[str, str]]:
    """The kommuner a tenant can choose (the empty choice, national guidance,
    is the select's own), and a choice already made whose plugin is gone."""
    options = [(e.profile.code, f"{e.profile.name} (tillägget {e.plugin})") for e in registry.choosable()]
    if current and current not in registry.kommuner:
        options.append((current, f"{current} (inget installerat tillägg)"))
    return options


def _users_page(request: Request, db: Session, *, status_code: int = 200, values: dict, errors: dict) -> Response:
    """Every user, with each role by its title in its tenant's roles table (issue 11: words, not codes)."""
    registry = request.app.state.ctx.registry
    everyone = tenants.list_tenants(db)
    role_titles = {(t.id, role.key): role.title for t in everyone
                   for role in assignable_roles(tenants.kommun_for(db, registry, t))}
    return page(request, "admin/users.html", status_code=status_code, users=users.list_users(db), values=values,
                errors=errors, tenant_names={t.id: t.name for t in everyone}, role_titles=role_titles)


def _overview(request: Request, db: Session, *, status_code: int = 200, errors: dict | None = None,
              values: dict | None = None, message: str | None = None) -> Response:
    registry = request.app.state.ctx.registry
    return page(request, "admin/index.html", status_code=status_code, rows=_tenant_rows(db, registry),
                plugins=registry.installable(), kinds=TENANT_KINDS, errors=errors or {}, values=values or {},
                message=message, kommuner=_kommun_options(registry), registry=registry)


def _tenant_or_404(db: Session, code: str) -> Tenant:
    tenant = tenants.get_by_code(db, code)
    if tenant is None:
        raise NotFoundException()
    return tenant


TENANT_LABELS = {"name": "Namn", "kind": "Typ", "parent_organisation": "Ingår i", "decision_body": "Beslutande organ",
                 "kommun_code": "Kommunens process", "reminder_days": "Påminnelse om frister"}
ADMIN_LABELS = {"admin_email": "E-postadress", "admin_name": "Namn", "admin_password": "Första lösenord"}
TENANT_NOTES = {"skapad": "Organisationen är skapad. Aktivera kommunens tillägg och utse en administratör nedan.",
                "sparad": "Ändringen är sparad.", "tillagg-aktiverat": "Tillägget är aktiverat.",
                "tillagg-avaktiverat": "Tillägget är avaktiverat. Inga uppgifter har tagits bort.",
                "administrator": "Administratören är utsedd.",
                "administrator-borttagen": "Personen är inte längre administratör här."}


def _form_value(value) -> str:
    """A tenant's detail as its form field holds it (a checkbox's "1")."""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, int):
        return str(value)
    return value or ""


def _tenant_page(request: Request, db: Session, tenant: Tenant, *, status_code: int = 200,
                 values: dict | None = None, errors: dict | None = None, admin_values: dict | None = None,
                 admin_errors: dict | None = None) -> Response:
    registry = request.app.state.ctx.registry
    enabled = tenants.enabled_plugins(db, tenant)
    kommun = registry.for_tenant(tenant.kommun_code, enabled)
    chosen = registry.kommuner.get(tenant.kommun_code) if tenant.kommun_code else None
    admins = [m for m in staff.list_staff(db, tenant, kommun) if m.is_admin]
    return page(request, "admin/tenant.html", status_code=status_code, target=tenant, kommun=kommun, chosen=chosen,
                enabled=enabled, plugins=registry.installable(), kinds=TENANT_KINDS,
                kommuner=_kommun_options(registry, tenant.kommun_code),
                values=values if values is not None else {key: _form_value(getattr(tenant, key)) for key in tenants.EDITABLE},
                errors=errors or {}, labels=TENANT_LABELS, admins=admins, admin_values=admin_values or {},
                admin_errors=admin_errors or {}, admin_labels=ADMIN_LABELS,
                note=TENANT_NOTES.get(request.query_params.get("meddelande", "")))


def _user_or_404(db: Session, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise NotFoundException()
    return user


def _role_choices(db: Session, registry) -> list[tuple]:
    enabled = _activations_by_tenant(db)
    return [(t, assignable_roles(registry.for_tenant(t.kommun_code, set(enabled.get(t.id, {})))))
            for t in tenants.list_tenants(db)]


class AdminController(Controller):
    path = "/admin"
    include_in_schema = False
    opt = {"requires": Requires.ADMIN}

    @get("/")
    @in_worker_thread
    def index(self, request: Request, ctx: NamedDependency[RequestContext]) -> Response:
        db, admin = ctx.db, ctx.user
        return _overview(request, db, message=request.query_params.get("meddelande"))

    @post("/organisationer")
    @in_worker_thread
    def create_tenant(self, request: Request, ctx: NamedDependency[RequestContext], data: FormData) -> Response:
        db, admin = ctx.db, ctx.user
        data = clean(data)
        try:
            tenant = tenants.create_tenant(db, actor=admin, code=data.get("code", ""), name=data.get("name", ""),
                                           kind=data.get("kind", ""), decision_body=data.get("decision_body", ""),
                                           parent_organisation=data.get("parent_organisation"),
                                           kommun_code=data.get("kommun_code"), registry=ctx.registry)
        except ValidationError as exc:
            db.rollback()
            return _overview(request, db, status_code=422, errors=exc.errors, values=data)
        return Redirect(f"/admin/organisationer/{tenant.code}?meddelande=skapad", status_code=303)

    @get("/organisationer/{code:str}")
    @in_worker_thread
    def view_tenant(self, request: Request, ctx: NamedDependency[RequestContext], code: FromPath[str]) -> Response:
        return _tenant_page(request, ctx.db, _tenant_or_404(ctx.db, code))

    @post("/organisationer/{code:str}")
    @in_worker_thread
    def update_tenant(self, request: Request, ctx: NamedDependency[RequestContext], code: FromPath[str],
                      data: FormData) -> Response:
        db = ctx.db
        data = clean(data)
        tenant = _tenant_or_404(db, code)
        try:
            tenants.update_tenant(db, ctx.registry, tenant, actor=ctx.user, data=data)
        except ValidationError as exc:
            db.rollback()
            return _tenant_page(request, db, _tenant_or_404(db, code), status_code=422, values=data,
                                errors=exc.errors)
        return Redirect(f"/admin/organisationer/{code}?meddelande=sparad", status_code=303)

    @post("/organisationer/{code:str}/administratorer")
    @in_worker_thread
    def appoint_administrator(self, request: Request, ctx: NamedDependency[RequestContext], code: FromPath[str],
                              data: FormData) -> Response:
        """The platform administrator appoints a tenant's administrator: an
        existing account, or a new one with a name and a first password."""
        db = ctx.db
        data = clean(data)
        tenant = _tenant_or_404(db, code)
        try:
            staff.add_person(db, tenant, tenants.kommun_for(db, ctx.registry, tenant), ctx.user,
                             email=data.get("admin_email", ""), role_key=TENANT_ADMIN_ROLE,
                             name=data.get("admin_name", ""), password=data.get("admin_password", ""))
        except ValidationError as exc:
            db.rollback()
            # The fields of this form are prefixed: the page has another form
            # with a name field. "Already an administrator" is about the e-mail.
            errors = {f"admin_{'email' if key == 'role_key' else key}": message for key, message in exc.errors.items()}
            return _tenant_page(request, db, _tenant_or_404(db, code), status_code=422, admin_values=data,
                                admin_errors=errors)
        return Redirect(f"/admin/organisationer/{code}?meddelande=administrator#administratorer", status_code=303)

    @post("/organisationer/{code:str}/administratorer/{assignment_id:int}/ta-bort")
    @in_worker_thread
    def remove_administrator(self, ctx: NamedDependency[RequestContext], code: FromPath[str],
                             assignment_id: FromPath[int]) -> Response:
        db = ctx.db
        tenant = _tenant_or_404(db, code)
        assignment = db.scalar(select(RoleAssignment).where(
            RoleAssignment.id == assignment_id, RoleAssignment.tenant_id == tenant.id,
            RoleAssignment.role_key == TENANT_ADMIN_ROLE))
        if assignment is None:
            raise NotFoundException()
        users.remove_role(db, actor=ctx.user, assignment=assignment, tenant=tenant)
        return Redirect(f"/admin/organisationer/{code}?meddelande=administrator-borttagen#administratorer",
                        status_code=303)

    @post("/organisationer/{code:str}/tillagg")
    @in_worker_thread
    def set_plugin(self, request: Request, ctx: NamedDependency[RequestContext], code: FromPath[str], data: FormData) -> Response:
        db, admin = ctx.db, ctx.user
        data = clean(data)
        tenant = tenants.get_by_code(db, code)
        if tenant is None:
            raise NotFoundException()
        registry = request.app.state.ctx.registry
        try:
            if data.get("action") == "enable":
                tenants.enable_plugin(db, registry, tenant, data.get("plugin", ""), admin)
                note = "tillagg-aktiverat"
            elif data.get("bekraftat") != "1":
                # What it does to the tenant's cases and staff is said first.
                plugin = data.get("plugin", "")
                if plugin not in tenants.enabled_plugins(db, tenant):
                    raise NotFoundException()
                return page(request, "admin/confirm_disable.html", target=tenant, plugin=plugin,
                            effects=tenants.disabling_effects(db, registry, tenant, plugin),
                            back=data.get("fran", ""))
            else:
                tenants.disable_plugin(db, tenant, data.get("plugin", ""), admin)
                note = "tillagg-avaktiverat"
        except ValidationError as exc:
            db.rollback()
            return _overview(request, db, status_code=422, errors=exc.errors)
        if data.get("fran") == "organisation":
            return Redirect(f"/admin/organisationer/{code}?meddelande={note}#tillagg", status_code=303)
        return Redirect(f"/admin/?meddelande={note}", status_code=303)

    @get("/anvandare")
    @in_worker_thread
    def list_users(self, request: Request, ctx: NamedDependency[RequestContext]) -> Response:
        db, admin = ctx.db, ctx.user
        return _users_page(request, db, values={}, errors={})

    @post("/anvandare")
    @in_worker_thread
    def create_user(self, request: Request, ctx: NamedDependency[RequestContext], data: FormData) -> Response:
        db, admin = ctx.db, ctx.user
        data = clean(data)
        try:
            user = users.create_user(db, actor=admin, email=data.get("email", ""), name=data.get("name", ""),
                                     password=data.get("password", ""),
                                     is_platform_admin=data.get("is_platform_admin") == "1")
        except ValidationError as exc:
            db.rollback()
            data.pop("password", None)
            return _users_page(request, db, status_code=422, values=data, errors=exc.errors)
        return Redirect(f"/admin/anvandare/{user.id}?sparad=1", status_code=303)

    def _user_page(self, request: Request, db: Session, user_id: int, *, status_code: int = 200,
                   errors: dict | None = None) -> Response:
        user = _user_or_404(db, user_id)
        registry = request.app.state.ctx.registry
        assignments = list(db.scalars(select(RoleAssignment).where(RoleAssignment.user_id == user.id)
                                      .order_by(RoleAssignment.tenant_id, RoleAssignment.role_key)))
        by_tenant = {t.id: t for t in tenants.list_tenants(db)}
        enabled = _activations_by_tenant(db)
        rows = []
        for a in assignments:
            tenant = by_tenant[a.tenant_id]
            role = role_for(registry.for_tenant(tenant.kommun_code, set(enabled.get(tenant.id, {}))), a.role_key)
            rows.append({"assignment": a, "tenant": tenant, "role": role})
        rep = representatives.representative_of(db, user)
        return page(request, "admin/user.html", status_code=status_code, target=user, rows=rows,
                    choices=_role_choices(db, registry), errors=errors or {},
                    saved=request.query_params.get("sparad"), rep=rep, capacities=CAPACITIES,
                    represented=db.get(Organisation, rep.organisation_id) if rep else None)

    @post("/anvandare/{user_id:int}/organisation")
    @in_worker_thread
    def link_organisation(self, request: Request, ctx: NamedDependency[RequestContext], user_id: FromPath[int],
                          data: FormData) -> Response:
        """Links any user to an organisation as its representative, approved."""
        db, admin = ctx.db, ctx.user
        data = clean(data)
        user = _user_or_404(db, user_id)
        number, problem = check_organisationsnummer(data.get("organisationsnummer", ""))
        organisation = db.scalar(select(Organisation).where(Organisation.organisationsnummer == number)) if number else None
        try:
            if problem:
                raise ValidationError({"organisationsnummer": problem})
            if organisation is None:
                raise ValidationError({"organisationsnummer": "Ingen organisation på plattformen har det numret."})
            representatives.link(db, actor=admin, user=user, organisation=organisation,
                                 capacity=data.get("capacity", ""))
        except ValidationError as exc:
            db.rollback()
            return self._user_page(request, db, user_id, status_code=422, errors=exc.errors)
        return Redirect(f"/admin/anvandare/{user_id}?sparad=1", status_code=303)

    @post("/anvandare/{user_id:int}/organisation/ta-bort")
    @in_worker_thread
    def unlink_organisation(self, ctx: NamedDependency[RequestContext], user_id: FromPath[int]) -> Response:
        db, admin = ctx.db, ctx.user
        rep = representatives.representative_of(db, _user_or_404(db, user_id))
        if rep is None:
            raise NotFoundException()
        representatives.remove(db, rep, admin)
        return Redirect(f"/admin/anvandare/{user_id}?sparad=1", status_code=303)

    @get("/anvandare/{user_id:int}")
    @in_worker_thread
    def view_user(self, request: Request, ctx: NamedDependency[RequestContext], user_id: FromPath[int]) -> Response:
        db, admin = ctx.db, ctx.user
        return self._user_page(request, db, user_id)

    @post("/anvandare/{user_id:int}/roller")
    @in_worker_thread
    def add_role(self, request: Request, ctx: NamedDependency[RequestContext], user_id: FromPath[int], data: FormData) -> Response:
        db, admin = ctx.db, ctx.user
        data = clean(data)
        user = _user_or_404(db, user_id)
        code, _, role_key = (data.get("role") or "").partition(":")
        tenant = tenants.get_by_code(db, code)
        try:
            if tenant is None:
                raise ValidationError({"role_key": "Välj en roll i listan."})
            kommun = tenants.kommun_for(db, request.app.state.ctx.registry, tenant)
            users.assign_role(db, actor=admin, user=user, tenant=tenant, kommun=kommun, role_key=role_key)
        except ValidationError as exc:
            db.rollback()
            return self._user_page(request, db, user_id, status_code=422, errors=exc.errors)
        return Redirect(f"/admin/anvandare/{user_id}?sparad=1", status_code=303)

    @post("/anvandare/{user_id:int}/roller/{assignment_id:int}/ta-bort")
    @in_worker_thread
    def remove_role(self, ctx: NamedDependency[RequestContext], user_id: FromPath[int], assignment_id: FromPath[int]) -> Response:
        db, admin = ctx.db, ctx.user
        assignment = db.scalar(select(RoleAssignment).where(RoleAssignment.id == assignment_id,
                                                            RoleAssignment.user_id == user_id))
        if assignment is None:
            raise NotFoundException()
        tenant = db.get(Tenant, assignment.tenant_id)
        users.remove_role(db, actor=admin, assignment=assignment, tenant=tenant)
        return Redirect(f"/admin/anvandare/{user_id}?sparad=1", status_code=303)

    @post("/anvandare/{user_id:int}/status")
    @in_worker_thread
    def set_status(self, request: Request, ctx: NamedDependency[RequestContext], user_id: FromPath[int], data: FormData) -> Response:
        db, admin = ctx.db, ctx.user
        data = clean(data)
        user = _user_or_404(db, user_id)
        if user.id == admin.id:
            return self._user_page(request, db, user_id, status_code=422,
                                   errors={"status": "Du kan inte inaktivera ditt eget konto."})
        users.set_active(db, actor=admin, user=user, active=data.get("active") == "1")
        return Redirect(f"/admin/anvandare/{user_id}?sparad=1", status_code=303)
