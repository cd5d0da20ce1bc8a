"""The one outbound HTTP client: every request socialdesk makes to another server goes here.

Feeds and webhook backfills (channels/fetch.py), Mastodon (Mastodon.py's requests session,
also the OAuth app registration), Bluesky (atproto's httpx client, through
`public_httpx_transport`) and the issue-tracker hand-off all use `public_session()`.

For every request, and again for every redirect, the destination's name is resolved once
here, and every address it has must be allowed (public, or a test's policy) BEFORE anything
is sent — also when HTTP_PROXY/HTTPS_PROXY name a company proxy. The request then goes to
exactly the checked address: directly, or through the proxy as that address (a CONNECT
tunnel to it for https, the address in the request line for http). The proxy itself is the
operator's choice and may be reached; it is never asked to resolve a name. TLS still checks
the certificate against the name (SNI and hostname check use the name, not the address).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from django.utils.module_loading import import_string
from requests.adapters import HTTPAdapter
from requests.utils import select_proxy

from socialdesk.channels.addresses import redact

USER_AGENT = "socialdesk (+https://github.com/socialdesk)"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]
Policy = Callable[[Address], bool]


class FetchError(Exception):
    """The URL could not be fetched; the message says why, for the channel health page."""


class UnsafeAddress(FetchError):
    """The URL points at an address inside a network, which socialdesk may never reach."""


def is_public_address(address: Address) -> bool:
    """Return whether the address is on the public internet (never loopback, private, …)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return bool(address.is_global) and not address.is_multicast


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


# Ranges that a named network admits only when it lies inside them (names them explicitly):
# `0.0.0.0/0` or `10.0.0.0/8`-style blankets never open loopback, link-local or metadata.
_EXPLICIT_ONLY = [
    ipaddress.ip_network("127.0.0.0/8"),
    ipaddress.ip_network("169.254.0.0/16"),  # link-local, cloud metadata (169.254.169.254)
    ipaddress.ip_network("::1/128"),
    ipaddress.ip_network("fe80::/10"),
]
_NEVER = [ipaddress.ip_network("0.0.0.0/32"), ipaddress.ip_network("::/128")]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def named_policy(named: list[Network]) -> Policy:
    """Public addresses, and addresses in the operator's named networks.

    A loopback or link-local address is admitted only by a named network that lies inside
    its range (127.0.0.0/8, 127.0.0.1/32, 169.254.169.254/32, ::1/128 …); multicast and the
    unspecified address never.
    """

    def permitted(address: Address) -> bool:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if is_public_address(address):
            return True
        if address.is_multicast or any(address in n for n in _NEVER):
            return False
        special = [r for r in _EXPLICIT_ONLY if address in r]
        for network in named:
            if address not in network:
                continue
            if not special or any(
                network.version == r.version and network.subnet_of(r)  # type: ignore[arg-type]
                for r in special
            ):
                return True
        return False

    return permitted


def allowed() -> Policy:
    """The address policy: public addresses and the operator's named networks
    (SOCIALDESK_PRIVATE_NETWORKS), unless the settings name another policy (tests)."""
    path = settings.FEED_ADDRESS_POLICY
    if path:
        return import_string(path)  # type: ignore[no-any-return]
    named = [ipaddress.ip_network(n, strict=False) for n in settings.PRIVATE_NETWORKS]
    return named_policy(named) if named else is_public_address


def checked_address(
    host: str, port: int, resolver: Resolver | None = None, policy: Policy | None = None
) -> str:
    """Resolve `host` once; return its first address if every address it has is allowed.

    Raise UnsafeAddress when one is not (a name with one public and one inside address could
    be steered to the inside one), FetchError when the name does not resolve.
    """
    resolve = resolver or system_resolver
    permitted = policy or allowed()
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
        candidates = [str(literal)]
    except ValueError:
        try:
            candidates = resolve(host, port)
        except OSError as error:
            raise FetchError(f"{host}: the name does not resolve ({error})") from None
    if not candidates:
        raise FetchError(f"{host}: the name does not resolve")
    for candidate in candidates:
        address = ipaddress.ip_address(candidate.split("%")[0])
        if not permitted(address):
            raise UnsafeAddress(
                f"{host} points at {address}, an address inside a network; socialdesk only "
                "connects to public addresses and SOCIALDESK_PRIVATE_NETWORKS"
            )
    return candidates[0].split("%")[0]


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


class _PinningAdapter(HTTPAdapter):
    """Check the destination, then send the request to the checked address (see the module)."""

    def __init__(self, resolver: Resolver | None, policy: Policy | None) -> None:
        super().__init__(max_retries=0)
        self._resolver = resolver
        self._policy = policy

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        url = str(request.url or "")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchError(f"{redact(url)}: only http and https addresses can be reached")
        if not parts.hostname:
            raise FetchError(f"{redact(url)}: the address has no host")
        port = parts.port or _default_port(parts.scheme)
        address = checked_address(parts.hostname, port, self._resolver, self._policy)
        # The proxy is chosen for the name (NO_PROXY lists names), then told the address.
        proxy = select_proxy(url, dict(proxies or {}))
        literal = f"[{address}]" if ":" in address else address
        pinned = request.copy()
        pinned.url = urlunsplit((parts.scheme, f"{literal}:{port}", parts.path or "/",
                                 parts.query, ""))  # fmt: skip
        host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
        pinned.headers["Host"] = host if port == _default_port(parts.scheme) else f"{host}:{port}"
        pinned.server_hostname = parts.hostname  # type: ignore[attr-defined]
        response = super().send(
            pinned,
            stream=stream,
            timeout=timeout,
            verify=verify,
            cert=cert,
            proxies={parts.scheme: proxy} if proxy else {},
        )
        response.url, response.request = url, request
        return response

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: Any, cert: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        name = getattr(request, "server_hostname", None)
        if name and host_params.get("scheme") == "https":
            # SNI and the certificate check use the name; the socket goes to the address.
            pool_kwargs["server_hostname"] = name
            if verify is not False:
                pool_kwargs["assert_hostname"] = name
        return host_params, pool_kwargs


def public_session(
    *, resolver: Resolver | None = None, policy: Policy | None = None
) -> requests.Session:
    """A requests session that refuses loopback, private, link-local and metadata addresses.

    Proxies from the environment are honoured, but only after the destination is checked.
    """
    session = requests.Session()
    adapter = _PinningAdapter(resolver, policy)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    return session


def public_httpx_transport(timeout: float) -> Any:
    """An httpx transport for clients built on httpx (atproto) that sends through the session.

    The httpx client must be made with `trust_env=False`: otherwise httpx would pick a proxy
    from the environment itself and skip this transport.
    """
    import httpx

    session = public_session()

    class OutboundTransport(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            limits = request.extensions.get("timeout") or {}
            wait = (limits.get("connect") or timeout, limits.get("read") or timeout)
            headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
            try:
                response = session.request(
                    request.method,
                    str(request.url),
                    headers=headers,
                    data=request.read() or None,
                    timeout=wait,
                    stream=True,
                    allow_redirects=False,  # httpx follows them, each through here again
                )
            except requests.Timeout as error:
                raise httpx.ReadTimeout(str(error), request=request) from error
            except requests.RequestException as error:
                raise httpx.ConnectError(str(error), request=request) from error
            try:
                content = response.raw.read(decode_content=False)
            finally:
                response.close()
            return httpx.Response(
                response.status_code,
                headers=list(response.raw.headers.items()),
                content=content,
                request=request,
            )

        def close(self) -> None:
            session.close()

    return OutboundTransport()
