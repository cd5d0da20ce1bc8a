"""Posts: create, change, and move through their states (the one door for writes to posts).

draft → in review → approved → scheduled → publishing → published | partly published | failed.
Any change of text, media, channels or time after an approval raises the post's `version` and
sends it back to review; approvals count only for the version they were given for.
Ideas and campaigns have their own services (`idea_services.py`); approvals with steps are
decided in `approvals.py`, the sending itself in `engine.py`.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from socialdesk.accounts.audit import Acting, record
from socialdesk.channels.bluesky.record_keys import TID_ALPHABET
from socialdesk.channels.models import ChannelAccount
from socialdesk.core import changes
from socialdesk.publishing import approvals, idea_services, review_diff, review_notify, rules
from socialdesk.publishing.images import Prepared
from socialdesk.publishing.models import (
    EDITABLE,
    Approval,
    Campaign,
    Decision,
    Idea,
    PartState,
    Post,
    PostEvent,
    PostMedia,
    PostPart,
    PostStatus,
    PostTarget,
    TargetState,
)

# Fields whose change after an approval sends the post back to review.
REVIEWED = ("text", "thread", "scheduled_at", "content_warning", "link_url")


_last_micros = 0


def new_key() -> str:
    """A part's key: a TID (Bluesky's record key format: microseconds and a random clock id),
    strictly increasing in this process, fixed before any attempt."""
    global _last_micros
    now = timezone.now()
    micros = max(int(now.timestamp() * 1_000_000), _last_micros + 1)
    _last_micros = micros
    value = (micros << 10) | secrets.randbits(10)
    return "".join(TID_ALPHABET[(value >> (5 * i)) & 0x1F] for i in reversed(range(13)))


def event(post: Post, by: Acting | None, kind: str, **data: Any) -> PostEvent:
    return PostEvent.objects.create(
        post=post, actor=by.user if by is not None else None, kind=kind, data=data
    )


def texts(post: Post) -> list[str]:
    """The main text's parts: the text, then the thread's later parts."""
    return [post.text, *[str(t) for t in post.thread or [] if str(t).strip()]]


def _set_parts(target: PostTarget, parts: Sequence[str]) -> None:
    """Give a target the parts `parts` (only while none of them has gone out)."""
    if target.parts.exclude(state=PartState.PENDING).exists():
        raise ValidationError(_("This post is already on its way; it can no longer be changed."))
    target.parts.all().delete()
    PostPart.objects.bulk_create(
        PostPart(target=target, position=i, text=text, key=new_key())
        for i, text in enumerate(parts)
    )


def _check_time(at: datetime | None) -> None:
    if at is not None and at < timezone.now() - timedelta(minutes=1):
        raise ValidationError({"scheduled_at": _("This time is in the past.")})


@transaction.atomic
def post_create(
    *,
    by: Acting,
    text: str,
    channels: Iterable[ChannelAccount],
    thread: Sequence[str] = (),
    variants: dict[int, Sequence[str]] | None = None,
    campaign: Campaign | None = None,
    idea: Idea | None = None,
    scheduled_at: datetime | None = None,
    title: str = "",
    language: str = "",
    content_warning: str = "",
    visibility: str = "public",
    link_url: str = "",
) -> Post:
    """A new draft for `channels`; `variants` maps a channel's id to its own parts."""
    chosen = list(channels)
    if not chosen:
        raise ValidationError({"channels": _("Choose at least one channel.")})
    if not text.strip():
        raise ValidationError({"text": _("Write the text of the post.")})
    _check_time(scheduled_at)
    post = Post.objects.create(
        title=title,
        text=text,
        thread=list(thread),
        campaign=campaign,
        idea=idea,
        author=by.user,
        scheduled_at=scheduled_at,
        language=language,
        content_warning=content_warning,
        visibility=visibility,
        link_url=link_url,
    )
    variants = variants or {}
    for channel in chosen:
        own = variants.get(channel.pk)
        target = PostTarget.objects.create(post=post, channel=channel, customised=own is not None)
        _set_parts(target, own if own is not None else texts(post))
    event(post, by, "created")
    record(by, "post.created", post)
    idea_services.on_post_created(post)  # its story idea is planned from now on
    changes.changed("publishing.post", [post.pk])
    return post


