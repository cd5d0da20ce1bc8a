"""The delivery panel of a post's page: per channel its state, the link to the post on the
network, why it failed in plain words (with the network's own words under "Details"), "Retry"
for a failed channel (with its unpublished parts to edit) and "Publish now"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone

from socialdesk.access import user_may
from socialdesk.channels.errors import explain
from socialdesk.publishing.delivery import RETRYABLE
from socialdesk.publishing.models import (
    PartState,
    Post,
    PostPart,
    PostStatus,
    PostTarget,
    TargetState,
)

register = template.Library()


@dataclass
class Row:
    target: PostTarget
    sent: int
    total: int
    open_parts: list[PostPart]
    retry_at: datetime | None
    retrying_because: str
    error: str
    may_retry: bool


def rows(post: Post, user: Any) -> list[Row]:
    may_retry = user is not None and user_may(user, "publishing:target_retry")
    now = timezone.now()
    found: list[Row] = []
    for target in post.targets.select_related("channel").prefetch_related("parts"):
        parts = sorted(target.parts.all(), key=lambda p: p.position)
        waiting = [p for p in parts if p.state == PartState.PENDING and p.error]
        retry_at = waiting[0].next_at if waiting and waiting[0].next_at else None
        found.append(
            Row(
                target=target,
                sent=sum(1 for p in parts if p.state == PartState.SENT),
                total=len(parts),
                open_parts=[p for p in parts if p.state != PartState.SENT],
                retry_at=retry_at if retry_at and retry_at > now else None,
                retrying_because=(
                    explain(_code(waiting[0].error), target.channel.network) if waiting else ""
                ),
                error=(
                    explain(target.error_code or "unknown", target.channel.network)
                    if target.state == TargetState.FAILED
                    else ""
                ),
                may_retry=may_retry
                and target.state == TargetState.FAILED
                and post.status in RETRYABLE,
            )
        )
    return found


def _code(error: str) -> str:
    from socialdesk.channels.errors import classify

    return str(classify(error))


@register.inclusion_tag("publishing/post/_delivery.html", takes_context=True)
def post_delivery(context: dict[str, Any], post: Post) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "post": post,
        "request": request,
        "rows": rows(post, user),
        "may_publish_now": user is not None
        and user_may(user, "publishing:post_publish_now")
        and post.status in (PostStatus.APPROVED, PostStatus.SCHEDULED),
        "underway": post.status == PostStatus.PUBLISHING,
    }


@register.simple_tag
def target_error(target: PostTarget) -> str:
    """Why a channel failed, in the active language (for e-mails)."""
    return explain(target.error_code or "unknown", target.channel.network)
