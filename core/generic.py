"""The generic default: national guidance (Forum's criteria, the GEN and ST rules).

It is a plugin like any kommun's, built into the core and always registered, so
a tenant with no kommun plugin enabled can start at once.
"""

from __future__ import annotations

from core.plugin_api import KommunProfile, RegistrationNumberFormat, Role, RolesTable, TemplateRef, hookimpl

CODE = "generic"

PROFILE = KommunProfile(
    code=CODE,
    name="Nationell vägledning",
    kind="kommun",
    decision_body="Nämnd",
    registration_number=RegistrationNumberFormat(
        pattern=r"\d{4}/\d{1,6}", template="{year}/{serial:04d}", example="2026/0001"
    ),
)

ROLES = RolesTable(
    kommun=CODE,
    roles=(
        Role("namnd", "Nämnd", "decision_body", "Beslutar om att ingå, omförhandla och avsluta IOP."),
        Role("direktor", "Förvaltningsdirektör", "director", "Bedömer om ett initiativ ska gå vidare."),
        Role("samordnare", "IOP-samordnare", "coordinator_unit", "Samordnar IOP-arbetet och ser till att processen följs."),
        Role("chef", "Chef", "manager", "Ser till att kärnverksamheten deltar."),
        Role("koordinator", "IOP-koordinator", "coordinator", "Samordnar ett partnerskap och dess dokumentation."),
        Role("handlaggare", "Handläggare", "case_officer", "Registrerar initiativ och handlägger ärenden."),
    ),
)

TEMPLATES = (
    TemplateRef(CODE, "kriterier_forum", "Forums sex kriterier för IOP", "Prövning av om IOP är möjligt.", ("ST-01",)),
    TemplateRef(CODE, "val_av_form", "Val av samverkansform", "IOP, föreningsbidrag eller upphandling.", ("ST-02",)),
    TemplateRef(CODE, "overenskommelse", "Överenskommelse om IOP", "Vad överenskommelsen ska innehålla.", ("GEN-06",)),
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
