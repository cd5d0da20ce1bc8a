"""Contacts, conversations, messages, notes, tags and saved replies."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from socialdesk.channels.models import ChannelAccount, Network


class Contact(models.Model):
    """One person outside the company, across networks."""

    display_name = models.CharField(_("name"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contact")

    def __str__(self) -> str:
        return self.display_name or str(_("Contact %(id)s") % {"id": self.pk})


class ContactHandle(models.Model):
    """A contact's handle on one network; one handle belongs to one contact."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="handles")
    network = models.CharField(max_length=16, choices=Network.choices)
    handle = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["network", "handle"], name="unique_contact_handle")
        ]

    def __str__(self) -> str:
        return f"{self.network}:{self.handle}"


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting on customer")
    RESOLVED = "resolved", _("Resolved")


class SlaState(models.TextChoices):
    NONE = "", _("No target")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Breached")
    MET = "met", _("Met")
    PAUSED = "paused", _("Paused")


class Conversation(models.Model):
    """A thread between the company (one channel account) and one contact.

    No index of its own for a column that leads a composite index below (the status, the
    SLA state, the account, the department) or `conversation_newest` (the last message's
    time, made in migration 0023): every index is written on every insert and on most
    updates, and these added nothing a query used (inbox 0034)."""

    channel_account = models.ForeignKey(
        ChannelAccount, on_delete=models.PROTECT, related_name="conversations", db_index=False
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_conversations",
    )
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
        db_index=False,
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="conversations")
    language = models.CharField(_("language"), max_length=8, blank=True, db_index=True)
    # Facts kept up to date on every new message, so lists and KPIs need no scan of messages.
    first_message_at = models.DateTimeField(null=True, db_index=True)
    first_message_inbound = models.BooleanField(default=True)
    needs_reply = models.BooleanField(_("needs reply"), default=False)
    first_response_at = models.DateTimeField(null=True, blank=True)
    first_response_seconds = models.BigIntegerField(null=True, blank=True, db_index=True)
    last_message_at = models.DateTimeField(null=True)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    # The customer's latest message, else the first message: "waiting longest" sorts by it.
    waiting_since = models.DateTimeField(null=True, blank=True, db_index=True)
    # The first customer message after the company's last reply, when one of them needs a
    # reply; None when the company wrote last (answered). "Längste Wartezeit" sorts by it.
    waiting_for_us_since = models.DateTimeField(null=True, blank=True, db_index=True)
    message_count = models.PositiveIntegerField(default=0)
    preview = models.CharField(max_length=280, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Response-time targets of the policy that covers the conversation (see sla.services).
    sla_policy = models.ForeignKey(
        "sla.SlaPolicy", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    next_response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    sla_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    sla_state = models.CharField(max_length=16, choices=SlaState.choices, blank=True, default="")
    sla_warned = models.CharField(max_length=16, blank=True, default="")
    # Set when the customer's texts and identity were erased (request or retention).
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("conversation")
        indexes = [
            models.Index(fields=["status", "last_message_at"], name="conversation_status_last"),
            models.Index(
                fields=["first_message_inbound", "needs_reply", "first_message_at"],
                name="conversation_kpi",
            ),
            # Covers the first-response KPI's counts and percentiles of a period, narrowed
            # too (a channel, a department, a member's visibility: PostgreSQL's INCLUDE; SQLite
            # has none and reads the table for those).
            models.Index(
                fields=[
                    "first_message_inbound",
                    "needs_reply",
                    "first_message_at",
                    "first_response_seconds",
                ],
                include=["channel_account", "department", "assignee"],
                name="conversation_kpi_response",
            ),
            models.Index(fields=["status", "waiting_since"], name="conversation_waiting"),
            models.Index(
                fields=["status", "needs_reply", "first_response_at", "waiting_since"],
                name="conversation_unanswered",
            ),
            models.Index(
                fields=["status", "waiting_for_us_since"], name="conversation_waiting_for_us"
            ),
            # The SLA queues (breached, at risk) of the inbox and the dashboards' attention
            # counts: equality on both, then the order by the due time.
            models.Index(
                fields=["sla_state", "status", "sla_due_at"], name="conversation_sla_queue"
            ),
            # The department and channel dashboards: SLA queues and the backlog of one
            # department or account, equality on every column the count names. The wait's
            # index ends with the status: the inbox's count of a department's (or a member's)
            # unanswered open conversations reads it alone, and the backlog its first two.
            # A department's carry the account (PostgreSQL's INCLUDE): a member's figures of a
            # channel count their departments' branch from the index alone (10M: 252 → 3 ms).
            *(
                models.Index(
                    fields=[column, *rest],
                    name=f"conversation_{short}_{what}",
                    include=["channel_account"] if short == "dept" else None,
                )
                for column, short in (("department", "dept"), ("channel_account", "acct"))
                for what, rest in (
                    ("sla", ["status", "sla_state"]),
                    ("wait", ["waiting_for_us_since", "status"]),
                )
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact} @ {self.channel_account}"


class ConversationEvent(models.Model):
    """A change of status; waiting and resolved spells pause the response clocks."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(db_index=True)
    old_status = models.CharField(max_length=16, choices=Status.choices)
    new_status = models.CharField(max_length=16, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.old_status} → {self.new_status}"


class Direction(models.TextChoices):
    INBOUND = "in", _("From the customer")
    OUTBOUND = "out", _("From the company")


class Delivery(models.TextChoices):
    """How far a company message is on its way to the network ("" = nothing to send)."""

    NONE = "", _("Not sent by socialdesk")
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Not sent")


class Message(models.Model):
    """One post or direct message, inbound (a customer's) or outbound (the company's)."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    channel_account = models.ForeignKey(  # its index: the unique key below starts with it
        ChannelAccount, on_delete=models.PROTECT, related_name="messages", db_index=False
    )
    external_id = models.CharField(max_length=255)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    author_handle = models.CharField(max_length=255, blank=True)
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    author_user = models.ForeignKey(  # indexed where set (Meta): a reply written here
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
        db_index=False,
    )
    text = models.TextField()
    created_at = models.DateTimeField(db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    # The parent's id on the network, kept even while the parent is unknown, so that a
    # parent imported later finds its replies.
    # db_index: PostgreSQL's schema editor adds a LIKE (pattern_ops) copy, which migration
    # 0027 drops (replies are found by equality); a schema made without migrations has it.
    parent_external_id = models.CharField(max_length=255, blank=True, db_index=True)
    needs_reply = models.BooleanField(default=False)
    needs_reply_set_by = models.ForeignKey(  # indexed where set (Meta)
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    language = models.CharField(max_length=8, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    # Network specifics needed to answer in place: visibility, uri/cid, thread root, link.
    meta = models.JSONField(default=dict, blank=True)
    # Sending (outbound replies written in socialdesk): at most once, see inbox/sending.py.
    delivery = models.CharField(
        max_length=8, choices=Delivery.choices, default="", db_default="", blank=True
    )
    delivery_attempts = models.PositiveSmallIntegerField(default=0, db_default=0)
    delivery_error = models.TextField(blank=True, default="", db_default="")
    delivery_next_at = models.DateTimeField(null=True, blank=True)
    delivery_claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel_account", "external_id"], name="unique_message_per_account"
            )
        ]
        indexes = [
            models.Index(fields=["external_id"], name="message_external_id"),
            # The inbox KPIs (inbound volume, share needing a reply) count from this index alone.
            models.Index(
                fields=["direction", "created_at", "needs_reply"], name="message_kpi_inbound"
            ),
            models.Index(
                fields=["delivery", "delivery_next_at"],
                condition=models.Q(delivery__in=["queued", "sending"]),
                name="message_delivery_due",
            ),
            # The replies the network refused (few), counted by `/metrics` and `socialdesk status`.
            models.Index(
                fields=["delivery"],
                condition=models.Q(delivery="failed"),
                name="message_delivery_failed",
            ),
            # Set on a reply written here and on a flag set by hand, empty on everything that
            # arrives: indexed where set (a member's replies; a user's removal) and not written
            # for each of the millions arriving.
            *(
                models.Index(
                    fields=[field],
                    condition=models.Q(**{f"{field}__isnull": False}),
                    name=f"message_{field}",
                )
                for field in ("author_user", "needs_reply_set_by")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.external_id}"

    @property
    def is_inbound(self) -> bool:
        return self.direction == Direction.INBOUND


class Note(models.Model):
    """An internal note on a conversation; never leaves the company, never stops a clock."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    text = models.TextField()
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"note {self.pk}"


class SavedReply(models.Model):
    """A reusable answer; {name}, {agent} and {company} are filled in when used."""

    title = models.CharField(_("title"), max_length=120, unique=True)
    body = models.TextField(_("text"))
    # A reply kept from a wiki page follows that page: its name and address, blank otherwise.
    source_label = models.CharField(_("source"), max_length=200, blank=True)
    source_url = models.CharField(_("source address"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Notification(models.Model):
    """Something a person should look at: an SLA warning or a mention in a note."""

    class Kind(models.TextChoices):
        AT_RISK = "at_risk", _("Deadline near")
        BREACHED = "breached", _("Deadline missed")
        MENTION = "mention", _("Mentioned in a note")
        SPIKE = "spike", _("Listening: far more mentions than usual")
        FEEDBACK = "feedback", _("Feedback")
        IDEA = "idea", _("Story idea")
        POST = "post", _("Post")
        GUIDELINES = "guidelines", _("Guidelines")
        GOAL = "goal", _("Goal")
        ROOM = "room", _("Project room")
        WIKI = "wiki", _("Wiki")
        WEBHOOK = "webhook", _("Webhook")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # For notifications about something other than a conversation: what and where.
    title = models.CharField(max_length=300, blank=True, default="")
    link = models.CharField(max_length=500, blank=True, default="")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"


class Presence(models.Model):
    """Who has a conversation open right now, and whether they are typing a reply."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()
    typing = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="unique_presence")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.conversation_id}"


# The jobs' models live in their own module; imported here so every model of the app is found
# where Django and the app look for it.
from socialdesk.inbox.job_models import BulkChange, BulkJob, ImportJob  # noqa: E402, F401
from socialdesk.inbox.rollup_models import MessageRollup, WaitingCount  # noqa: E402, F401
