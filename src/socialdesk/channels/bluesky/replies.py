"""Sending replies to Bluesky, and finding one an earlier attempt sent.

A reply is written with a record key derived from the message, so retrying after an unknown
outcome can only find the same record, never make a second one; it carries the thread's root
and parent references and facets for @mentions and links (byte offsets in UTF-8).
"""

from __future__ import annotations

import re
from datetime import UTC
from typing import Any

from atproto import Client, models
from django.core.exceptions import ValidationError

from socialdesk.channels.base import ChannelError, PermanentError, Sent
from socialdesk.channels.bluesky.client import call, web_url
from socialdesk.channels.bluesky.record_keys import tid
from socialdesk.channels.models import ChannelAccount

POST = "app.bsky.feed.post"
MAX_GRAPHEMES = 300
_MENTION = re.compile(
    rb"(?:^|[\s(])(@([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,})"
)
_LINK = re.compile(rb"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]]")


def message_rkey(message: Any) -> str:
    """The record key of a reply: the same for every attempt to send the same message."""
    return tid(message.created_at, int(message.pk))


def reply_text(parent_meta: dict[str, Any], parent_author: str, text: str) -> str:
    """Bluesky notifies the author of the parent post; the text stays as written."""
    import unicodedata

    graphemes = sum(1 for c in text if not unicodedata.combining(c))
    if graphemes > MAX_GRAPHEMES:
        raise ValidationError(
            {"text": f"Bluesky posts hold {MAX_GRAPHEMES} characters; this one has {graphemes}."}
        )
    return text


def facets(client: Client, text: str) -> list[dict[str, Any]]:
    """Facets for @mentions (resolved to DIDs) and links, with UTF-8 byte offsets."""
    data = text.encode("utf-8")
    out: list[dict[str, Any]] = []
    for match in _MENTION.finditer(data):
        handle = match.group(1)[1:].decode()
        try:
            did = call(client.resolve_handle, handle).did
        except ChannelError:
            continue  # not a Bluesky handle: it stays plain text
        out.append({
            "index": {"byteStart": match.start(1), "byteEnd": match.end(1)},
            "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}],
        })  # fmt: skip
    for match in _LINK.finditer(data):
        out.append({
            "index": {"byteStart": match.start(), "byteEnd": match.end()},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": match.group().decode()}],
        })  # fmt: skip
    return out


def send_reply(account: ChannelAccount, client: Client, message: Any) -> Sent:
    """Post `message` as a reply to its parent post (or return the one already there)."""
    parent = message.parent
    if parent is None or not parent.meta.get("uri"):
        raise PermanentError("there is no Bluesky post to answer")
    meta = parent.meta
    record: dict[str, Any] = {
        "$type": POST,
        "text": message.text,
        "createdAt": message.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "reply": {
            "root": {
                "uri": meta.get("root_uri") or meta["uri"],
                "cid": meta.get("root_cid") or meta["cid"],
            },
            "parent": {"uri": meta["uri"], "cid": meta["cid"]},
        },
    }
    found_facets = facets(client, message.text)
    if found_facets:
        record["facets"] = found_facets
    if message.language:
        record["langs"] = [message.language]
    did = str(account.credentials.get("did", ""))
    rkey = message_rkey(message)
    data = models.ComAtprotoRepoCreateRecord.Data(
        repo=did, collection=POST, rkey=rkey, record=record, validate=True
    )
    try:
        created = call(client.com.atproto.repo.create_record, data)
    except PermanentError as error:
        # The same key exists: an earlier attempt did arrive. Read it back instead.
        existing = find_reply(account, client, message)
        if existing is not None:
            return existing
        raise error
    return Sent(
        external_id=str(created.uri),
        url=web_url(account.handle, str(created.uri)),
        meta={"uri": str(created.uri), "cid": str(created.cid)},
    )


def find_reply(account: ChannelAccount, client: Client, message: Any) -> Sent | None:
    """The reply an earlier attempt to send `message` posted, or None."""
    did = str(account.credentials.get("did", ""))
    params = models.ComAtprotoRepoGetRecord.Params(
        repo=did, collection=POST, rkey=message_rkey(message)
    )
    try:
        found = call(client.com.atproto.repo.get_record, params)
    except PermanentError as error:
        if "RecordNotFound" in str(error) or "not found" in str(error).lower():
            return None
        raise
    return Sent(
        external_id=str(found.uri),
        url=web_url(account.handle, str(found.uri)),
        meta={"uri": str(found.uri), "cid": str(found.cid or "")},
    )
