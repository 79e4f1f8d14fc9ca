"""Compiled templates kept between processes: a changed template is compiled
again, and a cache that cannot be written never fails a page."""

from jinja2 import DictLoader, Environment

from core.template_cache import _TemplateCache


def _render(cache, source: str) -> str:
    env = Environment(loader=DictLoader({"sida.html": source}), bytecode_cache=cache)
    return env.get_template("sida.html").render(namn="Ada")


def test_a_changed_template_is_compiled_again(tmp_path):
    cache = _TemplateCache(directory=str(tmp_path))
    assert _render(cache, "Hej {{ namn }}") == "Hej Ada"
    assert list(tmp_path.iterdir()), "the compiled template is kept"
    assert _render(cache, "Välkommen {{ namn }}") == "Välkommen Ada"


def test_a_cache_that_cannot_be_written_only_makes_rendering_slower(tmp_path):
    cache = _TemplateCache(directory=str(tmp_path / "finns-inte"))
    assert _render(cache, "Hej {{ namn }}") == "Hej Ada"
