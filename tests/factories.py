"""Test data factories: small, explicit builders on top of the real services."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import count

from core import clock
from core.inputs import MeetingInput, OrganisationInput, PartnershipInput
from core.models import Organisation, Partnership, Tenant, User
from core.orgnr import with_check_digit
from core.registry import Registry
from core.services import organisations, partnerships, tenants, users

PASSWORD = "ett-langt-testlosen"
_serial = count(1)


def tenant(db, registry: Registry, code: str, enable: bool = True, kommun: str | None = None, name: str | None = None) -> Tenant:
    """A tenant. It runs the kommun ``kommun`` (by default the installed kommun
    with the tenant's own code, if any) and, unless ``enable`` is false, has
    that kommun's plugin enabled."""
    kommun = kommun or (code if code in registry.kommuner else None)
    entry = registry.kommuner.get(kommun) if kommun else None
    if entry is not None:
        p = entry.profile
        t = tenants.create_tenant(db, actor=None, code=code, name=name or p.name, kind=p.kind,
                                  decision_body=p.decision_body, parent_organisation=p.parent_organisation,
                                  kommun_code=kommun, registry=registry)
        if enable:
            tenants.enable_plugin(db, registry, t, entry.plugin, None)
    else:
        t = tenants.create_tenant(db, actor=None, code=code, name=name or f"Testkommun {code}", kind="kommun",
                                  decision_body="Kommunstyrelsen")
    db.flush()
    return t


def user(db, registry: Registry, email: str, *roles: tuple[Tenant, str], admin: bool = False, organisation_id=None,
         capacity: str | None = None) -> User:
    u = users.create_user(db, actor=None, email=email, name=email.split("@")[0].title(), password=PASSWORD,
                          is_platform_admin=admin, organisation_id=organisation_id,
                          **({"capacity": capacity} if capacity else {}))
    for t, key in roles:
        users.assign_role(db, actor=None, user=u, tenant=t, kommun=tenants.kommun_for(db, registry, t), role_key=key)
    db.flush()
    return u


def organisation(db, t: Tenant, name: str | None = None) -> Organisation:
    n = next(_serial)
    return organisations.add_organisation(db, t, None, oform({
        "name": name or f"Testföreningen {n}",
        "organisationsnummer": with_check_digit(f"80299{n:04d}"),
        "legal_form": "ideell_forening",
    }))


def partnership(db, t: Tenant, title: str = "Läxhjälp", process=None, **fields) -> Partnership:
    data = {"title": title, "samhallsutmaning": "Låg måluppfyllelse", "initiated_on": clock.today().isoformat()}
    data.update({k: str(v) for k, v in fields.items()})
    return partnerships.create_partnership(db, t, None, pform(data), process=process)


def pform(data: dict) -> PartnershipInput:
    """A partnership form as the web edge reads it."""
    return PartnershipInput.from_form({k: str(v) for k, v in data.items()}, clock.today())


def mform(data: dict) -> MeetingInput:
    """A meeting form as the web edge reads it."""
    return MeetingInput.from_form({k: str(v) for k, v in data.items()})


def oform(data: dict) -> OrganisationInput:
    """An organisation form as the web edge reads it."""
    return OrganisationInput.from_form({k: str(v) for k, v in data.items()})


@dataclass
class World:
    jarva: Tenant
    tyreso: Tenant
    jarva_staff: User
    tyreso_staff: User
    admin: User
    jarva_partnership: Partnership
    tyreso_partnership: Partnership
    jarva_org: Organisation
    tyreso_org: Organisation


def two_tenants(db, registry: Registry) -> World:
    jarva = tenant(db, registry, "jarva")
    tyreso = tenant(db, registry, "tyreso")
    jarva_org = organisation(db, jarva, "Föreningen Järvabron")
    tyreso_org = organisation(db, tyreso, "Föreningen Tyresöbron")
    return World(
        jarva=jarva,
        tyreso=tyreso,
        jarva_staff=user(db, registry, "handlaggare@jarva.test", (jarva, "handlaggare")),
        tyreso_staff=user(db, registry, "handlaggare@tyreso.test", (tyreso, "handlaggare")),
        admin=user(db, registry, "admin@plattform.test", admin=True),
        jarva_partnership=partnership(db, jarva, "Järvas hemliga läxhjälp", organisation_id=jarva_org.id),
        tyreso_partnership=partnership(db, tyreso, "Tyresös hemliga naturskola", organisation_id=tyreso_org.id),
        jarva_org=jarva_org,
        tyreso_org=tyreso_org,
    )


def login(client, email: str, password: str = PASSWORD):
    client.get("/login")
    return client.post("/login", data={"email": email, "password": password, "_csrf_token": csrf(client)},
                       follow_redirects=False)


_TOKEN_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


def _cookie_state(client) -> tuple:
    return tuple(sorted((c.name, c.value, c.domain, c.path) for c in client.cookies.jar))


def csrf(client) -> str:
    """The CSRF token as the browser has it: from the hidden field of a page it
    loaded. Read again whenever the client's cookies have changed (the token
    follows the session: it changes at sign-in and sign-out)."""
    cached = getattr(client, "_iop_csrf", None)
    if cached and cached[0] == _cookie_state(client):
        return cached[1]
    page = client.get("/login", follow_redirects=False)
    match = _TOKEN_FIELD.search(page.text)
    assert match, f"no CSRF token on /login ({page.status_code})"
    client._iop_csrf = (_cookie_state(client), match.group(1))
    return match.group(1)


def post(client, url: str, data: dict | None = None, **kwargs):
    """A form POST with the CSRF token, as the browser sends it."""
    return client.post(url, data={**(data or {}), "_csrf_token": csrf(client)}, follow_redirects=False, **kwargs)


def from_address(client, host: str):
    """Makes the test client's requests arrive from ``host``: Litestar's test
    transport always reports the peer as ``testclient``."""
    transport = client._transport
    parse = type(transport).parse_request

    def parse_request(request):
        scope = parse(transport, request)
        scope["client"] = (host, 50000)
        return scope

    transport.parse_request = parse_request
    return client
