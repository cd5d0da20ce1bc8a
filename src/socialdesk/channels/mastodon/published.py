"""After publishing on Mastodon: read a post's public figures, edit it, delete it.

`sent` is what publishing kept of the post: `{"external_id": status id, **meta}`. The figures
are passed on as the instance gave them; the caller clamps what does not fit (an instance can
answer anything)."""

from __future__ import annotations

from typing import Any

from socialdesk.channels.base import Outgoing, Sent
from socialdesk.channels.mastodon.connector import _sent, api, call
from socialdesk.channels.models import ChannelAccount


def metrics(account: ChannelAccount, sent: dict[str, Any]) -> dict[str, int]:
    mastodon = api(account)
    status: Any = call(mastodon, mastodon.status, str(sent["external_id"]))
    return {
        "likes": status.get("favourites_count"),
        "reposts": status.get("reblogs_count"),
        "replies": status.get("replies_count"),
        "quotes": 0,  # Mastodon shows no quote count
    }


def edit_published(account: ChannelAccount, sent: dict[str, Any], outgoing: Outgoing) -> Sent:
    """Change the text and content warning (and language) with Mastodon's edit API; the
    images stay as they are (their ids are sent again, as the API asks)."""
    mastodon = api(account)
    status_id = str(sent["external_id"])
    current: Any = call(mastodon, mastodon.status, status_id)
    media_ids = [str(m["id"]) for m in current.get("media_attachments") or []]
    # PUT /api/v1/statuses/:id with a JSON body: Mastodon.py's `status_update` has no
    # `language`, and the API keeps a language only when it is sent again.
    body: dict[str, Any] = {"status": outgoing.text, "spoiler_text": outgoing.content_warning}
    if outgoing.language:
        body["language"] = outgoing.language
    if media_ids:
        body["media_ids"] = media_ids
    request = mastodon._Mastodon__api_request  # type: ignore[attr-defined]
    edited = call(mastodon, request, "PUT", f"/api/v1/statuses/{status_id}", body, use_json=True)
    return _sent(edited)


def delete_published(account: ChannelAccount, sent: dict[str, Any]) -> None:
    mastodon = api(account)
    call(mastodon, mastodon.status_delete, str(sent["external_id"]))
