"""The plugin registry: kommun plugins found through entry points, validated at start-up."""

from dataclasses import replace
from types import SimpleNamespace

import pytest

from core.plugin_api import (
    RESERVED_ROLE_KEYS,
    KommunProfile,
    PluginError,
    RegistrationNumberFormat,
    Role,
    RolesTable,
    hookimpl,
)
from core.registry import build_plugin_manager, build_registry


def test_three_kommun_plugins_are_installed_through_entry_points(registry):
    assert {"jarva", "hasselby-vallingby", "tyreso"} <= set(registry.plugins)
    for code in ("jarva", "hasselby-vallingby", "tyreso"):
        assert registry.kommuner[code].plugin == code
        assert registry.plugins[code].version == "1.0.0"


def test_generic_default_works_without_any_kommun_plugin():
    registry = build_registry(build_plugin_manager(load_entry_points=False))
    assert set(registry.kommuner) == {"generic"}
    assert registry.for_tenant("norrmalm", set()).profile.code == "generic"
    assert registry.generic.roles.get("handlaggare").generic_role == "case_officer"


def test_installed_is_not_enabled(registry):
    assert registry.for_tenant("jarva", set()).profile.code == "generic"
    assert registry.for_tenant("jarva", {"jarva"}).profile.code == "jarva"


def test_a_tenant_runs_the_kommun_it_chose_while_its_plugin_is_enabled(registry):
    """The choice, not the tenant's code, names the kommun; no choice, or a
    kommun that is no longer installed, means the generic process."""
    assert registry.for_tenant("tyreso", {"tyreso"}) is registry.kommuner["tyreso"]
    assert registry.for_tenant("tyreso", {"jarva"}).profile.code == "generic"
    assert registry.for_tenant(None, {"tyreso"}).profile.code == "generic"
    assert registry.for_tenant("finns-inte", {"tyreso"}).profile.code == "generic"


def test_only_installed_kommuner_can_be_chosen(registry):
    codes = [e.profile.code for e in registry.choosable()]
    assert {"jarva", "hasselby-vallingby", "tyreso"} <= set(codes) and "generic" not in codes


def test_jv_02_jarva_roles_table(registry):
    """JV-02: Järva's roles table, each mapped onto a generic role."""
    roles = {r.title: r.generic_role for r in registry.kommuner["jarva"].roles.roles}
    assert roles["Stadsdelsnämnd"] == "decision_body"
    assert roles["Stadsdelsdirektör"] == "director"
    assert roles["Stabsenhet, administrativa avdelningen"] == "coordinator_unit"
    assert roles["Avdelningschef"] == "manager"
    assert roles["Enhetschef"] == "manager"
    assert roles["Biträdande enhetschef"] == "manager"
    assert roles["IOP-koordinator"] == "coordinator"


def test_hv_07_hasselby_vallingby_roles_table(registry):
    """HV-07: Stadsdelsnämnd, Stadsdelsdirektör, the director's stab (owns the routine), Avdelningschef, Handläggare."""
    titles = [r.title for r in registry.kommuner["hasselby-vallingby"].roles.roles]
    assert titles == ["Stadsdelsnämnd", "Stadsdelsdirektör", "Stadsdelsdirektörens stab", "Avdelningschef", "Handläggare"]


def test_ty_06_tyreso_roles_table(registry):
    """TY-06: Kommunstyrelsen, Kommunledningsutskottet, Kommundirektör, Kommunstyrelseförvaltningen, Handläggare."""
    titles = [r.title for r in registry.kommuner["tyreso"].roles.roles]
    assert titles == ["Kommunstyrelsen", "Kommunledningsutskottet", "Kommundirektör", "Kommunstyrelseförvaltningen", "Handläggare"]


def test_ty_02_tyreso_registration_numbers(registry):
    """TY-02: Tyresö's matters are numbered like 2023/KS 0352, reported to kommunstyrelsen."""
    profile = registry.kommuner["tyreso"].profile
    assert profile.decision_body == "Kommunstyrelsen"
    fmt = profile.registration_number
    assert fmt.matches("2023/KS 0352")
    assert fmt.format(year=2026, serial=7) == "2026/KS 0007"
    assert not fmt.matches("KS 2023/352")


