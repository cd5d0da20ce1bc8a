"""A small, stateful fake Bluesky PDS + AppView that speaks the real XRPC JSON shapes.

Standard library only. Start it, point the real ``atproto`` client at ``server.url`` and drive it::

    with FakeBluesky() as server:
        server.create_account("brand.test", "secret")
        client = Client(base_url=server.url)
        client.login("brand.test", "secret")

Besides sessions, notifications and records it takes blobs (``com.atproto.repo.uploadBlob``) and
keeps image and link-card embeds with the PDS's limits (``media.py``); ``engage(uri, likes=…,
reposts=…, replies=…, quotes=…)`` lets other accounts react to a post, which
``app.bsky.feed.getPosts`` then counts (``actors.py``).

Where the real service's behaviour was looked up (bluesky-social/atproto, PDS and AppView), the
comment says so. Everything else is a deliberate simplification, also said where it matters.
"""

from socialdesk.channels.bluesky.testpeer.records import (
    FAULT_KINDS,
    FOLLOW,
    LIKE,
    POST,
    REPOST,
    LoggedRequest,
    XrpcError,
    did_for_handle,
    grapheme_length,
    make_cid,
    make_tid,
)
from socialdesk.channels.bluesky.testpeer.server import FakeBluesky

__all__ = [
    "FAULT_KINDS",
    "FOLLOW",
    "LIKE",
    "POST",
    "REPOST",
    "FakeBluesky",
    "LoggedRequest",
    "XrpcError",
    "did_for_handle",
    "grapheme_length",
    "make_cid",
    "make_tid",
]
