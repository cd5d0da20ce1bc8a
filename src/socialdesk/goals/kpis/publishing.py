"""Publishing KPIs: story ideas, posts published per channel, engagement, followers."""

from __future__ import annotations

from django.db.models import Min, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from socialdesk.channels.models import ChannelAccount, FollowerSnapshot
from socialdesk.goals.kpis.registry import Kpi, Param, Query, Unit, register
from socialdesk.goals.kpis.scoping import ACCOUNTS, DEPARTMENTS
from socialdesk.publishing.models import Idea, IdeaStatus, Post, PostMetric, PostTarget
from socialdesk.publishing.selectors import ideas_for_user, posts_for_user

FAMILY = "publishing"
AGES = ("1h", "6h", "24h", "72h", "7d")


def _ideas(query: Query) -> QuerySet[Idea]:
    scope = query.scope
    rows = Idea.objects.all() if scope.user is None else ideas_for_user(scope.user)
    if scope.departments:
        rows = rows.filter(department_id__in=scope.departments)
    return rows


def _targets(query: Query) -> QuerySet[PostTarget]:
    """Posts gone out on a channel in the period (also those deleted later)."""
    scope = query.scope
    posts = Post.objects.all() if scope.user is None else posts_for_user(scope.user)
    rows = PostTarget.objects.filter(
        post__in=posts.values("pk"), published_at__gte=query.start, published_at__lt=query.end
    )
    if scope.accounts:
        handles = [ChannelAccount.normalise_handle(h) for h in scope.accounts]
        rows = rows.filter(channel__handle__in=handles)
    return rows


def _submitted(query: Query) -> float | None:
    return float(
        _ideas(query).filter(created_at__gte=query.start, created_at__lt=query.end).count()
    )


def _published_ideas(query: Query) -> float | None:
    """Ideas whose first post went out in the period."""
    first = (
        _ideas(query)
        .filter(status=IdeaStatus.PUBLISHED)
        .annotate(first=Min("posts__targets__published_at"))
        .filter(first__gte=query.start, first__lt=query.end)
    )
    return float(first.count())


def _posts(query: Query) -> float | None:
    return float(_targets(query).count())


def _engagement(query: Query) -> float | None:
    """Mean of likes + reposts + replies + quotes at the chosen age, over the posts measured."""
    metrics = PostMetric.objects.filter(target__in=_targets(query), age=query.params["age"])
    totals = [sum(row) for row in metrics.values_list("likes", "reposts", "replies", "quotes")]
    return sum(totals) / len(totals) if totals else None


def _followers(query: Query) -> float | None:
    """Sum over the accounts of each one's latest count on or before the period's last day
    (None when no account of the scope was counted by then)."""
    rows = FollowerSnapshot.objects.filter(followers__isnull=False, day__lte=query.period.last_day)
    if query.scope.accounts:
        handles = [ChannelAccount.normalise_handle(h) for h in query.scope.accounts]
        rows = rows.filter(channel_account__handle__in=handles)
    latest = rows.filter(
        day=Subquery(
            FollowerSnapshot.objects.filter(
                channel_account=OuterRef("channel_account"),
                followers__isnull=False,
                day__lte=query.period.last_day,
            )
            .order_by("-day")
            .values("day")[:1]
        )
    )
    counts = list(latest.values_list("followers", flat=True))
    return float(sum(c for c in counts if c is not None)) if counts else None


register(
    Kpi(
        name="ideas_submitted",
        label=_("Story ideas submitted"),
        description=_("Story ideas colleagues submitted in the period."),
        unit=Unit.COUNT,
        scopes=frozenset({DEPARTMENTS}),
        family=FAMILY,
        compute=_submitted,
    )
)
register(
    Kpi(
        name="ideas_published",
        label=_("Story ideas published"),
        description=_("Story ideas whose first post went out in the period."),
        unit=Unit.COUNT,
        scopes=frozenset({DEPARTMENTS}),
        family=FAMILY,
        compute=_published_ideas,
    )
)
register(
    Kpi(
        name="posts_published",
        label=_("Posts published"),
        description=_(
            "Posts that went out in the period, one per channel they went to. Narrow to one "
            "channel account and show the series by week for posts per channel and week."
        ),
        unit=Unit.COUNT,
        scopes=frozenset({ACCOUNTS}),
        family=FAMILY,
        compute=_posts,
    )
)
register(
    Kpi(
        name="engagement_per_post",
        label=_("Engagement per post"),
        description=_(
            "Likes, reposts, replies and quotes per post (and channel) published in the period, "
            "as read back at the chosen age of the post; posts not measured at that age yet "
            "are left out."
        ),
        unit=Unit.NUMBER,
        params=(Param("age", "choice", "24h", _("age of the post: 1h, 6h, 24h, 72h or 7d"), AGES),),
        scopes=frozenset({ACCOUNTS}),
        family=FAMILY,
        compute=_engagement,
    )
)
register(
    Kpi(
        name="followers",
        label=_("Followers"),
        description=_(
            "Followers of the company's Mastodon and Bluesky accounts, as counted once a day: "
            "for a period, the sum of each account's last count on or before its last day."
        ),
        unit=Unit.COUNT,
        scopes=frozenset({ACCOUNTS}),
        family=FAMILY,
        compute=_followers,
        # A level (how many follow now), not a total that adds up over days.
        extra={"level": True},
    )
)
