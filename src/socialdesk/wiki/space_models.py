"""Wiki spaces: one for the whole organisation (or several), or one per project room.

A room's space follows the room: readable by whoever may read the room, read-only once the room
is archived (`selectors` is the one rule).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

SPACE_NAME_MAX = 120
SPACE_KEY_MAX = 60


class WikiSpace(models.Model):
    name = models.CharField(_("name"), max_length=SPACE_NAME_MAX)
    key = models.SlugField(_("key"), max_length=SPACE_KEY_MAX, unique=True)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    room = models.OneToOneField(
        "spaces.Room",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="wiki_space",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "wiki"
        verbose_name = _("wiki space")
        verbose_name_plural = _("wiki spaces")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_organisation_wide(self) -> bool:
        return self.room_id is None
