"""The address a request comes from, as the sign-in limit counts it.

``X-Forwarded-For`` is written by whoever sends the request, so it is believed
only from the reverse proxies named in ``IOP_TRUSTED_PROXIES``. The header is
read from the right: each trusted proxy appends the address it saw, so the
first address that is not a trusted proxy is the client. Everything to the
left of it came from the client and may be invented.

Under uvicorn with the same list (``iop serve``) the peer has already been
replaced by the client's address; reading the header again here gives the
same answer, and keeps the rule in one place for every other server and for
tests.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from litestar.connection import ASGIConnection

UNKNOWN = "okänd"

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def _networks(trusted: tuple[str, ...]) -> tuple[_Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in trusted)


def _is_trusted(host: str, networks: tuple[_Network, ...]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in networks)


def _hops(values: list[str]) -> list[str]:
    hops = [hop.strip() for value in values for hop in value.split(",")]
    return [hop[1:-1] if hop.startswith("[") and hop.endswith("]") else hop for hop in hops if hop]


def client_ip(connection: ASGIConnection[Any, Any, Any, Any], trusted: tuple[str, ...]) -> str:
    """The client's address: the peer, unless the peer is a trusted proxy."""
    peer = connection.client.host if connection.client else ""
    networks = _networks(tuple(trusted))
    if not peer or not networks or not _is_trusted(peer, networks):
        return peer or UNKNOWN
    hops = _hops(connection.headers.getall("x-forwarded-for", []))
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            return hop
    # Every hop is a trusted proxy: the leftmost is the nearest thing to a client.
    return hops[0] if hops else peer


def request_client_ip(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """``client_ip`` with the app's own list of trusted proxies."""
    return client_ip(connection, connection.app.state.ctx.settings.trusted_proxies)
