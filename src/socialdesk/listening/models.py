"""Monitors: saved listening queries over everything that comes in, their matches and alerts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from socialdesk.inbox.models import Message


class Monitor(models.Model):
    name = models.CharField(_("name"), max_length=120)
    query = models.TextField(_("query"))
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Messages up to this id have been matched (the worker goes on from here).
    last_message_id = models.BigIntegerField(default=0)
    # Spike alerts: at least this many matches in an hour, and far above the usual.
    spike_minimum = models.PositiveIntegerField(_("alert from (matches per hour)"), default=10)

    class Meta:
        ordering = ["name"]
        verbose_name = _("monitor")
        verbose_name_plural = _("monitors")

    def __str__(self) -> str:
        return self.name


class MonitorMatch(models.Model):
    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="matches")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()  # the message's time: volumes are counted by it

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["monitor", "message"], name="unique_monitor_match")
        ]
        indexes = [models.Index(fields=["monitor", "-created_at"], name="monitor_match_time")]

    def __str__(self) -> str:
        return f"{self.monitor_id}:{self.message_id}"


class SpikeAlert(models.Model):
    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="alerts")
    hour = models.DateTimeField()  # the start of the hour that was far above the usual
    count = models.PositiveIntegerField()
    usual = models.FloatField()  # mean matches per hour over the week before
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-hour"]
        constraints = [
            models.UniqueConstraint(fields=["monitor", "hour"], name="unique_spike_per_hour")
        ]

    def __str__(self) -> str:
        return f"{self.monitor} {self.hour:%Y-%m-%d %H}:00 {self.count}"
