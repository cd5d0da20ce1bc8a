"""After publishing on Bluesky: read a post's public figures (`app.bsky.feed.getPosts`) and
delete it (`com.atproto.repo.deleteRecord` of the record key in its at:// URI). Bluesky has
no edit of a published post.

`sent` is what publishing kept of the post: `{"external_id": at:// uri, "uri", "cid"}`. The
figures are passed on as the AppView gave them; the caller clamps what does not fit."""

from __future__ import annotations

from typing import Any

from atproto import Client, models

from socialdesk.channels.base import ChannelError, PermanentError
from socialdesk.channels.bluesky.client import call, with_session
from socialdesk.channels.bluesky.replies import POST
from socialdesk.channels.models import ChannelAccount


def _uri(sent: dict[str, Any]) -> str:
    return str(sent.get("uri") or sent["external_id"])


def _figures(client: Client, uri: str) -> dict[str, int]:
    # Plain JSON: the lexicon models would refuse a whole answer for one odd number.
    params = models.AppBskyFeedGetPosts.Params(uris=[uri])
    try:
        response = call(
            client.invoke_query, "app.bsky.feed.getPosts", params=params,
            output_encoding="application/json",
        )  # fmt: skip
    except ValueError as error:  # the body claimed to be JSON and is not
        raise ChannelError(f"Bluesky sent figures that are not JSON ({error})") from None
    document: Any = response.content if isinstance(response.content, dict) else {}
    posts = [p for p in document.get("posts") or [] if isinstance(p, dict)]
    if not posts:
        raise PermanentError("the post is no longer on Bluesky", code="not_found")
    post: Any = posts[0]
    return {
        "likes": post.get("likeCount"),
        "reposts": post.get("repostCount"),
        "replies": post.get("replyCount"),
        "quotes": post.get("quoteCount"),
    }


def metrics(account: ChannelAccount, sent: dict[str, Any]) -> dict[str, int]:
    return with_session(account, lambda client: _figures(client, _uri(sent)))


def delete_published(account: ChannelAccount, sent: dict[str, Any]) -> None:
    uri = _uri(sent)
    did = str(account.credentials.get("did", ""))
    data = models.ComAtprotoRepoDeleteRecord.Data(
        repo=did, collection=POST, rkey=uri.rsplit("/", 1)[-1]
    )
    with_session(account, lambda client: call(client.com.atproto.repo.delete_record, data))
