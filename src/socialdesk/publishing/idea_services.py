"""Story ideas: submit, decide, plan, discuss and follow (the one door for writes to ideas).

new → accepted → planned (linked to its posts) → published, or declined with a reason the
submitter is told in the app and by e-mail, in their language. The submitter follows their idea;
followers hear of every change of status and every comment. The post services and the engine
move an idea along with its posts: `on_post_created` (planned) and `on_post_published`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from socialdesk.accounts.audit import Acting, record
from socialdesk.accounts.models import Department, Role, User
from socialdesk.core import changes
from socialdesk.inbox.models import Notification
from socialdesk.inbox.notify import excerpt, notify
from socialdesk.publishing import images
from socialdesk.publishing.models import (
    Campaign,
    Idea,
    IdeaComment,
    IdeaPhoto,
    IdeaStatus,
    Post,
)

MAX_PHOTOS = 4
PHOTO_BYTES = 2_000_000
ALT_TEXT_LIMIT = 1500  # what Mastodon takes as a description
TEXT_LIMIT = 10_000
COMMENT_LIMIT = 5_000
# From which states each decision may be taken.
ACCEPTABLE = (IdeaStatus.NEW, IdeaStatus.DECLINED)
DECLINABLE = (IdeaStatus.NEW, IdeaStatus.ACCEPTED)
PLANNABLE = (IdeaStatus.NEW, IdeaStatus.ACCEPTED, IdeaStatus.PLANNED)


@dataclass(frozen=True)
class PhotoUpload:
    """A photo as it came (bytes of any size and kind), with the words describing it."""

    data: bytes
    alt_text: str
    filename: str = ""


def _text(
    errors: dict[str, list[str]],
    field: str,
    value: str,
    *,
    limit: int,
    required: bool,
    missing: str,
) -> str:
    """Collect the error of one text field (empty, too long, a NUL character) under its name."""
    value = value.strip()
    if "\x00" in value:
        errors.setdefault(field, []).append(_("This text contains a NUL character."))
    elif required and not value:
        errors.setdefault(field, []).append(missing)
    elif len(value) > limit:
        errors.setdefault(field, []).append(
            _("Shorten this to %(limit)s characters (it has %(count)s).")
            % {
                "limit": number_format(limit, force_grouping=True),
                "count": number_format(len(value), force_grouping=True),
            }
        )
    return value


def _prepared_photos(
    photos: Sequence[PhotoUpload], errors: dict[str, list[str]]
) -> list[tuple[PhotoUpload, images.Prepared]]:
    """Check and re-encode every photo before anything is stored; errors under `photos.<i>`
    (the file) and `photos.<i>.alt_text` (its description)."""
    if len(photos) > MAX_PHOTOS:
        errors.setdefault("photos", []).append(
            _("Choose at most %(count)s photos.") % {"count": MAX_PHOTOS}
        )
        return []
    ready: list[tuple[PhotoUpload, images.Prepared]] = []
    for index, photo in enumerate(photos):
        _text(
            errors,
            f"photos.{index}.alt_text",
            photo.alt_text,
            limit=ALT_TEXT_LIMIT,
            required=True,
            missing=_("Describe the photo for people who cannot see it (alt text)."),
        )
        try:
            prepared = images.prepare(photo.data, max_bytes=PHOTO_BYTES)
        except ValidationError as error:
            errors.setdefault(f"photos.{index}", []).extend(error.messages)
            continue
        ready.append((photo, prepared))
    return ready


def _tell_followers(
    idea: Idea, by: Acting, title: Callable[[], str], *, also: Iterable[User] = ()
) -> None:
    """Tell the idea's followers (and `also`) what happened, except the person who did it."""
    people = {p.pk: p for p in idea.followers.filter(is_active=True)}
    people |= {p.pk: p for p in also if p.is_active}
    if by.user is not None:
        people.pop(by.user.pk, None)
    notify(
        people.values(),
        kind=Notification.Kind.IDEA,
        path=reverse("publishing:idea", args=[idea.pk]),
        title=title,
        template="publishing/ideas/email/changed.txt",
        context={"idea": idea, "headline": title},
    )


def _quoted(idea: Idea) -> str:
    return excerpt(idea.title)