def _back_to_review(
    post: Post, by: Acting, changed: list[str], before: dict[str, Any] | None = None
) -> bool:
    """A change after approval: raise the version, and ask for review again (recording what
    changed, before and after). Return whether the approvers must be asked again (the post is
    in review: links for the old version no longer work)."""
    approved_before = post.approvals.filter(
        version=post.version, decision=Decision.APPROVED
    ).exists()
    post.version += 1
    if post.status in (PostStatus.APPROVED, PostStatus.SCHEDULED) or (
        post.status == PostStatus.IN_REVIEW and approved_before
    ):
        post.status = PostStatus.IN_REVIEW
        after = review_diff.snapshot(post) if before is not None else {}
        event(
            post, by, "back_to_review", changed=changed,
            diff=review_diff.changes(before, after) if before is not None else {},
            names=after.get("channels", {}), main=texts(post),
        )  # fmt: skip
    # The links sent for the old version no longer work: whoever is asked gets new ones.
    return post.status == PostStatus.IN_REVIEW


@transaction.atomic
def post_update(
    *,
    by: Acting,
    post: Post,
    channels: Iterable[ChannelAccount] | None = None,
    variants: dict[int, Sequence[str] | None] | None = None,
    **fields: Any,
) -> Post:
    """Change a post that has not gone out. `variants` sets a channel's own parts (None: it
    follows the main text again). Returns the post with `changed` listed in its history."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.status not in EDITABLE:
        raise ValidationError(_("This post is already on its way; it can no longer be changed."))
    before = review_diff.snapshot(post)
    back = False
    if "scheduled_at" in fields:
        _check_time(fields["scheduled_at"])
    changed = [name for name, value in fields.items() if getattr(post, name) != value]
    # Giving a time to a post that had none is planning, not a change of what was approved.
    first_time = "scheduled_at" in changed and post.scheduled_at is None
    for name in changed:
        setattr(post, name, fields[name])
    if channels is not None:
        wanted = {c.pk: c for c in channels}
        if not wanted:
            raise ValidationError({"channels": _("Choose at least one channel.")})
        current = set(post.targets.values_list("channel_id", flat=True))
        if set(wanted) != current:
            changed.append("channels")
            post.targets.exclude(channel_id__in=wanted).delete()
            for pk in set(wanted) - current:
                PostTarget.objects.create(post=post, channel=wanted[pk])
    for target in post.targets.all():
        own = (variants or {}).get(target.channel_id, ...)
        if own is not ...:
            target.customised = own is not None
            target.save(update_fields=["customised"])
            changed.append(f"variant:{target.channel_id}")
        wanted_parts = list(own) if isinstance(own, Sequence) else None
        if wanted_parts is None and not target.customised:
            wanted_parts = texts(post)
        if wanted_parts is not None and wanted_parts != list(
            target.parts.values_list("text", flat=True)
        ):
            _set_parts(target, wanted_parts)
    changed = list(dict.fromkeys(changed))
    if changed:
        reviewed = [c for c in changed if not (first_time and c == "scheduled_at")]
        if any(c in REVIEWED or c == "channels" or c.startswith("variant:") for c in reviewed):
            back = _back_to_review(post, by, changed, before)
        post.save()
        event(post, by, "changed", changed=changed)
        if back:
            review_notify.ask_approvers(post)
        changes.changed("publishing.post", [post.pk])
    return post


def mark_changed(post: Post, by: Acting, what: str, before: dict[str, Any] | None = None) -> None:
    """Something reviewed changed outside `post_update` (e.g. an image): back to review.
    `before` (`review_diff.snapshot(post)` taken before the change) lets the page show what."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    back = _back_to_review(post, by, [what], before)
    post.save()
    event(post, by, "changed", changed=[what])
    if back:
        review_notify.ask_approvers(post)


