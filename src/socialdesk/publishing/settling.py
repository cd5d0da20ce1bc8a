"""A post's status follows its channels: publishing while any is underway, then published (all),
partly published (some) or failed (none); a channel is published when every part of it is on
the network. Called by the engine inside the post's lock, and by retries (`delivery.py`)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from socialdesk.accounts.audit import Acting, record
from socialdesk.publishing import idea_services
from socialdesk.publishing.models import PartState, Post, PostStatus, PostTarget, TargetState
from socialdesk.publishing.services import event

WORKER = Acting(user=None, label="worker")
OPEN = (TargetState.PENDING, TargetState.PUBLISHING)
_DONE_STATES = (PostStatus.PUBLISHED, PostStatus.PARTLY_PUBLISHED, PostStatus.FAILED)


def settle_target(target: PostTarget) -> bool:
    """A target whose every part is on the network is published (call inside the post lock);
    True when it is now."""
    if target.state != TargetState.PUBLISHING:
        return False
    if target.parts.exclude(state=PartState.SENT).exists():
        return False
    first = target.parts.order_by("position").first()
    now = timezone.now()
    url, remote_id = (first.url, first.remote_id) if first else ("", "")
    moved = PostTarget.objects.filter(pk=target.pk, state=TargetState.PUBLISHING).update(
        state=TargetState.PUBLISHED,
        url=url,
        remote_id=remote_id,
        published_at=now,
        error_code="",
        error="",
    )
    channel = target.channel.name or target.channel.handle
    event(target.post, None, "published", channel=channel, channel_id=target.channel_id, url=url)
    record(
        WORKER, "post.channel_published", target.post,
        after={"channel": target.channel_id, "url": url},
    )  # fmt: skip
    settle(target.post_id)
    return bool(moved)


def settle(post_id: int) -> str:
    """The post's status from its channels: publishing while any is underway, then published
    (all), partly published (some) or failed (none). Returns the status."""
    post = Post.objects.get(pk=post_id)
    states = list(post.targets.exclude(state=TargetState.DELETED).values_list("state", flat=True))
    if post.status not in (PostStatus.PUBLISHING, *_DONE_STATES):
        return str(post.status)
    if any(s in OPEN for s in states):
        status = PostStatus.PUBLISHING
    else:
        published = sum(1 for s in states if s == TargetState.PUBLISHED)
        failed = sum(1 for s in states if s == TargetState.FAILED)
        if failed == 0:
            status = PostStatus.PUBLISHED
        elif published:
            status = PostStatus.PARTLY_PUBLISHED
        else:
            status = PostStatus.FAILED
    changes: dict[str, Any] = {}
    if status != post.status:
        changes["status"] = status
    if status in (PostStatus.PUBLISHED, PostStatus.PARTLY_PUBLISHED) and not post.published_at:
        changes["published_at"] = timezone.now()
    if changes:
        Post.objects.filter(pk=post.pk).update(updated_at=timezone.now(), **changes)
        if "status" in changes and status != PostStatus.PUBLISHING:
            event(post, None, f"status_{status}")
            record(WORKER, f"post.{status}", post)
            if status in (PostStatus.PUBLISHED, PostStatus.PARTLY_PUBLISHED):
                idea_services.on_post_published(post)  # its story idea is published
    return str(status)
