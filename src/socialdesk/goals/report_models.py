"""Reports by e-mail (`ReportSchedule`, its recipients, one `ReportDelivery` per period) and
read-only share links (`ReportShare`, the token kept only as its SHA-256)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import formats
from django.utils.translation import gettext_lazy as _

NAME_LIMIT = 200
MAX_RECIPIENTS = 50
ADDRESS_LIMIT = 254
SHARE_DEFAULT_DAYS = 30
SHARE_MAX_DAYS = 366


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("weekly, on Monday (the week before)")
    MONTHLY = "monthly", _("monthly, on the 1st (the month before)")


class ReportSchedule(models.Model):
    name = models.CharField(_("name"), max_length=NAME_LIMIT)
    frequency = models.CharField(
        _("how often"), max_length=8, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    # In the organisation's time zone.
    send_at = models.TimeField(_("time of day"))
    attach_pdf = models.BooleanField(_("attach PDF"), default=True)
    attach_xlsx = models.BooleanField(_("attach XLSX"), default=False)
    paused_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("report schedule")
        verbose_name_plural = _("report schedules")

    def __str__(self) -> str:
        return self.name


class ReportRecipient(models.Model):
    """A person (who gets what they may see, in their language) or a plain address (the
    organisation-wide report, in the language given here)."""

    schedule = models.ForeignKey(
        ReportSchedule, on_delete=models.CASCADE, related_name="recipients"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField(_("e-mail address"), max_length=ADDRESS_LIMIT, blank=True, default="")
    language = models.CharField(_("language"), max_length=8, blank=True, default="")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(user__isnull=False, email="") | models.Q(user__isnull=True))
                & ~models.Q(user__isnull=True, email=""),
                name="report_recipient_person_or_address",
            )
        ]

    def __str__(self) -> str:
        return self.email or str(self.user)


class ReportDelivery(models.Model):
    """One schedule sent for one period: the unique row makes sending happen once, whichever
    worker gets there first."""

    schedule = models.ForeignKey(
        ReportSchedule, on_delete=models.CASCADE, related_name="deliveries"
    )
    period_start = models.DateField()
    period_end = models.DateField()  # not included
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-period_start", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "period_start"], name="report_delivery_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.schedule_id} {self.period_start}"


class ReportShare(models.Model):
    """A read-only link to the organisation-wide report of a period."""

    since = models.DateField(_("from"))
    until = models.DateField(_("to"))  # included
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report link")
        verbose_name_plural = _("report links")

    def __str__(self) -> str:
        since = formats.date_format(self.since, "SHORT_DATE_FORMAT")
        return f"{since} – {formats.date_format(self.until, 'SHORT_DATE_FORMAT')}"
