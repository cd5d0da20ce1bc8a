"""Publishing posts on Mastodon: each part once, with its Idempotency-Key, a thread's later
parts as replies to the one before; and finding what an earlier attempt posted."""

from __future__ import annotations

from typing import Any

from socialdesk.channels.base import Outgoing, Sent
from socialdesk.channels.mastodon.connector import _same_text, _sent, api, call
from socialdesk.channels.models import ChannelAccount
from socialdesk.channels.rss.connector import plain_text


def idempotency_key(outgoing: Outgoing) -> str:
    return f"socialdesk-part-{outgoing.key}"


def _reply_to_id(outgoing: Outgoing) -> str | None:
    return str(outgoing.reply_to["external_id"]) if outgoing.reply_to else None


def publish(account: ChannelAccount, outgoing: Outgoing) -> Sent:
    mastodon = api(account)
    status = call(
        mastodon,
        mastodon.status_post,
        outgoing.text,
        in_reply_to_id=_reply_to_id(outgoing),
        visibility=outgoing.visibility or "public",
        spoiler_text=outgoing.content_warning or None,
        language=outgoing.language or None,
        idempotency_key=idempotency_key(outgoing),
    )
    return _sent(status)


def find_published(account: ChannelAccount, outgoing: Outgoing) -> Sent | None:
    """Our own latest posts: one with the same text answering the same post is this part
    (instances forget Idempotency-Keys after an hour, so the key alone is not enough)."""
    me = str(account.credentials.get("account_id", ""))
    mastodon = api(account)
    statuses: Any = call(mastodon, mastodon.account_statuses, me, limit=40)
    for status in statuses:
        if str(status.in_reply_to_id or "") == (_reply_to_id(outgoing) or "") and _same_text(
            plain_text(str(status.content or "")), outgoing.text
        ):
            return _sent(status)
    return None