def test_each_kommun_lists_the_templates_of_its_documents(registry):
    """JV-06, JV-08, JV-14, JV-17, JV-18, HV-02, HV-03, TY-05: the named mallar are declared."""
    names = {code: {t.name for t in entry.templates} for code, entry in registry.kommuner.items()}
    assert {
        "Checklista inför övervägande om att inleda IOP",
        "Mall för överenskommelse om IOP",
        "Mall för budget",
        "Mall för ekonomisk redovisning och redovisning av verksamhet",
        "Mall för utvärdering av IOP",
        "Mall för slutrapport",
    } <= names["jarva"]
    assert names["hasselby-vallingby"] == {"Bedömning inför en överenskommelse om IOP", "Uppföljning av överenskommelse"}
    assert "Barnets bästa-bedömning" in names["tyreso"]


def _plugin(code="testkommun", **overrides):
    profile = KommunProfile(
        code=code, name="Testkommun", kind="kommun", decision_body="Kommunstyrelsen",
        registration_number=RegistrationNumberFormat(pattern=r"T\d{4}-\d+", template="T{year}-{serial}", example="T2026-1"),
    )
    profile = replace(profile, **overrides)
    return SimpleNamespace(
        iop_register_kommuner=hookimpl(lambda: [profile]),
        iop_register_roles=hookimpl(lambda: [RolesTable(kommun=code, roles=(Role("chef", "Chef", "manager", "Leder"),))]),
    )


def test_two_plugins_claiming_one_code_stop_start_up():
    pm = build_plugin_manager(load_entry_points=False, extra_plugins={"a": _plugin(), "b": _plugin()})
    with pytest.raises(PluginError, match="kommun code 'testkommun' is claimed by two plugins: 'a' and 'b'"):
        build_registry(pm)


def test_a_plugin_claiming_an_installed_kommun_code_stops_start_up():
    pm = build_plugin_manager(extra_plugins={"copycat": _plugin(code="jarva")})
    with pytest.raises(PluginError, match="'jarva' is claimed by two plugins"):
        build_registry(pm)


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"code": "Bad Code"}, "must be lower-case"),
        ({"kind": "landsting"}, "kind 'landsting'"),
        ({"format_version": 99}, "format version 99"),
        ({"registration_number": RegistrationNumberFormat(pattern=r"\d+", template="X{year}", example="1")}, "does not match"),
    ],
)
def test_an_invalid_plugin_stops_start_up_with_a_clear_message(overrides, message):
    pm = build_plugin_manager(load_entry_points=False, extra_plugins={"broken": _plugin(**overrides)})
    with pytest.raises(PluginError, match=message):
        build_registry(pm)


def test_a_role_mapped_to_an_unknown_generic_role_is_refused():
    plugin = _plugin()
    plugin.iop_register_roles = hookimpl(lambda: [RolesTable(kommun="testkommun", roles=(Role("pastor", "Pastor", "pope", "?"),))])
    pm = build_plugin_manager(load_entry_points=False, extra_plugins={"broken": plugin})
    with pytest.raises(PluginError, match="unknown generic role 'pope'"):
        build_registry(pm)


def test_a_plugin_may_not_declare_the_tenant_administrators_role():
    """Every tenant has the core's administrator role beside its kommun's roles
    table; a plugin's role with that key would be both, so start-up stops."""
    plugin = _plugin()
    plugin.iop_register_roles = hookimpl(lambda: [RolesTable(kommun="testkommun", roles=(
        Role("administrator", "Systemförvaltare", "coordinator_unit", "?"),))])
    pm = build_plugin_manager(load_entry_points=False, extra_plugins={"greedy": plugin})
    with pytest.raises(PluginError, match="role key 'administrator' in 'testkommun' is reserved"):
        build_registry(pm)


def test_no_installed_plugin_declares_a_reserved_role_key(registry):
    assert not any(r.key in RESERVED_ROLE_KEYS for e in registry.kommuner.values() for r in e.roles.roles)


def test_a_plugin_may_not_declare_roles_for_another_plugins_kommun():
    plugin = _plugin()
    plugin.iop_register_roles = hookimpl(lambda: [RolesTable(kommun="jarva", roles=(Role("intruder", "X", "manager", "?"),))])
    pm = build_plugin_manager(extra_plugins={"intruder": plugin})
    with pytest.raises(PluginError, match="does not declare"):
        build_registry(pm)


def test_each_test_gets_a_fresh_plugin_manager():
    assert build_plugin_manager() is not build_plugin_manager()
