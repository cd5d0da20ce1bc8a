"""Reads after publishing: a post's figures over time, a campaign's totals, the replies to a
post (through the inbox's own rule of who sees which conversation) and the post a
conversation answers. Posts are read through `selectors.posts_for_user` like everywhere."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, QuerySet, Subquery, Sum
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from socialdesk.accounts.models import User
from socialdesk.inbox.links import Link
from socialdesk.inbox.models import Conversation, Direction, Message
from socialdesk.inbox.selectors import conversations_for_user
from socialdesk.publishing.metrics import AGES, FIGURES
from socialdesk.publishing.models import Campaign, Post, PostMetric, PostPart, PostTarget
from socialdesk.publishing.selectors import posts_for_user


def post_url(post: Post) -> str:
    """The post's page (the composer's, when it is there), else its after-publishing page."""
    try:
        return reverse("publishing:post", kwargs={"pk": post.pk})
    except NoReverseMatch:
        return reverse("publishing:post_after", kwargs={"pk": post.pk})


@dataclass
class Series:
    """One target's readings by age (absent ages are None)."""

    target: PostTarget
    readings: dict[str, PostMetric | None] = field(default_factory=dict)

    @property
    def latest(self) -> PostMetric | None:
        taken = [m for m in self.readings.values() if m is not None]
        return max(taken, key=lambda m: (m.taken_at, m.pk)) if taken else None


def series(post: Post) -> list[Series]:
    """Each channel's readings of the post, in the order of the ages."""
    out = []
    for target in post.targets.select_related("channel").prefetch_related("metrics"):
        taken = {m.age: m for m in target.metrics.all()}
        out.append(Series(target, {age: taken.get(age) for age, _offset in AGES}))
    return out


def totals_by_age(all_series: list[Series]) -> dict[str, dict[str, int] | None]:
    """The post's figures at each age, summed over its channels (None: nothing read yet)."""
    out: dict[str, dict[str, int] | None] = {}
    for age, _offset in AGES:
        taken = [s.readings[age] for s in all_series if s.readings.get(age) is not None]
        out[age] = (
            {name: sum(getattr(m, name) for m in taken) for name in FIGURES} if taken else None
        )
    return out


def latest_metrics(posts: QuerySet[Post]) -> QuerySet[PostMetric]:
    """The latest reading of each target of these posts."""
    newest = PostMetric.objects.filter(target=OuterRef("target")).order_by("-taken_at", "-pk")
    return PostMetric.objects.filter(
        target__post__in=posts.values("pk"), pk=Subquery(newest.values("pk")[:1])
    )


def campaign_totals(user: User, campaign: Campaign) -> dict[str, int]:
    """A campaign's engagement: the latest figure of each of its posts on each network, summed
    (posts as the person may see them)."""
    posts = posts_for_user(user).filter(campaign=campaign)
    sums = latest_metrics(posts).aggregate(**{name: Sum(name) for name in FIGURES})
    totals = {name: int(sums[name] or 0) for name in FIGURES}
    totals["posts"] = posts.count()
    return totals


def _reply_filter(post: Post) -> Q | None:
    """Messages that answer one of the post's parts, on the channel it went out on."""
    query: Q | None = None
    parts = PostPart.objects.filter(target__post=post).exclude(remote_id="")
    for channel_id, remote_id in parts.values_list("target__channel_id", "remote_id"):
        one = Q(channel_account_id=channel_id, parent_external_id=remote_id)
        query = one if query is None else query | one
    return query


def replies_for_post(user: User, post: Post) -> QuerySet[Message]:
    """The customers' replies to the post that the person may see (newest first)."""
    query = _reply_filter(post)
    if query is None:
        return Message.objects.none()
    return (
        Message.objects.filter(query, direction=Direction.INBOUND)
        .filter(conversation__in=conversations_for_user(user))
        .select_related("conversation", "channel_account")
        .order_by("-created_at", "-pk")
    )


def reply_conversations(user: User, post: Post, limit: int = 20) -> list[tuple[Conversation, int]]:
    """The conversations with replies to the post, each with how many replies it holds."""
    counts: dict[int, int] = {}
    first: dict[int, Conversation] = {}
    for message in replies_for_post(user, post)[:500]:
        counts[message.conversation_id] = counts.get(message.conversation_id, 0) + 1
        first.setdefault(message.conversation_id, message.conversation)
    return [(first[pk], counts[pk]) for pk in list(first)[:limit]]


def posts_answered_in(user: User, conversation: Conversation) -> QuerySet[Post]:
    """Our posts that messages of this conversation reply to (as the person may see them)."""
    parents = Message.objects.filter(conversation=conversation).exclude(parent_external_id="")
    parts = PostPart.objects.filter(
        target__channel_id=conversation.channel_account_id,
        remote_id__in=parents.values("parent_external_id"),
    )
    return posts_for_user(user).filter(pk__in=parts.values("target__post_id")).distinct()


def conversation_links(conversation: Conversation, user: User) -> list[Link]:
    """For the conversation page: "Reply to our post „…“", a link to each such post."""
    links = []
    for post in posts_answered_in(user, conversation)[:5]:
        title = str(post)[:80]
        links.append(Link(_("Reply to our post “%(title)s”") % {"title": title}, post_url(post)))
    return links
