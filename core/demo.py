"""Demo installation (CONTRACT.md): the three tenants with their plugins, and a
fourth that shows several förvaltningar running one kommun's process (Tyresö's
kultur- och fritidsförvaltning beside Tyresö kommun); staff for every role
and an administrator in each, fictional organisations and partnerships in
several stages.

Every name here is invented; no person from the source documents appears.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core import clock, session_memo
from core.config import Settings
from core.models import Organisation, Partnership, Party, RoleAssignment, Tenant, User
from core.models.organisation import SIGNATORY
from core.inputs import MeetingInput, OrganisationInput, PartnershipInput
from core.orgnr import with_check_digit
from core.plugin_api import TENANT_ADMIN_ROLE
from core.process import add_months
from core.registry import KommunEntry, Registry
from core.services import (applications, library, meetings, messages, organisations, partnerships, requests,
                           tenants, users)
from core.tenancy import Scope, set_scope
from core.services.casework import newest_process
from core.services.permissions import ADMINISTRATOR
from core.walkthrough import Walker

PASSWORD = "demo-losen-2026"
# PASSWORD hashed once, with the production parameters (a test keeps them so):
# hashing it at every installation cost the demo's start a tenth of a second.
PASSWORD_HASH = "$argon2id$v=19$m=65536,t=3,p=4$egYP6lO0nYi6chAtBcMEfg$AT/i227D/9y0cd6Jl/0HKfDX9u0ha84M8jgRvpAnCW0"
ADMIN_EMAIL = "admin@plattform.demo"


@dataclass(frozen=True)
class DemoTenant:
    """A demo tenant and the kommun it runs. Without a name of its own it is
    the kommun itself, as the kommun's profile describes it."""

    code: str
    kommun: str
    name: str | None = None
    kind: str | None = None
    parent_organisation: str | None = None
    decision_body: str | None = None
    # Keys of ORGANISATIONS in its register; None: all of them.
    organisations: tuple[str, ...] | None = None
    # Its partnerships: topics and stages; None: TOPICS and STAGES.
    topics: tuple | None = None
    stages: tuple | None = None


ORGANISATIONS = (
    ("brobyggarna", "Föreningen Brobyggarna Norra", "ideell_forening", "802999001", "Storgatan 1", "16370", "Stockholm"),
    ("kvarnbacken", "Idrottsföreningen Kvarnbacken", "ideell_forening", "802999002", "Bollplansvägen 4", "16250", "Vällingby"),
    ("ljusmaskinen", "Stiftelsen Ljusmaskinen", "stiftelse", "802999003", "Ljusgatan 7", "13540", "Tyresö"),
    ("tusenfarg", "Kulturföreningen Tusenfärg", "ideell_forening", "802999004", "Konstvägen 2", "16440", "Kista"),
    ("eken", "Seniornätverket Eken", "ideell_forening", "802999005", "Ekbacken 12", "16560", "Hässelby"),
    ("trappsteget", "Läxhjälpen Trappsteget", "ideell_forening", "802999006", "Skolgränd 3", "13560", "Tyresö"),
)

TOPICS = (
    ("Läxhjälp och studiero för mellanstadiet", "Låg måluppfyllelse i skolan i området.", "Barn 10–12 år"),
    ("Trygga vuxna på kvällstid", "Otrygghet i centrumområdet på kvällar.", "Unga 13–18 år"),
    ("Sommarlovsaktiviteter för alla", "Många barn saknar meningsfull fritid på loven.", "Barn och unga 6–15 år"),
    ("Språkcafé för nyanlända föräldrar", "Föräldrar saknar stöd att lära sig svenska.", "Nyanlända vuxna"),
    ("Motverka ofrivillig ensamhet bland äldre", "Ökad ensamhet bland äldre enligt folkhälsoenkäten.", "Äldre 70+"),
    ("Idrott som väg in i föreningslivet", "Låg andel flickor i organiserad idrott.", "Flickor 8–16 år"),
    ("Stöd till våldsutsatta kvinnor", "Brist på lågtröskelstöd i stadsdelen.", "Våldsutsatta kvinnor"),
    ("Kulturskola i bostadsområdet", "Få barn deltar i kulturskolans utbud.", "Barn 7–13 år"),
    ("Jobbcoachning för unga vuxna", "Hög ungdomsarbetslöshet i området.", "Unga vuxna 18–25 år"),
    ("Mötesplats för ensamstående föräldrar", "Ensamstående föräldrar saknar nätverk.", "Ensamstående föräldrar"),
    ("Digital delaktighet för seniorer", "Äldre stängs ute från digitala tjänster.", "Äldre 65+"),
    ("Naturskola och friluftsliv", "Barn vistas sällan i naturen enligt enkät.", "Barn 6–12 år"),
)

