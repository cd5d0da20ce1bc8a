"""Bluesky through the AT Protocol SDK (`atproto`): mentions, replies and quotes in; replies out.

The session (access and refresh token) is stored encrypted with the account and reused: a
poll logs in only when there is no session or the refresh token is no longer accepted; the
SDK refreshes an expiring access token itself and every new session is saved again.
Notifications are read newest first back to the last one seen, then stored in one
transaction together with the new cursor. Pages are read as plain JSON and each notification
is checked alone against the SDK's lexicon models: one that breaks the lexicon is set aside
with its reason and never blocks the others (the SDK itself would refuse the whole page).
A reply is written with a record key derived from the message, so retrying after an unknown
outcome can only find the same record, never make a second one; it carries the thread's root
and parent references and facets for @mentions and links (byte offsets in UTF-8).

This module is the entry the channels app calls; the work is in `client.py` (session and
errors), `notifications.py` (reading) and `replies.py` (writing).
"""

from __future__ import annotations

from typing import Any

from atproto import Client, models

from socialdesk.channels.base import ChannelError, Sent
from socialdesk.channels.bluesky.client import (
    call,
    login,
    new_client,
    session_client,
    web_url,
    with_session,
)
from socialdesk.channels.bluesky.notifications import read, read_new, row
from socialdesk.channels.bluesky.publish import find_published, publish
from socialdesk.channels.bluesky.published import delete_published, metrics
from socialdesk.channels.bluesky.record_keys import tid
from socialdesk.channels.bluesky.replies import (
    facets,
    find_reply,
    message_rkey,
    reply_text,
    send_reply,
)
from socialdesk.channels.models import ChannelAccount
from socialdesk.channels.protocol import Capability

__all__ = [
    "CAPABILITIES",
    "call",
    "check",
    "delete_published",
    "facets",
    "find_published",
    "find_sent",
    "followers",
    "login",
    "message_rkey",
    "metrics",
    "new_client",
    "poll",
    "publish",
    "read",
    "reply_text",
    "row",
    "send",
    "session_client",
    "tid",
    "web_url",
    "with_session",
]

CAPABILITIES = frozenset(
    {Capability.SEND, Capability.FIND_SENT, Capability.CHECK, Capability.PUBLISH}
) | {Capability.METRICS, Capability.DELETE}  # after publishing: published.py
CAPABILITIES |= {Capability.FOLLOWERS}  # the daily follower snapshot (channels/followers.py)


def poll(account: ChannelAccount) -> int:
    """Read notifications back to the last one seen; store them and the cursor at once."""
    return with_session(account, lambda client: read_new(account, client))


def send(account: ChannelAccount, message: Any) -> Sent:
    return with_session(account, lambda client: send_reply(account, client, message))


def find_sent(account: ChannelAccount, message: Any) -> Sent | None:
    return with_session(account, lambda client: find_reply(account, client, message))


def check(account: ChannelAccount) -> str:
    def work(client: Client) -> str:
        return str(call(client.com.atproto.server.get_session).handle)

    return with_session(account, work)


def followers(account: ChannelAccount) -> int:
    """How many follow the company's account: the profile's `followersCount`
    (app.bsky.actor.getProfile), read as plain JSON so one odd field elsewhere in the profile
    cannot refuse the whole answer."""
    from socialdesk.channels.mastodon.connector import whole_count

    def work(client: Client) -> int:
        actor = str(account.credentials.get("did") or account.handle)
        try:
            response = call(
                client.invoke_query, "app.bsky.actor.getProfile",
                params=models.AppBskyActorGetProfile.Params(actor=actor),
                output_encoding="application/json",
            )  # fmt: skip
        except ValueError as error:  # the body claimed to be JSON and is not
            raise ChannelError(f"Bluesky sent a profile that is not JSON ({error})") from None
        document: Any = response.content if isinstance(response.content, dict) else {}
        return whole_count(document.get("followersCount"), "Bluesky")

    return with_session(account, work)
