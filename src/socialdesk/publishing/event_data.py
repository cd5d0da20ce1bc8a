"""What publishing tells other tools (`core.events`): a post is on a channel now, or a channel
refused it for good. One event per channel (a post on three channels is published three
times), subject `post:<id>`; the data carries the post's own status after the channel settled
("publishing" while other channels are underway, then "published", "partly_published" or
"failed"). Built only when someone listens, inside the engine's transaction."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from socialdesk.core import events
from socialdesk.core.redaction import redact_text
from socialdesk.inbox import event_data
from socialdesk.publishing.delivery import post_path
from socialdesk.publishing.models import Post, PostTarget

PUBLISHED, FAILED = "post.published", "post.failed"


def subject(post_id: int) -> str:
    return f"post:{post_id}"


def post_data(post: Post) -> dict[str, Any]:
    when = event_data.when
    return {
        "id": post.pk,
        "title": post.title,
        "text": post.text,
        "thread": list(post.thread or []),
        "status": post.status,
        "scheduled_at": when(post.scheduled_at),
        "published_at": when(post.published_at),
        "url": settings.SITE_URL + post_path(post),
    }


def _target(target_id: int) -> PostTarget:
    return PostTarget.objects.select_related("post", "channel").get(pk=target_id)


def announce_published(target_id: int) -> None:
    """The channel's every part is on the network (call after the post settled)."""
    if not events.wanted(PUBLISHED):
        return
    target = _target(target_id)
    data = {
        "post": post_data(target.post),
        "channel": event_data.channel(target.channel),
        "link": target.url,
        "remote_id": target.remote_id,
        "published_at": event_data.when(target.published_at),
    }
    events.emit(PUBLISHED, [(subject(target.post_id), data)])


def announce_failed(target_id: int, part: int) -> None:
    """The channel refused part `part` (0: the first) for good (call after the post settled)."""
    if not events.wanted(FAILED):
        return
    target = _target(target_id)
    data = {
        "post": post_data(target.post),
        "channel": event_data.channel(target.channel),
        "part": part,
        "error": {"code": target.error_code, "reason": redact_text(target.error)},
    }
    events.emit(FAILED, [(subject(target.post_id), data)])
