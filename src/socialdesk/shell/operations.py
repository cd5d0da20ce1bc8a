"""The figures an operator watches: is the queue draining, are channels arriving, is anyone
waiting for an answer, are the workers alive.

`/metrics` (shell/metrics.py) and `socialdesk status` read the same `read()`. It asks the
database a fixed number of aggregate questions, however many channels, messages or tasks there
are, each answered from an index (the queue's ready and running rows, the open conversations'
`waiting_for_us_since`, the failed replies and given-up webhook deliveries, which are few): a
scrape every 15 seconds costs next to nothing. Only the rows that become one figure each (a
channel, a worker, a kind of task) come back to Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Min, Q
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from socialdesk.channels.models import ChannelAccount, SetAsideItem, WebhookDelivery
from socialdesk.core.heartbeats import FRESH
from socialdesk.core.models import TaskRun, WorkerHeartbeat
from socialdesk.inbox.models import Conversation, Delivery, Message, Status
from socialdesk.search.models import SearchBacklog
from socialdesk.sla.tasks import check_slas
from socialdesk.webhooks.models import Delivery as WebhookOut
from socialdesk.webhooks.models import DeliveryState


@dataclass(frozen=True)
class ChannelLag:
    """A connected, active channel and the seconds since it last brought items in (or, never
    having done so, since it was connected)."""

    id: int
    network: str
    seconds: float


@dataclass(frozen=True)
class WorkerBeat:
    """A worker process (host:pid) and the seconds since it last reported."""

    name: str
    seconds: float

    @property
    def fresh(self) -> bool:
        return self.seconds <= FRESH.total_seconds()


@dataclass(frozen=True)
class Figures:
    at: datetime
    tasks_ready: dict[str, int] = field(default_factory=dict)
    tasks_running: dict[str, int] = field(default_factory=dict)
    channels: list[ChannelLag] = field(default_factory=list)
    waiting_for_reply: int = 0
    oldest_unanswered_seconds: float = 0.0  # 0: nobody waits
    task_runs: dict[str, float] = field(default_factory=dict)  # seconds since the last success
    sends_failed: int = 0
    webhooks_pending: int = 0
    webhooks_given_up: int = 0
    incoming_webhooks_pending: int = 0
    search_backlog: int = 0  # objects an import left for the search to index
    set_aside: dict[str, int] = field(default_factory=dict)  # by network
    workers: list[WorkerBeat] = field(default_factory=list)

    @property
    def sla_check_seconds(self) -> float | None:
        """Seconds since the SLA check last finished; None when it never has."""
        return self.task_runs.get(check_slas.module_path)

    @property
    def workers_alive(self) -> int:
        return sum(1 for worker in self.workers if worker.fresh)


def _age(now: datetime, then: datetime | None) -> float:
    return max(0.0, (now - then).total_seconds()) if then is not None else 0.0


def _by(rows: Iterable[Mapping[str, Any]], key: str) -> dict[str, int]:
    return {row[key]: row["n"] for row in rows}


def read(now: datetime | None = None) -> Figures:
    """Read every figure now (twelve queries, whatever the size of the data)."""
    now = now or timezone.now()
    ready = DBTaskResult.objects.ready().values("task_path").annotate(n=Count("pk")).order_by()
    running = (
        DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
        .values("task_path")
        .annotate(n=Count("pk"))
        .order_by()
    )
    active = (
        ChannelAccount.objects.exclude(handle="")
        .filter(~Q(credentials_encrypted="") | ~Q(url=""))
        .filter(paused_at__isnull=True, disconnected_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "network", "last_success_at", "created_at")
    )
    waiting = Conversation.objects.filter(
        status=Status.OPEN, waiting_for_us_since__isnull=False
    ).aggregate(count=Count("pk"), oldest=Min("waiting_for_us_since"))
    set_aside = (
        SetAsideItem.objects.values("channel_account__network").annotate(n=Count("pk")).order_by()
    )
    runs = TaskRun.objects.values_list("task", "finished_at")
    beats = WorkerHeartbeat.objects.order_by("name").values_list("name", "seen_at")
    return Figures(
        at=now,
        tasks_ready=_by(ready, "task_path"),
        tasks_running=_by(running, "task_path"),
        channels=[
            ChannelLag(pk, network, _age(now, success or connected))
            for pk, network, success, connected in active
        ],
        waiting_for_reply=waiting["count"],
        oldest_unanswered_seconds=_age(now, waiting["oldest"]),
        task_runs={task: _age(now, at) for task, at in runs},
        sends_failed=Message.objects.filter(delivery=Delivery.FAILED).count(),
        webhooks_pending=WebhookOut.objects.filter(state=DeliveryState.PENDING).count(),
        webhooks_given_up=WebhookOut.objects.filter(state=DeliveryState.FAILED).count(),
        incoming_webhooks_pending=WebhookDelivery.objects.filter(processed_at__isnull=True).count(),
        search_backlog=SearchBacklog.objects.count(),
        set_aside=_by(set_aside, "channel_account__network"),
        workers=[WorkerBeat(name, _age(now, seen)) for name, seen in beats],
    )
