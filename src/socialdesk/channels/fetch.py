"""Fetch feed and backfill URLs through the one outbound client (channels/net.py).

Every hop (the first request and each redirect) is checked there: the host is resolved
once, loopback, private, link-local, carrier-grade NAT, multicast, reserved and
cloud-metadata addresses are refused, and the connection goes to exactly the checked
address (also through a proxy). Timeouts and a size cap bound every fetch; ETag and
Last-Modified make repeated polls cheap. Error messages show the address redacted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from django.utils import timezone

from socialdesk.channels.addresses import redact
from socialdesk.channels.net import (
    Address,
    FetchError,
    Policy,
    Resolver,
    UnsafeAddress,
    allowed,
    is_public_address,
    public_session,
)

__all__ = [
    "Address",
    "FetchError",
    "FetchResult",
    "RateLimitedFetch",
    "UnsafeAddress",
    "fetch",
    "fetch_if_changed",
    "is_public_address",
]

USER_AGENT = "socialdesk feed reader (+https://github.com/socialdesk)"
ACCEPT = "application/rss+xml, application/atom+xml, application/xml, text/xml, */*;q=0.5"
MAX_BYTES = 5 * 1024 * 1024
TIMEOUT = 10.0
MAX_REDIRECTS = 5
RATE_LIMIT_WAIT = timedelta(minutes=15)  # when a 429 does not say how long to wait


class RateLimitedFetch(FetchError):
    """The server asked us to wait (HTTP 429, or 503 with Retry-After) until `retry_at`."""

    def __init__(self, message: str, *, retry_at: datetime) -> None:
        super().__init__(message)
        self.retry_at = retry_at


def retry_at(value: str | None, *, now: datetime | None = None) -> datetime | None:
    """Read a Retry-After header (seconds or an HTTP date); None when it says nothing usable."""
    now = now or timezone.now()
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return now + timedelta(seconds=min(int(value), 7 * 24 * 3600))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(when, now)


@dataclass(frozen=True)
class FetchResult:
    status: int  # 200, or 304 when the feed has not changed
    body: bytes
    url: str
    etag: str | None
    last_modified: str | None
    content_type: str


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float = TIMEOUT,
    max_bytes: int = MAX_BYTES,
    resolver: Resolver | None = None,
    allowed: Policy | None = None,
) -> FetchResult:
    """GET a feed; raise FetchError (or UnsafeAddress) with a message that says what failed."""
    session = public_session(resolver=resolver, policy=allowed)
    session.headers.update({"User-Agent": USER_AGENT, "Accept": ACCEPT})
    current = url
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            if urlsplit(current).scheme not in ("http", "https"):
                raise FetchError(f"{redact(current)}: only http and https URLs can be read")
            headers = {}
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            response = _get(session, current, headers, timeout)
            with response:
                if response.status_code in (301, 302, 303, 307, 308):
                    location = response.headers.get("Location")
                    if not location:
                        raise FetchError(f"{redact(current)}: redirect without a Location")
                    current = urljoin(current, location)
                    continue
                if response.status_code == 304:
                    return FetchResult(304, b"", current, etag, last_modified, "")
                wait = retry_at(response.headers.get("Retry-After"))
                if response.status_code == 429 or (response.status_code == 503 and wait):
                    raise RateLimitedFetch(
                        f"{redact(current)}: the server asks to wait (HTTP {response.status_code})",
                        retry_at=wait or timezone.now() + RATE_LIMIT_WAIT,
                    )
                if response.status_code != 200:
                    raise FetchError(
                        f"{redact(current)}: the server answered HTTP {response.status_code}"
                    )
                body = _read(response, max_bytes, current, timeout)
                return FetchResult(
                    200,
                    body,
                    current,
                    response.headers.get("ETag"),
                    response.headers.get("Last-Modified"),
                    response.headers.get("Content-Type", ""),
                )
    finally:
        session.close()
    raise FetchError(f"{redact(url)}: more than {MAX_REDIRECTS} redirects")


def _get(
    session: requests.Session, url: str, headers: dict[str, str], timeout: float
) -> requests.Response:
    try:
        return session.get(
            url, headers=headers, timeout=timeout, stream=True, allow_redirects=False
        )
    except requests.Timeout:
        raise FetchError(f"{redact(url)}: no answer within {timeout:g} s") from None
    except requests.RequestException as error:
        raise FetchError(f"{redact(url)}: {_reason(error)}") from None


def _read(response: requests.Response, max_bytes: int, url: str, timeout: float) -> bytes:
    try:
        body = bytes(response.raw.read(max_bytes + 1, decode_content=True))
    except (requests.RequestException, OSError) as error:
        if "timed out" in str(error).lower():
            raise FetchError(f"{redact(url)}: no answer within {timeout:g} s") from None
        raise FetchError(f"{redact(url)}: {_reason(error)}") from None
    except Exception as error:  # urllib3's own errors (a broken or too slow answer)
        if "timed out" in str(error).lower():
            raise FetchError(f"{redact(url)}: no answer within {timeout:g} s") from None
        raise FetchError(f"{redact(url)}: {_reason(error)}") from None
    if len(body) > max_bytes:
        raise FetchError(f"{redact(url)}: the feed is larger than {max_bytes // 1024} KiB")
    return body


def _reason(error: BaseException) -> str:
    """The innermost reason of a requests/urllib3 error, without the pool's internals."""
    while error.__context__ is not None and not str(error).strip():
        error = error.__context__
    inner: Any = error.args[0] if error.args else error
    reason = getattr(inner, "reason", None)
    return str(reason or inner)[:300]


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
