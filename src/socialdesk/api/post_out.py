"""Posts as the API gives them: read through the publishing selectors, shaped as the schemas."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from socialdesk.accounts.models import User
from socialdesk.api.post_schemas import (
    ApprovalOut,
    ChannelMetrics,
    ChannelRef,
    Figures,
    MediaOut,
    MediaSummary,
    MetricOut,
    MetricsOut,
    PartOut,
    PostOut,
    PostSummary,
    Ref,
    TargetDetailOut,
    TargetOut,
)
from socialdesk.channels.models import ChannelAccount
from socialdesk.publishing.models import (
    Decision,
    PartState,
    Post,
    PostMetric,
    PostTarget,
    Visibility,
)

FIGURES = ("likes", "reposts", "replies", "quotes")


def _person(user: User | None) -> Ref | None:
    return Ref(id=user.pk, name=user.full_name or user.email) if user is not None else None


def _channel(channel: ChannelAccount) -> ChannelRef:
    return ChannelRef(
        id=channel.pk, network=channel.network, handle=channel.handle, name=str(channel)
    )


def _target(target: PostTarget) -> dict[str, Any]:
    return {
        "channel": _channel(target.channel),
        "customised": target.customised,
        "state": target.state,
        "url": target.url,
        "remote_id": target.remote_id,
        "error": target.error,
        "error_code": target.error_code,
        "published_at": target.published_at,
    }


def _summary_fields(post: Post) -> dict[str, Any]:
    return {
        "id": post.pk,
        "title": post.title,
        "text": post.text,
        "status": post.status,
        "status_label": str(post.get_status_display()),
        "version": post.version,
        "scheduled_at": post.scheduled_at,
        "published_at": post.published_at,
        "campaign": Ref(id=post.campaign.pk, name=post.campaign.name) if post.campaign else None,
        "author": _person(post.author),
        "created_at": post.created_at,
        "updated_at": post.updated_at,
    }


def for_list(posts: QuerySet[Post]) -> QuerySet[Post]:
    """The posts with what a list shows, in a constant number of queries."""
    targets = PostTarget.objects.select_related("channel").order_by("pk")
    return posts.prefetch_related(Prefetch("targets", queryset=targets))


def summary(post: Post) -> PostSummary:
    targets = [TargetOut(**_target(t)) for t in post.targets.all()]
    return PostSummary(**_summary_fields(post), targets=targets)


def detail(post: Post) -> PostOut:
    """Everything about one post: per channel its state and parts, images, approvals."""
    targets = [
        TargetDetailOut(
            **_target(t),
            parts=[
                PartOut(
                    position=p.position,
                    text=p.text,
                    state=PartState(p.state),
                    url=p.url,
                    remote_id=p.remote_id,
                    error=p.error,
                )
                for p in t.parts.order_by("position")
            ],
        )
        for t in post.targets.select_related("channel").order_by("pk")
    ]
    media = [
        MediaOut(
            id=m.pk,
            part=m.part,
            position=m.position,
            mime=m.mime,
            width=m.width,
            height=m.height,
            alt_text=m.alt_text,
        )
        for m in post.media.defer("content")
    ]
    approvals = [
        ApprovalOut(
            person=_person(a.user),
            decision=Decision(a.decision),
            comment=a.comment,
            version=a.version,
            current=a.version == post.version,
            by_link=a.by_link,
            created_at=a.created_at,
        )
        for a in post.approvals.select_related("user")
    ]
    return PostOut(
        **_summary_fields(post),
        thread=[str(t) for t in post.thread or []],
        idea_id=post.idea_id,
        language=post.language,
        content_warning=post.content_warning,
        visibility=Visibility(post.visibility),
        link_url=post.link_url,
        targets=targets,
        media=MediaSummary(
            count=len(media),
            without_alt_text=sum(1 for m in media if not m.alt_text.strip()),
            items=media,
        ),
        approvals=approvals,
    )


def metrics(post: Post) -> MetricsOut:
    """Per channel the figures at each age after publishing; totals add up each channel's
    latest figures (the series are running totals, so adding ages would count twice)."""
    series: dict[int, list[PostMetric]] = {}
    for metric in PostMetric.objects.filter(target__post=post).order_by("taken_at", "pk"):
        series.setdefault(metric.target_id, []).append(metric)
    channels = []
    totals = dict.fromkeys(FIGURES, 0)
    for target in post.targets.select_related("channel").order_by("pk"):
        taken = series.get(target.pk, [])
        latest = {f: getattr(taken[-1], f) if taken else 0 for f in FIGURES}
        for name in FIGURES:
            totals[name] += latest[name]
        channels.append(
            ChannelMetrics(
                channel=_channel(target.channel),
                url=target.url,
                series=[
                    MetricOut(age=m.age, taken_at=m.taken_at, **{f: getattr(m, f) for f in FIGURES})
                    for m in taken
                ],
                latest=Figures(**latest),
            )
        )
    return MetricsOut(post_id=post.pk, channels=channels, totals=Figures(**totals))
