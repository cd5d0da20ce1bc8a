"""Worker heartbeats stay one row per running worker, and a scheduled task's last run one row per
task, however long the workers run."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from socialdesk.core import heartbeats
from socialdesk.core.models import TaskRun, WorkerHeartbeat


def test_a_beat_moves_the_one_row_of_its_worker_in_one_statement(db: None) -> None:
    worker = heartbeats.Worker(host="web-1", pid=321, started_at=timezone.now())
    other = heartbeats.Worker(host="web-2", pid=321, started_at=timezone.now())
    first = timezone.now() - timedelta(seconds=5)
    heartbeats.beat(worker, now=first)
    heartbeats.beat(other, now=first)
    with CaptureQueriesContext(connection) as captured:
        heartbeats.beat(worker)
    assert len(captured) == 1
    rows = {row.name: row for row in WorkerHeartbeat.objects.all()}
    assert rows.keys() == {"web-1:321", "web-2:321"}
    assert rows["web-1:321"].seen_at > first
    assert rows["web-2:321"].seen_at == first
    assert (rows["web-1:321"].host, rows["web-1:321"].pid) == ("web-1", 321)


def test_a_worker_that_stops_is_forgotten_and_one_gone_for_an_hour_pruned(db: None) -> None:
    now = timezone.now()
    stopping = heartbeats.Worker(host="w", pid=1, started_at=now)
    killed = heartbeats.Worker(host="w", pid=2, started_at=now)
    quiet = heartbeats.Worker(host="w", pid=3, started_at=now)
    heartbeats.beat(stopping, now=now)
    heartbeats.beat(killed, now=now - timedelta(minutes=61))
    heartbeats.beat(quiet, now=now - timedelta(minutes=59))  # silent, but kept to be seen
    heartbeats.forget(stopping)
    assert heartbeats.prune(now=now) == 1
    assert list(WorkerHeartbeat.objects.values_list("name", flat=True)) == ["w:3"]


def test_a_task_run_overwrites_the_task_s_row(db: None) -> None:
    earlier = timezone.now() - timedelta(minutes=1)
    heartbeats.record_run("socialdesk.sla.tasks.check_slas", now=earlier)
    heartbeats.record_run("socialdesk.privacy.tasks.apply_retention", now=earlier)
    heartbeats.record_run("socialdesk.sla.tasks.check_slas")
    runs = dict(TaskRun.objects.values_list("task", "finished_at"))
    assert len(runs) == 2
    assert runs["socialdesk.sla.tasks.check_slas"] > earlier
    assert runs["socialdesk.privacy.tasks.apply_retention"] == earlier


def test_this_worker_is_named_by_host_and_process() -> None:
    import os
    import socket

    me = heartbeats.this_worker()
    assert me.name == f"{socket.gethostname()}:{os.getpid()}"