# Where each demo partnership stands, in the order of TOPICS: days since the
# initiative came in, then how far it has come: a number of completed steps,
# "running" (agreement signed, starting ``years_ago`` years back), "ended" or
# "stopped" (redirected to another form of support).
STAGES = (
    (3, 0), (40, 1), (20, 1), (60, 2), (90, 4), (120, 5), (150, 7), (200, 8),
    (400, "running", 0), (900, "running", 2), (1800, "ended", 4), (50, "stopped"),
)

# The kultur- och fritidsförvaltning's own partnerships, one in each stage.
CULTURE_TOPICS = (
    ("Öppen ateljé för unga", "Få unga deltar i kulturlivet utanför skolan.", "Unga 13–19 år"),
    ("Läsfrämjande i bibliotekets närområde", "Sjunkande läsförståelse bland barn i kommunen.", "Barn 6–12 år"),
    ("Spontanidrott på kvällar och helger", "Låg fysisk aktivitet bland unga enligt folkhälsoenkäten.",
     "Unga 12–18 år"),
    ("Föreningsdriven fritidsgård", "Unga saknar trygga mötesplatser på kvällar.", "Unga 13–17 år"),
    ("Kör och musik för seniorer", "Ofrivillig ensamhet bland äldre enligt folkhälsoenkäten.", "Äldre 65+"),
    ("Lovaktiviteter i naturreservatet", "Många barn saknar meningsfull fritid på loven.", "Barn 7–15 år"),
    ("Teater som språkstöd för nyanlända", "Nyanlända barn har få vägar in i kulturlivet.", "Barn 8–14 år"),
)
CULTURE_STAGES = (
    (3, 0), (60, 2), (120, 5), (400, "running", 0), (900, "running", 2), (1800, "ended", 4), (50, "stopped"),
)

TENANTS = (
    DemoTenant("jarva", "jarva"),
    DemoTenant("hasselby-vallingby", "hasselby-vallingby"),
    DemoTenant("tyreso", "tyreso"),
    DemoTenant("tyreso-kultur", "tyreso", name="Kultur- och fritidsförvaltningen", kind="forvaltning",
               parent_organisation="Tyresö kommun", decision_body="Kultur- och fritidsnämnden",
               organisations=("kvarnbacken", "ljusmaskinen", "tusenfarg", "trappsteget"),
               topics=CULTURE_TOPICS, stages=CULTURE_STAGES),
)
TENANT_CODES = tuple(t.code for t in TENANTS)


def _slug_email(key: str, code: str) -> str:
    return f"{key.replace('_', '-')}@{code}.demo"


def demo_logins(session: Session, registry: Registry) -> list[tuple[str, str, str]]:
    """Every demo account as (email, tenant code, role key)."""
    rows: list[tuple[str, str, str]] = [(ADMIN_EMAIL, "-", "plattformsadministratör")]
    for code in TENANT_CODES:
        tenant = tenants.get_by_code(session, code)
        if tenant is None:
            continue
        kommun = tenants.kommun_for(session, registry, tenant)
        for role in kommun.roles.roles:
            rows.append((_slug_email(role.key, code), code, role.key))
        rows.append((_slug_email(TENANT_ADMIN_ROLE, code), code, TENANT_ADMIN_ROLE))
    for key, *_ in ORGANISATIONS:
        rows.append((f"kontakt@{key}.demo", "-", "kontaktperson för idéburen part"))
        rows.append((f"ordforande@{key}.demo", "-", "firmatecknare (ordförande) för idéburen part"))
    return rows


def is_installed(session: Session) -> bool:
    return session.scalar(select(User).where(User.email == ADMIN_EMAIL)) is not None


@dataclass(frozen=True)
class _Prepared:
    """A demo tenant ready to have its cases walked, by ids: the walk may run
    in a process of its own."""

    spec: DemoTenant
    tenant_id: int
    # Role key -> the demo user who holds it.
    staff: dict[str, int]
    organisations: tuple[int, ...]


