"""Follower counts: one snapshot per Mastodon/Bluesky account and day (channels/followers.py).

A day's row holds the count once it was read; until then (the network could not be asked) it
holds the error as the channels keep it, a code translated when shown and the detail, and the
time of the attempt, so the next attempt waits a while and one day never has two counts.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from socialdesk.channels.models import ChannelAccount


class FollowerSnapshot(models.Model):
    channel_account = models.ForeignKey(
        ChannelAccount, on_delete=models.CASCADE, related_name="follower_snapshots"
    )
    # The day in the organisation's time zone the count belongs to.
    day = models.DateField(_("day"))
    followers = models.PositiveBigIntegerField(_("followers"), null=True, blank=True)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    # The last failed attempt of the day (cleared when the count arrives).
    failed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    error_code = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        ordering = ["channel_account", "-day"]
        verbose_name = _("follower snapshot")
        verbose_name_plural = _("follower snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["channel_account", "day"], name="one_follower_snapshot_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel_account} {self.day}: {self.followers}"
