"""Outgoing webhooks: who hears which events, the events, and each delivery to each subscriber."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socialdesk.core import crypto, events
from socialdesk.core.addresses import redact


class SubscriptionState(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused by hand")
    FAILING = "failing", _("Paused after repeated failures")


class Subscription(models.Model):
    """An address that hears the chosen events, signed with its own secret."""

    name = models.CharField(_("name"), max_length=200)
    # The address as shown (redacted); in full, and the signing secret, only encrypted.
    url = models.CharField(_("address"), max_length=2000)
    credentials_encrypted = models.TextField(blank=True, default="", editable=False)
    events = models.JSONField(_("events"), default=list)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=SubscriptionState.choices,
        default=SubscriptionState.ACTIVE,
    )
    paused_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)  # failed attempts in a row
    failing_since = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def credentials(self) -> dict[str, Any]:
        return crypto.decrypt(self.credentials_encrypted)

    def set_credentials(self, *, url: str, secret: str) -> None:
        self.url = redact(url)[:2000]
        self.credentials_encrypted = crypto.encrypt({"url": url, "secret": secret})

    @property
    def active(self) -> bool:
        return self.state == SubscriptionState.ACTIVE

    @property
    def event_labels(self) -> list[str]:
        return [str(events.KINDS[k].label) for k in self.events if k in events.KINDS]


class Event(models.Model):
    """Something that happened, as the JSON body every subscriber receives (signed per send)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=40)
    subject = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    body = models.TextField()  # the exact bytes sent (UTF-8), so a redelivery is the same event

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject}"

    @property
    def label(self) -> str:
        kind = events.KINDS.get(self.kind)
        return str(kind.label) if kind is not None else str(_("Test event"))


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Given up")


class Delivery(models.Model):
    """One event to one subscriber: sent at least once, retried with backoff for a day."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    subject = models.CharField(max_length=64)  # the event's: one subject's events go in order
    state = models.CharField(
        max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    # When to try next; NULL while the subscription is paused (held, not forgotten).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    give_up_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)  # the event's: the log's order
    claim = models.CharField(max_length=32, blank=True, default="")
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True, default="")
    error = models.CharField(max_length=500, blank=True, default="")
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-event_id", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event"], name="webhook_delivery_once")
        ]
        indexes = [
            # the worker's question: what is due now (pending only)
            # (only the time: the order below must be the one index for "an earlier one of
            # this subject waits", whatever PostgreSQL's statistics of a swinging queue say)
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due",
                condition=models.Q(state="pending"),
            ),
            # the order of one subject's events per subscriber
            models.Index(
                fields=["subscription", "subject", "event"],
                name="webhook_delivery_order",
                condition=models.Q(state="pending"),
            ),
            # the log of a subscription, newest first, by state
            models.Index(fields=["subscription", "created_at"], name="webhook_delivery_log"),
            # the deliveries given up (few), counted by `/metrics` and `socialdesk status`
            models.Index(
                fields=["state"],
                condition=models.Q(state="failed"),
                name="webhook_delivery_given_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription}"

    @property
    def subject_label(self) -> str:
        """ "Conversation 42" in the reader's language (the subject is `conversation:42`)."""
        kind, _sep, pk = self.subject.partition(":")
        noun = SUBJECTS.get(kind)
        return f"{noun} {pk}" if noun is not None else self.subject


SUBJECTS = {
    "conversation": _("Conversation"),
    "feedback": _("Feedback item"),
    "post": _("Post"),
    "webhook": _("Webhook"),
}
