"""Take people out of a text before it becomes shared knowledge (an FAQ page from a conversation).

`scrub` replaces given names and words; `scrub_contact_details` replaces what identifies anyone
without being known in advance: e-mail addresses, phone numbers, `@handle[@instance]` and
profile addresses on social networks. Links to anything else (the help page a reply points to)
stay. Privacy's erasure keeps its own stricter rules (`privacy.services._scrub*`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

REMOVED = "[…]"

SOCIAL_HOSTS = frozenset(
    {
        "twitter.com", "x.com", "facebook.com", "fb.com", "instagram.com", "linkedin.com",
        "tiktok.com", "threads.net", "bsky.app", "youtube.com", "xing.com", "mastodon.social",
    }
)  # fmt: skip
_URL = re.compile(r"https?://[^\s<>\"'\])]+", re.IGNORECASE)
_PROFILE_PATH = re.compile(r"^/(?:@|profile/|users?/|u/|in/|people/)", re.IGNORECASE)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w.@/])@[A-Za-z0-9_][\w.-]*?(?:@[\w-]+(?:\.[\w-]+)+)?(?![\w@-])")
_PHONE = re.compile(r"(?<![\w+(])(?:\+|\()?\d(?:[ \-/()]{0,2}\d){6,}(?!\w)")


def scrub(text: str, terms: Iterable[str], replacement: str = REMOVED) -> str:
    """Replace every whole-word occurrence of the terms, whatever their case.

    Longer terms go first, so "Anna Schmidt" becomes one replacement, not "[…] Schmidt".
    Empty terms are ignored; "Bob" leaves "Bobby" alone.
    """
    words = sorted({t.strip() for t in terms if t and t.strip()}, key=len, reverse=True)
    if not words:
        return text
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE
    )
    return pattern.sub(lambda _match: replacement, text)


def _is_profile(url: str) -> bool:
    parts = urlsplit(url.rstrip(".,;:!?"))
    host = (parts.hostname or "").removeprefix("www.")
    return host in SOCIAL_HOSTS or bool(_PROFILE_PATH.match(parts.path))


def _url(match: re.Match[str]) -> str:
    url = match.group(0)
    if not _is_profile(url):
        return url
    trailing = url[len(url.rstrip(".,;:!?")) :]
    return REMOVED + trailing


def scrub_contact_details(text: str) -> str:
    """Replace e-mail addresses, phone numbers, @handles and social profile addresses by "[…]"."""
    text = _URL.sub(_url, text)
    text = _HANDLE.sub(REMOVED, text)  # before e-mail: "@anna@chaos.social" is one handle
    text = _EMAIL.sub(REMOVED, text)
    return _PHONE.sub(REMOVED, text)