def _move(post: Post, by: Acting, to: PostStatus, kind: str, **data: Any) -> Post:
    Post.objects.filter(pk=post.pk).update(status=to, updated_at=timezone.now())
    post.status = to
    event(post, by, kind, **data)
    record(by, f"post.{kind}", post)
    return post


@transaction.atomic
def post_submit(*, by: Acting, post: Post) -> Post:
    """Ask for review (draft → in review)."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.status != PostStatus.DRAFT:
        raise ValidationError(_("Only a draft can be sent for review."))
    rules.require_ready(post)  # too long for a network, an image without alt text, …
    _move(post, by, PostStatus.IN_REVIEW, "submitted")
    review_notify.ask_approvers(post)
    return post


def approved_fully(post: Post) -> bool:
    """Whether the current version has every approval it needs (decided in `approvals.py`)."""
    return approvals.approved_fully(post)


@transaction.atomic
def post_approve(*, by: Acting, post: Post, comment: str = "", by_link: bool = False) -> Post:
    """Approve the current version; when it has every approval it needs, it is approved, and
    scheduled when it has a time."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    refused = approvals.why_not_approve(by.user, post)
    if refused is not None:
        raise ValidationError(refused)
    rules.require_ready(post)  # too long for a network, an image without alt text, …
    step = approvals.current_step(post)
    Approval.objects.create(
        post=post,
        step=step.step if step else None,
        user=by.user,
        version=post.version,
        decision=Decision.APPROVED,
        comment=comment,
        by_link=by_link,
    )
    event(
        post, by, "approval", comment=comment, by_link=by_link, version=post.version,
        step=approvals.describe(step.step) if step else "",
    )  # fmt: skip
    if approved_fully(post):
        _move(post, by, PostStatus.APPROVED, "approved")
        if post.author_id != (by.user.pk if by.user else None):
            review_notify.tell_author(
                post, by.name if by.user is None else str(by.user), approved=True
            )
        if post.scheduled_at is not None:
            _move(post, by, PostStatus.SCHEDULED, "scheduled", at=post.scheduled_at.isoformat())
    elif post.status == PostStatus.IN_REVIEW and _step_pk(approvals.current_step(post)) != _step_pk(
        step
    ):
        review_notify.ask_approvers(post)  # a step is done: the next one is asked
    return post


def _step_pk(step: approvals.Needed | None) -> int | None:
    return step.step.pk if step is not None else None


@transaction.atomic
def post_request_changes(*, by: Acting, post: Post, comment: str, by_link: bool = False) -> Post:
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.status not in (PostStatus.IN_REVIEW, PostStatus.APPROVED, PostStatus.SCHEDULED):
        raise ValidationError(_("This post is not waiting for approval."))
    if not approvals.may_request_changes(by.user, post):
        raise ValidationError(_("Only the people asked to approve this post can ask for changes."))
    if not comment.strip():
        raise ValidationError({"comment": _("Say what should change.")})
    step = approvals.current_step(post)
    Approval.objects.create(
        post=post,
        step=step.step if step else None,
        user=by.user,
        version=post.version,
        decision=Decision.CHANGES,
        comment=comment,
        by_link=by_link,
    )
    _move(post, by, PostStatus.DRAFT, "changes_requested", comment=comment)
    who = str(by.user) if by.user is not None else by.name
    review_notify.tell_author(post, who, approved=False, comment=comment)
    return post


@transaction.atomic
def post_schedule(*, by: Acting, post: Post, at: datetime) -> Post:
    """Set the time; an approved post is then scheduled. (Moving the time of a post that was
    approved with a time is a change: it goes back to review, `post_update`.)"""
    post = post_update(by=by, post=post, scheduled_at=at)
    if post.status == PostStatus.APPROVED:
        _move(post, by, PostStatus.SCHEDULED, "scheduled", at=at.isoformat())
    return post


