"""Which address the sign-in limit counts: X-Forwarded-For only from trusted proxies."""

import pytest
from litestar import Request

from core.config import load_settings, parse_trusted_proxies
from web.client_address import client_ip


def _request(peer: str, *forwarded: str) -> Request:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers, "client": (peer, 4711),
                    "query_string": b"", "app": None})


def test_an_untrusted_peer_cannot_choose_its_address():
    assert client_ip(_request("203.0.113.9", "198.51.100.7"), ()) == "203.0.113.9"
    assert client_ip(_request("127.0.0.1", "198.51.100.7"), ()) == "127.0.0.1", "loopback is not trusted by default"
    assert client_ip(_request("203.0.113.9", "198.51.100.7"), ("10.0.0.0/8",)) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_client_is_the_address_the_proxy_saw():
    assert client_ip(_request("10.0.0.2", "198.51.100.7"), ("10.0.0.2",)) == "198.51.100.7"


def test_addresses_the_client_wrote_itself_are_ignored():
    # The client sent "X-Forwarded-For: 192.0.2.1"; the proxy appended what it saw.
    assert client_ip(_request("10.0.0.2", "192.0.2.1, 198.51.100.7"), ("10.0.0.2",)) == "198.51.100.7"
    assert client_ip(_request("10.0.0.2", "192.0.2.1", "198.51.100.7"), ("10.0.0.2",)) == "198.51.100.7"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right():
    trusted = ("10.0.0.0/8", "2001:db8::/32")
    assert client_ip(_request("10.0.0.2", "192.0.2.1, 198.51.100.7, 10.1.1.1, 2001:db8::5"), trusted) == "198.51.100.7"
    assert client_ip(_request("10.0.0.2", "10.9.9.9, 10.1.1.1"), trusted) == "10.9.9.9"
    assert client_ip(_request("10.0.0.2"), trusted) == "10.0.0.2", "a trusted peer without the header is the client"


def test_trusted_proxies_are_read_from_the_environment(tmp_path):
    assert load_settings({"IOP_DATA_DIR": str(tmp_path)}).trusted_proxies == ()
    settings = load_settings({"IOP_DATA_DIR": str(tmp_path), "IOP_TRUSTED_PROXIES": " 10.0.0.2, 172.16.0.0/12 ,,::1"})
    assert settings.trusted_proxies == ("10.0.0.2", "172.16.0.0/12", "::1")
    assert parse_trusted_proxies("192.168.1.7/24") == ("192.168.1.0/24",)


def test_a_mistyped_proxy_stops_start_up_with_a_swedish_message():
    with pytest.raises(ValueError, match="IOP_TRUSTED_PROXIES: 'proxy.local' är varken en IP-adress"):
        parse_trusted_proxies("10.0.0.2,proxy.local")
