"""Writes of the review part: internal comments on posts, and the approval steps themselves."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from socialdesk.accounts.audit import Acting, record
from socialdesk.accounts.models import Department, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.publishing import review_notify, selectors
from socialdesk.publishing.models import (
    ApprovalMode,
    ApprovalStep,
    Campaign,
    Post,
    PostComment,
)

MENTION = re.compile(r"(?<![\w.])@([\w.+-]+)")
COMMENT_LIMIT = 5000


def mentioned_people(text: str, post: Post) -> list[User]:
    """People named by @e-mail-name, @e-mail or @first-name who may open the post."""
    names = {m.lower().rstrip(".") for m in MENTION.findall(text)}
    if not names:
        return []
    query = Q()
    for name in names:
        query |= (
            Q(email__istartswith=f"{name}@")
            | Q(email__iexact=name)
            | Q(full_name__istartswith=name)
        )
    return [
        person
        for person in User.objects.filter(query, is_active=True)
        if selectors.posts_for_user(person).filter(pk=post.pk).exists()
    ]


@transaction.atomic
def post_comment_add(*, by: Acting, post: Post, text: str) -> PostComment:
    """An internal comment; people @mentioned who may open the post are told."""
    text = text.replace("\x00", "").strip()
    if not text:
        raise ValidationError({"text": _("Write a comment first.")})
    if len(text) > COMMENT_LIMIT:
        raise ValidationError(
            {
                "text": _("A comment can be at most %(limit)s characters long.")
                % {"limit": COMMENT_LIMIT}
            }
        )
    comment = PostComment.objects.create(post=post, author=by.user, text=text)
    people = [p for p in mentioned_people(text, post) if p != by.user]
    if people:
        who = str(by.user) if by.user is not None else _("Someone")
        review_notify.tell_mentioned(post, who, text, people)
    record(by, "post.commented", post)
    return comment


def _scope(channel: ChannelAccount | None, campaign: Campaign | None) -> Q:
    if (channel is None) == (campaign is None):
        raise ValidationError(_("Choose a channel or a campaign for the step."))
    return Q(channel=channel) if channel is not None else Q(campaign=campaign)


@transaction.atomic
def step_add(
    *,
    by: Acting,
    channel: ChannelAccount | None = None,
    campaign: Campaign | None = None,
    department: Department | None = None,
    people: list[User] | None = None,
    mode: str = ApprovalMode.ANY,
    authors_may_approve: bool = False,
) -> ApprovalStep:
    """Add a step at the end of a channel's or a campaign's steps."""
    scope = _scope(channel, campaign)
    people = list(people or [])
    if department is None and not people:
        raise ValidationError({"department": _("Choose a department or at least one person.")})
    if mode not in ApprovalMode.values:
        raise ValidationError({"mode": _("Choose “any one of them” or “all of them”.")})
    last = ApprovalStep.objects.filter(scope).aggregate(last=Max("position"))["last"]
    step = ApprovalStep.objects.create(
        channel=channel,
        campaign=campaign,
        department=department,
        position=0 if last is None else last + 1,
        mode=mode,
        authors_may_approve=authors_may_approve,
    )
    step.people.set(people)
    record(by, "approval_step.added", step)
    return step


@transaction.atomic
def step_remove(*, by: Acting, step: ApprovalStep) -> None:
    record(by, "approval_step.removed", step)
    step.delete()


@transaction.atomic
def step_move(*, by: Acting, step: ApprovalStep, up: bool) -> None:
    """Swap a step with the one before (up) or after it among its channel's or campaign's."""
    scope: dict[str, Any] = {"channel_id": step.channel_id, "campaign_id": step.campaign_id}
    siblings = list(
        ApprovalStep.objects.select_for_update().filter(**scope).order_by("position", "pk")
    )
    index = next(i for i, s in enumerate(siblings) if s.pk == step.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings):
        if sibling.position != position:
            ApprovalStep.objects.filter(pk=sibling.pk).update(position=position)
    record(by, "approval_step.moved", step)