def install(factory: sessionmaker, registry: Registry, documents_dir: Path, *, side_by_side: bool = False) -> None:
    """The demo installation, in three steps that each commit: the platform
    (the tenants, their staff and the organisations); each tenant's cases,
    walked through its process; the intresseanmälningar and the exchanges
    with the organisations. ``side_by_side`` (PostgreSQL: SQLite has one
    writer at a time) walks the tenants in forked processes, one per
    processor (``_side_by_side``), each tenant in a transaction of its own:
    they write no row in common but the counters a commit raises, which are
    locked in one order."""
    today = clock.today()
    with factory() as session:
        prepared, organisations = _platform(session, registry)
        session.commit()
    walks = [functools.partial(_walk, factory, registry, documents_dir, item, today) for item in prepared]
    if side_by_side:
        _side_by_side(factory, walks)
    else:
        for walk in walks:
            walk()
    with factory() as session:
        orgs = {key: session.get(Organisation, org_id) for key, org_id in organisations.items()}
        _applications(session, registry, documents_dir, orgs, today)
        _exchanges(session, registry, today)
        session.commit()


def _platform(session: Session, registry: Registry) -> tuple[list[_Prepared], dict[str, int]]:
    """The administrator, the tenants with their plugins and staff, and the
    organisations with their representatives."""
    admin = users.create_user(session, actor=None, email=ADMIN_EMAIL, name="Plattformsadministratör (demo)",
                              password=PASSWORD, password_hash=PASSWORD_HASH, is_platform_admin=True)
    orgs: dict[str, int] = {}
    prepared = []
    for spec in TENANTS:
        entry = registry.kommuner.get(spec.kommun)
        if entry is None:
            raise RuntimeError(f"the plugin for '{spec.kommun}' is not installed; run the set-up again")
        p = entry.profile
        name = spec.name or p.name
        tenant = tenants.create_tenant(session, actor=admin, code=spec.code, name=name, kind=spec.kind or p.kind,
                                       decision_body=spec.decision_body or p.decision_body,
                                       parent_organisation=spec.parent_organisation or p.parent_organisation,
                                       kommun_code=spec.kommun, registry=registry)
        tenants.enable_plugin(session, registry, tenant, entry.plugin, admin)
        session.flush()
        staff: dict[str, int] = {}
        for role in (*entry.roles.roles, ADMINISTRATOR):
            user = users.create_user(session, actor=admin, email=_slug_email(role.key, spec.code),
                                     name=f"{role.title} (demo, {name})", password=PASSWORD,
                                     password_hash=PASSWORD_HASH)
            users.assign_role(session, actor=admin, user=user, tenant=tenant, kommun=entry, role_key=role.key)
            staff[role.key] = user.id
        registered = []
        for key, org_name, form, nine, street, postal, city in ORGANISATIONS:
            if spec.organisations is not None and key not in spec.organisations:
                continue
            org = organisations.add_organisation(session, tenant, admin, OrganisationInput.from_form({
                "name": org_name, "organisationsnummer": with_check_digit(nine), "legal_form": form,
                "street_address": street, "postal_code": postal, "city": city,
                "contact_name": "" if key in orgs else f"Kontaktperson {org_name}",
                "contact_email": "" if key in orgs else f"kontakt@{key}.demo",
            }))
            if key not in orgs:
                # Several representatives per organisation, there before its cases are walked: one
                # signs the agreement and takes its positions (JV-10, JV-18).
                users.create_user(session, actor=admin, email=f"kontakt@{key}.demo", name=f"Kontaktperson, {org_name}",
                                  password=PASSWORD, password_hash=PASSWORD_HASH, organisation_id=org.id)
                users.create_user(session, actor=admin, email=f"ordforande@{key}.demo",
                                  name=f"Ordförande, {org_name}", password=PASSWORD, password_hash=PASSWORD_HASH,
                                  organisation_id=org.id, capacity=SIGNATORY)
            orgs[key] = org.id
            registered.append(org.id)
        prepared.append(_Prepared(spec, tenant.id, staff, tuple(registered)))
    return prepared, orgs


def _walk(factory: sessionmaker, registry: Registry, documents_dir: Path, item: _Prepared, today: date) -> None:
    """The tenant's partnerships, each walked to its stage, in one transaction."""
    with factory() as session:
        # No one else writes this tenant's cases meanwhile: their facts are read again only after a write.
        session_memo.keep(session)
        tenant = session.get(Tenant, item.tenant_id)
        entry = registry.kommuner[item.spec.kommun]
        staff = {key: session.get(User, user_id) for key, user_id in item.staff.items()}
        orgs = [session.get(Organisation, org_id) for org_id in item.organisations]
        walker = Walker(session, registry, entry, tenant, staff, documents_dir, today)
        _partnerships(session, registry, entry, walker, orgs, item.spec.topics or TOPICS,
                      item.spec.stages or STAGES)
        session.commit()


