"""What each network accepts in one post, checked before a post is saved, sent for review or
approved (the composer's live counter in `static/publishing/publishing_compose.js` applies the
very same rules: it reads `URL`, `MENTION` and the limits from `client_rules`).

Mastodon (the instance's own figures, `ChannelAccount.limits`, read by
`channels.mastodon.limits`): the text and the content warning together hold
`max_characters` user-perceived characters (grapheme clusters), every http(s) link counts as
`characters_reserved_per_url`, a mention `@user@domain` counts only `@user`; at most
`max_media` images of at most `image_size_limit` bytes each per part.
Bluesky: 300 grapheme clusters (links count as written), at most 4 images of at most
1,000,000 bytes per part. Every image needs alt text before review (`ready_for_review`).

The network functions are pure: parts, images and limits in, problems out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import regex  # type: ignore[import-untyped]
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from socialdesk.channels.models import Network
from socialdesk.channels.protocol import Capability, supports

if TYPE_CHECKING:
    from socialdesk.channels.models import ChannelAccount
    from socialdesk.publishing.models import Post

# The same patterns run in the browser (JavaScript `RegExp` with the "gu" flags): keep to the
# syntax both understand.
URL = r"""(?<![A-Za-z0-9@$#/])https?://[^\s<>"]*[^\s<>".,;:!?'()\[\]]"""
MENTION = r"(?<![=/A-Za-z0-9_])@([A-Za-z0-9_]+(?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)@[A-Za-z0-9_.-]*[A-Za-z0-9_]"  # noqa: E501
_URL = regex.compile(URL)
_MENTION = regex.compile(MENTION)
_GRAPHEME = regex.compile(r"\X")

MASTODON_DEFAULTS = {
    "max_characters": 500,
    "characters_reserved_per_url": 23,
    "max_media": 4,
    "image_size_limit": 16 * 1024 * 1024,
    "image_matrix_limit": 16_777_216,
}
BLUESKY = {"max_characters": 300, "max_media": 4, "image_size_limit": 1_000_000}
MAX_ALT_TEXT = 1500  # Mastodon's limit for a media description
DEFAULT_MAX_PIXELS = 8_294_400  # images.prepare's default (3840 × 2160)


@dataclass(frozen=True)
class Image:
    """What the rules need to know of an image."""

    size: int
    alt_text: str = ""
    part: int = 0
    key: str = ""  # the form field the image's problems belong to


@dataclass(frozen=True)
class Problem:
    field: str  # "part:<i>", "media:<i>", "image:<key>", "alt:<key>"
    message: str


def graphemes(text: str) -> int:
    """User-perceived characters: 👍🏽 and 🇩🇪 are one each, as the networks count them."""
    return len(_GRAPHEME.findall(text))


def mastodon_countable(text: str, reserved_per_url: int = 23) -> str:
    """The text as Mastodon counts it: links as `reserved_per_url` characters, `@user@domain`
    as `@user`."""
    text = _URL.sub("x" * reserved_per_url, text)
    return str(_MENTION.sub(lambda m: "@" + m.group(1), text))


def _limit(limits: Mapping[str, Any], name: str) -> int:
    value = limits.get(name)
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return MASTODON_DEFAULTS[name]


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)


def _too_long(label: str, part: int, parts: int, count: int, limit: int) -> str:
    values = {"network": label, "part": part + 1, "count": _number(count), "limit": _number(limit)}
    if parts == 1:
        return _("%(network)s: %(count)s of %(limit)s characters") % values
    return _("%(network)s, part %(part)s: %(count)s of %(limit)s characters") % values


def _media(
    label: str,
    parts: int,
    images: Sequence[Image],
    max_media: int,
    max_bytes: int,
    alt_limit: int | None,
) -> list[Problem]:
    found: list[Problem] = []
    for part in sorted({image.part for image in images}):
        count = sum(1 for image in images if image.part == part)
        if count > max_media:
            values = {"network": label, "part": part + 1, "count": count, "limit": max_media}
            message = (
                _("%(network)s: %(count)s images, at most %(limit)s")
                if parts == 1
                else _("%(network)s, part %(part)s: %(count)s images, at most %(limit)s")
            )
            found.append(Problem(f"media:{part}", message % values))
    for image in images:
        if image.size > max_bytes:
            found.append(
                Problem(
                    f"image:{image.key}",
                    _("%(network)s takes images of at most %(limit)s bytes; this one has %(size)s.")
                    % {"network": label, "limit": _number(max_bytes), "size": _number(image.size)},
                )
            )
        if alt_limit is not None and len(image.alt_text) > alt_limit:
            found.append(
                Problem(
                    f"alt:{image.key}",
                    _("%(network)s takes alt text of at most %(limit)s characters.")
                    % {"network": label, "limit": _number(alt_limit)},
                )
            )
    return found


def mastodon(
    parts: Sequence[str],
    images: Sequence[Image] = (),
    limits: Mapping[str, Any] | None = None,
    *,
    content_warning: str = "",
    label: str = "Mastodon",
) -> list[Problem]:
    """Problems of a post (its parts and images) on a Mastodon instance with `limits`."""
    limits = limits or {}
    maximum = _limit(limits, "max_characters")
    per_url = _limit(limits, "characters_reserved_per_url")
    found: list[Problem] = []
    for i, text in enumerate(parts):
        count = graphemes(content_warning + mastodon_countable(text, per_url))
        if count > maximum:
            found.append(Problem(f"part:{i}", _too_long(label, i, len(parts), count, maximum)))
    found += _media(
        label,
        len(parts),
        images,
        _limit(limits, "max_media"),
        _limit(limits, "image_size_limit"),
        MAX_ALT_TEXT,
    )
    return found


def bluesky(
    parts: Sequence[str], images: Sequence[Image] = (), *, label: str = "Bluesky"
) -> list[Problem]:
    """Problems of a post on Bluesky: 300 graphemes per part, 4 images of 1,000,000 bytes."""
    found: list[Problem] = []
    maximum = BLUESKY["max_characters"]
    for i, text in enumerate(parts):
        count = graphemes(text)
        if count > maximum:
            found.append(Problem(f"part:{i}", _too_long(label, i, len(parts), count, maximum)))
    found += _media(
        label, len(parts), images, BLUESKY["max_media"], BLUESKY["image_size_limit"], None
    )
    return found


def network_rules(channel: ChannelAccount) -> dict[str, Any]:
    """The figures a channel's posts must keep (also sent to the browser's counter)."""
    if channel.network == Network.BLUESKY:
        return {"network": "bluesky", **BLUESKY, "characters_reserved_per_url": 0}
    limits = dict(channel.limits or {})
    return {
        "network": "mastodon",
        **{name: _limit(limits, name) for name in MASTODON_DEFAULTS},
    }


def image_limits(channels: Sequence[ChannelAccount]) -> tuple[int, int]:
    """(max bytes, max pixels) an image must keep to go out on every one of `channels`."""
    max_bytes = 16 * 1024 * 1024
    max_pixels = DEFAULT_MAX_PIXELS
    for channel in channels:
        rules = network_rules(channel)
        max_bytes = min(max_bytes, int(rules["image_size_limit"]))
        if "image_matrix_limit" in rules:
            max_pixels = min(max_pixels, int(rules["image_matrix_limit"]))
    return max_bytes, max_pixels


def writable(channel: ChannelAccount) -> bool:
    """Whether posts can go out on this channel (connected, its connector publishes)."""
    return channel.disconnected_at is None and supports(channel.network, Capability.PUBLISH)


def label(channel: ChannelAccount, same_network: bool = False) -> str:
    """How a message names the channel: the network, and the account when two share it."""
    name = channel.get_network_display()
    return f"{name} (@{channel.handle})" if same_network and channel.handle else name


def channel_problem(channel: ChannelAccount) -> str | None:
    if channel.disconnected_at is not None:
        return _("%(channel)s is disconnected: connect it again or choose another channel.") % {
            "channel": f"{channel.get_network_display()} @{channel.handle}"
        }
    if not supports(channel.network, Capability.PUBLISH):
        return _("%(channel)s cannot publish posts.") % {"channel": str(channel)}
    return None


def check_parts(
    channel: ChannelAccount,
    parts: Sequence[str],
    images: Sequence[Image],
    *,
    content_warning: str = "",
    same_network: bool = False,
) -> list[Problem]:
    """One channel's problems with these parts and images (pure; used with and without a
    saved post)."""
    name = label(channel, same_network)
    if channel.network == Network.BLUESKY:
        return bluesky(parts, images, label=name)
    if channel.network == Network.MASTODON:
        return mastodon(parts, images, channel.limits, content_warning=content_warning, label=name)
    return []


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    bucket = errors.setdefault(field, [])
    if message not in bucket:
        bucket.append(message)


def check(post: Post) -> dict[str, list[str]]:
    """The post's problems on each of its channels, by the composer's field they belong to:
    `channels`, `text` (first part of the main text), `thread` (its later parts),
    `variant_<channel id>` (a channel's own text), `media`, `image_<media id>`,
    `alt_<media id>`."""
    errors: dict[str, list[str]] = {}
    targets = list(post.targets.select_related("channel").prefetch_related("parts"))
    media = list(post.media.all())
    images = [Image(len(bytes(m.content)), m.alt_text, m.part, str(m.pk)) for m in media]
    networks = [t.channel.network for t in targets]
    for target in targets:
        channel = target.channel
        problem = channel_problem(channel)
        if problem:
            _add(errors, "channels", problem)
        parts = [p.text for p in sorted(target.parts.all(), key=lambda p: p.position)]
        for found in check_parts(
            channel,
            parts,
            images,
            content_warning=post.content_warning,
            same_network=networks.count(channel.network) > 1,
        ):
            kind, _sep, which = found.field.partition(":")
            if kind == "part":
                if target.customised:
                    field = f"variant_{channel.pk}"
                else:
                    field = "text" if which == "0" else "thread"
            elif kind == "media":
                field = "media"
            else:
                field = f"{kind}_{which}"
            _add(errors, field, found.message)
    return errors


def ready_for_review(post: Post) -> dict[str, list[str]]:
    """`check`, and alt text on every image (what review and approval require)."""
    errors = check(post)
    for media in post.media.all():
        if not media.alt_text.strip():
            _add(
                errors,
                f"alt_{media.pk}",
                _("Describe this image for people who cannot see it (alt text)."),
            )
    return errors


def require_ready(post: Post) -> None:
    """Raise a ValidationError with the field messages when the post is not ready."""
    errors = ready_for_review(post)
    if errors:
        raise ValidationError(errors)


def client_rules(channels: Sequence[ChannelAccount]) -> dict[str, Any]:
    """What the browser's live counter needs: the patterns and each channel's figures."""
    networks = [c.network for c in channels]
    return {
        "url": URL,
        "mention": MENTION,
        "channels": {
            str(c.pk): {**network_rules(c), "label": label(c, networks.count(c.network) > 1)}
            for c in channels
        },
    }
