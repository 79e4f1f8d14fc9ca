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


def test_controllers_and_services_do_not_commit():
    """One unit of work per request: the framework commits once (web.unit_of_work).
    The sign-in service and the request limits alone commit their record of
    an attempt, which must outlive the refused request it belongs to."""
    allowed = {ROOT / "core" / "services" / "auth.py", ROOT / "core" / "services" / "limits.py"}
    offenders = []
    for folder in (ROOT / "web" / "controllers", ROOT / "core" / "services"):
        for path in folder.rglob("*.py"):
            if path not in allowed and ".commit()" in path.read_text():
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_every_route_declares_who_may_call_it_or_takes_the_default(sqlite_template, tmp_path):
    """Permissions are declared on routes: every handler that takes the request
    context says who may call it (or is for signed-in people), and a staff
    permission names one from the permissions table."""
    from litestar.routes import HTTPRoute

    from core.config import Settings
    from core.services.permissions import ALL_PERMISSIONS
    from web.app import create_app
    from web.context import Requires

    known = ALL_PERMISSIONS
    # The app starts only on a migrated database (core.schema).
    app = create_app(Settings(database_url=f"sqlite:///{sqlite_template}", data_dir=tmp_path, secret_key="test"))
    seen = 0
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            opt = handler.opt
            Requires(opt.get("requires", Requires.SIGNED_IN))
            if "permission" in opt:
                assert opt["permission"] in known, (route.path, opt["permission"])
                assert opt.get("requires") == Requires.STAFF, route.path
            seen += 1
    assert seen > 25


def test_every_handler_that_takes_the_request_context_runs_in_one_worker_thread(sqlite_template, tmp_path):
    """One thread hop per request (issue 8): a handler that takes ``ctx`` is
    marked ``in_worker_thread``, which resolves the context, runs the handler,
    renders its page and ends the transaction in that one hop."""
    import inspect

    from litestar.routes import HTTPRoute

    from core.config import Settings
    from web.app import create_app

    app = create_app(Settings(database_url=f"sqlite:///{sqlite_template}", data_dir=tmp_path, secret_key="test"))
    unmarked, seen = [], 0
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if "ctx" not in inspect.signature(handler.fn).parameters:
                continue
            seen += 1
            if not getattr(handler.fn, "in_worker_thread", False) or handler.sync_to_thread:
                unmarked.append(route.path)
    assert unmarked == []
    assert seen > 40
