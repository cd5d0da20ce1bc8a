"""Sites: where people and departments work (Berlin, Hamburg, the warehouse in Kassel).

A fact about people, so it lives in `accounts`: rooms invite a site's people, the people filter
and the search narrow by it. A site in use cannot be deleted (`site_services.site_delete`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

SITE_NAME_MAX = 100


class Site(models.Model):
    name = models.CharField(_("name"), max_length=SITE_NAME_MAX, unique=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        help_text=_("Leave empty to use the organisation's time zone."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "accounts"
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
