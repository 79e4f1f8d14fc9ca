"""Protection against cross-site request forgery, bound to the session.

The token is an HMAC (``IOP_SECRET_KEY``) of a secret the browser holds in an
HttpOnly cookie that another site can neither read nor choose:

- for a signed-in user, the session token (web.cookies ``session``);
- for an anonymous visitor, a random pre-session value (``presession``),
  given with the first page and replaced at sign-in and sign-out.

So a token works only together with the cookies it was made for: a cookie and
token pair the attacker made for themselves, or a token of another session,
is refused. The token changes at sign-in (the session is new) and the
signed-in token dies at sign-out (the session cookie is gone and a new
pre-session value is given).

Unsafe methods (POST, PUT, PATCH, DELETE …) must send the token in the header
``x-csrftoken`` (htmx does so through ``hx-headers`` in base.html) or in the
form field ``_csrf_token`` (URL-encoded and multipart forms alike). A missing
or wrong token is answered 403 with the Swedish error page.

Templates keep Litestar's names: the middleware puts the token in the slot of
the connection's scope state that Litestar's ``Template`` response reads for
``csrf_input`` (the hidden field), and ``csrf_token()`` is registered on the
Jinja environment by ``register_template_globals``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware import ASGIMiddleware
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Response
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from core.config import Settings
from web import cookies

FIELD = "_csrf_token"
HEADER = "x-csrftoken"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
REFUSED = "Formuläret skickades inte, eftersom sidan hade hunnit bli för gammal. Ladda om sidan och försök igen."
# Responses that render no form need no pre-session cookie.
_NO_PAGES = ("/static/", "/healthz", "/api/")


def _mac(settings: Settings, kind: str, secret: str) -> str:
    message = f"iop-csrf\x00{kind}\x00{secret}".encode()
    return hmac.new(settings.secret_key.encode(), message, hashlib.sha256).hexdigest()


def expected_token(settings: Settings, connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The token this browser's cookies call for, or None when it has neither cookie."""
    names = cookies.for_settings(settings)
    if session := connection.cookies.get(names.session):
        return _mac(settings, "session", session)
    if presession := connection.cookies.get(names.presession):
        return _mac(settings, "presession", presession)
    return None


def renew(response: Response, settings: Settings) -> None:
    """Gives the browser a new pre-session value (at sign-in and sign-out), so
    nothing from before carries over, whoever may have chosen it."""
    names = cookies.for_settings(settings)
    response.set_cookie(names.make(names.presession, secrets.token_urlsafe(32)))


def token(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The token for the current request, as the pages render it."""
    value = ScopeState.from_scope(connection.scope).csrf_token
    return value if isinstance(value, str) else ""


def _template_csrf_token(context: Mapping[str, Any], /) -> str:
    return token(context["request"])


def register_template_globals(engine: JinjaTemplateEngine) -> None:
    """``csrf_token()`` in templates (``csrf_input`` comes with every Template response)."""
    engine.register_template_callable(key="csrf_token", template_callable=_template_csrf_token)


async def _sent_token(connection: Any) -> str | None:
    sent = connection.headers.get(HEADER)
    if not sent and connection.content_type[0] in {RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART}:
        # Parsed once: Litestar keeps the form for the handler.
        sent = (await connection.form()).get(FIELD)
    return sent if isinstance(sent, str) and sent else None


class CSRFMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        request = scope["litestar_app"].request_class(scope=scope, receive=receive)
        expected = expected_token(self.settings, request)
        given: str | None = None
        if expected is None and request.method in SAFE_METHODS and not scope["path"].startswith(_NO_PAGES):
            given = secrets.token_urlsafe(32)
            expected = _mac(self.settings, "presession", given)
        if expected is not None:
            ScopeState.from_scope(scope).csrf_token = expected
        if request.method not in SAFE_METHODS:
            sent = await _sent_token(request)
            if expected is None or sent is None or not hmac.compare_digest(sent.encode(), expected.encode()):
                raise PermissionDeniedException(REFUSED)
        if given is not None:
            send = self._giving(send, given)
        await next_app(scope, receive, send)

    def _giving(self, send: Send, value: str) -> Send:
        names = cookies.for_settings(self.settings)
        name, header = names.make(names.presession, value).to_encoded_header()

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                headers.add(name.decode(), header.decode("latin-1"))
                # A shared cache must not hand one visitor's pre-session value to others.
                headers["cache-control"] = "no-store"
            await send(message)

        return wrapped
