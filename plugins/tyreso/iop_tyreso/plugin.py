"""Tyresö kommun: profile (registration numbers like 2023/KS 0352, TY-02), roles
table (TY-06, inferred), the barnets bästa template (TY-05) and the pilot-project
process (TY-01 to TY-05, in process.py), from seed 003."""

from __future__ import annotations

from core.plugin_api import KommunProfile, RegistrationNumberFormat, Role, RolesTable, TemplateRef, hookimpl
from iop_tyreso.process import PROCESS_V1

CODE = "tyreso"

PROFILE = KommunProfile(
    code=CODE,
    name="Tyresö kommun",
    kind="kommun",
    decision_body="Kommunstyrelsen",
    registration_number=RegistrationNumberFormat(
        pattern=r"\d{4}/KS \d{4}", template="{year}/KS {serial:04d}", example="2023/KS 0352"
    ),
)

ROLES = RolesTable(
    kommun=CODE,
    roles=(
        Role("kommunstyrelsen", "Kommunstyrelsen", "decision_body", "Tar emot resultaten av pilotprojekten.", ("TY-06", "TY-01")),
        Role(
            "kommunledningsutskottet",
            "Kommunledningsutskottet",
            "decision_body",
            "Bereder ärenden till kommunstyrelsen.",
            ("TY-06", "TY-02"),
        ),
        Role("kommundirektor", "Kommundirektör", "director", "Utforskar och genomför IOP som pilotprojekt.", ("TY-06", "TY-01")),
        Role(
            "kommunstyrelseforvaltningen",
            "Kommunstyrelseförvaltningen",
            "coordinator_unit",
            "Samordnar IOP-arbetet och bereder ärendena.",
            ("TY-06",),
        ),
        Role("handlaggare", "Handläggare", "case_officer", "Handlägger initiativ och pilotprojekt.", ("TY-06",)),
    ),
)

TEMPLATES = (
    TemplateRef(CODE, "upphandlingsprovning", "Prövning av upphandlingsplikt", "Först fastställa att upphandling inte gäller.", ("TY-03",)),
    TemplateRef(
        CODE, "barnets_basta", "Barnets bästa-bedömning", "Bedömning av barnets bästa utifrån syfte och innehåll.", ("TY-05",)
    ),
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
