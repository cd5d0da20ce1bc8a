"""RSS and Atom feeds as listening sources: each new entry becomes an inbound item.

Entries need no reply (they are what the web says, not questions to the company). Entry
HTML is reduced to plain text with nh3 before it is stored; the page escapes it again when
it shows it. The cursor (ETag, Last-Modified, ids already seen) is saved in the same
transaction as the entries, so a crash can neither lose nor duplicate one.
"""

from __future__ import annotations

import calendar
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
import nh3
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from socialdesk.channels.fetch import Address, FetchError, fetch, is_public_address
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.inbox.importing.pipeline import Importer
from socialdesk.inbox.importing.readers import ImportRow

MAX_TEXT = 5000
SEEN_KEPT = 2000
BACKOFF_MAX = timedelta(hours=6)


def _allowed() -> Callable[[Address], bool]:
    path = getattr(settings, "FEED_ADDRESS_POLICY", "")
    return import_string(path) if path else is_public_address


def plain_text(html: str) -> str:
    """Return the text of untrusted HTML: every tag removed, entities decoded, spaces folded."""
    import html as html_module

    cleaned = nh3.clean(html or "", tags=set(), strip_comments=True)
    return " ".join(html_module.unescape(cleaned).split())


def _entry_id(entry: Any) -> str:
    for key in ("id", "link"):
        value = entry.get(key)
        if value:
            return str(value)[:255]
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
    """Fetch the feed once, store new entries, move the cursor; return how many were new."""
    now = timezone.now()
    cursor = dict(account.cursor or {})
    try:
        result = fetch(
            account.url,
            etag=cursor.get("etag"),
            last_modified=cursor.get("last_modified"),
            allowed=_allowed(),
        )
        if result.status == 304:
            _record_success(account, now, cursor)
            return 0
        title, entries = parse(result.body)
    except FetchError as error:
        _record_failure(account, now, str(error))
        raise
    seen = list(cursor.get("seen", []))
    seen_set = set(seen)
    rows = [_entry_row(e, title or account.name) for e in entries]
    new_rows = [r for r in rows if r.external_id not in seen_set]
    with transaction.atomic():
        importer = Importer(
            network=Network.RSS, company_handles=set(), listening=True, fixed_account=account
        )
        importer.feed(account.url, [(index, row) for index, row in enumerate(new_rows, start=1)])
        seen = (seen + [r.external_id for r in new_rows])[-SEEN_KEPT:]
        cursor.update({"etag": result.etag, "last_modified": result.last_modified, "seen": seen})
        _record_success(account, now, cursor)
    return importer.stats.created


def _record_success(account: ChannelAccount, now: datetime, cursor: dict[str, Any]) -> None:
    account.cursor = cursor
    account.last_polled_at = account.last_success_at = now
    account.last_error = ""
    account.failures = 0
    account.next_poll_at = now + timedelta(seconds=account.poll_interval_seconds)
    account.save(
        update_fields=[
            "cursor",
            "last_polled_at",
            "last_success_at",
            "last_error",
            "failures",
            "next_poll_at",
        ]
    )


def _record_failure(account: ChannelAccount, now: datetime, error: str) -> None:
    """Back off exponentially: a failing feed is asked less and less often (6 h at most)."""
    account.failures += 1
    delay = min(timedelta(seconds=account.poll_interval_seconds * 2**account.failures), BACKOFF_MAX)
    account.last_polled_at = now
    account.last_error = error[:2000]
    account.next_poll_at = now + delay
    account.save(update_fields=["failures", "last_polled_at", "last_error", "next_poll_at"])
