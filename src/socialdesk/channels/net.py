"""HTTP sessions for network clients that connect only to allowed (public) addresses.

Mastodon.py talks through `requests`; the session made here checks the address each
connection actually goes to (after DNS, on every redirect and reconnect), so a name that
later resolves to an internal address is refused at connect time. TLS still verifies the
certificate against the name.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import requests
from django.conf import settings
from django.utils.module_loading import import_string
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from socialdesk.channels.fetch import (
    Address,
    FetchResult,
    _checked_address,
    fetch,
    is_public_address,
    system_resolver,
)

USER_AGENT = "socialdesk (+https://github.com/socialdesk)"


def allowed() -> Callable[[Address], bool]:
    """The address policy: public addresses only, unless the settings name another (tests)."""
    path = getattr(settings, "FEED_ADDRESS_POLICY", "")
    return import_string(path) if path else is_public_address


def _connect(host: str, port: int, timeout: Any) -> socket.socket:
    address = _checked_address(host, port, system_resolver, allowed())
    seconds = timeout if isinstance(timeout, int | float) else None
    return socket.create_connection((address, port), seconds)


class _CheckedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _connect(self._dns_host, self.port, self.timeout)


class _CheckedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        return _connect(self._dns_host, self.port, self.timeout)


class _CheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class _CheckedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _CheckedHTTPPool,
            "https": _CheckedHTTPSPool,
        }
        self.poolmanager.key_fn_by_scheme = dict(self.poolmanager.key_fn_by_scheme)


def public_session() -> requests.Session:
    """A requests session that refuses loopback, private, link-local and metadata addresses."""
    session = requests.Session()
    adapter = _CheckedAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    return session


def public_httpx_transport(timeout: float) -> Any:
    """An httpx transport with the same address check, for clients built on httpx (atproto)."""
    import httpcore
    import httpx

    class CheckedBackend(httpcore.SyncBackend):
        def connect_tcp(
            self,
            host: str,
            port: int,
            timeout: float | None = None,
            local_address: str | None = None,
            socket_options: Any = None,
        ) -> httpcore.NetworkStream:
            address = _checked_address(host, port, system_resolver, allowed())
            return super().connect_tcp(address, port, timeout, local_address, socket_options)

    transport = httpx.HTTPTransport(retries=0)
    transport._pool._network_backend = CheckedBackend()
    return transport


def fetch_if_changed(url: str, cursor: dict[str, Any]) -> FetchResult | None:
    """GET a listing (feed, backfill) with the cursor's ETag/Last-Modified; None when it has
    not changed. The new validators go into `cursor` (store it with the items)."""
    result = fetch(
        url,
        etag=cursor.get("etag"),
        last_modified=cursor.get("last_modified"),
        allowed=allowed(),
    )
    if result.status == 304:
        return None
    cursor.update({"etag": result.etag, "last_modified": result.last_modified})
    return result
