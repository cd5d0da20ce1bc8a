"""The worker's queue keeps a row for every task it ran (django-tasks-db): five FREQUENT tasks
every ten seconds alone leave over 40,000 a day. Finished ones are removed once they are
`TASK_RESULTS_KEEP_DAYS` old (the failed ones with their tracebacks too, after the same time);
tasks still waiting or running are never touched."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from socialdesk.core import schedule

FINISHED = (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)


def prune(before: datetime | None = None) -> int:
    """Remove the results of tasks that finished before `before` (default: KEEP_DAYS ago);
    return how many went. One statement (no index on the finish time: once an hour)."""
    if before is None:
        before = timezone.now() - timedelta(days=settings.TASK_RESULTS_KEEP_DAYS)
    finished = DBTaskResult.objects.filter(status__in=FINISHED, finished_at__lt=before)
    return int(finished.delete()[0])


EVERY_SECONDS = 3600
# Once an hour per worker process, the first time on its first REGULAR round (whatever its
# `--sla-every`; several workers pruning the same rows changes nothing).
due = schedule.AtMostEvery(EVERY_SECONDS)
