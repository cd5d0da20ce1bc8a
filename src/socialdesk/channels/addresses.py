"""Channel addresses: the redaction rule lives in `socialdesk.core.addresses` (re-exported).

A feed's handle is derived from host and path only, never from the query or a password.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from socialdesk.core.addresses import MASK, SHOWN_PARAMETERS, has_secrets, redact

__all__ = ["MASK", "SHOWN_PARAMETERS", "handle_of_feed", "has_secrets", "redact"]


def handle_of_feed(url: str) -> str:
    """The handle of a feed: host and path, lower case — never the query or a password."""
    parts = urlsplit(url)
    return ((parts.hostname or "") + parts.path).lower()[:255]
