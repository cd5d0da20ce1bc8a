"""Worker heartbeats and the last run of each scheduled task: what `socialdesk worker` writes so
the operator can tell it is alive (`/metrics`, `socialdesk status`).

Every write is one statement on one row (INSERT … ON CONFLICT DO UPDATE on SQLite and
PostgreSQL alike), so a beat every few seconds from each worker costs the database next to
nothing and the tables never grow with time.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from socialdesk.core.models import TaskRun, WorkerHeartbeat

BEAT_SECONDS = 5.0
"""How often a worker's schedule thread reports."""
FRESH = timedelta(minutes=2)
"""A worker seen within this is alive; `socialdesk status` fails when none is."""
KEEP = timedelta(hours=1)
"""A worker not seen for longer is forgotten (it was killed, or its machine is gone)."""


@dataclass(frozen=True)
class Worker:
    """One worker process as its heartbeat row names it."""

    host: str
    pid: int
    started_at: datetime

    @property
    def name(self) -> str:
        return f"{self.host}:{self.pid}"


def this_worker() -> Worker:
    """This process, started now (the host name cut so that host:pid fits its column)."""
    return Worker(host=socket.gethostname()[:200], pid=os.getpid(), started_at=timezone.now())


def beat(worker: Worker, now: datetime | None = None) -> None:
    """Say the worker is alive now (insert its row, or move its `seen_at`)."""
    row = WorkerHeartbeat(
        name=worker.name,
        host=worker.host,
        pid=worker.pid,
        started_at=worker.started_at,
        seen_at=now or timezone.now(),
    )
    WorkerHeartbeat.objects.bulk_create(
        [row],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["host", "pid", "started_at", "seen_at"],
    )


def forget(worker: Worker) -> None:
    """Remove the worker's row: it stops cleanly, so nobody should miss it."""
    WorkerHeartbeat.objects.filter(name=worker.name).delete()


def prune(now: datetime | None = None) -> int:
    """Forget workers not seen for `KEEP`; return how many."""
    deleted, _ = WorkerHeartbeat.objects.filter(seen_at__lt=(now or timezone.now()) - KEEP).delete()
    return deleted


def record_run(task: str, now: datetime | None = None) -> None:
    """Note that the scheduled task with this dotted path just finished without error."""
    TaskRun.objects.bulk_create(
        [TaskRun(task=task, finished_at=now or timezone.now())],
        update_conflicts=True,
        unique_fields=["task"],
        update_fields=["finished_at"],
    )
