"""Addresses that may carry secrets: show them redacted, keep the full form only encrypted.

Feed, backfill and webhook addresses sometimes carry credentials: `https://user:pass@host/feed`
or `…/feed?api_key=…&token=…`. Everything shown or logged uses `redact(url)`, which drops the
user and password and replaces every query value by ••• except those of a few parameters
that are known to be harmless (search words, language, format). The full address is kept
encrypted with its owner (ChannelAccount.set_url, Department.set_issue_tracker_url).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

MASK = "•••"
# Query parameters whose values are shown: common feed options that name no secret.
SHOWN_PARAMETERS = frozenset({
    "q", "query", "search", "s", "category", "categories", "cat", "tag", "tags", "topic",
    "lang", "language", "hl", "gl", "ceid", "locale", "format", "output", "type", "sort",
    "order", "limit", "count", "page", "per_page", "since",
})  # fmt: skip


def redact(url: str) -> str:
    """Return the address without its user/password, and with query values masked."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return MASK if ("@" in url or "?" in url) else url
    if not parts.scheme or not host:
        return url.split("?")[0].rsplit("@", 1)[-1] + (f"?{MASK}" if "?" in url else "")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    query = "&".join(
        f"{quote(name, safe='')}="
        + (quote(value, safe="") if name.lower() in SHOWN_PARAMETERS else MASK)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    )
    if parts.query and not query:
        query = MASK
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def has_secrets(url: str) -> bool:
    """Return whether showing the address would show more than `redact` does."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return True
    return bool(parts.username or parts.password) or redact(url) != _plain(url)


def _plain(url: str) -> str:
    parts = urlsplit(url)
    query = "&".join(
        f"{quote(name, safe='')}={quote(value, safe='')}"
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    )
    netloc = parts.netloc.rsplit("@", 1)[-1].lower()
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))
