"""The iop command and the demo installation (CONTRACT.md)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core import demo
from core.db import make_sessionmaker
from core.models import Partnership, PluginActivation, Tenant, User
from core.orgnr import check_organisationsnummer
from core.services import passwords, tenants
from core.tenancy import Scope

IOP = str(Path(sys.executable).parent / "iop")


def _run(*args, env_extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("IOP_")}
    env.update(env_extra or {})
    return subprocess.run([IOP, *args], capture_output=True, text=True, env=env, timeout=120)


def test_demo_installation(db, engine, registry, settings, backend):
    """The demo's partnerships stand in every stage, reached through each kommun's own process;
    Tyresö's kultur- och fritidsförvaltning runs Tyresö's process beside Tyresö kommun. On
    PostgreSQL the tenants' cases are walked side by side, as ``iop demo`` does there."""
    demo.install(make_sessionmaker(engine, Scope.system(), registry=registry), registry, settings.documents_dir,
                 side_by_side=backend == "postgresql")
    codes = {t.code for t in db.scalars(select(Tenant))}
    assert codes == {"jarva", "hasselby-vallingby", "tyreso", "tyreso-kultur"}
    assert db.scalar(select(func.count()).select_from(PluginActivation)) == 4
    for tenant in db.scalars(select(Tenant)):
        statuses = set(db.scalars(select(Partnership.status).where(Partnership.tenant_id == tenant.id)))
        count = db.scalar(select(func.count()).where(Partnership.tenant_id == tenant.id))
        assert count >= (7 if tenant.code == "tyreso-kultur" else 10)
        assert statuses == {"initiativ", "beredning", "beslut", "pagaende", "avslutad", "avbruten"}, tenant.code
    kultur = db.scalar(select(Tenant).where(Tenant.code == "tyreso-kultur"))
    assert tenants.kommun_for(db, registry, kultur) is registry.kommuner["tyreso"]
    logins = demo.demo_logins(db, registry)
    emails = {e for e, _, _ in logins}
    assert {"admin@plattform.demo", "handlaggare@jarva.demo", "handlaggare@tyreso.demo",
            "handlaggare@hasselby-vallingby.demo", "stabsenhet@jarva.demo", "kommundirektor@tyreso.demo",
            "handlaggare@tyreso-kultur.demo"} <= emails
    for code in demo.TENANT_CODES:
        assert (f"administrator@{code}.demo", code, "administrator") in logins
    assert sum(1 for e in emails if e.startswith("kontakt@")) >= 5
    assert emails == set(db.scalars(select(User.email)))
    from core.models import Organisation

    for org in db.scalars(select(Organisation)):
        assert check_organisationsnummer(org.organisationsnummer)[1] is None


@pytest.mark.slow
def test_cli_demo_prints_logins_and_plugins_lists_activations(tmp_path):
    env = {"IOP_DATA_DIR": str(tmp_path)}
    result = _run("demo", env_extra=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no warning from the migrations alarms whoever installs it
    lines = [line.split("\t") for line in result.stdout.splitlines() if "\t" in line]
    assert ["handlaggare@jarva.demo", "jarva", "handlaggare"] in lines
    assert ["administrator@tyreso-kultur.demo", "tyreso-kultur", "administrator"] in lines
    assert "demo-losen-2026" in result.stdout
    plugins = _run("plugins", env_extra=env)
    assert plugins.returncode == 0
    assert "tyreso\t1.0.0\ttyreso\ttyreso, tyreso-kultur" in plugins.stdout.splitlines()
    again = _run("demo", "--reset", env_extra=env)
    assert again.returncode == 0, again.stderr


def test_a_tenant_whose_cases_cannot_be_walked_in_its_own_process_fails_the_demo(engine, registry, settings,
                                                                                 monkeypatch):
    def broken(*_args):
        raise RuntimeError("the walk broke")

    monkeypatch.setattr(demo, "_partnerships", broken)  # the forked processes inherit it
    with pytest.raises(RuntimeError, match="kunde inte skapas.*iop demo --reset"):
        demo.install(make_sessionmaker(engine, Scope.system(), registry=registry), registry, settings.documents_dir,
                     side_by_side=True)


def test_the_demo_password_hash_has_the_production_parameters():
    """The demo's accounts get a hash made once (core.demo.PASSWORD_HASH), with
    the parameters core.services.passwords uses outside the tests."""
    from argon2 import PasswordHasher

    assert passwords.verify_password(demo.PASSWORD_HASH, demo.PASSWORD)
    assert not PasswordHasher().check_needs_rehash(demo.PASSWORD_HASH)


def test_cli_fails_with_one_line_on_a_broken_configuration(tmp_path):
    result = _run("db", "upgrade", env_extra={"IOP_DATA_DIR": str(tmp_path),
                                              "IOP_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("iop: ")
    bad = _run("nonsense")
    assert bad.returncode != 0


def test_the_demo_counts_processors_where_the_system_keeps_no_affinity(monkeypatch):
    """macOS and Windows have no os.sched_getaffinity: the PostgreSQL demo's
    walkers are as many as the processors there."""
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    assert demo._processors() == (os.cpu_count() or 1)