def _side_by_side(factory: sessionmaker, walks: list) -> None:
    """Runs the walks in forked processes, one per processor, each taking the
    next walk when it is done with one (the heaviest tenant comes first). More
    processes than processors would not walk faster: each warms its own
    caches of compiled statements and templates, which costs more than a
    small tenant's walk. A fork would share the parent's pooled connections,
    so the parent closes them first; each child closes its own before it exits."""
    engine = factory.kw["bind"]
    engine.dispose()
    context = multiprocessing.get_context("fork")
    taken = context.Value("i", 0)

    def run() -> None:
        try:
            while True:
                with taken.get_lock():
                    index = taken.value
                    taken.value += 1
                if index >= len(walks):
                    return
                walks[index]()
        finally:
            engine.dispose()

    children = [context.Process(target=run) for _ in range(min(len(walks), _processors()))]
    for child in children:
        child.start()
    for child in children:
        child.join()
    failed = sum(child.exitcode != 0 for child in children)
    if failed:
        # The platform is committed by now: only a reset gives a whole demo again.
        raise RuntimeError("demoärendena kunde inte skapas för alla förvaltningar (se ovan); kör 'iop demo --reset'")


def _processors() -> int:
    """The processors this process may run on: its affinity where the system
    keeps one (Linux, also in a container limited to some), else all of them
    (macOS and Windows have no sched_getaffinity)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


# The demo's intresseanmälningar to Järva: one submitted, waiting for its
# first meeting, and one draft.
APPLICATION = {
    "samhallsutmaning": "Många unga i området saknar en trygg plats att vara på efter skolan.",
    "lokalt_perspektiv": "Stadsdelens trygghetsmätning visar att få unga känner sig trygga i centrum på kvällar.",
    "ide": "En öppen mötesplats tre kvällar i veckan med vuxna volontärer och läxhjälp.",
    "malgrupp": "Unga 13–18 år i Järva.",
    "bidrag": "Ideellt arbete, 800 timmar om året, och föreningens lokal två kvällar i veckan.",
    "onskemal": "Stöd till en samordnare och samverkan med fritidsgården.",
}


# Answers to Järva's own questions (JV-22), as the form names them.
APPLICATION_ANSWERS = {
    "fraga_belagg": "Stadsdelens trygghetsmätning 2025 och fritidsgårdens besöksstatistik.",
    "fraga_namndens_mal": "Trygghet och fritid för unga.",
}


def _applications(session: Session, registry: Registry, documents_dir: Path, orgs: dict, today: date) -> None:
    jarva = tenants.get_by_code(session, "jarva")
    if jarva is None or "jarva" not in registry.kommuner:
        return
    sender = session.scalar(select(User).where(User.email == "ordforande@tusenfarg.demo"))
    organisation = orgs["tusenfarg"]
    for kind in ("arsmotesprotokoll", "verksamhetsberattelse", "resultat_och_balansrakning", "revisionsberattelse",
                 "verksamhetsplan"):
        library.add(session, documents_dir, organisation, sender, kind=kind, year=str(today.year - 1), title="",
                    filename=f"{kind}.pdf", content=b"%PDF-1.4\n% demo\n")
    process = newest_process(registry, registry.kommuner["jarva"])
    kinds = [k for k, _ in applications.required_documents(process)]
    asked = applications.questions(process)
    sent = applications.start(session, organisation, sender, jarva)
    docs = {d.kind: d for d in library.listed(session, organisation)}
    applications.save(session, sent, {"title": "Kvällsöppet i Tensta", **APPLICATION, **APPLICATION_ANSWERS,
                                      **{f"dokument_{k}": str(docs[k].id) for k in kinds if k in docs}}, kinds, asked)
    applications.submit(session, registry, sent, sender, documents_dir=documents_dir,
                        base_url=Settings.base_url, today=today)
    set_scope(session, Scope.system())  # submitting worked in Järva's scope; the demo goes on as the system
    writer = session.scalar(select(User).where(User.email == "kontakt@brobyggarna.demo"))
    draft = applications.start(session, orgs["brobyggarna"], writer, jarva)
    applications.save(session, draft, {"title": "Föräldrar som nattvandrar",
                                       "samhallsutmaning": APPLICATION["samhallsutmaning"]}, kinds, asked)


def _exchanges(session: Session, registry: Registry, today: date) -> None:
    """In each tenant, the first running case has a request to its
    organisation waiting for an answer, and a short conversation."""
    for tenant in session.scalars(select(Tenant).order_by(Tenant.id)):
        p = session.scalar(select(Partnership).where(Partnership.tenant_id == tenant.id,
                                                     Partnership.status == "pagaende").order_by(Partnership.id))
        party = p and session.scalar(select(Party).where(Party.partnership_id == p.id, Party.role == "ideburen"))
        if party is None:
            continue
        kommun = tenants.kommun_for(session, registry, tenant)
        process = newest_process(registry, kommun)
        kinds = {k.key: k.title for k in process.document_kinds}
        # What the organisation gives by filling in a form in the portal, where the process has one.
        kind = next((f.produces for f in process.forms if f.produces),
                    next((k for k in ("uppfoljning", "resultat") if k in kinds), next(iter(kinds))))
        # The case officer asks and writes, as in the kommun's own work.
        officer_role = next(r.key for r in kommun.roles.roles if r.generic_role == "case_officer")
        officer = session.scalar(select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
                                 .where(RoleAssignment.tenant_id == tenant.id, RoleAssignment.role_key == officer_role))
        requests.ask(session, tenant, officer, p, requests.RequestInput(
            organisation_id=party.organisation_id, kind=kind, title=kinds[kind],
            message="Skicka gärna årets redovisning av verksamheten och ekonomin innan vi ses i styrgruppen.",
            due_on=today + timedelta(days=21)), base_url=Settings.base_url)
        messages.send(session, partnership=p, author=officer, organisation=None, base_url=Settings.base_url,
                      body="Hej! Vi har lagt upp en begäran om årets redovisning i portalen. Hör av er om något är oklart.")


def _partnerships(session: Session, registry: Registry, kommun: KommunEntry, walker: Walker, orgs: list,
                  topics: tuple, stages: tuple) -> None:
    today = walker.today
    process = newest_process(registry, kommun)
    case_officer = next(walker.users[r.key] for r in kommun.roles.roles if r.generic_role == "case_officer")
    for i, ((title, challenge, target), (days_ago, stage, *rest)) in enumerate(zip(topics, stages)):
        p = partnerships.create_partnership(session, walker.tenant, case_officer, PartnershipInput.from_form({
            "title": title,
            "samhallsutmaning": challenge,
            "target_group": target,
            "initiated_on": (today - timedelta(days=days_ago)).isoformat(),
            "organisation_id": str(orgs[i % len(orgs)].id),
            "offentlig_pengar_amount": str(150000 + 25000 * i),
            "offentlig_lokaler_amount": "120" if i % 2 else "",
            "offentlig_lokaler_text": "Lokal i medborgarhuset" if i % 2 else "",
            "ideburen_ideella_timmar_amount": str(400 + 50 * i),
            "ideburen_personal_amount": "800" if i % 3 == 0 else "",
            "ideburen_annat_text": "Administration och nätverk" if i % 4 == 0 else "",
        }, today), process=process)
        session.flush()
        if stage == "stopped":
            walker.stop(p)
            continue
        if isinstance(stage, int):
            walker.advance(p, steps=stage)
            continue
        start = date(today.year - rest[0], 1, 1)
        period = (start, add_months(start, 36) - timedelta(days=1))
        if stage == "ended":
            walker.advance(p, period=period)
        else:
            walker.advance(p, until_status="pagaende", period=period)
            walker.advance(p, steps=1, period=period)
            walker.catch_up(p)
            _hold_group_meetings(session, walker, p, start, today)


def _hold_group_meetings(session: Session, walker: Walker, p, start: date, today: date) -> None:
    """A running partnership's groups met as often as the rules ask in the
    years gone by; this year they are partway there."""
    view = walker.view(p)
    user = next(walker.users[r.key] for r in view.roles.roles if r.generic_role in ("coordinator", "coordinator_unit"))
    for rule in view.process.meeting_rules:
        if not rule.per_year_min:
            continue
        for year in range(start.year, today.year + 1):
            first = max(date(year, 2, 1), start, p.initiated_on)
            count = rule.per_year_min if year < today.year else max(rule.per_year_min - 2, 1)
            for n in range(count):
                day = first + timedelta(days=n * 300 // rule.per_year_min)
                if day >= today:
                    break
                view = walker.view(p)
                meetings.register_meeting(session, walker.tenant, user, p, view.progress, view.facts, MeetingInput.from_form({
                    "kind": rule.kind, "held_on": day.isoformat(),
                    "participants": "Företrädare för förvaltningen och den idéburna parten.",
                    "minutes": "Gruppen följde upp aktiviteterna och budgeten.",
                }), today)
