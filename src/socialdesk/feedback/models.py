"""Feedback items: one per distinct piece of feedback, the messages that say it, where it
went in the company, what became of it, and the answers back to the customers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from socialdesk.accounts.models import Department
from socialdesk.core.models import copied_key
from socialdesk.inbox.models import Conversation, Direction, Message


class Topic(models.Model):
    """A topic of the organisation's own list; feedback on it goes to its department."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    keywords = models.TextField(
        _("keywords"),
        blank=True,
        help_text=_("One per line or comma-separated; they suggest the topic until enough "
                    "items have been labelled for the model to learn it."),
    )  # fmt: skip
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="topics",
        verbose_name=_("department"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name

    def keyword_list(self) -> list[str]:
        parts = self.keywords.replace(",", "\n").splitlines()
        return [p.strip() for p in parts if p.strip()]


class RoutingRule(models.Model):
    """Feedback whose text matches the query goes to the department (before topic routing)."""

    query = models.TextField(_("query"))
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    priority = models.PositiveIntegerField(_("priority"), default=100)

    class Meta:
        ordering = ["priority", "pk"]

    def __str__(self) -> str:
        return f"{self.query} → {self.department}"


class FeedbackStatus(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    WONT_DO = "wont_do", _("Won't do")


CLOSED = (FeedbackStatus.DONE, FeedbackStatus.WONT_DO)


class FeedbackItem(models.Model):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    status = models.CharField(
        max_length=16, choices=FeedbackStatus.choices, default=FeedbackStatus.NEW
    )
    reason = models.TextField(_("reason"), blank=True)  # why "won't do", what was done
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Facts kept up to date from the linked messages.
    first_seen = models.DateTimeField(null=True, blank=True)
    last_seen = models.DateTimeField(null=True, blank=True)
    mention_count = models.PositiveIntegerField(default=0)
    # The department's internal deadline to answer the community team, and its reminder.
    forwarded_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # Hand-off to an issue tracker (signed outgoing webhook).
    handed_off_at = models.DateTimeField(null=True, blank=True)
    handoff_result = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-last_seen", "-pk"]
        verbose_name = _("feedback item")
        verbose_name_plural = _("feedback items")
        indexes = [models.Index(fields=["department", "status"], name="feedback_board")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED


class FeedbackLink(models.Model):
    """A message that says the item's feedback (confirmed by a person)."""

    item = models.ForeignKey(FeedbackItem, on_delete=models.CASCADE, related_name="links")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="feedback_links")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sentiment = models.CharField(max_length=8, blank=True)  # at the time it was linked

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "message"], name="unique_feedback_link")
        ]

    def __str__(self) -> str:
        return f"{self.item_id}:{self.message_id}"


class FeedbackEvent(models.Model):
    """The item's history: forwarded, status changes, hand-off, answers sent."""

    item = models.ForeignKey(FeedbackItem, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=32)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.kind}"

    @property
    def label(self) -> str:
        """What happened, in the reader's language."""
        if self.kind.startswith("status:"):
            status = self.kind.split(":", 1)[1]
            names = dict(FeedbackStatus.choices)
            return str(_("status: %(status)s") % {"status": names.get(status, status)})
        labels = {
            "created": _("captured"),
            "linked": _("message linked"),
            "unlinked": _("message unlinked"),
            "forwarded": _("forwarded to"),
            "handoff": _("handed off to the issue tracker"),
            "answered": _("customer answered"),
            "discarded": _("answer discarded"),
        }
        return str(labels.get(self.kind, self.kind))


class ReplyDraft(models.Model):
    """An answer to a customer who gave the feedback, for the community team to send."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        DISCARDED = "discarded", _("Discarded")

    item = models.ForeignKey(FeedbackItem, on_delete=models.CASCADE, related_name="drafts")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=8)
    text = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    sent_message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "conversation"], name="one_draft_per_conversation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id}→{self.conversation_id}"


class UsedLink(models.Model):
    """A one-click link from a digest that has been used (so it works only once)."""

    nonce = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.nonce


class DigestSent(models.Model):
    """The day a person last got the feedback digest (one a day at most)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_digest_a_day")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"


class Task(models.TextChoices):
    RELEVANCE = "relevance", _("Relevance")
    SENTIMENT = "sentiment", _("Sentiment")
    TOPICS = "topics", _("Topic")


class Label(models.Model):
    """What a person said a message is (a correction): the models learn from these."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="labels")
    task = models.CharField(max_length=12, choices=Task.choices)
    value = models.CharField(max_length=80)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "task", "value"], name="unique_label")
        ]
        indexes = [models.Index(fields=["task", "created_at"], name="label_task_time")]

    def __str__(self) -> str:
        return f"{self.message_id} {self.task}={self.value}"


class TrainedModel(models.Model):
    """A model trained on the organisation's labels (only models socialdesk wrote are read)."""

    task = models.CharField(max_length=12, choices=Task.choices)
    blob = models.BinaryField()
    trained_on = models.PositiveIntegerField()
    labels = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.task} ({self.trained_on} labels)"


class Classification(models.Model):
    """What socialdesk thinks a message is: language, relevance, sentiment, topics."""

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="classification")
    relevant = models.BooleanField(null=True)
    relevance_confidence = models.FloatField(default=0)
    sentiment = models.CharField(max_length=8, blank=True)
    sentiment_confidence = models.FloatField(default=0)
    topics = models.JSONField(default=list)  # [[name, confidence], …]
    source = models.CharField(max_length=12, default="rules")  # rules, model, person
    updated_at = models.DateTimeField(auto_now=True)
    # When the customer wrote the message (None for our own): the sentiment KPI counts a
    # period's judged messages from its index alone, without reading the period's messages
    # (a message's time never changes). Set by `save()` and by `feedback.understanding`.
    written_at = models.DateTimeField(null=True, blank=True)
    # The message's conversation's department and assignee, kept by triggers (`copies.py`):
    # a department member's sentiment shares are counted from the index alone too.
    department = copied_key("accounts.Department")
    assignee = copied_key(settings.AUTH_USER_MODEL)

    class Meta:
        indexes = [
            models.Index(
                fields=["written_at", "sentiment", "department", "assignee"],
                name="classification_kpi_written",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message_id}: {self.sentiment} {self.topics}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.written_at is None and self.message_id is not None:
            self.written_at = written_at(self.message)
        super().save(*args, **kwargs)


def written_at(message: Message) -> datetime | None:
    """A classification's `written_at`: the message's time if a customer wrote it."""
    return message.created_at if message.direction == Direction.INBOUND else None


class PendingMessage(models.Model):
    """An inbound message not classified yet: the queue `understanding.classify_new` takes its
    work from, kept by triggers whatever writes messages or classifications (`pending.py`).
    Found instead by comparing every inbound message with the classifications, the worker's
    look for new ones took 3 s at 10 million messages, every 10 seconds, also with nothing to
    do. A plain id, no foreign key: a row whose message went is dropped when it is taken."""

    message_id = models.BigIntegerField(primary_key=True)

    def __str__(self) -> str:
        return str(self.message_id)
