"""The hasselby-vallingby plugin on its own: its declarations load and validate (HV-07)."""

from core.registry import build_plugin_manager, build_registry
from iop_hasselby_vallingby import plugin


def test_hasselby_vallingby_plugin_registers_its_kommun_alone():
    pm = build_plugin_manager(load_entry_points=False, extra_plugins={"hasselby-vallingby": plugin})
    entry = build_registry(pm).kommuner["hasselby-vallingby"]
    assert entry.profile is plugin.PROFILE and entry.roles is plugin.ROLES
    assert entry.templates == plugin.TEMPLATES


def test_hasselby_vallingby_registration_number_example():
    fmt = plugin.PROFILE.registration_number
    assert fmt.matches("HV 2026/456")
    assert fmt.matches(fmt.format(year=2027, serial=42))


def test_hasselby_vallingby_has_a_case_officer_who_registers_initiatives():
    """HV-07: every roles table has the case officer behind handlaggare@hasselby-vallingby.demo."""
    assert plugin.ROLES.get("handlaggare").generic_role == "case_officer"