@transaction.atomic
def idea_submit(
    *,
    by: Acting,
    title: str,
    what_happened: str,
    why_it_matters: str = "",
    department: Department | None = None,
    people_involved: str = "",
    about_date: date | None = None,
    campaign: Campaign | None = None,
    photos: Sequence[PhotoUpload] = (),
) -> Idea:
    """A new idea with its photos, or a ValidationError naming each wrong field and nothing
    stored. The submitter follows it; the managers hear of it."""
    errors: dict[str, list[str]] = {}
    title = _text(
        errors, "title", title, limit=200, required=True, missing=_("Give the story a short title.")
    )
    what_happened = _text(
        errors,
        "what_happened",
        what_happened,
        limit=TEXT_LIMIT,
        required=True,
        missing=_("Tell us what happened."),
    )
    why_it_matters = _text(
        errors, "why_it_matters", why_it_matters, limit=TEXT_LIMIT, required=False, missing=""
    )
    people_involved = _text(
        errors, "people_involved", people_involved, limit=TEXT_LIMIT, required=False, missing=""
    )
    if campaign is not None and campaign.archived_at is not None:
        errors.setdefault("campaign", []).append(_("This campaign is archived."))
    ready = _prepared_photos(photos, errors)
    if errors:
        raise ValidationError(errors)
    idea = Idea.objects.create(
        title=title,
        what_happened=what_happened,
        why_it_matters=why_it_matters,
        department=department,
        people_involved=people_involved,
        about_date=about_date,
        campaign=campaign,
        submitted_by=by.user,
    )
    IdeaPhoto.objects.bulk_create(
        IdeaPhoto(
            idea=idea,
            content=prepared.content,
            mime=prepared.mime,
            width=prepared.width,
            height=prepared.height,
            alt_text=photo.alt_text.strip(),
            filename=photo.filename.replace("\x00", "")[:255],
        )
        for photo, prepared in ready
    )
    if by.user is not None:
        idea.followers.add(by.user)
    record(by, "idea.submitted", idea, after={"status": idea.status})
    changes.changed("publishing.idea", [idea.pk])
    who = (by.user.full_name or by.user.email) if by.user is not None else _("Someone")
    managers = User.objects.filter(role=Role.MANAGER, is_active=True)
    quoted = _quoted(idea)
    _tell_followers(
        idea,
        by,
        lambda: _("New story idea from %(who)s: “%(title)s”") % {"who": who, "title": quoted},
        also=managers,
    )
    return idea


def _locked(idea: Idea) -> Idea:
    return Idea.objects.select_for_update().get(pk=idea.pk)


def _status_error(idea: Idea) -> ValidationError:
    return ValidationError(
        _("This idea is %(status)s; that cannot be done now.")
        % {"status": idea.get_status_display().lower()}
    )


def _decide(idea: Idea, by: Acting, status: IdeaStatus, reason: str = "") -> None:
    before = idea.status
    idea.status = status
    idea.decline_reason = reason
    idea.decided_by = by.user
    idea.decided_at = timezone.now()
    idea.save(update_fields=["status", "decline_reason", "decided_by", "decided_at", "updated_at"])
    changes.changed("publishing.idea", [idea.pk])
    after = {"status": status.value, **({"reason": reason} if reason else {})}
    record(by, f"idea.{status.value}", idea, before={"status": before}, after=after)


@transaction.atomic
def idea_accept(*, by: Acting, idea: Idea) -> Idea:
    """The team wants to tell this story (also an idea declined before, on second thoughts)."""
    idea = _locked(idea)
    if idea.status not in ACCEPTABLE:
        raise _status_error(idea)
    _decide(idea, by, IdeaStatus.ACCEPTED)
    quoted = _quoted(idea)
    _tell_followers(idea, by, lambda: _("Story idea “%(title)s” was accepted") % {"title": quoted})
    return idea


@transaction.atomic
def idea_decline(*, by: Acting, idea: Idea, reason: str) -> Idea:
    """Decline with a reason; the submitter is told (even if they no longer follow it)."""
    errors: dict[str, list[str]] = {}
    reason = _text(
        errors,
        "reason",
        reason,
        limit=COMMENT_LIMIT,
        required=True,
        missing=_("Tell the submitter why, so they can suggest a better story."),
    )
    if errors:
        raise ValidationError(errors)
    idea = _locked(idea)
    if idea.status not in DECLINABLE:
        raise _status_error(idea)
    _decide(idea, by, IdeaStatus.DECLINED, reason)
    quoted = _quoted(idea)
    submitter = [idea.submitted_by] if idea.submitted_by is not None else []
    _tell_followers(
        idea,
        by,
        lambda: _("Story idea “%(title)s” was declined") % {"title": quoted},
        also=submitter,
    )
    return idea


