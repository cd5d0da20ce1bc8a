"""Publishing posts on Bluesky: each part with the record key fixed before the first attempt
(`Outgoing.key`, a TID), so a retry can only find the same record, never make a second one;
a thread's later parts reply to the one before, with the first as root."""

from __future__ import annotations

from typing import Any

from atproto import Client, models

from socialdesk.channels.base import Outgoing, PermanentError, Sent
from socialdesk.channels.bluesky.client import call, web_url, with_session
from socialdesk.channels.bluesky.replies import POST, facets
from socialdesk.channels.models import ChannelAccount


def _ref(sent: dict[str, Any]) -> dict[str, str]:
    return {"uri": str(sent["uri"]), "cid": str(sent["cid"])}


def record(client: Client, outgoing: Outgoing) -> dict[str, Any]:
    """The post record as written to the repository."""
    created = outgoing.created_at.isoformat().replace("+00:00", "Z")
    out: dict[str, Any] = {"$type": POST, "text": outgoing.text, "createdAt": created}
    found = facets(client, outgoing.text)
    if found:
        out["facets"] = found
    if outgoing.language:
        out["langs"] = [outgoing.language]
    if outgoing.reply_to:
        root = outgoing.root or outgoing.reply_to
        out["reply"] = {"root": _ref(root), "parent": _ref(outgoing.reply_to)}
    return out


def _sent(account: ChannelAccount, uri: str, cid: str) -> Sent:
    return Sent(external_id=uri, url=web_url(account.handle, uri), meta={"uri": uri, "cid": cid})


def publish_with(account: ChannelAccount, client: Client, outgoing: Outgoing) -> Sent:
    did = str(account.credentials.get("did", ""))
    data = models.ComAtprotoRepoCreateRecord.Data(
        repo=did, collection=POST, rkey=outgoing.key, record=record(client, outgoing), validate=True
    )
    try:
        created = call(client.com.atproto.repo.create_record, data)
    except PermanentError:
        # The same key exists: an earlier attempt did arrive. Read it back instead.
        existing = find_with(account, client, outgoing)
        if existing is not None:
            return existing
        raise
    return _sent(account, str(created.uri), str(created.cid))


def find_with(account: ChannelAccount, client: Client, outgoing: Outgoing) -> Sent | None:
    did = str(account.credentials.get("did", ""))
    params = models.ComAtprotoRepoGetRecord.Params(repo=did, collection=POST, rkey=outgoing.key)
    try:
        found = call(client.com.atproto.repo.get_record, params)
    except PermanentError as error:
        if "RecordNotFound" in str(error) or "not found" in str(error).lower():
            return None
        raise
    return _sent(account, str(found.uri), str(found.cid or ""))


def publish(account: ChannelAccount, outgoing: Outgoing) -> Sent:
    return with_session(account, lambda client: publish_with(account, client, outgoing))


def find_published(account: ChannelAccount, outgoing: Outgoing) -> Sent | None:
    return with_session(account, lambda client: find_with(account, client, outgoing))
