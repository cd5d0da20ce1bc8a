"""What people do and hear about a post's delivery: told when a channel refused it for good,
"retry after editing" for a failed channel, "publish now" (services.post_publish_now).

The sending itself is in `engine.py`; the worker's task in `tasks.py`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from socialdesk.accounts.audit import Acting, record
from socialdesk.accounts.models import Role, User
from socialdesk.channels.errors import explain
from socialdesk.inbox.models import Notification
from socialdesk.inbox.notify import excerpt, notify
from socialdesk.publishing.models import (
    PartState,
    Post,
    PostPart,
    PostStatus,
    PostTarget,
    TargetState,
)
from socialdesk.publishing.services import event

logger = logging.getLogger(__name__)

# A failed channel can be tried again while its post is in one of these states.
RETRYABLE = (
    PostStatus.PUBLISHING,
    PostStatus.PARTLY_PUBLISHED,
    PostStatus.FAILED,
    PostStatus.PUBLISHED,
)


def post_path(post: Post) -> str:
    """The post's page (the composer's `publishing:post`), or the publishing area."""
    for name in ("publishing:post", "publishing:post_detail"):
        try:
            return reverse(name, args=[post.pk])
        except NoReverseMatch:
            continue
    return reverse("shell:publishing")


def error_sentence(target: PostTarget) -> str:
    """Why a channel failed, in plain words in the active language."""
    return explain(target.error_code or "unknown", target.channel.network)


def social_team() -> list[User]:
    """Who hears about a post that could not go out: the managers and admins."""
    return list(
        User.objects.filter(is_active=True, role__in=[Role.ADMIN, Role.MANAGER]).order_by("pk")
    )


def tell_failed(post: Post, target: PostTarget) -> None:
    """Tell the author and the social team, in the app and by e-mail, each in their language."""
    people = {p.pk: p for p in social_team()}
    if post.author is not None and post.author.is_active:
        people.setdefault(post.author.pk, post.author)
    channel = target.channel.name or target.channel.handle
    quote = excerpt(post.title or post.text)
    notify(
        people.values(),
        kind=Notification.Kind.POST,
        path=post_path(post),
        title=lambda: (
            _("Not published on %(channel)s: “%(post)s”") % {"channel": channel, "post": quote}
        ),
        template="publishing/email/post_failed.txt",
        context={"post": post, "target": target, "channel": channel, "excerpt": quote},
    )


def publish_soon() -> None:
    """Queue a pass of the worker when the transaction commits (the schedule would find it
    within a second anyway)."""

    def enqueue() -> None:
        try:
            from socialdesk.publishing.tasks import publish_posts

            publish_posts.enqueue()
        except Exception:  # the worker's rhythm picks it up anyway
            logger.exception("could not queue publishing")

    transaction.on_commit(enqueue)


@transaction.atomic
def target_retry(
    *, by: Acting, target: PostTarget, texts: Sequence[str] | None = None
) -> PostTarget:
    """Try a failed channel again, after editing the parts that are not on the network yet
    (`texts`, in order; None keeps them). The parts already published are kept; an earlier
    attempt is looked up on the network before anything is sent again."""
    post = Post.objects.select_for_update().get(pk=target.post_id)
    target = PostTarget.objects.select_related("channel").get(pk=target.pk)
    if target.state != TargetState.FAILED or post.status not in RETRYABLE:
        raise ValidationError(_("Only a channel that failed can be tried again."))
    open_parts = list(target.parts.exclude(state=PartState.SENT).order_by("position"))
    changed: list[int] = []
    if texts is not None:
        if len(texts) != len(open_parts):
            raise ValidationError(_("The parts changed meanwhile; reload the page."))
        for part, text in zip(open_parts, texts, strict=True):
            if not text.strip():
                raise ValidationError({"text": _("Write the text of the post.")})
            if text != part.text:
                PostPart.objects.filter(pk=part.pk).update(text=text)
                changed.append(part.position)
    for part in open_parts:
        PostPart.objects.filter(pk=part.pk).update(
            state=PartState.PENDING,
            next_at=None,
            claimed_at=None,
            error="",
            # An earlier attempt may have reached the network: look before posting again.
            attempts=max(1, part.attempts) if part.state == PartState.FAILED else part.attempts,
        )
    before = {"error_code": target.error_code, "error": target.error[:500]}
    PostTarget.objects.filter(pk=target.pk).update(
        state=TargetState.PUBLISHING, error_code="", error=""
    )
    Post.objects.filter(pk=post.pk).update(status=PostStatus.PUBLISHING, updated_at=timezone.now())
    channel = target.channel.name or target.channel.handle
    event(post, by, "retried", channel=channel, channel_id=target.channel_id, edited=changed)
    record(by, "post.target_retried", post, before=before, after={"channel": target.channel_id})
    publish_soon()
    target.refresh_from_db()
    return target
