"""Moves a case forward with the project's own services, as the kommun's staff
would, so that an end-to-end test can take a later step in the browser:

    python -m e2e.walk <tenant code> <partnership title> <number of steps>

It works on the database of the environment (the live server's), acting for
each step as the demo user who holds the step's role."""

from __future__ import annotations

import sys

from sqlalchemy import select

from core import clock
from core.config import load_settings
from core.db import make_engine, make_sessionmaker
from core.models import Partnership, RoleAssignment, User
from core.registry import build_plugin_manager, build_registry
from core.services import partnerships, tenants
from core.tenancy import Scope
from core.walkthrough import Walker


def main(code: str, title: str, steps: int) -> None:
    settings, registry = load_settings(), build_registry(build_plugin_manager())
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine, Scope.system(), registry=registry)() as session:
            tenant = tenants.get_by_code(session, code)
            kommun = tenants.kommun_for(session, registry, tenant)
            staff = {role: user for user, role in session.execute(
                select(User, RoleAssignment.role_key).join(RoleAssignment, RoleAssignment.user_id == User.id)
                .where(RoleAssignment.tenant_id == tenant.id).order_by(User.id))}
            found = session.scalar(select(Partnership.id).where(Partnership.tenant_id == tenant.id,
                                                                Partnership.title == title))
            p = partnerships.get_partnership(session, tenant, found)
            walker = Walker(session, registry, kommun, tenant, staff, settings.documents_dir, clock.today())
            done = walker.advance(p, steps=steps)
            session.commit()
            if done != steps:
                raise SystemExit(f"only {done} of {steps} steps could be completed")
    finally:
        engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
