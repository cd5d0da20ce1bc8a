"""Reads for publishing: which ideas, posts and campaigns a person may see (one selector per
model, used by every list, count, calendar, feed, export and preview).

The team (admins, managers, agents) and viewers see every post and idea. A department member
sees the ideas they submitted or that concern their departments, and the posts they wrote or
that an approval step sends to them or their departments.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from socialdesk.accounts.models import Role, User
from socialdesk.publishing.models import ApprovalStep, Campaign, Idea, Post, PostTarget


def sees_all(user: User) -> bool:
    return user.role != Role.MEMBER


def ideas_for_user(user: User) -> QuerySet[Idea]:
    ideas = Idea.objects.select_related("department", "campaign", "submitted_by")
    if not sees_all(user):
        ideas = ideas.filter(Q(submitted_by=user) | Q(department__in=user.departments.all()))
    return ideas


def idea_for_user(user: User, pk: int) -> Idea:
    try:
        return ideas_for_user(user).get(pk=pk)
    except Idea.DoesNotExist:
        raise Http404 from None


def steps_for_user(user: User) -> QuerySet[ApprovalStep]:
    """The approval steps that ask this person (by name or through a department)."""
    return ApprovalStep.objects.filter(Q(people=user) | Q(department__in=user.departments.all()))


def posts_for_user(user: User) -> QuerySet[Post]:
    posts = Post.objects.select_related("campaign", "author")
    if not sees_all(user):
        steps = steps_for_user(user)
        asked = Q(targets__channel__in=steps.values("channel")) | Q(
            campaign__in=steps.values("campaign")
        )
        posts = posts.filter(Q(author=user) | Q(pk__in=Post.objects.filter(asked).values("pk")))
    return posts


def post_for_user(user: User, pk: int) -> Post:
    try:
        return posts_for_user(user).get(pk=pk)
    except Post.DoesNotExist:
        raise Http404 from None


def campaigns_for_user(user: User) -> QuerySet[Campaign]:
    """Campaigns are the plan everyone works to: every signed-in person sees them."""
    return Campaign.objects.all()


def target_for_user(user: User, pk: int) -> PostTarget:
    """A post's channel (its delivery), when the person may see the post."""
    try:
        return PostTarget.objects.select_related("channel", "post").get(
            pk=pk, post__in=posts_for_user(user).values("pk")
        )
    except PostTarget.DoesNotExist:
        raise Http404 from None
