"""Point 8 of issue 11: each kommun's rules are documented from its plugin, so
the documentation says what the engine enforces (core.rulebook, `iop docs`)."""

from pathlib import Path

from core import rulebook
from core.registry import build_plugin_manager, build_registry

DOCS = Path(__file__).resolve().parents[2] / "docs" / "kommuner"


def test_the_committed_pages_are_what_the_plugins_declare_now():
    pages = rulebook.pages(build_registry(build_plugin_manager()))
    assert set(pages) == {p.name for p in DOCS.glob("*.md")}, "run `iop docs` and commit docs/kommuner"
    for name, text in pages.items():
        assert (DOCS / name).read_text(encoding="utf-8") == text, f"docs/kommuner/{name} is out of date: run `iop docs`"


def test_every_rule_a_kommun_names_is_listed_with_where_it_is_enforced():
    registry = build_registry(build_plugin_manager())
    page = rulebook.markdown(registry, "jarva")
    process = registry.kommuner["jarva"].process()
    named = {rid for step in process.steps() for rid in step.rule_ids}
    for rid in named:
        assert f"| {rid} | " in page
    assert "#### Nämndens beslut om slutrapporten" in page and "- Done by: Stadsdelsnämnd" in page