@transaction.atomic
def post_publish_now(*, by: Acting, post: Post) -> Post:
    """An approved or scheduled post goes out at once (the worker takes it on its next turn)."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.status not in (PostStatus.APPROVED, PostStatus.SCHEDULED):
        raise ValidationError(_("Only an approved post can be published."))
    now = timezone.now()
    Post.objects.filter(pk=post.pk).update(scheduled_at=now)
    post.scheduled_at = now
    post = _move(post, by, PostStatus.SCHEDULED, "publish_now")
    from socialdesk.publishing.delivery import publish_soon  # the engine builds on this module

    publish_soon()  # the worker takes it at once, not on its next look
    return post


def target_states(post: Post) -> dict[int, str]:
    return dict(post.targets.values_list("channel_id", "state"))


__all__ = [
    "TargetState",
    "event",
    "mark_changed",
    "new_key",
    "post_approve",
    "post_create",
    "post_publish_now",
    "post_request_changes",
    "post_schedule",
    "post_submit",
    "post_update",
    "texts",
]


# --- api (issue 12 item 9): images of a post, and the alt-text check before approval ---


@transaction.atomic
def store_media(
    post: Post, image: Prepared, *, part: int = 0, alt_text: str = "", filename: str = ""
) -> PostMedia:
    """One image row after the part's last image (the caller holds the post's lock, checks the
    post may change, marks it changed and audits)."""
    last = PostMedia.objects.filter(post=post, part=part).aggregate(n=Max("position"))["n"]
    return PostMedia.objects.create(
        post=post,
        part=part,
        position=0 if last is None else last + 1,
        content=image.content,
        mime=image.mime,
        width=image.width,
        height=image.height,
        alt_text=alt_text,
        filename=filename[:255],
    )


def post_add_image(
    *, by: Acting, post: Post, image: Prepared, alt_text: str = "", part: int = 0,
    filename: str = "",
) -> PostMedia:  # fmt: skip
    """Add an image (already checked and re-encoded by `images.prepare`) to part `part`; on a
    post that was approved this is a change that sends it back to review."""
    locked = Post.objects.select_for_update().get(pk=post.pk)
    if locked.status not in EDITABLE:
        raise ValidationError(_("This post is already on its way; it can no longer be changed."))
    media = store_media(locked, image, part=part, alt_text=alt_text, filename=filename)
    if locked.status in (PostStatus.APPROVED, PostStatus.SCHEDULED):
        mark_changed(locked, by, "media")
    record(by, "post.image_added", locked)
    return media


def check_alt_texts(post: Post) -> None:
    """ValidationError (field `alt_text`) when an image of the post has no alt text: every
    image needs one before it can be approved."""
    missing = [
        i + 1
        for i, alt in enumerate(post.media.values_list("alt_text", flat=True))
        if not alt.strip()
    ]
    if missing:
        raise ValidationError(
            {
                "alt_text": ngettext(
                    "Image %(numbers)s has no alt text; every image needs one before approval.",
                    "Images %(numbers)s have no alt text; every image needs one before approval.",
                    len(missing),
                )
                % {"numbers": ", ".join(map(str, missing))}
            }
        )


@transaction.atomic
def post_change_images(
    *, by: Acting, post: Post, alt_texts: dict[int, str] | None = None,
    remove: Iterable[int] = (),
) -> list[str]:  # fmt: skip
    """Set the alt text of images (by id) and remove images of a post that has not gone out;
    on an approved post this sends it back to review. Returns what changed."""
    locked = Post.objects.select_for_update().get(pk=post.pk)
    if locked.status not in EDITABLE:
        raise ValidationError(_("This post is already on its way; it can no longer be changed."))
    changed: list[str] = []
    for media in PostMedia.objects.filter(post=locked, pk__in=(alt_texts or {}).keys()):
        wanted = (alt_texts or {})[media.pk]
        if media.alt_text != wanted:
            media.alt_text = wanted
            media.save(update_fields=["alt_text"])
            changed.append(f"alt_text:{media.pk}")
    removed, _kinds = PostMedia.objects.filter(post=locked, pk__in=list(remove)).delete()
    if removed:
        changed.append("media")
    if changed:
        if locked.status in (PostStatus.APPROVED, PostStatus.SCHEDULED):
            mark_changed(locked, by, "media")
        else:
            event(locked, by, "changed", changed=changed)
        record(by, "post.images_changed", locked)
    return changed
