"""Run background tasks from the database queue (several may run against one database)."""

from __future__ import annotations

import logging
import threading
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from socialdesk.core import schedule

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the background worker: sends e-mail and runs scheduled work from the task queue."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
        parser.add_argument(
            "--batch", action="store_true", help="run what is queued now, then exit"
        )
        parser.add_argument(
            "--sla-every", type=float, default=60.0, help="seconds between SLA checks"
        )
        parser.add_argument(
            "--channels-every",
            type=float,
            default=10.0,
            help="seconds between looks for due channel polls and replies to send",
        )
        parser.add_argument(
            "--publish-every",
            type=float,
            default=1.0,
            help="seconds between looks for posts due to be published",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker_args = ["--queue-name", "*", "--interval", str(options["interval"])]
        if options["batch"]:
            worker_args += ["--batch", "--no-startup-delay"]
        else:
            threading.Thread(
                target=_schedule,
                args=(options["sla_every"], options["channels_every"], options["publish_every"]),
                daemon=True,
                name="schedule",
            ).start()
        call_command("db_worker", *worker_args)


def _schedule(sla_every: float, channels_every: float, publish_every: float = 1.0) -> None:
    """Queue the tasks the apps registered (core/schedule.py) on their rhythm (all idempotent).

    Each channel is polled when its own interval is up (the task looks at which are due).
    Replies are also queued for sending the moment they are written; this round picks up
    retries and replies whose worker died. Posts due now are looked for every `publish_every`
    seconds (queued only when there are some).
    """
    tick = max(0.1, min(sla_every, channels_every, publish_every))
    last_sla = last_channels = last_publish = time.monotonic()
    while True:
        time.sleep(tick)
        now = time.monotonic()
        try:
            if now - last_publish >= publish_every:
                last_publish = now
                for task in schedule.wanted(schedule.PROMPT):
                    task.enqueue()
            if now - last_channels >= channels_every:
                last_channels = now
                for task in schedule.due(schedule.FREQUENT):
                    task.enqueue()
            if now - last_sla >= sla_every:
                last_sla = now
                for task in schedule.due(schedule.REGULAR):
                    task.enqueue()
        except Exception:  # the database may be busy or restarting: try again next round
            logger.exception("could not queue scheduled work")
        finally:
            close_old_connections()
