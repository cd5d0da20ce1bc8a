"""The post as it will look on each network: every part of each channel's variant, its images
with their alt text, and the content warning (read for the approval link page and the tag)."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from socialdesk.publishing.models import Post, PostMedia


@dataclass
class Image:
    src: str  # a data: address (the page needs no second request, and no sign-in)
    alt: str
    width: int
    height: int


@dataclass
class Part:
    text: str
    images: list[Image] = field(default_factory=list)


@dataclass
class OnNetwork:
    network: str
    network_label: str
    handle: str
    content_warning: str
    parts: list[Part]


def _image(media: PostMedia) -> Image:
    data = base64.b64encode(bytes(media.content)).decode("ascii")
    return Image(f"data:{media.mime};base64,{data}", media.alt_text, media.width, media.height)


def preview(post: Post) -> list[OnNetwork]:
    media: dict[int, list[Image]] = {}
    for one in post.media.all():
        media.setdefault(one.part, []).append(_image(one))
    shown: list[OnNetwork] = []
    for target in post.targets.select_related("channel").order_by("pk"):
        channel = target.channel
        parts = [
            Part(text=text, images=media.get(position, []))
            for position, text in target.parts.order_by("position").values_list("position", "text")
        ]
        shown.append(
            OnNetwork(
                network=channel.network,
                network_label=str(channel.get_network_display()),
                handle=channel.handle or channel.name,
                content_warning=post.content_warning,
                parts=parts,
            )
        )
    return shown
