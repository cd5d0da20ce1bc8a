"""RSS and Atom feeds as listening sources: each new entry becomes an inbound item.

Entries need no reply (they are what the web says, not questions to the company). Entry
HTML is reduced to plain text with nh3 before it is stored; the page escapes it again when
it shows it. The cursor (ETag, Last-Modified, ids already seen) is saved in the same
transaction as the entries, so a crash can neither lose nor duplicate one. A feed is read,
never written to: the connector polls and checks, it does not send.
"""

from __future__ import annotations

import calendar
import hashlib
from datetime import UTC, datetime
from typing import Any

import feedparser
import nh3
from django.utils import timezone

from socialdesk.channels.base import ChannelError, PermanentError, store_batch
from socialdesk.channels.fetch import FetchError, UnsafeAddress, fetch, fetch_if_changed
from socialdesk.channels.items.readers import ImportRow
from socialdesk.channels.models import ChannelAccount
from socialdesk.channels.net import allowed
from socialdesk.channels.protocol import Capability

CAPABILITIES = frozenset({Capability.CHECK})
MAX_TEXT = 5000
SEEN_KEPT = 2000


def plain_text(html: str) -> str:
    """Return the text of untrusted HTML: every tag removed, entities decoded, spaces folded."""
    import html as html_module

    cleaned = nh3.clean(html or "", tags=set(), strip_comments=True)
    return " ".join(html_module.unescape(cleaned).split())


def _entry_id(entry: Any) -> str:
    """The entry's guid (or link); one longer than the id column is kept as its hash.

    Cutting a long guid could make two entries one; a hash keeps them apart and is the same
    on every poll.
    """
    for key in ("id", "link"):
        value = entry.get(key)
        if value:
            value = str(value)
            if len(value) > 255:
                return "sha256:" + hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()
            return value
    digest = hashlib.sha256(f"{entry.get('title', '')}|{entry.get('published', '')}".encode())
    return "sha256:" + digest.hexdigest()


def _entry_time(entry: Any) -> datetime:
    for key in ("published_parsed", "updated_parsed"):
        value = entry.get(key)
        if value:
            return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    return timezone.now()


def _entry_row(entry: Any, feed_title: str) -> ImportRow:
    title = plain_text(entry.get("title", ""))
    summary = plain_text(entry.get("summary", "") or entry.get("description", ""))
    link = entry.get("link", "")
    text = "\n\n".join(part for part in (title, summary, link) if part)[:MAX_TEXT]
    author = plain_text(entry.get("author", "")) or feed_title or "feed"
    return ImportRow(
        external_id=_entry_id(entry),
        author=author[:200],
        inbound=True,
        created_at=_entry_time(entry),
        text=text or "(empty entry)",
        parent_id="",
        author_name=author[:200],
    )


def parse(body: bytes) -> tuple[str, list[Any]]:
    """Return the feed's title and entries; raise FetchError when it is no feed at all."""
    parsed = feedparser.parse(body)
    if parsed.bozo and not parsed.entries:
        raise FetchError(f"not a readable RSS or Atom feed ({parsed.bozo_exception})")
    return plain_text(parsed.feed.get("title", "")), list(parsed.entries)


def poll(account: ChannelAccount) -> int:
    """Fetch the feed once, store new entries and move the cursor; return how many were new."""
    cursor = dict(account.cursor or {})
    result = fetch_if_changed(account.address, cursor)
    if result is None:
        return 0
    title, entries = parse(result.body)
    seen = list(cursor.get("seen", []))
    seen_set = set(seen)
    new_rows = [
        row
        for row in (_entry_row(e, title or account.name) for e in entries)
        if row.external_id not in seen_set
    ]
    seen = (seen + [r.external_id for r in new_rows])[-SEEN_KEPT:]
    cursor["seen"] = seen
    return store_batch(account, new_rows, cursor, listening=True)


def check(account: ChannelAccount) -> str:
    """Fetch and read the feed once (nothing stored, the cursor untouched); return the handle.

    Through the same checked client as `poll`; an address socialdesk may never reach is
    PermanentError, a feed that cannot be fetched or read now is ChannelError.
    """
    try:
        parse(fetch(account.address, allowed=allowed()).body)
    except UnsafeAddress as error:
        raise PermanentError(str(error)) from None
    except FetchError as error:
        raise ChannelError(str(error)) from None
    return account.handle
