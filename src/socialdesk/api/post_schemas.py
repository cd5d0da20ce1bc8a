"""What the posts API takes and gives (`api/posts.py`): typed, documented, and bounded.

Every text refuses NUL characters and has a length the database and the networks can hold;
every id fits 64 bits; a time must carry its offset from UTC.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

from socialdesk.api.inputs import Id, Moment, Text
from socialdesk.publishing.models import (
    Decision,
    PartState,
    PostStatus,
    TargetState,
    Visibility,
)

# No network takes more than this in one part; more is refused before anything else.
MAX_PART = 10_000
MAX_PARTS = 25
MAX_IMAGES = 16
# Base64 of an image of at most 30 MB (what `images.prepare` reads at all).
MAX_BASE64 = 40 * 1024 * 1024

PartText = Annotated[Text, Field(max_length=MAX_PART)]


class Error(Schema):
    """An error: `detail` says what went wrong; on 422 `errors` names each wrong field."""

    detail: str | list[dict[str, object]]
    errors: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Messages per field (`text`, `images.0.alt_text`, …) in the caller's "
        "language: Accept-Language, else the language of the token's person.",
    )


ERRORS: dict[int, type[Error]] = {401: Error, 403: Error, 404: Error, 422: Error}


# --- input ---


class VariantIn(Schema):
    channel_id: Id = Field(description="A channel among `channel_ids`.")
    parts: list[PartText] = Field(
        min_length=1, max_length=MAX_PARTS, description="This channel's own text, part by part."
    )


class ImageIn(Schema):
    data: Text = Field(
        max_length=MAX_BASE64,
        description="The file, base64-encoded (JPEG, PNG, WebP or GIF; re-encoded, metadata "
        "such as GPS removed, shrunk to fit every chosen network).",
    )
    alt_text: Text = Field(
        default="", max_length=1500, description="Needed for every image before approval."
    )
    part: int = Field(default=0, ge=0, le=MAX_PARTS - 1, description="Which part (0: the first).")
    filename: Text = Field(default="", max_length=255)


class AltTextIn(Schema):
    image_id: Id = Field(description="An image of this post (`media.items[].id`).")
    alt_text: Text = Field(max_length=1500)


class PostIn(Schema):
    text: PartText = Field(description="The main text (the first part).")
    thread: list[PartText] = Field(
        default_factory=list, max_length=MAX_PARTS - 1, description="Later parts of a thread."
    )
    channel_ids: list[Id] = Field(min_length=1, max_length=50)
    variants: list[VariantIn] = Field(default_factory=list, max_length=50)
    campaign_id: Id | None = None
    idea_id: Id | None = None
    scheduled_at: Moment | None = Field(
        default=None, description="ISO 8601 with offset, e.g. 2026-12-01T09:30:00+01:00."
    )
    title: Text = Field(default="", max_length=200, description="Internal, for the calendar.")
    language: Text = Field(default="", max_length=8, description="e.g. `de`, `en`.")
    content_warning: Text = Field(default="", max_length=500)
    visibility: Visibility = Visibility.PUBLIC
    link_url: Text = Field(default="", max_length=1000)
    images: list[ImageIn] = Field(default_factory=list, max_length=MAX_IMAGES)


class PostPatch(Schema):
    """Only the fields given change. A change of text, thread, channels, variants, time,
    content warning or link after an approval sends the post back to review."""

    text: PartText | None = None
    thread: list[PartText] | None = Field(default=None, max_length=MAX_PARTS - 1)
    channel_ids: list[Id] | None = Field(default=None, min_length=1, max_length=50)
    variants: list[VariantIn] | None = Field(
        default=None, max_length=50, description="Replaces all variants; [] makes every "
        "channel follow the main text again.",
    )  # fmt: skip
    campaign_id: Id | None = None
    idea_id: Id | None = None
    scheduled_at: Moment | None = None
    title: Text | None = Field(default=None, max_length=200)
    language: Text | None = Field(default=None, max_length=8)
    content_warning: Text | None = Field(default=None, max_length=500)
    visibility: Visibility | None = None
    link_url: Text | None = Field(default=None, max_length=1000)
    images: list[ImageIn] = Field(
        default_factory=list, max_length=MAX_IMAGES, description="Images to add."
    )
    alt_texts: list[AltTextIn] = Field(
        default_factory=list, max_length=MAX_IMAGES, description="New alt texts of images."
    )
    remove_image_ids: list[Id] = Field(
        default_factory=list, max_length=MAX_IMAGES, description="Images to remove."
    )


class PostFilters(Schema):
    status: PostStatus | None = None
    campaign: Id | None = Field(default=None, description="A campaign's id.")
    channel: Id | None = Field(default=None, description="A channel's id.")
    since: Moment | None = Field(
        default=None, alias="from", description="Planned at or after (ISO 8601 with offset)."
    )
    until: Moment | None = Field(
        default=None, alias="to", description="Planned before (ISO 8601 with offset)."
    )
    page: int = Field(default=1, ge=1, le=1_000_000)
    per_page: int = Field(default=50, ge=1, le=200)


class ScheduleIn(Schema):
    scheduled_at: Moment = Field(
        description="ISO 8601 with offset, e.g. 2026-12-01T09:30:00+01:00; not in the past."
    )


class CommentIn(Schema):
    comment: Text = Field(default="", max_length=5000)


class ChangesIn(Schema):
    comment: Text = Field(min_length=1, max_length=5000, description="What should change.")


# --- output ---


class Ref(Schema):
    id: int
    name: str


class ChannelRef(Schema):
    id: int
    network: str
    handle: str
    name: str


class PartOut(Schema):
    position: int
    text: str
    state: PartState
    url: str
    remote_id: str
    error: str


class TargetOut(Schema):
    channel: ChannelRef
    customised: bool = Field(description="False: the parts follow the main text.")
    state: TargetState
    url: str
    remote_id: str
    error: str
    error_code: str
    published_at: datetime | None


class TargetDetailOut(TargetOut):
    parts: list[PartOut]


class MediaOut(Schema):
    id: int
    part: int
    position: int
    mime: str
    width: int
    height: int
    alt_text: str


class MediaSummary(Schema):
    count: int
    without_alt_text: int
    items: list[MediaOut]


class ApprovalOut(Schema):
    person: Ref | None
    decision: Decision
    comment: str
    version: int
    current: bool = Field(description="Given for the post's current version.")
    by_link: bool
    created_at: datetime


class PostSummary(Schema):
    id: int
    title: str
    text: str
    status: PostStatus
    status_label: str
    version: int
    scheduled_at: datetime | None
    published_at: datetime | None
    campaign: Ref | None
    author: Ref | None
    targets: list[TargetOut]
    created_at: datetime
    updated_at: datetime


class PostOut(PostSummary):
    thread: list[str]
    idea_id: int | None
    language: str
    content_warning: str
    visibility: Visibility
    link_url: str
    targets: list[TargetDetailOut]  # type: ignore[assignment]
    media: MediaSummary
    approvals: list[ApprovalOut]


class PostChangeOut(PostOut):
    back_to_review: bool = Field(
        description="True when this change sent an approved or scheduled post back to review."
    )
    notice: str = Field(description="What happened, in words (empty when nothing to say).")


class PostPage(Schema):
    count: int
    page: int
    per_page: int
    items: list[PostSummary]


class Figures(Schema):
    likes: int = 0
    reposts: int = 0
    replies: int = 0
    quotes: int = 0


class MetricOut(Figures):
    age: str = Field(description='"1h", "6h", "24h", "72h" or "7d" after publishing.')
    taken_at: datetime


class ChannelMetrics(Schema):
    channel: ChannelRef
    url: str
    series: list[MetricOut]
    latest: Figures


class MetricsOut(Schema):
    post_id: int
    channels: list[ChannelMetrics]
    totals: Figures = Field(description="The latest figures of every channel, added up.")
