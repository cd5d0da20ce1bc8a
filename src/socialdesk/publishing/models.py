"""Storytelling and publishing: ideas from every department, campaigns, posts with a variant
per channel, approvals, the calendar's posting slots, and what became of each post on each
network (every part of a thread goes out exactly once: `PostPart` carries its own claim).

The states of a post and of an idea, and who moves them, are in `services.py`; what a person
may see in `selectors.py`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from socialdesk.accounts.models import Department
from socialdesk.channels.models import ChannelAccount

if TYPE_CHECKING:
    from socialdesk.accounts.models import User

USER = settings.AUTH_USER_MODEL


class Campaign(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    colour = models.CharField(_("colour"), max_length=7, default="#2563eb")  # "#rrggbb"
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    goal = models.TextField(_("goal"), blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name


class IdeaStatus(models.TextChoices):
    NEW = "new", _("New")
    ACCEPTED = "accepted", _("Accepted")
    PLANNED = "planned", _("Planned")
    PUBLISHED = "published", _("Published")
    DECLINED = "declined", _("Declined")


class Idea(models.Model):
    """A story someone in the company thinks is worth telling."""

    title = models.CharField(_("title"), max_length=200)
    what_happened = models.TextField(_("what happened"))
    why_it_matters = models.TextField(_("why it matters"), blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="ideas",
        verbose_name=_("department"),
    )  # fmt: skip
    people_involved = models.TextField(_("people involved"), blank=True)
    about_date = models.DateField(_("date it is about"), null=True, blank=True)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="ideas",
        verbose_name=_("campaign"),
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=16, choices=IdeaStatus.choices, default=IdeaStatus.NEW
    )
    decline_reason = models.TextField(_("reason"), blank=True)
    submitted_by = models.ForeignKey(
        USER, null=True, on_delete=models.SET_NULL, related_name="submitted_ideas"
    )
    decided_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    followers: models.ManyToManyField[User, Any] = models.ManyToManyField(
        USER, blank=True, related_name="followed_ideas"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("story idea")
        verbose_name_plural = _("story ideas")

    def __str__(self) -> str:
        return self.title


class IdeaPhoto(models.Model):
    """A photo of an idea, checked and re-encoded without EXIF/GPS (stored in the database,
    so backups and several app servers need nothing else)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="photos")
    content = models.BinaryField()
    mime = models.CharField(max_length=32)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    alt_text = models.TextField(_("alt text"), blank=True)
    filename = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.filename or f"photo {self.pk}"


class IdeaComment(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class PostStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHING = "publishing", pgettext_lazy("post status", "Publishing")
    PUBLISHED = "published", _("Published")
    PARTLY_PUBLISHED = "partly_published", _("Partly published")
    FAILED = "failed", _("Failed")


# A post in these states can still be changed (a change after approval sends it back to review).
EDITABLE = (PostStatus.DRAFT, PostStatus.IN_REVIEW, PostStatus.APPROVED, PostStatus.SCHEDULED)
DONE = (PostStatus.PUBLISHED, PostStatus.PARTLY_PUBLISHED, PostStatus.FAILED)


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    UNLISTED = "unlisted", _("Unlisted")
    PRIVATE = "private", _("Followers only")


class Post(models.Model):
    """One post for several channels. `text` and `thread` (the later parts of a thread) are
    the main text; each channel's `PostTarget` holds its own variant as `PostPart`s."""

    title = models.CharField(_("title"), max_length=200, blank=True)  # internal, for the calendar
    text = models.TextField(_("text"))
    thread = models.JSONField(default=list, blank=True)  # texts of parts 2, 3, …
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts",
        verbose_name=_("campaign"),
    )  # fmt: skip
    idea = models.ForeignKey(
        Idea, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts",
        verbose_name=_("story idea"),
    )  # fmt: skip
    author = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="posts")
    status = models.CharField(
        _("status"), max_length=20, choices=PostStatus.choices, default=PostStatus.DRAFT
    )
    scheduled_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    content_warning = models.CharField(_("content warning"), max_length=500, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    link_url = models.URLField(_("link"), max_length=1000, blank=True)
    link_card = models.JSONField(default=dict, blank=True)  # Open Graph: title, description, …
    # Raised by every change of text, media, channels or time: approvals count for one version.
    version = models.PositiveIntegerField(default=1)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [models.Index(fields=["status", "scheduled_at"], name="post_due")]

    def __str__(self) -> str:
        return self.title or self.text[:60]


class PostMedia(models.Model):
    """An image of a post, re-encoded to fit every chosen network and stripped of EXIF/GPS."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="media")
    part = models.PositiveSmallIntegerField(default=0)  # which part of a thread it belongs to
    position = models.PositiveSmallIntegerField(default=0)
    content = models.BinaryField()
    mime = models.CharField(max_length=32)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    alt_text = models.TextField(_("alt text"), blank=True)
    filename = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["part", "position", "pk"]

    def __str__(self) -> str:
        return self.filename or f"image {self.pk}"


class TargetState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    PUBLISHING = "publishing", _("Publishing")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Failed")
    DELETED = "deleted", _("Deleted")


class PostTarget(models.Model):
    """A post on one channel: its variant (parts), and what became of it there."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="targets")
    channel = models.ForeignKey(ChannelAccount, on_delete=models.PROTECT, related_name="+")
    customised = models.BooleanField(default=False)  # False: the parts follow the main text
    state = models.CharField(
        max_length=12, choices=TargetState.choices, default=TargetState.PENDING
    )
    error_code = models.CharField(max_length=32, blank=True, default="")
    error = models.TextField(blank=True, default="")
    url = models.URLField(max_length=1000, blank=True, default="")
    remote_id = models.CharField(max_length=500, blank=True, default="")  # of the first part
    published_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["post", "channel"], name="post_target_once")]

    def __str__(self) -> str:
        return f"{self.post_id} on {self.channel_id}"


