"""Posts in a room: threads one level deep, mentions, reactions, pins; soft deletion."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .room_models import Room

POST_BODY_MAX = 20_000
REACTIONS = ("👍", "❤️", "🎉", "😄", "👀", "✅", "🙏")


class RoomPost(models.Model):
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Always the thread's root: a reply to a reply attaches to the root.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replies"
    )
    body = models.TextField(_("text"))
    # the words without Markdown, "@[Anna Schmidt]" as "@Anna Schmidt" (`mentions.plain_words`),
    # written with the body by `post_services`: search shows it without rendering each hit
    plain_text = models.TextField(blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pinned_at = models.DateTimeField(null=True, blank=True)
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reply_count = models.PositiveIntegerField(default=0)
    last_reply_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "spaces"
        verbose_name = _("room post")
        verbose_name_plural = _("room posts")
        indexes = [
            models.Index(fields=["room", "-created_at"], name="spaces_post_room_created"),
            models.Index(fields=["parent", "created_at"], name="spaces_post_parent_created"),
        ]

    def __str__(self) -> str:
        return f"room post {self.pk}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class PostMention(models.Model):
    """Whom a post names: one person, one department, or the whole room."""

    post = models.ForeignKey(RoomPost, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    whole_room = models.BooleanField(default=False)

    class Meta:
        app_label = "spaces"

    def __str__(self) -> str:
        return f"mention in post {self.post_id}"


class Reaction(models.Model):
    post = models.ForeignKey(RoomPost, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField(max_length=16, choices=[(e, e) for e in REACTIONS])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "spaces"
        constraints = [
            models.UniqueConstraint(fields=["post", "user", "emoji"], name="spaces_reaction_unique")
        ]

    def __str__(self) -> str:
        return f"{self.emoji} on {self.post_id}"


class MentionDigest(models.Model):
    """One daily e-mail of unread mentions per person and day (never two)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        app_label = "spaces"
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="spaces_digest_unique")]

    def __str__(self) -> str:
        return f"digest {self.user_id} {self.day}"
