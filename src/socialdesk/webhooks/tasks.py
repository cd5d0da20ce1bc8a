"""Background work of the outgoing webhooks: send what is due, forget what is long delivered."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

KEEP = timedelta(days=30)
"""How long delivered and given-up deliveries stay in the log (and events with them)."""


@task()
def deliver_webhooks() -> int:
    """Send due deliveries for up to 50 seconds; return how many were delivered."""
    from socialdesk.webhooks.delivery import deliver_due

    return deliver_due().delivered


@task()
def prune_webhook_log() -> int:
    """Remove log entries older than KEEP; return how many deliveries went."""
    from socialdesk.webhooks.services import prune

    return prune(timezone.now() - KEEP)


def none_queued() -> bool:
    """No delivery task waits in the queue yet (one running task works through the backlog)."""
    from django_tasks_db.models import DBTaskResult

    return not DBTaskResult.objects.ready().filter(task_path=deliver_webhooks.module_path).exists()
