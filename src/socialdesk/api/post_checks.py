"""The checks of a post sent to the API, all before anything is written (`api/posts.py`).

Each check adds its messages to one `{field: [message, …]}` so a client learns every wrong
field at once; `Checked.raise_if_wrong` raises them as one ValidationError (422). Fields are
named by their path in the body (`channel_ids`, `variants.0.parts.1`, `images.2.data`).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from socialdesk.accounts.models import User
from socialdesk.api.post_schemas import AltTextIn, ImageIn, VariantIn
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.channels.protocol import publisher
from socialdesk.publishing import images as post_images
from socialdesk.publishing import rules
from socialdesk.publishing.models import Campaign, Idea, Post
from socialdesk.publishing.selectors import campaigns_for_user, ideas_for_user

LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,4})?")


@dataclass
class Checked:
    errors: dict[str, list[str]] = field(default_factory=dict)

    def refuse(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def raise_if_wrong(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _limit(channel: ChannelAccount, name: str) -> int:
    """What the channel's network allows (`publishing.rules`, the composer's rules too)."""
    return int(rules.network_rules(channel).get(name) or 0)


def length(channel: ChannelAccount, text: str) -> int:
    """The length as the network counts it (`publishing.rules`: Bluesky graphemes; Mastodon
    with every link as `characters_reserved_per_url` and a mention as its local part)."""
    if channel.network == Network.BLUESKY:
        return rules.graphemes(text)
    per_url = _limit(channel, "characters_reserved_per_url")
    return rules.graphemes(rules.mastodon_countable(text, per_url))


def channels(check: Checked, ids: Sequence[int], name: str = "channel_ids") -> list[ChannelAccount]:
    found = {c.pk: c for c in ChannelAccount.objects.filter(pk__in=ids)}
    chosen = []
    for pk in dict.fromkeys(ids):
        channel = found.get(pk)
        if channel is None:
            check.refuse(name, _("There is no channel with id %(id)s.") % {"id": pk})
        elif publisher(channel.network) is None:
            check.refuse(
                name,
                _("%(channel)s is a %(network)s channel; posts cannot be published there.")
                % {"channel": channel, "network": channel.get_network_display()},
            )
        elif channel.disconnected_at is not None:
            check.refuse(name, _("%(channel)s is disconnected.") % {"channel": channel})
        else:
            chosen.append(channel)
    return chosen


def variants(
    check: Checked, given: Sequence[VariantIn], chosen: Sequence[ChannelAccount]
) -> dict[int, list[str]]:
    ids = {c.pk for c in chosen}
    own: dict[int, list[str]] = {}
    for i, variant in enumerate(given):
        if variant.channel_id not in ids:
            check.refuse(
                f"variants.{i}.channel_id",
                _("Channel %(id)s is not one of the post's channels.") % {"id": variant.channel_id},
            )
        elif not variant.parts[0].strip():
            check.refuse(f"variants.{i}.parts.0", _("Write the text of the post."))
        else:
            own[variant.channel_id] = list(variant.parts)
    return own


def lengths(
    check: Checked,
    chosen: Sequence[ChannelAccount],
    main: Sequence[str],
    own: dict[int, list[str]],
    variant_index: dict[int, int],
) -> None:
    """Every part of every channel's text within what its network takes. `own` holds the
    channels' own texts; one not in `variant_index` is not being changed and is not checked."""
    for channel in chosen:
        if channel.pk in own and channel.pk not in variant_index:
            continue
        limit = _limit(channel, "max_characters")
        parts = own.get(channel.pk, main)
        for position, text in enumerate(parts):
            count = length(channel, text)
            if limit and count > limit:
                if channel.pk in own:
                    name = f"variants.{variant_index[channel.pk]}.parts.{position}"
                else:
                    name = "text" if position == 0 else f"thread.{position - 1}"
                check.refuse(
                    name,
                    _("Too long for %(channel)s: %(count)s characters, %(limit)s allowed.")
                    % {"channel": channel, "count": count, "limit": limit},
                )


def campaign(check: Checked, user: User, pk: int | None) -> Campaign | None:
    if pk is None:
        return None
    found = campaigns_for_user(user).filter(pk=pk).first()
    if found is None:
        check.refuse("campaign_id", _("There is no campaign with id %(id)s.") % {"id": pk})
    return found


def idea(check: Checked, user: User, pk: int | None) -> Idea | None:
    if pk is None:
        return None
    found = ideas_for_user(user).filter(pk=pk).first()
    if found is None:
        check.refuse("idea_id", _("There is no story idea with id %(id)s.") % {"id": pk})
    return found


def language(check: Checked, value: str) -> str:
    if value and not LANGUAGE.fullmatch(value):
        check.refuse("language", _("Give a language code such as de or en."))
    return value


def link(check: Checked, value: str) -> str:
    if value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            check.refuse("link_url", _("Give a full web address starting with https://."))
    return value


def own_images(
    check: Checked, post: Post, alt_texts: Sequence[AltTextIn], remove: Sequence[int]
) -> tuple[dict[int, str], list[int]]:
    """The alt texts to set and images to remove, each an image of this post."""
    ids = set(post.media.values_list("pk", flat=True))
    for i, given in enumerate(alt_texts):
        if given.image_id not in ids:
            check.refuse(
                f"alt_texts.{i}.image_id",
                _("The post has no image with id %(id)s.") % {"id": given.image_id},
            )
    for i, pk in enumerate(remove):
        if pk not in ids:
            check.refuse(
                f"remove_image_ids.{i}", _("The post has no image with id %(id)s.") % {"id": pk}
            )
    return {a.image_id: a.alt_text.strip() for a in alt_texts}, list(remove)


@dataclass(frozen=True)
class Image:
    prepared: post_images.Prepared
    alt_text: str
    part: int
    filename: str


def images(
    check: Checked,
    given: Sequence[ImageIn],
    chosen: Sequence[ChannelAccount],
    parts: int,
    existing: dict[int, int] | None = None,
) -> list[Image]:
    """Decode, check and re-encode each image to fit every chosen network; `existing` counts
    the images each part has already."""
    max_bytes = min([_limit(c, "image_size_limit") or 10_000_000 for c in chosen] or [1_000_000])
    max_media = min([_limit(c, "max_media") or 4 for c in chosen] or [4])
    kept: list[Image] = []
    per_part: dict[int, int] = dict(existing or {})
    for i, image in enumerate(given):
        if image.part >= parts:
            check.refuse(
                f"images.{i}.part", _("The post has no part %(part)s.") % {"part": image.part}
            )
            continue
        per_part[image.part] = per_part.get(image.part, 0) + 1
        if per_part[image.part] == max_media + 1:
            check.refuse(
                f"images.{i}",
                _("At most %(count)s images fit in one part on the chosen networks.")
                % {"count": max_media},
            )
        try:
            data = base64.b64decode(image.data, validate=True)
        except (binascii.Error, ValueError):
            check.refuse(f"images.{i}.data", _("This is not a base64-encoded file."))
            continue
        try:
            prepared = post_images.prepare(data, max_bytes=max_bytes)
        except ValidationError as error:
            for message in error.messages:
                check.refuse(f"images.{i}.data", message)
            continue
        kept.append(Image(prepared, image.alt_text.strip(), image.part, image.filename))
    return kept
