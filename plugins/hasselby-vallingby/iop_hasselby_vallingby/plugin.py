"""Hässelby-Vällingby stadsdelsnämnd: profile, roles table (HV-07, inferred), the
routine's two templates (HV-02, HV-03) and the routine itself as a process
(HV-01, in process.py), from seed 000."""

from __future__ import annotations

from core.mallar import FOLLOW_UP_FIELDS
from core.plugin_api import KommunProfile, RegistrationNumberFormat, Role, RolesTable, TemplateRef, hookimpl
from iop_hasselby_vallingby.process import PROCESS_V1

CODE = "hasselby-vallingby"

PROFILE = KommunProfile(
    code=CODE,
    name="Hässelby-Vällingby stadsdelsnämnd",
    kind="stadsdelsnamnd",
    parent_organisation="Stockholms stad",
    decision_body="Hässelby-Vällingby stadsdelsnämnd",
    # Stockholms stad's "<unit> <year>/<serial>" shape; the prefix "HV" is inferred.
    registration_number=RegistrationNumberFormat(
        pattern=r"HV \d{4}/\d{1,6}", template="HV {year}/{serial}", example="HV 2026/456"
    ),
)

ROLES = RolesTable(
    kommun=CODE,
    roles=(
        Role("stadsdelsnamnd", "Stadsdelsnämnd", "decision_body", "Beslutar om överenskommelser om IOP.", ("HV-07",)),
        Role("stadsdelsdirektor", "Stadsdelsdirektör", "director", "Tar ställning inför en överenskommelse.", ("HV-07",)),
        Role(
            "stab",
            "Stadsdelsdirektörens stab",
            "coordinator_unit",
            "Äger rutinen för IOP och ser till att bedömningar och ställningstaganden dokumenteras.",
            ("HV-07", "HV-01", "HV-06"),
        ),
        Role("avdelningschef", "Avdelningschef", "manager", "Ansvarar för verksamheten som partnerskapet berör.", ("HV-07",)),
        Role("handlaggare", "Handläggare", "case_officer", "Handlägger initiativ, bedömningar och uppföljningar.", ("HV-07",)),
    ),
)

TEMPLATES = (
    TemplateRef(
        CODE,
        "bedomning",
        "Bedömning inför en överenskommelse om IOP",
        "Dokumenterad bedömning innan en överenskommelse ingås.",
        ("HV-02", "HV-04", "HV-05"),
    ),
    TemplateRef(CODE, "uppfoljning", "Uppföljning av överenskommelse", "Uppföljning av en pågående överenskommelse.",
                ("HV-03",), fields=FOLLOW_UP_FIELDS, document_kind="uppfoljning"),
)


@hookimpl
def iop_register_kommuner():
    return [PROFILE]


@hookimpl
def iop_register_roles():
    return [ROLES]


@hookimpl
def iop_register_templates():
    return list(TEMPLATES)


@hookimpl
def iop_register_processes():
    return [PROCESS_V1]
