"""Reading Bluesky notifications: mentions, replies and quotes in, as inbox rows.

Notifications are read newest first back to the last one seen, then stored in one
transaction together with the new cursor. Pages are read as plain JSON and each notification
is checked alone against the SDK's lexicon models: one that breaks the lexicon is set aside
with its reason and never blocks the others (the SDK itself would refuse the whole page).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pydantic
from atproto import Client, models
from atproto_client.exceptions import ModelError
from atproto_client.models.utils import get_or_create
from django.utils import timezone

from socialdesk.channels.base import ChannelError, store_batch
from socialdesk.channels.bluesky.client import call, web_url
from socialdesk.channels.items.readers import ImportRow
from socialdesk.channels.models import ChannelAccount

LIST_NOTIFICATIONS = "app.bsky.notification.listNotifications"
PAGE = 50
MAX_PAGES = 20
REASONS = {"mention", "reply", "quote"}
BACKFILL = 200  # notifications read on the first poll of a new account
BACKFILL_DAYS = 14


def row(notification: dict[str, Any], *, me: str) -> ImportRow:
    """One notification (mention, reply or quote, as listNotifications sends it) as an inbox row."""
    record = notification["record"]
    author = notification["author"]
    text = str(record.get("text") or "")
    reply = record.get("reply") or {}
    parent, root = reply.get("parent") or {}, reply.get("root") or {}
    uri, cid = str(notification["uri"]), str(notification["cid"])
    if notification["reason"] == "quote":
        text += f"\n[quote of {_quoted(record) or notification.get('reasonSubject') or ''}]"
    written = str(record.get("createdAt") or notification["indexedAt"])
    try:
        created = datetime.fromisoformat(written)
    except ValueError:
        raise ValueError(f"record.createdAt is not a date: {written[:40]!r}") from None
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    handle, did = str(author["handle"]).lower(), str(author["did"])
    return ImportRow(
        external_id=uri,
        author=handle,
        inbound=did != me,
        created_at=created,
        text=(text.strip() or "(empty post)")[:5000],
        parent_id=str(parent.get("uri") or ""),
        author_name=str(author.get("displayName") or "")[:200] or handle,
        meta={
            "uri": uri,
            "cid": cid,
            "root_uri": str(root.get("uri") or uri),
            "root_cid": str(root.get("cid") or cid),
            "did": did,
            "reason": str(notification["reason"]),
            "url": web_url(handle, uri),
        },
    )


def _quoted(record: dict[str, Any]) -> str:
    """The quoted post's URI (an embed of a type the SDK does not know may hold anything)."""
    embed = record.get("embed")
    quoted = embed.get("record") if isinstance(embed, dict) else None
    return str(quoted.get("uri") or "") if isinstance(quoted, dict) else ""


def read(notification: dict[str, Any], *, me: str) -> ImportRow | tuple[str, str, Any]:
    """One notification checked alone against the lexicon: a row, or why it is set aside.

    The SDK refuses a whole page when one notification breaks the lexicon (a display name
    beyond 640 characters, a post without createdAt); each is therefore checked on its own.
    """
    uri = str(notification.get("uri") or "")
    try:
        get_or_create(notification, models.AppBskyNotificationListNotifications.Notification)
    except ModelError as error:
        return uri, f"invalid notification: {_problems(error)}", notification
    try:
        get_or_create(notification.get("record"), models.AppBskyFeedPost.Record)
    except ModelError as error:
        return uri, f"invalid notification: {_problems(error, 'record')}", notification
    try:
        return row(notification, me=me)
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        return uri, f"unreadable notification: {error}", notification


def _problems(error: ModelError, prefix: str = "") -> str:
    """What the lexicon check found, one `field.path: message` for each (five at most)."""
    cause = error.__cause__
    if not isinstance(cause, pydantic.ValidationError):
        return str(error) or "it does not match the lexicon"
    problems: dict[str, str] = {}  # the last alternative of a union says it best
    for problem in cause.errors():
        parts = (prefix, *problem["loc"])
        path = ".".join(str(p) for p in parts if p != "" and "[" not in str(p))
        problems[path or "notification"] = problem["msg"]
    return "; ".join(f"{path}: {message}" for path, message in list(problems.items())[:5])


def _page(client: Client, page_cursor: str | None) -> tuple[list[Any], str | None]:
    """One page of notifications as plain JSON, through the session's client (refresh included)."""
    params = models.AppBskyNotificationListNotifications.Params(limit=PAGE, cursor=page_cursor)
    try:
        response = call(
            client.invoke_query, LIST_NOTIFICATIONS, params=params,
            output_encoding="application/json",
        )  # fmt: skip
    except ValueError as error:  # the body claimed to be JSON and is not
        raise ChannelError(f"Bluesky sent notifications that are not JSON ({error})") from None
    document = response.content
    if not isinstance(document, dict) or not isinstance(document.get("notifications"), list):
        raise ChannelError("Bluesky sent notifications in an unknown shape")
    following = document.get("cursor")
    if not isinstance(following, str) or not following:
        following = None
    return document["notifications"], following


def _indexed_at(notification: dict[str, Any]) -> str | None:
    value = notification.get("indexedAt")
    if not isinstance(value, str):
        return None
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return None
    return value


def read_new(account: ChannelAccount, client: Client) -> int:
    """Read notifications back to the last one seen; store them and the cursor at once."""
    cursor = dict(account.cursor or {})
    seen = str(cursor.get("seen_at", ""))
    me = str(account.credentials.get("did", ""))
    items: list[ImportRow | tuple[str, str, Any]] = []
    newest = seen
    page_cursor: str | None = None
    for _page_number in range(MAX_PAGES):
        notifications, page_cursor = _page(client, page_cursor)
        reached_seen = False
        for notification in notifications:
            if not isinstance(notification, dict):
                items.append(("", "invalid notification: not a JSON object", notification))
                continue
            reason = notification.get("reason")
            wanted = isinstance(reason, str) and reason in REASONS
            indexed = _indexed_at(notification)
            if indexed is None:  # it must not move the cursor: set aside, never compared
                if wanted:
                    uri = str(notification.get("uri") or "")
                    items.append((uri, "invalid notification: indexedAt: not a date", notification))
                continue
            if seen and indexed <= seen:
                reached_seen = True
                continue
            newest = max(newest, indexed)
            if wanted:
                items.append(read(notification, me=me))
        if reached_seen or not page_cursor:
            break
        if not seen and (len(items) >= BACKFILL or _older_than_backfill(notifications)):
            break  # the first poll of an account reads the recent past only
    cursor["seen_at"] = newest
    return store_batch(account, items, cursor)


def _older_than_backfill(notifications: list[Any]) -> bool:
    since = (timezone.now() - timedelta(days=BACKFILL_DAYS)).isoformat()
    return any(
        isinstance(n, dict) and (indexed := _indexed_at(n)) is not None and indexed < since
        for n in notifications
    )
