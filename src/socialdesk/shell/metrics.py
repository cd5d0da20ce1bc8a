"""The operator's figures (shell/operations.py) as Prometheus metrics, read at scrape time.

A custom collector rather than counters kept in memory: the web server runs several processes,
each would count only its own requests, and the figures that matter (a stuck queue, a silent
channel, a customer waiting, a dead worker) live in the database anyway. Each scrape reads them
once, with a fixed number of queries. Durations are in seconds; counts carry no unit.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from prometheus_client.registry import Collector, CollectorRegistry

from socialdesk.core.heartbeats import FRESH
from socialdesk.shell import operations

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
"""The classic text format, version 0.0.4, which every Prometheus reads."""


def _gauge(name: str, help_text: str, labels: list[str] | None = None) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"socialdesk_{name}", help_text, labels=labels)


def _single(name: str, help_text: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"socialdesk_{name}", help_text, value=value)


class OperationsCollector(Collector):
    """Every figure of `operations.read()` as a gauge (they can go down as well as up)."""

    def collect(self) -> Iterator[Metric]:
        figures = operations.read()
        ready = _gauge("tasks_ready", "Tasks in the queue ready to run now, by task.", ["task"])
        for task, count in sorted(figures.tasks_ready.items()):
            ready.add_metric([task], count)
        running = _gauge("tasks_running", "Tasks a worker is running now, by task.", ["task"])
        for task, count in sorted(figures.tasks_running.items()):
            running.add_metric([task], count)
        yield from (ready, running)

        lag = _gauge(
            "channel_ingest_lag_seconds",
            "Seconds since an active channel last brought items in (never: since connected).",
            ["channel", "network"],
        )
        for channel in figures.channels:
            lag.add_metric([str(channel.id), channel.network], channel.seconds)
        yield lag

        yield _single(
            "conversations_waiting_for_reply",
            "Open conversations whose customer wrote after the last reply and needs one.",
            figures.waiting_for_reply,
        )
        yield _single(
            "oldest_unanswered_age_seconds",
            "Seconds the customer of the longest-waiting open conversation has waited (0: none).",
            figures.oldest_unanswered_seconds,
        )

        sla = figures.sla_check_seconds
        yield _single(
            "sla_check_age_seconds",
            "Seconds since the SLA check last finished without error (+Inf: never).",
            math.inf if sla is None else sla,
        )
        runs = _gauge(
            "scheduled_task_age_seconds",
            "Seconds since each once-a-minute task last finished without error.",
            ["task"],
        )
        for task, seconds in sorted(figures.task_runs.items()):
            runs.add_metric([task], seconds)
        yield runs

        yield _single(
            "sends_failed",
            "Replies the network refused for good (until someone retries them).",
            figures.sends_failed,
        )
        deliveries = _gauge(
            "webhook_deliveries",
            "Outgoing webhook deliveries: pending (still trying) and failed (given up).",
            ["state"],
        )
        deliveries.add_metric(["pending"], figures.webhooks_pending)
        deliveries.add_metric(["failed"], figures.webhooks_given_up)
        yield deliveries
        yield _single(
            "incoming_webhook_deliveries_pending",
            "Webhook deliveries received but not yet stored in the inbox.",
            figures.incoming_webhooks_pending,
        )
        yield _single(
            "search_backlog",
            "Imported objects whose search entries are still to be written.",
            figures.search_backlog,
        )
        set_aside = _gauge(
            "items_set_aside",
            "Items from outside (polls, webhooks) refused and set aside, by network.",
            ["network"],
        )
        for network, count in sorted(figures.set_aside.items()):
            set_aside.add_metric([network], count)
        yield set_aside

        beats = _gauge(
            "worker_heartbeat_age_seconds",
            "Seconds since each worker process (host:pid) last reported.",
            ["worker"],
        )
        for worker in figures.workers:
            beats.add_metric([worker.name], worker.seconds)
        yield beats
        yield _single(
            "workers_alive",
            f"Worker processes that reported within {int(FRESH.total_seconds())} seconds.",
            figures.workers_alive,
        )


_registry = CollectorRegistry()
_registry.register(OperationsCollector())


def exposition() -> bytes:
    """The metrics in the text format, read now."""
    return generate_latest(_registry)
