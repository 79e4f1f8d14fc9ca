"""Per-request plumbing: the database session, the signed-in user, and the
tenant with the user's access to it. Each is resolved once per request."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from sqlalchemy.orm import Session

from core.config import Settings
from core.models import User
from core.registry import Registry
from core.services import auth, tenants
from core.services.auth import SessionPolicy
from core.services.permissions import Access, access_for
from web.cookies import session_token


@dataclass(frozen=True)
class AppContext:
    """What the app holds for its lifetime, kept on ``app.state.ctx`` (no module globals)."""

    settings: Settings
    registry: Registry
    sessionmaker: object
    policy: SessionPolicy


@dataclass(frozen=True)
class SignedIn:
    name: str
    is_platform_admin: bool


class LoginRequired(Exception):
    """Raised for an anonymous request to a page that needs a signed-in user."""


def ctx_of(state: State) -> AppContext:
    return state.ctx


def provide_db(state: State) -> Generator[Session, None, None]:
    session = state.ctx.sessionmaker()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def provide_user(request: Request, db: NamedDependency[Session], state: State) -> User | None:
    user = auth.resolve_session(db, session_token(request), state.ctx.policy)
    # The page header shows who is signed in. Plain data, not the ORM object: an
    # error page may render after the database session has closed.
    request.state.user = SignedIn(name=user.name, is_platform_admin=user.is_platform_admin) if user else None
    return user


def provide_signed_in(user: NamedDependency[User | None]) -> User:
    if user is None:
        raise LoginRequired()
    return user


def provide_access(code: FromPath[str], db: NamedDependency[Session], state: State, signed_in: NamedDependency[User]) -> Access:
    """The signed-in user's access to the tenant in the path. A tenant that does
    not exist and a tenant where the user has no staff role answer alike: 404."""
    tenant = tenants.get_by_code(db, code)
    if tenant is None:
        raise NotFoundException()
    access = access_for(db, signed_in, tenant, tenants.kommun_for(db, state.ctx.registry, tenant))
    if not access.is_staff:
        raise NotFoundException()
    return access


def provide_admin(signed_in: NamedDependency[User]) -> User:
    # 404, not 403: the admin area does not announce itself.
    if not signed_in.is_platform_admin:
        raise NotFoundException()
    return signed_in


def require(access: Access, permission: str) -> None:
    """Staff who can read the tenant but whose role lacks the permission get an
    honest 403: they already know the object exists."""
    if not access.can(permission):
        raise PermissionDeniedException("Din roll får inte göra detta.")
