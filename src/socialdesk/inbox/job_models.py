"""The inbox's long jobs: an uploaded history import (`ImportJob`) and a bulk change of many
conversations with its undo (`BulkJob`, one `BulkChange` per conversation)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socialdesk.inbox.models import Conversation


class ImportJob(models.Model):
    """A file uploaded in the browser and imported in the background (inbox/import_services)."""

    class Format(models.TextChoices):
        TWCS = "twcs", _("Customer Support on Twitter (twcs CSV)")
        CSV = "csv", _("CSV with your own columns")
        JSONL = "jsonl", _("JSON Lines")

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=255)  # as the person named it
    stored_file = models.CharField(max_length=255, blank=True)  # under DATA_DIR; "" once deleted
    file_size = models.BigIntegerField(default=0)
    format = models.CharField(max_length=8, choices=Format.choices)
    options = models.JSONField(default=dict)  # mapping, account, network, keep_open
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    rows_total = models.BigIntegerField(default=0)  # lines of the file: the progress bar's end
    rows_read = models.BigIntegerField(default=0)
    rows_stored = models.BigIntegerField(default=0)
    duplicates = models.BigIntegerField(default=0)
    rejected = models.BigIntegerField(default=0)
    conversations_resolved = models.BigIntegerField(default=0)
    first_rejections = models.JSONField(default=list)  # [[file, line, reason], …] shown on the page
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def elapsed(self) -> timedelta | None:
        if self.started_at is None:
            return None
        return (self.finished_at or timezone.now()) - self.started_at

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_read * 100 // self.rows_total)


class BulkJob(models.Model):
    """One bulk action over many conversations (a selection or everything a filter matches).

    Each conversation it changed keeps its state before in a `BulkChange`, so undo puts back
    exactly what was there. Large selections run in the background; `done` of `total` is the
    progress the list shows.
    """

    class Action(models.TextChoices):
        RESOLVE = "resolve", _("Resolve")
        REOPEN = "reopen", _("Reopen")
        ASSIGN = "assign", _("Assign to a person")
        DEPARTMENT = "department", _("Hand to a department")
        TAG_ADD = "tag_add", _("Add tag")
        TAG_REMOVE = "tag_remove", _("Remove tag")
        NO_REPLY = "no_reply", _("No reply needed")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        UNDOING = "undoing", _("Being undone")
        UNDONE = "undone", _("Undone")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Where the last step (the start, then an undo) came from, for the audit of the run.
    actor_ip = models.GenericIPAddressField(null=True, blank=True)
    actor_token = models.CharField(max_length=80, blank=True, default="")  # an API token's name
    action = models.CharField(max_length=16, choices=Action.choices)
    # What to set: {"assignee": id|None}, {"department": id|None} or {"tag": name}.
    params = models.JSONField(default=dict, blank=True)
    # The selection: explicit ids, or the list's filters ("all matching").
    conversation_ids = models.JSONField(default=list, blank=True)
    filters = models.JSONField(null=True, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"bulk {self.action} #{self.pk}"


class BulkChange(models.Model):
    """One conversation a bulk job changed, with what it was before (for an exact undo)."""

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="changes")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    before = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "conversation"], name="unique_bulk_change")
        ]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.conversation_id}"
