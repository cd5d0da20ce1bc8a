"""Fetch feed URLs from public addresses only.

Every hop (the first request and each redirect) resolves the host once, refuses loopback,
private, link-local, carrier-grade NAT, multicast, reserved and cloud-metadata addresses,
and then connects to exactly the address it checked: a DNS answer that changes between the
check and the connection cannot lead the request inside the network. Timeouts and a size
cap bound every fetch; ETag and Last-Modified make repeated polls cheap.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

USER_AGENT = "socialdesk feed reader (+https://github.com/socialdesk)"
ACCEPT = "application/rss+xml, application/atom+xml, application/xml, text/xml, */*;q=0.5"
MAX_BYTES = 5 * 1024 * 1024
TIMEOUT = 10.0
MAX_REDIRECTS = 5

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]


class FetchError(Exception):
    """The URL could not be fetched; the message says why, for the channel health page."""


class UnsafeAddress(FetchError):
    """The URL points at an address inside a network, which feeds may never reach."""


@dataclass(frozen=True)
class FetchResult:
    status: int  # 200, or 304 when the feed has not changed
    body: bytes
    url: str
    etag: str | None
    last_modified: str | None
    content_type: str


def is_public_address(address: Address) -> bool:
    """Return whether the address is on the public internet (never loopback, private, …)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return bool(address.is_global) and not address.is_multicast


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # Certificate and SNI are checked against the name, the socket goes to the checked address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def _checked_address(
    host: str, port: int, resolver: Resolver, allowed: Callable[[Address], bool]
) -> str:
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
        candidates = [str(literal)]
    except ValueError:
        try:
            candidates = resolver(host, port)
        except OSError as error:
            raise FetchError(f"{host}: the name does not resolve ({error})") from None
    if not candidates:
        raise FetchError(f"{host}: the name does not resolve")
    for candidate in candidates:
        address = ipaddress.ip_address(candidate.split("%")[0])
        if not allowed(address):
            raise UnsafeAddress(
                f"{host} points at {address}, an address inside a network; feeds are only read "
                "from public addresses"
            )
    return candidates[0]


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float = TIMEOUT,
    max_bytes: int = MAX_BYTES,
    resolver: Resolver = system_resolver,
    allowed: Callable[[Address], bool] = is_public_address,
) -> FetchResult:
    """GET a feed; raise FetchError (or UnsafeAddress) with a message that says what failed."""
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        parts = urlsplit(current)
        if parts.scheme not in ("http", "https"):
            raise FetchError(f"{current}: only http and https URLs can be read")
        if not parts.hostname:
            raise FetchError(f"{current}: the URL has no host")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = _checked_address(parts.hostname, port, resolver, allowed)
        connection_class = (
            _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        )
        connection = connection_class(parts.hostname, port, address, timeout)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                response.read(65536)
                if not location:
                    raise FetchError(f"{current}: redirect without a Location")
                current = urljoin(current, location)
                continue
            if response.status == 304:
                return FetchResult(304, b"", current, etag, last_modified, "")
            if response.status != 200:
                raise FetchError(f"{current}: the server answered HTTP {response.status}")
            body = response.read(max_bytes + 1)
            if len(body) > max_bytes:
                raise FetchError(f"{current}: the feed is larger than {max_bytes // 1024} KiB")
            return FetchResult(
                200,
                body,
                current,
                response.getheader("ETag"),
                response.getheader("Last-Modified"),
                response.getheader("Content-Type", ""),
            )
        except TimeoutError:
            raise FetchError(f"{current}: no answer within {timeout:g} s") from None
        except (OSError, http.client.HTTPException) as error:
            raise FetchError(f"{current}: {error}") from None
        finally:
            connection.close()
    raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")