def _planned(idea: Idea, by: Acting, posts: list[int]) -> None:
    before = idea.status
    Idea.objects.filter(pk=idea.pk).update(status=IdeaStatus.PLANNED, updated_at=timezone.now())
    idea.status = IdeaStatus.PLANNED
    record(
        by,
        "idea.planned",
        idea,
        before={"status": before},
        after={"status": IdeaStatus.PLANNED.value, "posts": posts},
    )
    quoted = _quoted(idea)
    _tell_followers(idea, by, lambda: _("Story idea “%(title)s” is planned") % {"title": quoted})


@transaction.atomic
def idea_plan(*, by: Acting, idea: Idea, posts: Iterable[Post]) -> Idea:
    """Link the posts that tell this story; the idea is planned."""
    chosen = list(posts)
    if not chosen:
        raise ValidationError({"posts": _("Choose the posts that tell this story.")})
    idea = _locked(idea)
    if idea.status not in PLANNABLE:
        raise _status_error(idea)
    Post.objects.filter(pk__in=[p.pk for p in chosen]).update(idea=idea)
    if idea.status == IdeaStatus.PLANNED:
        record(by, "idea.posts_linked", idea, after={"posts": [p.pk for p in chosen]})
    else:
        _planned(idea, by, [p.pk for p in chosen])
    return idea


@transaction.atomic
def idea_set_campaign(*, by: Acting, idea: Idea, campaign: Campaign | None) -> Idea:
    idea = _locked(idea)
    if campaign is not None and campaign.archived_at is not None:
        raise ValidationError({"campaign": _("This campaign is archived.")})
    before = idea.campaign.name if idea.campaign else ""
    idea.campaign = campaign
    idea.save(update_fields=["campaign", "updated_at"])
    record(
        by,
        "idea.campaign_changed",
        idea,
        before={"campaign": before},
        after={"campaign": campaign.name if campaign else ""},
    )
    return idea


@transaction.atomic
def idea_comment(*, by: Acting, idea: Idea, text: str) -> IdeaComment:
    """A comment; its author follows the idea from now on, the other followers are told."""
    errors: dict[str, list[str]] = {}
    text = _text(
        errors, "text", text, limit=COMMENT_LIMIT, required=True, missing=_("Write a comment.")
    )
    if errors:
        raise ValidationError(errors)
    comment = IdeaComment.objects.create(idea=idea, author=by.user, text=text)
    if by.user is not None:
        idea.followers.add(by.user)
    record(by, "idea.commented", idea)
    who = (by.user.full_name or by.user.email) if by.user is not None else _("Someone")
    quoted, said = _quoted(idea), excerpt(text)
    _tell_followers(
        idea,
        by,
        lambda: _("%(who)s on “%(title)s”: %(text)s") % {"who": who, "title": quoted, "text": said},
    )
    return comment


@transaction.atomic
def idea_follow(*, by: Acting, idea: Idea) -> None:
    if by.user is not None:
        idea.followers.add(by.user)


@transaction.atomic
def idea_unfollow(*, by: Acting, idea: Idea) -> None:
    if by.user is not None:
        idea.followers.remove(by.user)


def on_post_created(post: Post) -> None:
    """A post was written for an idea: a new or accepted idea is planned from now on."""
    if post.idea_id is None:
        return
    with transaction.atomic():
        idea = Idea.objects.select_for_update().get(pk=post.idea_id)
        if idea.status in (IdeaStatus.NEW, IdeaStatus.ACCEPTED):
            _planned(idea, Acting(user=post.author), [post.pk])


def on_post_published(post: Post) -> None:
    """A post of an idea went out (on at least one network): the idea is published."""
    if post.idea_id is None:
        return
    with transaction.atomic():
        idea = Idea.objects.select_for_update().get(pk=post.idea_id)
        if idea.status == IdeaStatus.PUBLISHED:
            return
        by = Acting(user=None, label="publishing")
        before = idea.status
        Idea.objects.filter(pk=idea.pk).update(
            status=IdeaStatus.PUBLISHED, updated_at=timezone.now()
        )
        idea.status = IdeaStatus.PUBLISHED
        record(
            by,
            "idea.published",
            idea,
            before={"status": before},
            after={"status": IdeaStatus.PUBLISHED.value, "posts": [post.pk]},
        )
        quoted = _quoted(idea)
        _tell_followers(idea, by, lambda: _("Story “%(title)s” is published") % {"title": quoted})
