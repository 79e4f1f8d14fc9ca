"""The cookies the platform sets, named and shaped in one place.

Two cookies, both HttpOnly and SameSite=Lax on path ``/``:

- the session cookie, which holds a signed-in user's session token;
- the pre-session cookie, a random value that anonymous visitors' CSRF tokens
  are bound to (web.csrf). It is replaced at sign-in and sign-out.

With ``IOP_SECURE_COOKIES=true`` both are Secure and their names carry the
``__Host-`` prefix: a browser then accepts them only over HTTPS, with Path=/
and without Domain, so neither plain HTTP nor a neighbouring subdomain can set
or overwrite them. Without it (local development on plain HTTP) the names are
plain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie

from core.config import Settings

SESSION = "iop_session"
PRESESSION = "iop_presession"
HOST_PREFIX = "__Host-"


@dataclass(frozen=True)
class Cookies:
    secure: bool

    def _name(self, base: str) -> str:
        return HOST_PREFIX + base if self.secure else base

    @property
    def session(self) -> str:
        return self._name(SESSION)

    @property
    def presession(self) -> str:
        return self._name(PRESESSION)

    def make(self, name: str, value: str) -> Cookie:
        # No Domain, ever: a __Host- cookie with one is refused by the browser.
        return Cookie(key=name, value=value, path="/", secure=self.secure, httponly=True, samesite="lax")

    def expired(self, name: str) -> Cookie:
        """Removes the cookie. Its attributes must match the cookie's own: a
        browser ignores a __Host- cookie, deletions included, without Secure."""
        return Cookie(key=name, value="", path="/", secure=self.secure, httponly=True, samesite="lax",
                      max_age=0, expires=0)


def for_settings(settings: Settings) -> Cookies:
    return Cookies(secure=settings.secure_cookies)


def of(connection: ASGIConnection[Any, Any, Any, Any]) -> Cookies:
    return for_settings(connection.app.state.ctx.settings)


def session_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The session token the browser sent, if any (valid or not: see core.services.auth)."""
    return connection.cookies.get(of(connection).session) or None
