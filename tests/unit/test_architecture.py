"""Structural rules from ARCHITECTURE.md that must stay true."""

import inspect
import subprocess
import sys
from pathlib import Path

from core import hookspecs

ROOT = Path(__file__).resolve().parents[2]


def test_layers_point_inwards():
    """core imports neither web nor plugins; plugins do not import web (import-linter contracts in pyproject.toml)."""
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_hook_is_prefixed_typed_and_documented():
    docs = (ROOT / "docs" / "plugins.md").read_text()
    hooks = [name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if hasattr(fn, "iop_spec")]
    assert hooks, "no hooks found"
    for name in hooks:
        fn = getattr(hookspecs, name)
        assert name.startswith("iop_"), name
        assert fn.__doc__ and "None" in fn.__doc__, f"{name} must say what None means"
        assert "return" in inspect.get_annotations(fn), f"{name} needs a return type"
        assert f"`{name}`" in docs, f"{name} is missing from docs/plugins.md"
