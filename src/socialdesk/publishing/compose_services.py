"""Saving what the composer holds: a post, its variants, its images and its link card, in one
piece or not at all.

Uploaded images are checked and shrunk to the strictest limits of the chosen channels, and the
link card is fetched, before the transaction opens (no lock is held while a page is fetched or
an image re-encoded). Inside it the post is created or changed through `services`, the images
are stored, and the network rules are checked on what was stored (`rules.check`; with
`submit`, `rules.ready_for_review` and `services.post_submit`). Any problem raises a
ValidationError keyed by the composer's fields and rolls everything back: a failed form leaves
no post and no image behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from socialdesk.accounts.audit import Acting, record
from socialdesk.channels.fetch import FetchError, UnsafeAddress
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.insights.language import guess_language
from socialdesk.publishing import images, linkcards, rules, services
from socialdesk.publishing.models import EDITABLE, Campaign, Idea, Post, PostMedia, PostStatus


@dataclass(frozen=True)
class Upload:
    """An image as uploaded, before it is checked."""

    data: bytes
    filename: str
    alt_text: str = ""
    part: int = 0
    field: str = ""  # where its problems are shown


@dataclass
class Composed:
    """Everything the composer sends; `variants` maps a channel id to its own parts, or None
    when it follows the main text."""

    text: str
    channels: Sequence[ChannelAccount]
    thread: Sequence[str] = ()
    variants: dict[int, list[str] | None] | None = None
    title: str = ""
    campaign: Campaign | None = None
    idea: Idea | None = None
    scheduled_at: datetime | None = None
    language: str = ""
    content_warning: str = ""
    visibility: str = "public"
    link_url: str = ""
    alt_texts: dict[int, str] | None = None  # alt text of stored images, by id
    uploads: Sequence[Upload] = ()
    submit: bool = False


def _prepare(
    uploads: Sequence[Upload], channels: Sequence[ChannelAccount], errors: dict[str, list[str]]
) -> list[tuple[Upload, images.Prepared]]:
    max_bytes, max_pixels = rules.image_limits(channels)
    ready = []
    for upload in uploads:
        try:
            ready.append(
                (upload, images.prepare(upload.data, max_bytes=max_bytes, max_pixels=max_pixels))
            )
        except ValidationError as error:
            errors.setdefault(upload.field or "media", []).extend(error.messages)
    return ready


def _card(
    post: Post | None, data: Composed, errors: dict[str, list[str]]
) -> tuple[dict[str, Any], str]:
    """The link card to keep, and a warning when the page could not be read (the post then
    goes out without a card)."""
    if not data.link_url or not any(c.network == Network.BLUESKY for c in data.channels):
        return {}, ""
    if post is not None and post.link_url == data.link_url and post.link_card:
        return dict(post.link_card), ""
    try:
        return linkcards.card(data.link_url), ""
    except UnsafeAddress:
        errors.setdefault("link_url", []).append(
            _("This address is inside a network; socialdesk only reads public pages.")
        )
    except FetchError as error:
        return {}, _(
            "The link's page could not be read (%(reason)s); the post goes out "
            "without a preview card."
        ) % {"reason": str(error)[:200]}
    return {}, ""


def post_compose(*, by: Acting, post: Post | None, data: Composed) -> tuple[Post, str]:
    """Create (`post` None) or change a post from the composer; return it and a warning for
    the author ("" when there is none). ValidationError by field, with nothing saved."""
    errors: dict[str, list[str]] = {}
    for channel in data.channels:
        problem = rules.channel_problem(channel)
        if problem and (post is None or not post.targets.filter(channel=channel).exists()):
            errors.setdefault("channels", []).append(problem)
    prepared = _prepare(data.uploads, data.channels, errors)
    card, warning = _card(post, data, errors)
    if errors:
        raise ValidationError(errors)
    language = data.language or guess_language("\n".join([data.text, *data.thread]))
    with transaction.atomic():
        saved = _save(by, post, data, language, card)
        _store_images(by, saved, data, prepared, changed=post is not None)
        found = rules.ready_for_review(saved) if data.submit else rules.check(saved)
        if found:
            raise ValidationError(found)
        saved.refresh_from_db()
        if data.submit and saved.status == PostStatus.DRAFT:  # in review already: it stays
            services.post_submit(by=by, post=saved)
            saved.refresh_from_db()
    return saved, warning


def _save(
    by: Acting, post: Post | None, data: Composed, language: str, card: dict[str, Any]
) -> Post:
    fields: dict[str, Any] = {
        "title": data.title,
        "campaign": data.campaign,
        "scheduled_at": data.scheduled_at,
        "language": language,
        "content_warning": data.content_warning,
        "visibility": data.visibility,
        "link_url": data.link_url,
    }
    if post is None:
        variants: dict[int, Sequence[str]] = {
            pk: parts for pk, parts in (data.variants or {}).items() if parts is not None
        }
        created = services.post_create(
            by=by,
            text=data.text,
            thread=list(data.thread),
            channels=data.channels,
            variants=variants,
            idea=data.idea,
            **fields,
        )
        if card:
            Post.objects.filter(pk=created.pk).update(link_card=card)
            created.link_card = card
        return created
    if post.status not in EDITABLE:
        raise ValidationError(_("This post is already on its way; it can no longer be changed."))
    changed_variants: dict[int, Any] = {}
    for target in post.targets.prefetch_related("parts"):
        wanted = (data.variants or {}).get(target.channel_id)
        current = [p.text for p in target.parts.all()] if target.customised else None
        if wanted != current:
            changed_variants[target.channel_id] = wanted
    for channel in data.channels:  # channels added now with their own text
        wanted = (data.variants or {}).get(channel.pk)
        if wanted is not None and not post.targets.filter(channel=channel).exists():
            changed_variants[channel.pk] = wanted
    return services.post_update(
        by=by,
        post=post,
        channels=data.channels,
        variants=changed_variants,
        text=data.text,
        thread=[t for t in data.thread if t.strip()],
        link_card=card,
        **fields,
    )


def _store_images(
    by: Acting,
    post: Post,
    data: Composed,
    prepared: list[tuple[Upload, images.Prepared]],
    *,
    changed: bool,
) -> None:
    """Alt texts of stored images, the new images, and stored images shrunk again when a
    newly chosen channel takes smaller ones."""
    what: list[str] = []
    max_bytes, max_pixels = rules.image_limits(data.channels)
    for media in post.media.all():
        alt = (data.alt_texts or {}).get(media.pk)
        fields = []
        if alt is not None and alt != media.alt_text:
            media.alt_text = alt
            fields.append("alt_text")
        if len(bytes(media.content)) > max_bytes or media.width * media.height > max_pixels:
            try:
                again = images.prepare(
                    bytes(media.content), max_bytes=max_bytes, max_pixels=max_pixels
                )
            except ValidationError as error:
                raise ValidationError({f"image_{media.pk}": error.messages}) from None
            media.content, media.mime = again.content, again.mime
            media.width, media.height = again.width, again.height
            fields += ["content", "mime", "width", "height"]
        if fields:
            media.save(update_fields=fields)
            what.append("media")
    for upload, image in prepared:
        services.store_media(
            post, image, part=upload.part, alt_text=upload.alt_text, filename=upload.filename
        )
        what.append("media")
    if what and changed:
        services.mark_changed(post, by, "media")
        post.refresh_from_db()
    if prepared:
        record(by, "post.media_added", post, after={"images": len(prepared)})


@transaction.atomic
def post_media_delete(*, by: Acting, media: PostMedia) -> Post:
    """Remove an image from a post that has not gone out (back to review after approval)."""
    post = Post.objects.select_for_update().get(pk=media.post_id)
    if post.status not in EDITABLE:
        raise ValidationError(_("This post is already on its way; it can no longer be changed."))
    name = media.filename
    media.delete()
    services.mark_changed(post, by, "media")
    record(by, "post.media_removed", post, after={"filename": name})
    post.refresh_from_db()
    return post
