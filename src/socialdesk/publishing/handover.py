"""Publishing's part of a person's hand-over list: their unpublished posts and open ideas."""

from __future__ import annotations

from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from socialdesk.accounts.handover import SHOWN, HandoverSection, section_of
from socialdesk.accounts.models import User
from socialdesk.publishing.models import Idea, IdeaStatus, Post, PostStatus
from socialdesk.publishing.selectors import ideas_for_user, posts_for_user

UNFINISHED = (
    PostStatus.DRAFT,
    PostStatus.IN_REVIEW,
    PostStatus.APPROVED,
    PostStatus.SCHEDULED,
    PostStatus.FAILED,
    PostStatus.PARTLY_PUBLISHED,
)
OPEN_IDEAS = (IdeaStatus.NEW, IdeaStatus.ACCEPTED, IdeaStatus.PLANNED)


def unfinished_posts(person: User, viewer: User) -> HandoverSection | None:
    held = posts_for_user(viewer).filter(author=person, status__in=UNFINISHED)
    total = held.count()
    if not total:
        return None
    rows = held.order_by("-pk")[:SHOWN]
    return section_of(_("Posts not yet published"), rows, _post_text, _post_url, total)


def open_ideas(person: User, viewer: User) -> HandoverSection | None:
    held = ideas_for_user(viewer).filter(submitted_by=person, status__in=OPEN_IDEAS)
    total = held.count()
    if not total:
        return None
    rows = held.order_by("-pk")[:SHOWN]
    return section_of(_("Open story ideas"), rows, _idea_text, _idea_url, total)


def _post_text(post: Post) -> str:
    return f"{Truncator(' '.join(post.text.split())).chars(80)} · {post.get_status_display()}"


def _post_url(post: Post) -> str:
    return reverse("publishing:post", args=[post.pk])


def _idea_text(idea: Idea) -> str:
    return f"{idea.title} · {idea.get_status_display()}"


def _idea_url(idea: Idea) -> str:
    return reverse("publishing:idea", args=[idea.pk])
