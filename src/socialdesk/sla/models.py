"""Business hours and SLA policies: which targets apply to which conversations."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socialdesk.core.models import copied_key
from socialdesk.sla.calendar import BusinessCalendar

DEFAULT_HOURS = {str(day): [["09:00", "17:00"]] for day in range(5)}


def _parse_time(value: str) -> time:
    if value in ("24:00", "24:00:00"):
        return time(0)  # the calendar reads a block ending at 00:00 as ending at midnight
    return time.fromisoformat(value)


class BusinessHours(models.Model):
    """Opening hours in one time zone, closed on public holidays and custom days."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Berlin")
    german_state = models.CharField(
        _("German federal state for public holidays"),
        max_length=8,
        blank=True,
        help_text=_("Such as BY, BE or NW; empty for the nationwide holidays only."),
    )
    # {"0": [["09:00", "12:00"], ["13:00", "17:00"]], ...}; weekday 0 is Monday.
    weekly_hours = models.JSONField(_("opening hours"), default=dict)
    closed_days = models.JSONField(_("other closed days"), default=list, blank=True)

    class Meta:
        verbose_name = _("business hours")
        verbose_name_plural = _("business hours")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def calendar(self, years: range | None = None) -> BusinessCalendar:
        """Return the time-engine calendar, with holidays for the years around today."""
        if years is None:
            this_year = timezone.now().year
            years = range(this_year - 10, this_year + 3)
        hours = {
            int(day): tuple((_parse_time(a), _parse_time(b)) for a, b in blocks)
            for day, blocks in (self.weekly_hours or {}).items()
        }
        return BusinessCalendar.german(
            time_zone=self.time_zone,
            state=self.german_state or None,
            years=years,
            hours=hours,
            extra_closed_days=[date.fromisoformat(d) for d in self.closed_days or []],
        )

    def clean(self) -> None:
        try:
            self.calendar(range(2026, 2027))
        except (ValueError, TypeError) as error:
            raise ValidationError(str(error)) from None


class SlaPolicy(models.Model):
    """Response-time targets for the conversations it covers.

    A policy covers a conversation when every criterion it names matches (an empty
    criterion matches everything); the first active policy by priority wins.
    """

    name = models.CharField(_("name"), max_length=80, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    priority = models.PositiveIntegerField(
        _("priority"), default=100, help_text=_("Lower comes first.")
    )
    first_response_minutes = models.PositiveIntegerField(_("first response within (minutes)"))
    next_response_minutes = models.PositiveIntegerField(
        _("next response within (minutes)"), null=True, blank=True
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution within (minutes)"), null=True, blank=True
    )
    business_hours = models.ForeignKey(
        BusinessHours,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Empty: the clock runs around the clock."),
    )
    warn_before_minutes = models.PositiveIntegerField(
        _("warn before the deadline (minutes)"), default=15
    )
    channel_accounts = models.ManyToManyField(
        "channels.ChannelAccount", blank=True, related_name="+"
    )
    departments = models.ManyToManyField("accounts.Department", blank=True, related_name="+")
    tags = models.ManyToManyField("inbox.Tag", blank=True, related_name="+")

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["priority", "pk"]

    def __str__(self) -> str:
        return self.name

    def target(self, kind: str) -> timedelta | None:
        minutes: Any = getattr(self, f"{kind}_minutes")
        return timedelta(minutes=minutes) if minutes else None


class ClockKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")


class OutcomeState(models.TextChoices):
    PENDING = "pending", _("Pending")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")


class SlaOutcome(models.Model):
    """One clock of one conversation, recorded as a fact (see `sla.clocks`).

    A clock starts with the customer's message (or the first message) and stops at the
    company's reply (its own time on the network) or at the resolution. A stopped clock is
    final; a breach stays a breach however often the clocks are recomputed. `evaluated`
    marks outcomes computed afterwards by `socialdesk sla evaluate` ("how would we have done").
    """

    conversation = models.ForeignKey(
        "inbox.Conversation", on_delete=models.CASCADE, related_name="sla_outcomes"
    )
    # The conversation's account, copied (it never changes): the SLA figures of a channel are
    # counted from the KPI's index alone instead of reading every clock's conversation (10M
    # messages, a channel's week: 400 ms for each of the dashboard's two periods). The
    # conversation's own foreign key removes the outcome with it.
    channel_account = copied_key("channels.ChannelAccount", null=False)
    # The conversation's department and assignee, copied: a department's and a member's SLA
    # figures are counted from the KPI's index alone too (10M messages, a week: 320-400 ms per
    # period, reading every clock's conversation). Unlike the account they change: a trigger
    # (`sla.copies`) moves the copies with the conversation, whatever writes it.
    department = copied_key("accounts.Department")
    assignee = copied_key(settings.AUTH_USER_MODEL)
    kind = models.CharField(_("clock"), max_length=16, choices=ClockKind.choices)
    policy = models.ForeignKey(
        SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="outcomes"
    )
    policy_name = models.CharField(_("policy"), max_length=80)
    target_seconds = models.BigIntegerField(_("target"))
    # The calendar whose open hours count ("" = around the clock, calendar time).
    business_hours_name = models.CharField(max_length=80, blank=True, default="")
    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)  # None while paused
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    state = models.CharField(
        _("outcome"), max_length=16, choices=OutcomeState.choices, db_index=True
    )
    # Counting time from start to stop (pauses left out; open hours with a calendar).
    elapsed_seconds = models.BigIntegerField(null=True, blank=True)
    # Stopped clocks: positive = so much earlier than due, negative = so much late.
    margin_seconds = models.BigIntegerField(null=True, blank=True)
    evaluated = models.BooleanField(_("evaluated afterwards"), default=False, db_index=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("SLA outcome")
        verbose_name_plural = _("SLA outcomes")
        ordering = ["started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "kind", "started_at"],
                condition=models.Q(evaluated=False),
                name="sla_outcome_live_clock",
            ),
            models.UniqueConstraint(
                fields=["conversation", "policy", "kind", "started_at"],
                condition=models.Q(evaluated=True),
                name="sla_outcome_evaluated_clock",
            ),
        ]
        indexes = [
            # Covers the SLA KPI's read (kind, state, counting time, due) of a period, of a
            # channel, a department and a member (the copies of account, department, assignee).
            models.Index(
                fields=[
                    "evaluated",
                    "kind",
                    "started_at",
                    "state",
                    "elapsed_seconds",
                    "due_at",
                    "conversation",
                    "channel_account",
                    "department",
                    "assignee",
                ],
                name="sla_outcome_kpi_seen",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.state}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding:  # an outcome made alone: its conversation's (bulk writes name them)
            conversation = self.conversation
            if self.channel_account_id is None:
                self.channel_account_id = conversation.channel_account_id
            self.department_id = conversation.department_id
            self.assignee_id = conversation.assignee_id
        super().save(*args, **kwargs)
