"""The search index: one row per findable object, its analysed terms and permission keys.

The terms come from `search.analysis` (the same code on SQLite and PostgreSQL). Permission keys
are the object's containers (`conversation_id`, `room_id`, `space_id`), never a department or an
assignee: `search.selectors` asks the owning app's selector who may see them, so a hand-over
changes no row here. The full-text structures (SQLite's FTS5 table `search_fts`, PostgreSQL's
generated `vector` column with its GIN index) are made by migration 0001 in vendor SQL.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class SearchEntry(models.Model):
    kind = models.CharField(max_length=16)
    object_id = models.BigIntegerField()
    # plain integers, not foreign keys: the kinds keep them right, nothing cascades
    conversation_id = models.BigIntegerField(null=True, blank=True)
    room_id = models.BigIntegerField(null=True, blank=True)
    space_id = models.BigIntegerField(null=True, blank=True)
    author_id = models.BigIntegerField(null=True, blank=True)
    language = models.CharField(max_length=8, blank=True, default="")
    at = models.DateTimeField()
    title_terms = models.TextField(blank=True, default="")
    body_terms = models.TextField(blank=True, default="")
    parts = models.TextField(blank=True, default="")
    stale = models.BooleanField(default=False)
    indexed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique")
        ]
        indexes = [
            models.Index(fields=["conversation_id"], name="search_entry_conversation"),
            models.Index(fields=["room_id"], name="search_entry_room"),
            models.Index(fields=["space_id"], name="search_entry_space"),
            models.Index(fields=["kind", "at"], name="search_entry_kind_at"),
            models.Index(fields=["stale"], condition=models.Q(stale=True), name="search_stale"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"


class SearchBacklog(models.Model):
    """An object whose entry is still to be written: noted by a bulk write (a history import,
    `core.changes.deferred`) in its own transaction, written by `search.backlog.catch_up` in
    bulk after it, or by the worker if the importing process died first."""

    kind = models.CharField(max_length=16)  # the Kind's key
    object_id = models.BigIntegerField()
    # How often it was noted: a catch-up removes the row only if nobody noted it again meanwhile.
    notes = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_backlog_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} (to index)"


class SearchState(models.Model):
    """One row: whether a reindex is running and how far it got."""

    rebuilding = models.BooleanField(default=False)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"search state {self.done}/{self.total}"