class PartState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class PostPart(models.Model):
    """One part of a post on one channel: the unit that goes out exactly once.

    `key` is fixed when the part is made and never changes: it is the Mastodon
    Idempotency-Key and the Bluesky record key, so a retry after an unknown outcome can only
    find the same post, never make a second one. A part is claimed (pending → sending) with one
    conditional UPDATE before it is sent; a claim older than the lease means its worker died,
    and the network is asked what arrived before anything is sent again."""

    target = models.ForeignKey(PostTarget, on_delete=models.CASCADE, related_name="parts")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField()
    key = models.CharField(max_length=64, unique=True)
    state = models.CharField(max_length=8, choices=PartState.choices, default=PartState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    remote_id = models.CharField(max_length=500, blank=True, default="")
    url = models.URLField(max_length=1000, blank=True, default="")
    meta = models.JSONField(default=dict, blank=True)  # e.g. Bluesky uri and cid
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["target", "position"]
        constraints = [
            models.UniqueConstraint(fields=["target", "position"], name="post_part_position")
        ]

    def __str__(self) -> str:
        return f"part {self.position} of {self.target_id}"


class ApprovalMode(models.TextChoices):
    ANY = "any", _("Any one of them")
    ALL = "all", _("All of them")


class ApprovalStep(models.Model):
    """One step of the approvals a channel's or a campaign's posts need, in `position` order."""

    channel = models.ForeignKey(
        ChannelAccount, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="approval_steps"
    )
    position = models.PositiveSmallIntegerField(default=0)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    people: models.ManyToManyField[User, Any] = models.ManyToManyField(
        USER, blank=True, related_name="+"
    )
    mode = models.CharField(max_length=3, choices=ApprovalMode.choices, default=ApprovalMode.ANY)
    # Whether the author of a post may approve it in this step (`approvals.py`).
    authors_may_approve = models.BooleanField(_("authors may approve"), default=False)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"step {self.position}"


class Decision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    CHANGES = "changes", _("Changes requested")


class Approval(models.Model):
    """A person's decision on one version of a post (for one step, when steps apply)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="approvals")
    step = models.ForeignKey(
        ApprovalStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField()
    decision = models.CharField(max_length=8, choices=Decision.choices)
    comment = models.TextField(blank=True)
    by_link = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.decision} on {self.post_id} v{self.version}"


class ApprovalLink(models.Model):
    """A signed link sent to an approver by e-mail; it works once, for one version."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    step = models.ForeignKey(
        ApprovalStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    nonce = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"link for {self.post_id} v{self.version}"


class PostComment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class PostEvent(models.Model):
    """The history of a post, told in words when shown (`kind` + `data`)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=32)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.post_id}"


class PostMetric(models.Model):
    """Public figures of a post on one network, read back at fixed ages (1 h … 7 days)."""

    target = models.ForeignKey(PostTarget, on_delete=models.CASCADE, related_name="metrics")
    age = models.CharField(max_length=4)  # "1h", "6h", "24h", "72h", "7d"
    taken_at = models.DateTimeField()
    likes = models.PositiveIntegerField(default=0)
    reposts = models.PositiveIntegerField(default=0)
    replies = models.PositiveIntegerField(default=0)
    quotes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["taken_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["target", "age"], name="post_metric_age_once")
        ]

    def __str__(self) -> str:
        return f"{self.age} of {self.target_id}"


class PostingSlot(models.Model):
    """A time a channel usually posts at (e.g. Mon–Fri 09:30): "add to queue" takes the next."""

    channel = models.ForeignKey(ChannelAccount, on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField()  # 0 = Monday
    time = models.TimeField()

    class Meta:
        ordering = ["channel", "weekday", "time"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "weekday", "time"], name="slot_once")
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.time}"


class CalendarFeed(models.Model):
    """A person's secret iCalendar address (only a hash of the secret is kept)."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"calendar of {self.user_id}"
