"""The queue table does not grow for ever: finished task results older than the setting go,
waiting and running tasks and recent results stay; the worker does it once an hour."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from socialdesk.core import schedule, task_results
from socialdesk.core.tasks import prune_task_results

pytestmark = pytest.mark.django_db


def _task(name: str, status: str, finished_days_ago: float | None) -> DBTaskResult[Any, Any]:
    now = timezone.now()
    finished = now - timedelta(days=finished_days_ago) if finished_days_ago is not None else None
    return DBTaskResult.objects.create(
        task_path=f"socialdesk.tests.{name}",
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        enqueued_at=now - timedelta(days=40),
        finished_at=finished,
    )


def test_finished_results_older_than_the_setting_go_and_nothing_else(settings: Any) -> None:
    settings.TASK_RESULTS_KEEP_DAYS = 14
    _task("old_success", "SUCCESSFUL", 15)
    _task("old_failure", "FAILED", 30)
    _task("recent_success", "SUCCESSFUL", 13)
    _task("recent_failure", "FAILED", 1)
    _task("waiting_long", "READY", None)  # never ran: the worker still owes it
    _task("running_long", "RUNNING", None)

    assert prune_task_results.call() == 2

    left = set(DBTaskResult.objects.values_list("task_path", flat=True))
    assert left == {
        f"socialdesk.tests.{n}"
        for n in ("recent_success", "recent_failure", "waiting_long", "running_long")
    }
    settings.TASK_RESULTS_KEEP_DAYS = 7
    assert task_results.prune() == 1  # the 13 days old one
    assert task_results.prune() == 0


def test_the_worker_prunes_once_an_hour(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "prune_task_results" in {t.name for t in schedule.due(schedule.REGULAR)}
    clock = [1_000.0]
    monkeypatch.setattr(
        "socialdesk.core.schedule.time", SimpleNamespace(monotonic=lambda: clock[0])
    )
    task_results.due.forget()  # a worker just started
    assert "prune_task_results" in {t.name for t in schedule.wanted(schedule.REGULAR)}
    clock[0] += 120  # the next rounds of the hour, whatever the interval
    assert "prune_task_results" not in {t.name for t in schedule.wanted(schedule.REGULAR)}
    clock[0] += 3_480
    assert "prune_task_results" in {t.name for t in schedule.wanted(schedule.REGULAR)}
