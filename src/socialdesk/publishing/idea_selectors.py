"""Reads around one idea or campaign that the per-model selectors do not cover: an idea's
history (from the audit log) and the figures of the ideas list and the campaign list. Every
count reads through `selectors.ideas_for_user` / `posts_for_user`."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Prefetch, QuerySet

from socialdesk.accounts.models import AuditEvent, User
from socialdesk.publishing.models import Idea, IdeaPhoto, IdeaStatus, Post
from socialdesk.publishing.selectors import ideas_for_user, posts_for_user

HISTORY = (
    "idea.submitted", "idea.accepted", "idea.declined", "idea.planned", "idea.posts_linked",
    "idea.published", "idea.campaign_changed",
)  # fmt: skip


def idea_history(idea: Idea) -> QuerySet[AuditEvent]:
    """What happened to the idea, oldest first (comments are shown apart)."""
    return (
        AuditEvent.objects.filter(object_type="idea", object_id=str(idea.pk), action__in=HISTORY)
        .select_related("actor")
        .order_by("at", "pk")
    )


def status_counts(ideas: QuerySet[Idea]) -> dict[str, int]:
    """How many of these ideas are in each status (every status, zeros included)."""
    found = dict(ideas.order_by().values_list("status").annotate(n=Count("pk")))
    return {status: found.get(status, 0) for status in IdeaStatus.values}


def campaign_figures(user: User) -> tuple[dict[int, dict[str, int]], dict[int, int]]:
    """Posts per status and ideas of each campaign, of what this person may see."""
    posts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        posts_for_user(user)
        .filter(campaign__isnull=False)
        .order_by()
        .values_list("campaign", "status")
        .annotate(n=Count("pk"))
    )
    for campaign, status, count in rows:
        posts[campaign][status] = count
    ideas = dict(
        ideas_for_user(user)
        .filter(campaign__isnull=False)
        .order_by()
        .values_list("campaign")
        .annotate(n=Count("pk"))
    )
    return dict(posts), ideas


def posts_to_plan(user: User) -> QuerySet[Post]:
    """Posts this person may see that no idea claims yet and that have not gone out."""
    return (
        posts_for_user(user)
        .filter(idea__isnull=True)
        .exclude(status__in=["published", "partly_published", "failed", "publishing"])
    )


def photos_described(ideas: QuerySet[Idea]) -> QuerySet[Idea]:
    """The ideas with their photos' descriptions and sizes, not their bytes (a list of 50
    ideas with four photos each would otherwise read 400 MB)."""
    return ideas.prefetch_related(
        Prefetch("photos", queryset=IdeaPhoto.objects.defer("content").order_by("pk"))
    )
