"""Cookies and HSTS follow IOP_SECURE_COOKIES: behind HTTPS the cookies are
__Host- cookies (Secure, Path=/, no Domain) and HSTS is sent; on local plain
HTTP the names are plain and there is no HSTS."""

from __future__ import annotations

import dataclasses

import pytest
from litestar.testing import TestClient

from tests.factories import login, post
from web.app import create_app

HSTS = "max-age=31536000; includeSubDomains"


def _set_cookies(response) -> dict[str, str]:
    """Set-Cookie headers by cookie name, each lower-cased."""
    return {value.split("=", 1)[0]: value.lower() for value in response.headers.get_list("set-cookie")}


@pytest.fixture
def https_client(settings):
    app = create_app(dataclasses.replace(settings, secure_cookies=True))
    with TestClient(app, base_url="https://testserver.local") as client:
        yield client


def _assert_host_cookie(header: str) -> None:
    parts = [part.strip() for part in header.split(";")]
    assert "secure" in parts and "path=/" in parts and "httponly" in parts and "samesite=lax" in parts
    assert not any(part.startswith("domain") for part in parts)


def test_behind_https_the_cookies_are_host_cookies_and_hsts_is_sent(https_client, world):
    first = https_client.get("/login")
    assert first.headers["strict-transport-security"] == HSTS
    cookies = _set_cookies(first)
    assert set(cookies) == {"__Host-iop_presession"}
    _assert_host_cookie(cookies["__Host-iop_presession"])

    signed_in = login(https_client, world.jarva_staff.email)
    assert signed_in.status_code == 303
    cookies = _set_cookies(signed_in)
    assert set(cookies) == {"__Host-iop_session", "__Host-iop_presession"}
    for header in cookies.values():
        _assert_host_cookie(header)
    assert https_client.get("/k/jarva/").status_code == 200, "the session works under its __Host- name"
    assert https_client.get("/k/jarva/").headers["strict-transport-security"] == HSTS

    signed_out = post(https_client, "/logout")
    cookies = _set_cookies(signed_out)
    # A browser ignores the deletion of a __Host- cookie that lacks Secure.
    _assert_host_cookie(cookies["__Host-iop_session"])
    assert "max-age=0" in cookies["__Host-iop_session"]
    assert https_client.get("/k/jarva/", follow_redirects=False).status_code == 303


def test_on_plain_http_the_names_are_plain_and_there_is_no_hsts(client, world):
    first = client.get("/login")
    assert "strict-transport-security" not in first.headers
    assert set(_set_cookies(first)) == {"iop_presession"}
    assert first.headers["cache-control"] == "no-store", "no shared cache may hand the cookie to others"
    signed_in = login(client, world.jarva_staff.email)
    cookies = _set_cookies(signed_in)
    assert set(cookies) == {"iop_session", "iop_presession"}
    for header in cookies.values():
        assert "secure" not in [part.strip() for part in header.split(";")]
        assert "httponly" in header and "samesite=lax" in header
    assert "strict-transport-security" not in client.get("/k/jarva/").headers
