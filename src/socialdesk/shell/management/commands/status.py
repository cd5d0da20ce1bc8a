"""`socialdesk status`: the figures of `/metrics` as a table in the terminal, or as JSON, with
an exit code a monitoring script can act on."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import number_format

from socialdesk.core.durations import human_duration
from socialdesk.core.heartbeats import FRESH
from socialdesk.shell import operations

FRESH_TEXT = f"{int(FRESH.total_seconds() // 60)} minutes"


def _number(value: int) -> str:
    return str(number_format(value, force_grouping=True))


def _duration(seconds: float | None) -> str:
    return human_duration(seconds).replace("\u00a0", " ") if seconds is not None else "never"


def _ago(seconds: float | None) -> str:
    return "never" if seconds is None else f"{_duration(seconds)} ago"


class Command(BaseCommand):
    help = (
        "Show what an operator watches, from the database: worker heartbeats, the task queue "
        "(ready and running, by task), open conversations waiting for a reply and the oldest "
        "one's wait, when the SLA check and the other once-a-minute tasks last finished, how "
        "long since each active channel brought items in, replies not sent, outgoing webhook "
        "deliveries pending and given up, incoming ones not yet stored, items set aside. "
        f"Exits with 1 when no worker has reported within {FRESH_TEXT} (none runs, or all "
        "hang), else 0."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        figures = operations.read()
        if options["json"]:
            data = asdict(figures)
            data["at"] = figures.at.isoformat()
            data["sla_check_seconds"] = figures.sla_check_seconds
            data["workers"] = [{**asdict(w), "fresh": w.fresh} for w in figures.workers]
            data["workers_alive"] = figures.workers_alive
            data["healthy"] = figures.workers_alive > 0
            self.stdout.write(json.dumps(data, indent=2))
        else:
            self.stdout.write(self._table(figures))
        if not figures.workers_alive:
            raise CommandError(
                f"unhealthy: no worker has reported within {FRESH_TEXT}", returncode=1
            )

    def _table(self, figures: operations.Figures) -> str:
        rows: list[tuple[str, str]] = []

        def section(title: str, value: str = "") -> None:
            rows.append(("", ""))
            rows.append((title, value))

        rows.append(("socialdesk status", figures.at.strftime("%Y-%m-%d %H:%M:%S UTC")))
        section("Workers", f"{figures.workers_alive} alive of {len(figures.workers)}")
        for worker in figures.workers:
            late = "" if worker.fresh else " (silent)"
            rows.append((f"  {worker.name}", f"seen {_ago(worker.seconds)}{late}"))

        section("Task queue")
        rows.append(("  ready", _number(sum(figures.tasks_ready.values()))))
        rows += [(f"    {task}", _number(n)) for task, n in sorted(figures.tasks_ready.items())]
        rows.append(("  running", _number(sum(figures.tasks_running.values()))))
        rows += [(f"    {task}", _number(n)) for task, n in sorted(figures.tasks_running.items())]

        section("Inbox")
        rows.append(("  waiting for a reply", _number(figures.waiting_for_reply)))
        oldest = figures.oldest_unanswered_seconds if figures.waiting_for_reply else None
        rows.append(("  oldest unanswered", _duration(oldest) if oldest is not None else "–"))
        rows.append(("  replies not sent (failed)", _number(figures.sends_failed)))

        section("SLA check", f"last finished {_ago(figures.sla_check_seconds)}")
        section("Regular tasks", "last finished" if figures.task_runs else "none ran yet")
        rows += [(f"  {task}", _ago(s)) for task, s in sorted(figures.task_runs.items())]

        section("Channels", "items last came in" if figures.channels else "none connected")
        rows += [(f"  {c.network} #{c.id}", _ago(c.seconds)) for c in figures.channels]

        section("Webhooks")
        rows.append(("  outgoing pending", _number(figures.webhooks_pending)))
        rows.append(("  outgoing given up", _number(figures.webhooks_given_up)))
        rows.append(("  incoming not yet stored", _number(figures.incoming_webhooks_pending)))
        section("Search", "")
        rows.append(("  imported, not yet indexed", _number(figures.search_backlog)))
        section("Items set aside", _number(sum(figures.set_aside.values())))
        rows += [(f"  {network}", _number(n)) for network, n in sorted(figures.set_aside.items())]

        width = max(len(label) for label, _ in rows) + 2
        return "\n".join(f"{label:<{width}}{value}".rstrip() for label, value in rows)
