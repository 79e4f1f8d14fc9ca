"""The jarva plugin on its own: its declarations load and validate (JV-02)."""

from core.registry import build_plugin_manager, build_registry
from iop_jarva import plugin


def test_jarva_plugin_registers_its_kommun_alone():
    pm = build_plugin_manager(load_entry_points=False, extra_plugins={"jarva": plugin})
    entry = build_registry(pm).kommuner["jarva"]
    assert entry.profile is plugin.PROFILE and entry.roles is plugin.ROLES
    assert entry.templates == plugin.TEMPLATES


def test_jarva_registration_number_example():
    fmt = plugin.PROFILE.registration_number
    assert fmt.matches("JÄR 2026/123")
    assert fmt.matches(fmt.format(year=2027, serial=42))


def test_jarva_has_a_case_officer_who_registers_initiatives():
    """JV-02: every roles table has the case officer behind handlaggare@jarva.demo."""
    assert plugin.ROLES.get("handlaggare").generic_role == "case_officer"
