"""The tyreso plugin on its own: its declarations load and validate (TY-06)."""

from core.registry import build_plugin_manager, build_registry
from iop_tyreso import plugin


def test_tyreso_plugin_registers_its_kommun_alone():
    pm = build_plugin_manager(load_entry_points=False, extra_plugins={"tyreso": plugin})
    entry = build_registry(pm).kommuner["tyreso"]
    assert entry.profile is plugin.PROFILE and entry.roles is plugin.ROLES
    assert entry.templates == plugin.TEMPLATES


def test_tyreso_registration_number_example():
    fmt = plugin.PROFILE.registration_number
    assert fmt.matches("2023/KS 0352")
    assert fmt.matches(fmt.format(year=2027, serial=42))


def test_tyreso_has_a_case_officer_who_registers_initiatives():
    """TY-06: every roles table has the case officer behind handlaggare@tyreso.demo."""
    assert plugin.ROLES.get("handlaggare").generic_role == "case_officer"
