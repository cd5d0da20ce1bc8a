"""Project rooms and who is in them.

A public room can be read and joined by every active person; a private room only by its members
(`selectors.rooms_for_user` is the one rule). An archived room stays readable and searchable but
takes no new posts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

ROOM_NAME_MAX = 120
ROOM_PURPOSE_MAX = 2000


class Room(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        PRIVATE = "private", _("Private")

    name = models.CharField(_("name"), max_length=ROOM_NAME_MAX, unique=True)
    purpose = models.TextField(_("purpose"), max_length=ROOM_PURPOSE_MAX, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_post_at = models.DateTimeField(null=True, blank=True)  # the list's order

    class Meta:
        app_label = "spaces"
        verbose_name = _("project room")
        verbose_name_plural = _("project rooms")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_private(self) -> bool:
        return self.visibility == self.Visibility.PRIVATE

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class RoomMembership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Room owner")
        MEMBER = "member", _("Member")

    class Notify(models.TextChoices):
        ALL = "all", _("Everything")
        MENTIONS = "mentions", _("Mentions only")
        NONE = "none", _("Nothing")

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="room_memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    notify = models.CharField(
        _("notify me"), max_length=10, choices=Notify.choices, default=Notify.MENTIONS
    )
    joined_at = models.DateTimeField(auto_now_add=True)
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "spaces"
        constraints = [
            models.UniqueConstraint(fields=["room", "user"], name="spaces_membership_unique")
        ]
        indexes = [models.Index(fields=["user", "room"], name="spaces_membership_user")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.room_id}"
