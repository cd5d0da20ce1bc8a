"""Feed fetching: public addresses only, pinned connections, redirects, caps, conditional GET."""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from socialdesk.channels.fetch import FetchError, UnsafeAddress, fetch, is_public_address

FEED = b"<?xml version='1.0'?><rss version='2.0'><channel><title>Nordlicht Blog</title></channel></rss>"


class _Handler(BaseHTTPRequestHandler):
    requests: list[dict[str, str]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        type(self).requests.append({"path": self.path, **{k: v for k, v in self.headers.items()}})
        if self.path == "/feed":
            if self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("ETag", '"v1"')
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            self.wfile.write(FEED)
        elif self.path == "/big":
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"x" * 200_000)
        elif self.path == "/to-feed":
            self.send_response(302)
            self.send_header("Location", "/feed")
            self.end_headers()
        elif self.path == "/to-metadata":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()
        elif self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
        elif self.path == "/slow":
            time.sleep(2)
            self.send_response(200)
            self.end_headers()
        else:
            self.send_response(500)
            self.end_headers()


@pytest.fixture
def server() -> Iterator[str]:
    _Handler.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://feeds.test:{httpd.server_address[1]}"
    httpd.shutdown()


def _loopback_only(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """The test's stand-in for "public": only our own server on 127.0.0.1 counts."""
    return str(address) == "127.0.0.1"


def _resolver(calls: list[str]):
    def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        return ["127.0.0.1"]

    return resolve


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "::1",
        "fe80::1",
        "fd00::1",
        "::ffff:127.0.0.1",
        "224.0.0.1",
    ],
)
def test_it_refuses_addresses_inside_a_network(address):
    assert not is_public_address(ipaddress.ip_address(address))
    with pytest.raises(UnsafeAddress, match="inside a network"):
        fetch(f"http://[{address}]/feed" if ":" in address else f"http://{address}/feed")


def test_it_accepts_public_addresses():
    assert is_public_address(ipaddress.ip_address("93.184.216.34"))
    assert is_public_address(ipaddress.ip_address("2606:2800:220:1:248:1893:25c8:1946"))


def test_it_refuses_a_name_that_resolves_inside_the_network():
    with pytest.raises(UnsafeAddress, match=r"intranet\.example points at 10\.0\.0\.5"):
        fetch("http://intranet.example/feed", resolver=lambda host, port: ["10.0.0.5"])


def test_it_refuses_other_schemes():
    with pytest.raises(FetchError, match="only http and https"):
        fetch("file:///etc/passwd")


def test_it_connects_to_the_address_it_checked_and_resolves_once(server):
    calls: list[str] = []
    result = fetch(server + "/feed", resolver=_resolver(calls), allowed=_loopback_only)
    assert result.status == 200 and result.body == FEED and result.etag == '"v1"'
    assert calls == ["feeds.test"]  # one lookup; the connection used its answer
    assert _Handler.requests[-1]["Host"].startswith("feeds.test")


def test_it_asks_conditionally_and_gets_304(server):
    result = fetch(server + "/feed", etag='"v1"', resolver=_resolver([]), allowed=_loopback_only)
    assert result.status == 304 and result.body == b""
    assert _Handler.requests[-1]["If-None-Match"] == '"v1"'


def test_it_follows_a_redirect_and_checks_its_target(server):
    result = fetch(server + "/to-feed", resolver=_resolver([]), allowed=_loopback_only)
    assert result.body == FEED and result.url.endswith("/feed")
    with pytest.raises(UnsafeAddress, match=r"169\.254\.169\.254"):
        fetch(server + "/to-metadata", resolver=_resolver([]), allowed=_loopback_only)


def test_it_stops_endless_redirects(server):
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetch(server + "/loop", resolver=_resolver([]), allowed=_loopback_only)


def test_it_caps_the_size(server):
    with pytest.raises(FetchError, match="larger than 97 KiB"):
        fetch(server + "/big", max_bytes=100_000, resolver=_resolver([]), allowed=_loopback_only)


def test_it_gives_up_after_the_timeout(server):
    with pytest.raises(FetchError, match=r"no answer within 0\.5 s"):
        fetch(server + "/slow", timeout=0.5, resolver=_resolver([]), allowed=_loopback_only)


def test_it_reports_server_errors(server):
    with pytest.raises(FetchError, match="HTTP 500"):
        fetch(server + "/broken", resolver=_resolver([]), allowed=_loopback_only)


def test_it_reads_how_long_a_server_asks_to_wait() -> None:
    from datetime import UTC, datetime, timedelta

    from socialdesk.channels.fetch import retry_at

    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    assert retry_at("120", now=now) == now + timedelta(minutes=2)
    assert retry_at("Mon, 30 Nov 2026 12:10:00 GMT", now=now) == now + timedelta(minutes=10)
    assert retry_at("Mon, 30 Nov 2026 11:00:00 GMT", now=now) == now  # already past: now
    assert retry_at("soon", now=now) is None
    assert retry_at(None, now=now) is None
    assert retry_at("99999999", now=now) == now + timedelta(days=7)  # capped at a week
