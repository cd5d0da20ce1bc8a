"""Who must approve a post, in which order, and who may approve it now.

The steps a post needs are the steps of each of its channels (in the order the channels were
added to the post, each channel's steps by position), then the steps of its campaign; a step
identical to an earlier one (same department, same people, same mode, same rule for authors)
is asked only once. A step is done for the post's current `version` when

- "any one of": one of its approvers approved;
- "all of": every named person approved, and for a department every *active* member of the
  department (the author is left out where the step does not let authors approve).

A step whose department has no active member and which names nobody active is approved by
managers and admins instead, so a post never waits for nobody. Without any steps, managers and
admins approve. Department members approve only in a step that is sent to their department.
Approvals count for the version they were given for: any change after an approval raises the
version and the post needs every step again.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from socialdesk.accounts.models import Role, User
from socialdesk.publishing.models import (
    ApprovalMode,
    ApprovalStep,
    Decision,
    Post,
    PostStatus,
)

DECIDERS = (Role.ADMIN, Role.MANAGER)
"""Who approves where no step names anyone."""
WAITING = (PostStatus.DRAFT, PostStatus.IN_REVIEW)
"""A post in these states can be approved (a draft directly, e.g. `posts add --approve`)."""


@dataclass
class Needed:
    """One step a post needs (`ids`: the identical steps of its channels and campaign)."""

    step: ApprovalStep
    ids: tuple[int, ...]
    approvers: list[User]
    approved_by: list[User] = field(default_factory=list)
    done: bool = False

    @property
    def mode(self) -> str:
        return self.step.mode

    @property
    def awaited(self) -> list[User]:
        """Who is still asked: everyone left for "all of", every approver for "any one of"."""
        if self.done:
            return []
        approved = {u.pk for u in self.approved_by}
        return [u for u in self.approvers if u.pk not in approved]


def _identity(step: ApprovalStep) -> tuple[object, ...]:
    people = tuple(sorted(p.pk for p in step.people.all()))
    return (step.department_id, people, step.mode, step.authors_may_approve)


def post_steps(post: Post) -> list[ApprovalStep]:
    """The steps of the post's channels, then of its campaign, identical ones once."""
    channel_ids = list(post.targets.order_by("pk").values_list("channel_id", flat=True))
    query = Q(channel_id__in=channel_ids)
    if post.campaign_id is not None:
        query |= Q(campaign_id=post.campaign_id)
    found = list(
        ApprovalStep.objects.filter(query)
        .select_related("department")
        .prefetch_related("people")
        .order_by("position", "pk")
    )
    order = {pk: i for i, pk in enumerate(channel_ids)}
    found.sort(
        key=lambda s: (
            order.get(s.channel_id, len(order)) if s.channel_id else len(order),
            s.position,
            s.pk,
        )
    )
    return found


def approvers_of(step: ApprovalStep, post: Post) -> list[User]:
    """Everyone who may approve in this step (named people and department members, active)."""
    people = {u.pk: u for u in step.people.all() if u.is_active}
    if step.department_id is not None:
        for member in User.objects.filter(departments=step.department_id, is_active=True):
            people.setdefault(member.pk, member)
    if not step.authors_may_approve and post.author_id is not None:
        people.pop(post.author_id, None)
    if not people:
        return list(
            User.objects.filter(role__in=DECIDERS, is_active=True).exclude(pk=post.author_id or 0)
        )
    return sorted(people.values(), key=lambda u: (u.full_name, u.email))


def needed(post: Post) -> list[Needed]:
    """The steps the post needs, each with its approvers and who approved this version."""
    groups: dict[tuple[object, ...], Needed] = {}
    for step in post_steps(post):
        key = _identity(step)
        if key in groups:
            groups[key].ids += (step.pk,)
        else:
            groups[key] = Needed(step=step, ids=(step.pk,), approvers=approvers_of(step, post))
    result = list(groups.values())
    approvals = list(
        post.approvals.filter(version=post.version, decision=Decision.APPROVED, step__isnull=False)
        .select_related("user")
        .order_by("created_at", "pk")
    )
    for one in result:
        one.approved_by = [a.user for a in approvals if a.step_id in one.ids and a.user]
        approved = {u.pk for u in one.approved_by}
        if one.mode == ApprovalMode.ALL:
            one.done = all(u.pk in approved for u in one.approvers)
        else:
            one.done = bool(approved)
    return result


def current_step(post: Post) -> Needed | None:
    """The first step not yet done for the current version (None: no steps, or all done)."""
    return next((one for one in needed(post) if not one.done), None)


def approved_fully(post: Post) -> bool:
    """Whether the current version has every approval it needs."""
    steps = needed(post)
    if steps:
        return all(one.done for one in steps)
    return post.approvals.filter(version=post.version, decision=Decision.APPROVED).exists()


def why_not_approve(user: User | None, post: Post) -> str | None:
    """Why this person may not approve the post now (None: they may)."""
    if post.status not in WAITING:
        return _("This post is not waiting for approval.")
    if user is None or not user.is_active:
        return _("Only active people can approve.")
    steps = needed(post)
    if not steps:
        if user.role in DECIDERS:
            return None
        return _("Only managers and admins approve posts without approval steps.")
    step = next((one for one in steps if not one.done), None)
    if step is None:
        return _("This version has every approval it needs.")
    if user.pk in {u.pk for u in step.approved_by}:
        return _("You have approved this version already.")
    if user.pk == post.author_id and not step.step.authors_may_approve:
        return _("You wrote this post: someone else has to approve it in this step.")
    if user.pk not in {u.pk for u in step.approvers}:
        return _("This step is not sent to you: it waits for %(who)s.") % {
            "who": describe(step.step)
        }
    return None


def may_approve(user: User | None, post: Post) -> bool:
    return why_not_approve(user, post) is None


def may_request_changes(user: User | None, post: Post) -> bool:
    """Managers and admins, and everyone a step of the post asks (not its author)."""
    if post.status not in (PostStatus.IN_REVIEW, PostStatus.APPROVED, PostStatus.SCHEDULED):
        return False
    if user is None or not user.is_active or user.pk == post.author_id:
        return False  # the author changes the post instead
    if user.role in DECIDERS:
        return True
    return any(user.pk in {u.pk for u in one.approvers} for one in needed(post))


def asked_now(post: Post) -> tuple[ApprovalStep | None, list[User]]:
    """The step the post waits for and the people it waits for (without steps: managers)."""
    if post.status != PostStatus.IN_REVIEW:
        return None, []
    steps = needed(post)
    if not steps:
        deciders = User.objects.filter(role__in=DECIDERS, is_active=True)
        return None, list(deciders.exclude(pk=post.author_id or 0))
    step = next((one for one in steps if not one.done), None)
    if step is None:
        return None, []
    return step.step, step.awaited


def describe(step: ApprovalStep) -> str:
    """Who a step asks, in words ("Legal", "Ada Admin, Max Manager")."""
    names = [str(p) for p in step.people.all()]
    if step.department_id is not None:
        names.insert(0, step.department.name if step.department else "")
    return ", ".join(n for n in names if n) or _("managers and admins")


def new_nonce() -> str:
    return secrets.token_urlsafe(24)
