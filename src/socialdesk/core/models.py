"""What the operator watches (shell/operations.py): which workers are alive, when scheduled work
last finished.

Both tables stay as small as the installation: one row per running worker process and one per
scheduled task, each overwritten in place (an upsert, core/heartbeats.py), never appended to.
"""

from __future__ import annotations

from typing import Any

from django.db import models


def copied_key(to: str, *, null: bool = True) -> Any:
    """A foreign key that holds a copy of another row's (a conversation's account, department,
    assignee on its SLA outcomes and classifications): no constraint and no index of its own,
    and nothing done when the row it names goes; what copies it keeps it right."""
    return models.ForeignKey(
        to,
        null=null,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )


class WorkerHeartbeat(models.Model):
    """A running `socialdesk worker` process, seen every few seconds by its schedule thread.

    The row goes when the worker stops cleanly; a killed worker's row stays with its last
    `seen_at` (that is the point: the operator sees it went quiet) until it is an hour old.
    """

    name = models.CharField(max_length=255, unique=True)  # host:pid
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TaskRun(models.Model):
    """When a scheduled task (REGULAR rhythm, core/schedule.py) last finished without error.

    The task queue's own result rows are never pruned and have no index by task, so "when did
    the SLA check last run" is kept here, one row per task, written by the worker that ran it.
    """

    task = models.CharField(max_length=255, unique=True)  # the task's dotted path
    finished_at = models.DateTimeField()

    class Meta:
        ordering = ["task"]

    def __str__(self) -> str:
        return self.task


class KeptFigure(models.Model):
    """A figure of a past period kept for every web process (`core.figure_cache`), in the shape
    of Django's database cache (`CACHES["figures"]`), which reads and writes it: the key, the
    pickled value, when it expires. On PostgreSQL only; SQLite keeps no figures."""

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "core_kept_figure"

    def __str__(self) -> str:
        return self.cache_key
